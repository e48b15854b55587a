// The Hospitals tab against canned answers: the directory listed; a CSV file sent as text/csv as it is,
// a GeoJSON one as application/geo+json, with replace when asked; a refused file's rows listed one by one.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { Hospitals } from './Hospitals'

const csv = 'name,address,lat,lng,phone,services\nKings Cross Hospital,Euston Rd,51.5308,-0.1238,020 2,emergency;icu\n'

let routes: Record<string, Route>
let calls: Call[]

beforeEach(() => {
  signIn({ id: 'a0000000000000000000000a', role: 'admin', name: 'Ada Admin' })
  routes = {
    'GET /api/hospitals': {
      body: {
        items: [
          {
            id: 'kc',
            name: 'Kings Cross Hospital',
            address: 'Euston Rd',
            lat: 51.5308,
            lng: -0.1238,
            phone: '020 2',
            services: ['emergency', 'icu'],
            own: true,
            updated_at: '2026-12-01T00:00:00Z',
          },
        ],
        total: 1,
        page: 1,
        limit: 20,
      },
    },
    'POST /api/hospitals/import': { body: { rows: 1, created: 1, replaced: 0, removed: 0 } },
    'DELETE /api/hospitals/kc': { status: 204, body: null },
  }
  calls = fakeServer(routes)
})

afterEach(() => vi.restoreAllMocks())

const imports = () => calls.filter((c) => c.method === 'POST')

describe('Hospitals', () => {
  it('lists the directory', async () => {
    renderLive(new FakeLive(), <Hospitals />)
    const table = await screen.findByTestId('hospitals-table')
    const row = within(table).getAllByRole('row')[1]!
    expect(row.textContent).toContain('Kings Cross HospitalOur site')
    expect(row.textContent).toContain('51.5308, -0.1238')
    expect(row.textContent).toContain('Emergency, Intensive care')
  })

  it('uploads a CSV file as it is, and a GeoJSON one with replace', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Hospitals />)
    await user.upload(screen.getByLabelText('File to import'), new File([csv], 'sites.csv', { type: 'text/csv' }))
    await user.click(screen.getByRole('button', { name: 'Import' }))
    expect((await screen.findByTestId('hospitals-imported')).textContent).toBe('Imported 1 entry: 1 new, 0 replaced.')
    expect(imports()[0]?.headers.get('Content-Type')).toBe('text/csv')
    expect(imports()[0]?.body).toBe(csv)
    expect(imports()[0]?.query.get('replace')).toBeNull()

    await user.upload(screen.getByLabelText('File to import'), new File(['{"type":"FeatureCollection","features":[]}'], 'sites.geojson'))
    await user.click(screen.getByLabelText('Remove the entries not in this file'))
    await user.click(screen.getByRole('button', { name: 'Import' }))
    await waitFor(() => expect(imports()).toHaveLength(2))
    expect(imports()[1]?.headers.get('Content-Type')).toBe('application/geo+json')
    expect(imports()[1]?.query.get('replace')).toBe('true')
  })

  it('lists a refused file’s bad rows, and refuses other files before sending', async () => {
    routes['POST /api/hospitals/import'] = apiError(
      400,
      'bad_rows',
      '2 problems in the file; nothing was imported:\nrow 1: lat must be from -90 to 90, not 95\nrow 2: the name is missing',
    )
    const user = userEvent.setup({ applyAccept: false }) // the picker offers only .csv and .geojson; a drop may not
    renderLive(new FakeLive(), <Hospitals />)
    await user.upload(screen.getByLabelText('File to import'), new File([csv], 'sites.csv'))
    await user.click(screen.getByRole('button', { name: 'Import' }))
    const alert = await screen.findByTestId('hospitals-problems')
    expect(within(alert).getByText('2 problems in the file; nothing was imported:')).toBeTruthy()
    expect(within(alert).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'row 1: lat must be from -90 to 90, not 95',
      'row 2: the name is missing',
    ])

    await user.upload(screen.getByLabelText('File to import'), new File(['x'], 'sites.xlsx'))
    await user.click(screen.getByRole('button', { name: 'Import' }))
    expect((await screen.findByTestId('hospitals-problems')).textContent).toBe('“sites.xlsx” is neither a .csv nor a .geojson file.')
    expect(imports()).toHaveLength(1)
  })

  it('removes an entry', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Hospitals />)
    await user.click(await screen.findByRole('button', { name: 'Remove Kings Cross Hospital' }))
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/hospitals/kc')).toBe(true))
  })
})
