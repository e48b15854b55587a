// Nearby hospitals against canned answers: the browser's location asked for and used, the list in the
// server's order with distances, services, phone and an own site's live figures; without a location, the
// fallback (typed coordinates, a place the directory knows, or words saying what to type); the map only
// when the server has a tile URL.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { NearbyHospital } from '../../api/types'
import { fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { NearbyHospitals } from './NearbyHospitals'
import { formatDistance, parseCoordinates } from './place'

vi.mock('./NearbyMap', () => ({
  NearbyMap: ({ tiles, items }: { tiles: string; items: NearbyHospital[] }) => (
    <div data-testid="nearby-map">
      {tiles} {items.length}
    </div>
  ),
}))

function entry(over: Partial<NearbyHospital>): NearbyHospital {
  return {
    id: 'x',
    name: 'X',
    address: '',
    lat: 51.5,
    lng: -0.1,
    phone: '',
    services: [],
    own: false,
    updated_at: '2026-12-01T00:00:00Z',
    distance_km: 1,
    ...over,
  }
}

const nearby = [
  entry({ id: 'a', name: 'Charing Cross Clinic', address: 'Strand, London', distance_km: 0.04, services: ['outpatient'], phone: '020 7946 0001' }),
  entry({
    id: 'kc',
    name: 'Kings Cross Hospital',
    distance_km: 2.61,
    services: ['emergency', 'icu'],
    own: true,
    live: { emergency_waiting: 3, emergency_wait_minutes: 18, free_beds: 2 },
  }),
  entry({ id: 'h', name: 'Hampstead General', distance_km: 5.68, services: ['maternity'] }),
]

let routes: Record<string, Route>
let calls: Call[]
let geo: { getCurrentPosition: ReturnType<typeof vi.fn> }

function hospital(tiles = '') {
  return { body: { name: 'HMS', time_zone: 'UTC', locale: 'en-GB', today: '2026-12-08', now: '2026-12-08T10:00:00Z', map_tile_url: tiles, map_attribution: tiles ? 'Map tiles: tiles.test' : '' } }
}

beforeEach(() => {
  signIn({ id: 'p0000000000000000000000p', role: 'patient', name: 'Ann Lee', patient_id: 'q0000000000000000000000q' })
  routes = {
    'GET /api/hospital': hospital(),
    'GET /api/hospitals/nearby': { body: { items: nearby, total: 3, radius_km: 50 } },
    'GET /api/hospitals': (c) =>
      c.query.get('q') === 'greenwich'
        ? { body: { items: [entry({ id: 'g', name: 'Greenwich Maternity', address: 'Greenwich, London', lat: 51.48, lng: -0.01 })], total: 1, page: 1, limit: 1 } }
        : { body: { items: [], total: 0, page: 1, limit: 100 } },
  }
  calls = fakeServer(routes)
  geo = {
    getCurrentPosition: vi.fn((ok: PositionCallback) => ok({ coords: { latitude: 51.5074, longitude: -0.1278 } } as GeolocationPosition)),
  }
  Object.defineProperty(navigator, 'geolocation', { value: geo, configurable: true })
})

afterEach(() => vi.restoreAllMocks())

const nearbyCalls = () => calls.filter((c) => c.path === '/api/hospitals/nearby')

describe('NearbyHospitals', () => {
  it('asks for the location and lists the nearest in order, with an own site’s live figures', async () => {
    renderLive(new FakeLive(), <NearbyHospitals />)
    const items = await screen.findAllByTestId('nearby-item')
    expect(geo.getCurrentPosition).toHaveBeenCalledTimes(1)
    expect(nearbyCalls()[0]?.query.get('lat')).toBe('51.5074')
    expect(nearbyCalls()[0]?.query.get('lng')).toBe('-0.1278')
    expect(items.map((i) => within(i).getByTestId('nearby-distance').textContent)).toEqual(['0.0 km', '2.6 km', '5.7 km'])
    expect(items[0]?.textContent).toContain('Charing Cross Clinic')
    expect(within(items[0]!).getByRole('link', { name: '020 7946 0001' }).getAttribute('href')).toBe('tel:02079460001')
    expect(items[1]?.textContent).toContain('Our hospital')
    expect(items[1]?.textContent).toContain('3 waiting in Emergency, about 18 min average wait today, 2 beds free')
    expect(within(items[1]!).getByRole('list', { name: 'Services' }).textContent).toBe('EmergencyIntensive care')
    expect(screen.getByText('your location')).toBeTruthy()
    expect(screen.queryByTestId('nearby-map')).toBeNull() // no tile URL: the list only
  })

  it('sends the service and the distance chosen', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <NearbyHospitals />)
    await screen.findAllByTestId('nearby-item')
    await user.selectOptions(screen.getByLabelText('Service'), 'maternity')
    await user.selectOptions(screen.getByLabelText('Within'), '10')
    await waitFor(() => {
      const last = nearbyCalls().at(-1)
      expect(last?.query.get('service')).toBe('maternity')
      expect(last?.query.get('radius_km')).toBe('10')
    })
  })

  it('shows the map when the server has a tile URL', async () => {
    routes['GET /api/hospital'] = hospital('http://127.0.0.1:9/{z}/{x}/{y}.png')
    renderLive(new FakeLive(), <NearbyHospitals />)
    expect((await screen.findByTestId('nearby-map')).textContent).toBe('http://127.0.0.1:9/{z}/{x}/{y}.png 3')
  })

  it('without the location, searches near typed coordinates or a place in the directory', async () => {
    geo.getCurrentPosition.mockImplementation((_ok: PositionCallback, fail: PositionErrorCallback) =>
      fail({ code: 1, PERMISSION_DENIED: 1 } as GeolocationPositionError),
    )
    const user = userEvent.setup()
    renderLive(new FakeLive(), <NearbyHospitals />)
    expect((await screen.findByRole('status')).textContent).toContain('did not share your location')
    expect(screen.queryByTestId('nearby-list')).toBeNull()
    const place = screen.getByLabelText('Or search near')

    await user.type(place, 'Atlantis')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    expect((await screen.findByRole('alert')).textContent).toContain('No hospital in the directory has “Atlantis”')

    await user.clear(place)
    await user.type(place, 'greenwich')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    await screen.findAllByTestId('nearby-item')
    expect(nearbyCalls().at(-1)?.query.get('lat')).toBe('51.48')
    expect(screen.getByText('near Greenwich Maternity')).toBeTruthy()

    await user.clear(place)
    await user.type(place, '52.2, 0.12')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    await waitFor(() => expect(nearbyCalls().at(-1)?.query.get('lat')).toBe('52.2'))
    expect(nearbyCalls().at(-1)?.query.get('lng')).toBe('0.12')
  })
})

describe('place', () => {
  it('reads coordinates and refuses them out of range', () => {
    expect(parseCoordinates(' 51.5 , -0.12 ')).toEqual({ lat: 51.5, lng: -0.12, label: '51.5, -0.12' })
    expect(parseCoordinates('91, 0')).toEqual({ error: 'The latitude 91 is not from -90 to 90.' })
    expect(parseCoordinates('London')).toBeNull()
  })

  it('writes distances in km', () => {
    expect(formatDistance(0.04)).toBe('0.0 km')
    expect(formatDistance(2.61)).toBe('2.6 km')
    expect(formatDistance(183.4)).toBe('183 km')
  })
})
