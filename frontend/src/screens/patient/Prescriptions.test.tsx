// The prescriptions section against canned answers: current and stopped medicines with dose and how
// often, the fills left and when the next refill is due, and a refill-due event reloading the list.
import { screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { components } from '../../api/schema'
import { apiError, fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { doctorID, doctors, patientID, userID } from './fixtures'
import { Prescriptions, refillDue } from './Prescriptions'

type Prescription = components['schemas']['Prescription']

function rx(id: string, over: Partial<Prescription> = {}): Prescription {
  return {
    id,
    patient_id: patientID,
    medication_id: 'm00000000000000000000001',
    medication_name: 'Amoxicillin 500 mg',
    dose: '1 capsule',
    frequency: 'three times a day',
    duration_days: 7,
    quantity: 21,
    refills: 2,
    prescribed_by: doctorID,
    status: 'active',
    allergy_warnings: [],
    fills: [{ fill: 1, quantity: 21, status: 'dispensed', dispensed_by: userID, at: '2026-12-01T10:00:00Z' }],
    fills_left: 2,
    created_at: '2026-12-01T09:00:00Z',
    ...over,
  }
}

let live: FakeLive
let routes: Record<string, Route>
let calls: Call[]

beforeEach(() => {
  signIn({ id: userID, role: 'patient', name: 'Ann Lee', patient_id: patientID })
  live = new FakeLive()
  routes = {
    'GET /api/doctors': doctors,
    [`GET /api/patients/${patientID}/prescriptions`]: {
      body: {
        items: [
          rx('r00000000000000000000001'),
          rx('r00000000000000000000002', {
            medication_name: 'Ibuprofen 400 mg',
            status: 'cancelled',
            cancel_reason: 'stomach upset',
            fills: [],
          }),
        ],
        total: 2,
        page: 1,
        limit: 100,
      },
    },
  }
  calls = fakeServer(routes)
})

afterEach(() => vi.restoreAllMocks())

describe('refillDue', () => {
  it('is two days before the last fill runs out, and nothing without fills left', () => {
    expect(refillDue(rx('r1'))).toBe('2026-12-06')
    expect(refillDue(rx('r1', { fills_left: 0 }))).toBe('')
    expect(refillDue(rx('r1', { fills: [] }))).toBe('')
  })
})

describe('Prescriptions', () => {
  it('shows current and stopped medicines, the fills left and the next refill', async () => {
    renderLive(live, <Prescriptions patientID={patientID} />)
    const current = await screen.findByTestId('rx-r00000000000000000000001')
    expect(current.textContent).toContain('Amoxicillin 500 mg')
    expect(current.textContent).toContain('1 capsule, three times a day, for 7 days')
    expect(within(current).getByTestId('fills').textContent).toBe('2 refills leftNext refill due Sun 6 Dec')
    await waitFor(() => expect(current.textContent).toContain('by Dr. Clara Chen'))
    const stopped = within(screen.getByRole('region', { name: 'Stopped' })).getByTestId('rx-r00000000000000000000002')
    expect(stopped.textContent).toContain('Stopped: stomach upset')
  })

  it('shows a refill falling due by reading that one prescription, not the whole list', async () => {
    renderLive(live, <Prescriptions patientID={patientID} />)
    const card = await screen.findByTestId('rx-r00000000000000000000001')
    expect(within(card).getByTestId('fills').textContent).toBe('2 refills leftNext refill due Sun 6 Dec')
    const listReads = () => calls.filter((c) => c.path === `/api/patients/${patientID}/prescriptions`).length
    // The channel's first sync has read the list again; wait for it to settle.
    await new Promise((r) => setTimeout(r, 400))
    const before = listReads()

    // The second fill is dispensed: one refill is left, due a week later.
    routes['GET /api/prescriptions/r00000000000000000000001'] = {
      body: rx('r00000000000000000000001', {
        fills: [
          { fill: 1, quantity: 21, status: 'dispensed', dispensed_by: userID, at: '2026-12-01T10:00:00Z' },
          { fill: 2, quantity: 21, status: 'dispensed', dispensed_by: userID, at: '2026-12-08T10:00:00Z' },
        ],
        fills_left: 1,
      }),
    }
    live.emit(`patient:${patientID}`, 'prescription.refill_due', { prescription_id: 'r00000000000000000000001' })
    await waitFor(() =>
      expect(within(screen.getByTestId('rx-r00000000000000000000001')).getByTestId('fills').textContent).toBe(
        '1 refill leftNext refill due Sun 13 Dec',
      ),
    )
    expect(calls.filter((c) => c.path === '/api/prescriptions/r00000000000000000000001')).toHaveLength(1)
    expect(listReads()).toBe(before)
  })

  it('says why the list could not be read, in the server\'s words', async () => {
    routes[`GET /api/patients/${patientID}/prescriptions`] = apiError(403, 'forbidden', 'patients may only read their own prescriptions')
    renderLive(live, <Prescriptions patientID={patientID} />)
    expect((await screen.findByRole('alert')).textContent).toContain(
      'Could not load your prescriptions: patients may only read their own prescriptions',
    )
  })
})
