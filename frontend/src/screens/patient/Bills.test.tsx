// The portal's bills section against canned answers: the issued invoices with total, paid, balance and
// state; an invoice's lines and receipts; "Pay online" only where the hospital takes online payments
// and something is left to pay (the browser sent to Stripe's page); coming back from it, "being
// confirmed" until a billing.changed event on the patient's own channel shows the invoice paid; an
// insured invoice's shares and claim, and only the patient's part offered to pay online.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Invoice } from '../../api/billing'
import { setHospital } from '../../api/time'
import { fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { Router } from 'wouter'
import { memoryLocation } from 'wouter/memory-location'
import { coverage, invoiceID, issued, patientID, patientUserID, payment } from '../billing/fixtures'
import { Bills } from './Bills'

let live: FakeLive
let routes: Record<string, Route>
let calls: Call[]
let current: Invoice
let assigned: string[]

const plain = (s: string | null | undefined) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ')

function renderBills(path = '/bills') {
  const { hook, searchHook } = memoryLocation({ path })
  renderLive(
    live,
    <Router hook={hook} searchHook={searchHook}>
      <Bills patientID={patientID} />
    </Router>,
  )
}

beforeEach(() => {
  setHospital({ time_zone: 'Europe/London', locale: 'en-US' })
  signIn({ id: patientUserID, role: 'patient', name: 'Ben Ode', patient_id: patientID })
  live = new FakeLive()
  current = issued({ paid: 2000, balance: 5400, payment_status: 'partially_paid', payments: [payment()] })
  routes = {
    'GET /api/billing/config': { body: { currency: 'USD', online_payment: true } },
    'GET /api/invoices': () => ({ body: { items: [current], total: 1, page: 1, limit: 100 } }),
    [`GET /api/invoices/${invoiceID}`]: () => ({ body: current }),
    [`POST /api/invoices/${invoiceID}/checkout`]: {
      status: 201,
      body: { url: 'https://checkout.stripe.com/c/pay/cs_test_1', session_id: 'cs_test_1' },
    },
  }
  calls = fakeServer(routes)
  assigned = []
  vi.spyOn(window.location, 'assign').mockImplementation((u: string | URL) => {
    assigned.push(String(u))
  })
})

afterEach(() => {
  vi.restoreAllMocks()
  setHospital({ time_zone: 'UTC', locale: 'en-GB' })
})

describe('Bills', () => {
  it('lists the issued invoices and pays one online through Stripe’s page', async () => {
    const user = userEvent.setup()
    renderBills()
    const row = await screen.findByTestId(`bill-${invoiceID}`)
    expect(plain(row.textContent)).toBe('INV-2026-000007Mon, Dec 7$74.00—$20.00$54.00Partly paidOpen')
    const list = calls.find((c) => c.path === '/api/invoices')!
    expect(list.query.get('status')).toBe('issued')
    expect(list.query.get('patient_id')).toBe(patientID)
    await user.click(within(row).getByRole('button', { name: 'Open invoice INV-2026-000007' }))
    const bill = await screen.findByTestId('bill')
    expect(within(bill).getAllByRole('row').map((r) => plain(r.textContent))).toContain('Balance$54.00')
    expect(within(bill).getByRole('button', { name: 'Receipt RCT-2026-000001' })).toBeTruthy()
    await user.click(await within(bill).findByRole('button', { name: 'Pay $54.00 online' }))
    await waitFor(() => expect(assigned).toEqual(['https://checkout.stripe.com/c/pay/cs_test_1']))
    expect(calls.filter((c) => c.path.endsWith('/checkout'))).toHaveLength(1)
  })

  it('offers no online payment where the hospital takes none', async () => {
    routes['GET /api/billing/config'] = { body: { currency: 'USD', online_payment: false } }
    renderBills(`/bills?invoice=${invoiceID}`)
    const bill = await screen.findByTestId('bill')
    expect(await within(bill).findByText('To pay, please visit the hospital’s billing desk.')).toBeTruthy()
    expect(within(bill).queryByRole('button', { name: /online/ })).toBeNull()
  })

  it('offers no online payment on a paid invoice', async () => {
    current = issued({ paid: 7400, balance: 0, payment_status: 'paid' })
    renderBills(`/bills?invoice=${invoiceID}`)
    const bill = await screen.findByTestId('bill')
    await waitFor(() => expect(calls.some((c) => c.path === '/api/billing/config')).toBe(true))
    await new Promise((r) => setTimeout(r, 50))
    expect(within(bill).queryByRole('button', { name: /online/ })).toBeNull()
    expect(within(bill).getByRole('heading', { name: 'Invoice INV-2026-000007 Paid' })).toBeTruthy()
  })

  it('coming back from Stripe, says the payment is being confirmed until the invoice shows paid', async () => {
    renderBills(`/bills?section=bills&invoice=${invoiceID}&paid=1`)
    const note = await screen.findByTestId('confirming')
    expect(note.textContent).toBe('Thank you — your payment is being confirmed.')
    expect(within(screen.getByTestId('bill')).queryByRole('button', { name: /online/ })).toBeNull()
    current = issued({ paid: 7400, balance: 0, payment_status: 'paid', payments: [payment(), payment({ id: 'pay2', method: 'online', amount: 5400, receipt_number: 'RCT-2026-000002' })] })
    live.emit(`user:${patientUserID}`, 'billing.changed', { patient_id: patientID, invoice_id: invoiceID, kind: 'payment' })
    await waitFor(() => expect(screen.getByTestId('confirming').textContent).toBe('Thank you — your payment has been received.'))
    expect(await screen.findByRole('button', { name: 'Receipt RCT-2026-000002' })).toBeTruthy()
  })

  it('shows an insured invoice’s shares and claim, and offers only the patient’s part to pay online', async () => {
    current = issued({
      coverage, insurer_share: 5120, patient_share: 2280, insurer_due: 0, patient_due: 7400, balance: 7400,
      claim: { id: 'c1', status: 'denied', amount: 5120, approved_amount: 0, paid_amount: 0, denial_reason: 'not covered by the plan' },
    })
    const user = userEvent.setup()
    renderBills()
    const row = await screen.findByTestId(`bill-${invoiceID}`)
    expect(plain(row.textContent)).toBe('INV-2026-000007Mon, Dec 7$74.00$0.00$0.00$74.00UnpaidClaim: DeniedOpen')
    await user.click(within(row).getByRole('button', { name: /Open invoice/ }))
    const bill = await screen.findByTestId('bill')
    expect(plain(within(bill).getByTestId('claim-state').textContent)).toBe(
      'Claim: Denied Acme Health denied the claim (not covered by the plan); the whole invoice is the patient’s to pay.',
    )
    expect(plain(within(bill).getByTestId('insurer-share').textContent)).toBe('$0.00')
    expect(within(bill).getByRole('button', { name: 'Pay $74.00 online' })).toBeTruthy()

    // Approved: the patient owes their share only.
    current = { ...current, insurer_due: 5120, patient_due: 2280, balance: 2280, claim: { id: 'c1', status: 'approved', amount: 5120, approved_amount: 5120, paid_amount: 0 } }
    live.emit(`user:${patientUserID}`, 'billing.changed', { patient_id: patientID, invoice_id: invoiceID, kind: 'claim' })
    expect(await within(bill).findByRole('button', { name: 'Pay $22.80 online' })).toBeTruthy()
    expect(plain(within(bill).getByTestId('patient-share').textContent)).toBe('$22.80')
    expect(plain(within(bill).getByTestId('claim-state').textContent)).toBe('Claim: Approved Acme Health approved the claim for $51.20.')
  })
})
