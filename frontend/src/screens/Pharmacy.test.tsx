import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Medication, PrescriptionQueueItem, Stock } from '../api/types'
import { apiError, fakeServer, type Call } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { signIn } from '../test/session'
import { PharmacyScreen } from './Pharmacy'

const at = '2026-11-27T08:00:00.000Z'
const rxID = 'a'.repeat(24)
const medID = 'c'.repeat(24)
const rx: PrescriptionQueueItem = {
  id: rxID,
  patient_name: 'Ann Smith',
  mrn: 'H00012345',
  medication_id: medID,
  medication_name: 'Amoxicillin 500 mg',
  dose: '500 mg',
  quantity: 30,
  fill: 1,
  fills: 2,
  allergy_warnings: [],
  prescribed_at: at,
}
const med: Medication = {
  id: medID,
  code: 'AMOX500',
  name: 'Amoxicillin',
  form: 'tablet',
  strength: '500 mg',
  substances: ['amoxicillin'],
  low_stock_threshold: 10,
  created_at: at,
}
const stock = (balance: number): Stock => ({
  medication_id: medID,
  balance,
  low_stock_threshold: 10,
  low: balance <= 10,
  movements: [{ seq: 1, kind: 'receive', quantity: balance, balance, reason: 'delivery', by: 'd'.repeat(24), at }],
})

let queue: PrescriptionQueueItem[]
let balance: number
let calls: Call[]

beforeEach(() => {
  signIn({ id: 'e'.repeat(24), role: 'staff' })
  queue = [rx]
  balance = 40
  calls = fakeServer({
    'GET /api/prescriptions': () => ({ body: { items: queue, total: queue.length, page: 1, limit: 20 } }),
    'GET /api/medications': { body: { items: [med], total: 1, page: 1, limit: 20 } },
    [`GET /api/medications/${medID}/stock`]: () => ({ body: stock(balance) }),
    [`POST /api/prescriptions/${rxID}/dispense`]: () => {
      queue = [{ ...rx, fill: 2, refill_due: '2026-12-05' }]
      balance = 10
      return {
        status: 201,
        body: {
          prescription_id: rxID,
          patient_id: 'b'.repeat(24),
          medication_id: medID,
          fill: 1,
          quantity: 30,
          balance: 10,
          dispensed_by: 'e'.repeat(24),
          at,
          refills_left: 1,
          refill_due: '2026-12-05',
          allergy_warnings: [],
        },
      }
    },
  })
})

afterEach(() => {
  vi.restoreAllMocks()
})

describe('PharmacyScreen', () => {
  it('dispenses a waiting prescription once, with its fill and a key, and says what is left', async () => {
    renderLive(new FakeLive(), <PharmacyScreen />)
    const row = await screen.findByTestId(`rx-${rxID}`)
    expect(row.textContent).toContain('Ann Smith')
    expect(row.textContent).toContain('MRN H00012345')
    expect(row.textContent).toContain('Fill 1 of 2')
    expect(document.body.textContent).not.toContain(rxID)
    fireEvent.click(within(row).getByRole('button', { name: /Dispense Amoxicillin 500 mg for Ann Smith/ }))
    expect((await screen.findByTestId('rx-done')).textContent).toBe(
      'Dispensed 30 × Amoxicillin 500 mg for Ann Smith (MRN H00012345): 10 left in stock. Next fill due Sat 5 Dec.',
    )
    // The refill takes the row's place; the stock shows low.
    await waitFor(() => expect(screen.getByTestId(`rx-${rxID}`).textContent).toContain('Fill 2 of 2'))
    expect(await screen.findByTestId('low-AMOX500')).toBeTruthy()
    const sent = calls.filter((c) => c.method === 'POST')
    expect(sent).toHaveLength(1)
    expect(sent[0]!.body).toEqual({ fill: 1 })
    expect(sent[0]!.headers.get('Idempotency-Key')).toBeTruthy()
  }, 20_000)

  it('says why a dispense is refused in words', async () => {
    fakeServer({
      'GET /api/prescriptions': { body: { items: [rx], total: 1, page: 1, limit: 20 } },
      'GET /api/medications': { body: { items: [med], total: 1, page: 1, limit: 20 } },
      [`GET /api/medications/${medID}/stock`]: { body: stock(5) },
      [`POST /api/prescriptions/${rxID}/dispense`]: apiError(409, 'conflict', 'not enough stock'),
    })
    renderLive(new FakeLive(), <PharmacyScreen />)
    const row = await screen.findByTestId(`rx-${rxID}`)
    fireEvent.click(within(row).getByRole('button', { name: /Dispense/ }))
    expect((await within(row).findByRole('alert')).textContent).toBe(
      'Not enough stock for this fill. Receive a delivery first, then dispense.',
    )
  })

  it('receives stock and shows the server\'s refusal of a bad count', async () => {
    const sent: unknown[] = []
    fakeServer({
      'GET /api/prescriptions': { body: { items: [], total: 0, page: 1, limit: 20 } },
      'GET /api/medications': { body: { items: [med], total: 1, page: 1, limit: 20 } },
      [`GET /api/medications/${medID}/stock`]: () => ({ body: stock(balance) }),
      [`POST /api/medications/${medID}/stock`]: (c) => {
        sent.push(c.body)
        const b = c.body as { quantity: number }
        if (b.quantity < 0) return apiError(400, 'invalid', "a receipt's quantity must be positive; use kind \"adjust\" to write stock off")
        balance += b.quantity
        return { status: 201, body: { seq: 2, kind: 'receive', quantity: b.quantity, balance, by: 'e'.repeat(24), at } }
      },
    })
    renderLive(new FakeLive(), <PharmacyScreen />)
    expect(await screen.findByTestId('rx-empty')).toBeTruthy()
    fireEvent.click(await screen.findByRole('button', { name: /Movements of Amoxicillin/ }))
    const form = await screen.findByRole('form', { name: 'Move stock of Amoxicillin' })
    fireEvent.change(within(form).getByLabelText('Units received'), { target: { value: '25' } })
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'delivery 881' } })
    fireEvent.click(within(form).getByRole('button', { name: 'Receive' }))
    expect((await within(form).findByRole('status')).textContent).toBe('Received 25: 65 in stock.')
    expect(sent[0]).toEqual({ kind: 'receive', quantity: 25, reason: 'delivery 881' })
    await waitFor(() => expect(screen.getByRole('heading', { name: /Amoxicillin 500 mg: 65 in stock/ })).toBeTruthy())

    fireEvent.change(within(form).getByLabelText('Units received'), { target: { value: '-3' } })
    fireEvent.submit(form)
    expect((await within(form).findByRole('alert')).textContent).toContain("a receipt's quantity must be positive")
  })

  it('reloads the queue on a prescription event', async () => {
    const live = new FakeLive()
    queue = []
    renderLive(live, <PharmacyScreen />)
    expect(await screen.findByTestId('rx-empty')).toBeTruthy()
    expect(live.channels()).toContain('pharmacy')
    queue = [rx]
    live.emit('pharmacy', 'prescription.changed', { prescription_id: rxID })
    expect(await screen.findByTestId(`rx-${rxID}`)).toBeTruthy()
  })

  it('shows admins the stock but not the queue', async () => {
    signIn({ id: 'f'.repeat(24), role: 'admin' })
    renderLive(new FakeLive(), <PharmacyScreen />)
    expect(await screen.findByTestId('med-AMOX500')).toBeTruthy()
    expect(screen.queryByText('To dispense')).toBeNull()
    expect(calls.some((c) => c.path === '/api/prescriptions')).toBe(false)
  })
})
