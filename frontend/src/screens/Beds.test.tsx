import { screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { BedBoard, Ward } from '../api/types'
import { apiError, fakeServer } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { BedsScreen } from './Beds'

const at = '2026-11-27T08:00:00.000Z'
const ward = (id: string, name: string, occupied: number, total: number): Ward => ({
  id,
  name,
  department: 'general',
  total,
  occupied,
  free: total - occupied,
  created_at: at,
})
const patientID = 'b'.repeat(24)
const icu: BedBoard = {
  ward: ward('icu', 'Intensive care', 1, 2),
  beds: [
    { id: '1'.repeat(24), label: 'I1', state: 'occupied', admission_id: 'a'.repeat(24), patient_id: patientID },
    { id: '2'.repeat(24), label: 'I2', state: 'free' },
  ],
}
const ward3: BedBoard = { ward: ward('ward-3', 'Ward 3', 0, 1), beds: [{ id: '3'.repeat(24), label: 'W1', state: 'free' }] }

let boards: Record<string, BedBoard>

beforeEach(() => {
  boards = { icu, 'ward-3': ward3 }
  fakeServer({
    'GET /api/wards': () => ({ body: { items: Object.values(boards).map((b) => b.ward) } }),
    'GET /api/wards/icu/beds': () => ({ body: boards.icu }),
    'GET /api/wards/ward-3/beds': () => ({ body: boards['ward-3'] }),
  })
})

afterEach(() => {
  vi.restoreAllMocks()
})

describe('BedsScreen', () => {
  it('shows every ward with its free and occupied beds, never a patient, and follows beds.updated', async () => {
    const live = new FakeLive()
    renderLive(live, <BedsScreen />)
    const icuCard = await screen.findByTestId('ward-icu')
    expect(within(icuCard).getByTestId('ward-icu-counts').textContent).toBe('1 free · 1 occupied · 2 beds')
    expect(within(icuCard).getByTestId('bed-I1').textContent).toContain('Occupied')
    expect(within(icuCard).getByTestId('bed-I2').textContent).toContain('Free')
    expect(screen.getByTestId('beds-total').textContent).toBe('2 free of 3')
    expect(document.body.textContent).not.toContain(patientID)
    expect(live.channels()).toEqual(['beds'])

    // A transfer from the ICU to ward 3: the event carries both boards.
    live.emit('beds', 'beds.updated', {
      action: 'transferred',
      admission_id: 'a'.repeat(24),
      wards: [
        { ward: ward('icu', 'Intensive care', 0, 2), beds: icu.beds.map((b) => ({ id: b.id, label: b.label, state: 'free' })) },
        { ward: ward('ward-3', 'Ward 3', 1, 1), beds: [{ ...ward3.beds[0]!, state: 'occupied', admission_id: 'a'.repeat(24) }] },
      ],
    })
    await waitFor(() => expect(screen.getByTestId('beds-total').textContent).toBe('2 free of 3'))
    expect(screen.getByTestId('ward-icu-counts').textContent).toBe('2 free · 0 occupied · 2 beds')
    expect(screen.getByTestId('ward-ward-3-counts').textContent).toBe('0 free · 1 occupied · 1 beds')
    expect(screen.getByTestId('bed-W1').textContent).toContain('Occupied')
  })

  it('says when there are no wards', async () => {
    boards = {}
    renderLive(new FakeLive(), <BedsScreen />)
    expect(await screen.findByText(/No wards yet/)).toBeTruthy()
  })

  it('shows a load failure with a retry that loads again', async () => {
    let fail = true
    fakeServer({
      'GET /api/wards': () => (fail ? apiError(503, 'unavailable', 'try again shortly') : { body: { items: [ward3.ward] } }),
      'GET /api/wards/ward-3/beds': () => ({ body: ward3 }),
    })
    renderLive(new FakeLive(), <BedsScreen />)
    const retry = await screen.findByRole('button', { name: 'Retry' })
    expect(document.body.textContent).toContain('Could not load the bed board')
    fail = false
    retry.click()
    expect(await screen.findByTestId('ward-ward-3')).toBeTruthy()
  })
})
