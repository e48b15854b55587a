// The billing desk against canned answers: a patient found with the shared finder, charges drafted into
// an invoice that is issued at the revision shown and paid (cash, the balance by default, with an
// Idempotency-Key), an overpayment refused in words, a billing.changed event for this patient reloading
// the account (and one for another patient not), refunds offered to admins only, a missing PDF said
// plainly, a manual charge posted with its own key; a policy added and ended, an insured invoice's
// shares, its claim created and moved.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Invoice } from '../api/billing'
import { setHospital } from '../api/time'
import { apiError, fakeServer, type Call, type Route } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { signIn } from '../test/session'
import { BillingScreen } from './Billing'
import { charge, claim, coverage, invoice, invoiceID, issued, patient, patientID, payer, payment, policy, price } from './billing/fixtures'

let live: FakeLive
let routes: Record<string, Route>
let calls: Call[]
let current: Invoice

const plain = (s: string | null | undefined) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ')

beforeEach(() => {
  setHospital({ time_zone: 'Europe/London', locale: 'en-US' })
  signIn({ id: 'u0000000000000000000000s', role: 'staff', name: 'Sam Desk' })
  live = new FakeLive()
  current = invoice()
  routes = {
    'GET /api/billing/config': { body: { currency: 'USD', online_payment: false } },
    'GET /api/patients': { body: { items: [patient], total: 1, page: 1, limit: 8 } },
    'GET /api/billing/prices': {
      body: { items: [price(), price({ code: 'LAB-FBC', name: 'Full blood count', kind: 'lab_test', amount: 1000, tax_bp: 2000 })], currency: 'USD' },
    },
    [`GET /api/patients/${patientID}/charges`]: {
      body: { items: [charge('chg1'), charge('chg2', { code: 'LAB-FBC', description: 'Full blood count', quantity: 2, total: 2400 })] },
    },
    'GET /api/invoices': () => ({ body: { items: [current], total: 1, page: 1, limit: 100 } }),
    [`GET /api/invoices/${invoiceID}`]: () => ({ body: current }),
    [`GET /api/patients/${patientID}/policies`]: { body: { items: [] } },
    'GET /api/billing/payers': { body: { items: [payer()] } },
    'POST /api/invoices': () => ({ status: 201, body: current }),
    [`POST /api/invoices/${invoiceID}/issue`]: () => {
      current = issued()
      return { body: current }
    },
    [`POST /api/invoices/${invoiceID}/payments`]: (c) => {
      const amount = (c.body as { amount: number }).amount
      const p = payment({ amount })
      current = issued({ paid: amount, balance: 7400 - amount, payment_status: amount === 7400 ? 'paid' : 'partially_paid', payments: [p] })
      return { status: 201, body: p }
    },
  }
  calls = fakeServer(routes)
})

afterEach(() => {
  vi.restoreAllMocks()
  setHospital({ time_zone: 'UTC', locale: 'en-GB' })
})

async function openAccount() {
  const user = userEvent.setup()
  renderLive(live, <BillingScreen />)
  await user.type(screen.getByLabelText('Patient'), 'Ben')
  await user.click(await screen.findByRole('button', { name: /Ben Ode/ }))
  await screen.findByRole('region', { name: 'Account of Ben Ode' })
  return user
}

describe('BillingScreen', () => {
  it('drafts an invoice of the chosen charges, issues it at its revision and takes the balance in cash', async () => {
    const user = await openAccount()
    await user.click(await screen.findByRole('checkbox', { name: 'Choose every charge' }))
    expect(plain(screen.getByRole('status').textContent)).toBe('2 charges, $74.00')
    await user.click(screen.getByRole('button', { name: 'Draft invoice' }))
    const detail = await screen.findByTestId('invoice-detail')
    const draftCall = calls.find((c) => c.method === 'POST' && c.path === '/api/invoices')!
    expect(draftCall.body).toEqual({ patient_id: patientID, charge_ids: ['chg1', 'chg2'] })
    const rows = within(detail).getAllByRole('row').map((r) => plain(r.textContent))
    expect(rows).toContain('Full blood countLAB-FBC2$10.00$4.0020%$24.00Take off')
    expect(rows).toContain('Total$74.00')

    await user.click(within(detail).getByRole('button', { name: 'Issue invoice' }))
    expect(await within(detail).findByRole('heading', { name: /Invoice INV-2026-000007/ })).toBeTruthy()
    expect(calls.find((c) => c.path === `/api/invoices/${invoiceID}/issue`)!.body).toEqual({ rev: 1 })

    const amount = within(detail).getByLabelText('Amount (USD)') as HTMLInputElement
    expect(amount.value).toBe('74.00')
    await user.clear(amount)
    await user.type(amount, '20.50')
    await user.click(within(detail).getByRole('button', { name: 'Take payment' }))
    await waitFor(() => expect(plain(within(detail).getByTestId('balance').textContent)).toBe('$53.50'))
    const pay = calls.find((c) => c.path === `/api/invoices/${invoiceID}/payments`)!
    expect(pay.body).toEqual({ method: 'cash', amount: 2050 })
    expect(pay.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/)
    expect(within(detail).getByTestId('payment-pay00000000000000000001').textContent).toContain('RCT-2026-000001')
    // The amount follows the new balance; staff see no Refund.
    await waitFor(() => expect((within(detail).getByLabelText('Amount (USD)') as HTMLInputElement).value).toBe('53.50'))
    expect(within(detail).queryByRole('button', { name: /Refund/ })).toBeNull()
    expect(plain(screen.getByTestId('account-balance').textContent)).toBe('Balance due: $53.50')
  })

  it('says in words that a payment is more than the balance', async () => {
    current = issued({ paid: 7000, balance: 400, payment_status: 'partially_paid' })
    routes[`POST /api/invoices/${invoiceID}/payments`] = apiError(409, 'overpayment', 'amount exceeds the balance')
    const user = await openAccount()
    await user.click(await screen.findByRole('button', { name: /Open INV-2026-000007/ }))
    const detail = await screen.findByTestId('invoice-detail')
    const amount = within(detail).getByLabelText('Amount (USD)')
    // Before it is sent: the desk knows the balance.
    await user.clear(amount)
    await user.type(amount, '5')
    await user.click(within(detail).getByRole('button', { name: 'Take payment' }))
    expect(plain((await within(detail).findByRole('alert')).textContent)).toBe(
      'That is more than the balance of $4.00. Take at most the balance.',
    )
    expect(calls.some((c) => c.path.endsWith('/payments'))).toBe(false)
    // Sent, and refused by the server (another desk took a payment meanwhile).
    await user.clear(amount)
    await user.type(amount, '4')
    await user.click(within(detail).getByRole('button', { name: 'Take payment' }))
    expect(plain((await within(detail).findByRole('alert')).textContent)).toBe(
      'That is more than the balance of $4.00. Take at most the balance.',
    )
    await user.clear(amount)
    await user.type(amount, '4.005')
    await user.click(within(detail).getByRole('button', { name: 'Take payment' }))
    expect((await within(detail).findByRole('alert')).textContent).toBe('USD has 2 decimals; “4.005” has 3.')
  })

  it('reloads the account on a billing.changed event for this patient only', async () => {
    await openAccount()
    await screen.findByTestId(`invoice-${invoiceID}`)
    // The subscription's first sync reloads once; what counts is what the events do after it.
    await new Promise((r) => setTimeout(r, 400))
    const reads = () => calls.filter((c) => c.path === '/api/invoices' || c.path === `/api/patients/${patientID}/charges`).length
    const before = reads()
    live.emit('billing', 'billing.changed', { patient_id: 'p000000000000000000000zz', kind: 'payment' })
    await new Promise((r) => setTimeout(r, 400))
    expect(reads()).toBe(before)
    current = issued({ paid: 7400, balance: 0, payment_status: 'paid' })
    live.emit('billing', 'billing.changed', { patient_id: patientID, invoice_id: invoiceID, kind: 'payment' })
    await waitFor(() => expect(reads()).toBeGreaterThan(before))
    expect(await within(screen.getByTestId(`invoice-${invoiceID}`)).findByText('Paid')).toBeTruthy()
  })

  it('offers a refund to admins, refused in words when more than is left', async () => {
    signIn({ id: 'a0000000000000000000000a', role: 'admin', name: 'Ada Admin' })
    current = issued({ paid: 2000, balance: 5400, payment_status: 'partially_paid', payments: [payment({ refunded: 500 })] })
    routes['POST /api/payments/pay00000000000000000001/refund'] = apiError(409, 'over_refund', 'refund exceeds the payment')
    const user = await openAccount()
    await user.click(await screen.findByRole('button', { name: /Open INV-2026-000007/ }))
    await user.click(await screen.findByRole('button', { name: 'Refund RCT-2026-000001' }))
    const dialog = await screen.findByRole('dialog')
    expect((within(dialog).getByLabelText('Amount to refund (USD)') as HTMLInputElement).value).toBe('15.00')
    await user.click(within(dialog).getByRole('button', { name: 'Refund' }))
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Say why the money is refunded.')
    await user.type(within(dialog).getByLabelText('Reason'), 'Charged twice')
    await user.click(within(dialog).getByRole('button', { name: 'Refund' }))
    expect(plain((await within(dialog).findByRole('alert')).textContent)).toBe(
      'That is more than can be refunded on this payment ($15.00 left).',
    )
    const call = calls.find((c) => c.path.endsWith('/refund'))!
    expect(call.body).toEqual({ amount: 1500, reason: 'Charged twice' })
    expect(call.headers.get('Idempotency-Key')).toBeTruthy()
  })

  it('says an online payment is refunded to the card, and the provider’s refusal in its words', async () => {
    signIn({ id: 'a0000000000000000000000a', role: 'admin', name: 'Ada Admin' })
    current = issued({ paid: 2000, balance: 5400, payment_status: 'partially_paid', payments: [payment({ method: 'online' })] })
    routes['POST /api/payments/pay00000000000000000001/refund'] = apiError(
      502,
      'refund_refused',
      'stripe refused the refund, so nothing was refunded: the charge was disputed',
    )
    const user = await openAccount()
    await user.click(await screen.findByRole('button', { name: /Open INV-2026-000007/ }))
    await user.click(await screen.findByRole('button', { name: 'Refund RCT-2026-000001' }))
    const dialog = await screen.findByRole('dialog')
    expect(within(dialog).getByText(/the money goes back to the card it was paid with/)).toBeTruthy()
    await user.type(within(dialog).getByLabelText('Reason'), 'Cancelled')
    await user.click(within(dialog).getByRole('button', { name: 'Refund' }))
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'stripe refused the refund, so nothing was refunded: the charge was disputed',
    )
  })

  it('says plainly when the invoice PDF is not there', async () => {
    current = issued()
    // The server could not render it (its words are shown).
    routes[`GET /api/invoices/${invoiceID}/pdf`] = apiError(503, 'unavailable', 'the invoice could not be rendered; try again')
    const user = await openAccount()
    await user.click(await screen.findByRole('button', { name: /Open INV-2026-000007/ }))
    await user.click(await screen.findByRole('button', { name: 'Download PDF' }))
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not download INV-2026-000007.pdf: the invoice could not be rendered; try again',
    )
  })

  it('credits one of two tests with a reason, under its own key, and shows the note and what is left', async () => {
    current = issued()
    routes[`POST /api/invoices/${invoiceID}/credit-notes`] = () => {
      const note = {
        id: 'cn1', invoice_id: invoiceID, patient_id: patientID, status: 'issued' as const, currency: 'USD', reason: 'one test not done',
        lines: [], totals: { net: -1000, tax: -200, total: -1200 }, created_at: '2026-12-07T12:00:00Z', created_by: 'u0000000000000000000000s',
        number: 'CN-2026-000001', year: 2026, seq: 1,
      }
      current = issued({ credited: 1200, balance: 6200, credit_notes: [note] })
      return { status: 201, body: note }
    }
    const user = await openAccount()
    await user.click(await screen.findByRole('button', { name: /Open INV-2026-000007/ }))
    await user.click(await screen.findByRole('button', { name: 'Credit note' }))
    const dialog = await screen.findByRole('dialog')
    await user.click(within(dialog).getByRole('button', { name: 'Issue credit note' }))
    expect(within(dialog).getByText('Choose the lines to credit.')).toBeTruthy()
    await user.click(within(dialog).getByRole('checkbox', { name: 'Full blood count' }))
    const qty = within(dialog).getByRole('textbox', { name: 'How many (of 2)' })
    await user.clear(qty)
    await user.type(qty, '3')
    await user.type(within(dialog).getByRole('textbox', { name: 'Reason' }), 'one test not done')
    await user.click(within(dialog).getByRole('button', { name: 'Issue credit note' }))
    expect(within(dialog).getByText('Credit between 1 and 2 of Full blood count.')).toBeTruthy()
    await user.clear(qty)
    await user.type(qty, '1')
    await user.click(within(dialog).getByRole('button', { name: 'Issue credit note' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    const call = calls.find((c) => c.method === 'POST' && c.path.endsWith('/credit-notes'))!
    expect(call.body).toEqual({ lines: [{ charge_id: 'chg2', quantity: 1 }], reason: 'one test not done' })
    expect(call.headers.get('Idempotency-Key')).toBeTruthy()
    expect(plain((await screen.findByTestId('credit-note-cn1')).textContent)).toContain('CN-2026-000001 -$12.00 — one test not done')
    expect(plain(screen.getByTestId('balance').textContent)).toBe('$62.00')
  })

  it('posts a manual charge with a reason and a fresh Idempotency-Key each time', async () => {
    routes[`POST /api/patients/${patientID}/charges`] = { status: 201, body: charge('chg9', { code: 'LAB-FBC', description: 'Full blood count', total: 1200 }) }
    const user = await openAccount()
    const form = screen.getByRole('form', { name: 'Post a charge' })
    await user.click(within(form).getByRole('button', { name: 'Post charge' }))
    expect(within(form).getByText('Choose what to charge.')).toBeTruthy()
    expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/charges'))).toBe(false)
    await user.type(within(form).getByRole('combobox', { name: 'Price-list item' }), 'blood')
    await user.click(await screen.findByRole('option', { name: /LAB-FBC Full blood count/ }))
    const picker = within(form).getByRole('combobox', { name: 'Price-list item' })
    await waitFor(() => expect(plain(document.getElementById(picker.getAttribute('aria-describedby') ?? '')?.textContent)).toBe('Lab test, $10.00 + tax 20%'))
    await user.type(within(form).getByLabelText('Reason'), 'Extra test')
    await user.click(within(form).getByRole('button', { name: 'Post charge' }))
    expect(plain((await within(form).findByRole('status')).textContent)).toBe('Posted Full blood count, $12.00.')
    await user.type(within(form).getByRole('combobox', { name: 'Price-list item' }), 'LAB')
    await user.click(await screen.findByRole('option', { name: /LAB-FBC Full blood count/ }))
    await user.type(within(form).getByLabelText('Reason'), 'Extra test')
    await user.click(within(form).getByRole('button', { name: 'Post charge' }))
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/charges'))).toHaveLength(2))
    const posts = calls.filter((c) => c.method === 'POST' && c.path.endsWith('/charges'))
    expect(posts[0]!.body).toEqual({ code: 'LAB-FBC', quantity: 1, reason: 'Extra test' })
    expect(posts[0]!.headers.get('Idempotency-Key')).not.toBe(posts[1]!.headers.get('Idempotency-Key'))
  })

  it('voids a charge only with a reason, and a patient with no charges says so', async () => {
    routes['POST /api/charges/chg1/void'] = (c) => {
      routes[`GET /api/patients/${patientID}/charges`] = { body: { items: [] } }
      return { body: charge('chg1', { void: { at: '2026-12-07T12:00:00Z', by: 'u', reason: (c.body as { reason: string }).reason } }) }
    }
    const user = await openAccount()
    await user.click(await screen.findByRole('button', { name: 'Void General consultation' }))
    const dialog = await screen.findByRole('alertdialog')
    await user.click(within(dialog).getByRole('button', { name: 'Void the charge' }))
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Say why the charge is voided.')
    expect(calls.some((c) => c.path.endsWith('/void'))).toBe(false)
    await user.type(within(dialog).getByLabelText('Reason'), 'Posted twice')
    await user.click(within(dialog).getByRole('button', { name: 'Void the charge' }))
    expect(await screen.findByText('No unbilled charges.')).toBeTruthy()
    expect(screen.queryByRole('alertdialog')).toBeNull()
    expect(calls.find((c) => c.path === '/api/charges/chg1/void')!.body).toEqual({ reason: 'Posted twice' })
  })

  it('adds a policy with coverage and co-pay read exactly, and ends one from a day on', async () => {
    let items = [policy({ id: 'o2', member_id: 'OLD-1', valid_from: '2025-01-01' })]
    routes[`GET /api/patients/${patientID}/policies`] = () => ({ body: { items } })
    routes[`POST /api/patients/${patientID}/policies`] = (c) => {
      items = [policy(), ...items]
      return { status: 201, body: { ...items[0], ...(c.body as object) } }
    }
    routes['POST /api/policies/o2/end'] = (c) => {
      items = [items[0]!, policy({ id: 'o2', member_id: 'OLD-1', valid_from: '2025-01-01', valid_to: '2026-12-06', ended: { at: '2026-12-07T09:00:00Z', by: 'u' } })]
      return { body: { ...items[1], ...(c.body as object) } }
    }
    const user = await openAccount()
    const panel = await screen.findByTestId('policies')
    expect(plain((await within(panel).findByTestId('policy-o2')).textContent)).toContain('Acme HealthOLD-180%, co-pay $10.00')
    await user.click(within(panel).getByRole('button', { name: 'Add policy' }))
    const dialog = await screen.findByRole('dialog')
    await user.click(within(dialog).getByRole('button', { name: 'Add policy' }))
    expect(within(dialog).getByText('Choose the payer.')).toBeTruthy()
    expect(within(dialog).getByText('Give the share the policy covers, e.g. 80 for 80%.')).toBeTruthy()
    await user.selectOptions(within(dialog).getByLabelText('Payer'), 'Acme Health (ACME)')
    await user.type(within(dialog).getByLabelText('Member id'), ' ACM-0042 ')
    await user.type(within(dialog).getByLabelText('Plan (optional)'), 'Gold')
    await user.type(within(dialog).getByLabelText('Coverage (%)'), '82.5')
    await user.type(within(dialog).getByLabelText('Co-pay (USD)'), '10')
    const from = within(dialog).getByLabelText('Valid from') as HTMLInputElement
    await user.clear(from)
    await user.type(from, '2026-01-01')
    await user.click(within(dialog).getByRole('button', { name: 'Add policy' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(calls.find((c) => c.method === 'POST' && c.path.endsWith('/policies'))!.body).toEqual({
      payer_id: 'y00000000000000000000001', member_id: 'ACM-0042', plan: 'Gold', coverage_bp: 8250, copay: 1000, valid_from: '2026-01-01',
    })
    await user.click(await within(panel).findByRole('button', { name: 'End the policy with Acme Health (OLD-1)' }))
    const end = await screen.findByRole('alertdialog')
    const day = within(end).getByLabelText('No longer covers from') as HTMLInputElement
    await user.clear(day)
    await user.type(day, '2026-12-07')
    await user.click(within(end).getByRole('button', { name: 'End policy' }))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull())
    expect(calls.find((c) => c.path === '/api/policies/o2/end')!.body).toEqual({ from: '2026-12-07' })
    expect(await within(panel).findByText('Ended')).toBeTruthy()
  })

  it('shows an insured invoice’s shares, takes the patient’s part only, and creates and moves its claim', async () => {
    current = issued({ coverage, insurer_share: 5120, patient_share: 2280, insurer_due: 5120, patient_due: 2280, balance: 2280 })
    routes[`POST /api/invoices/${invoiceID}/claims`] = () => {
      current = { ...current, claim: { id: 'c00000000000000000000001', status: 'draft', amount: 5120, approved_amount: 0, paid_amount: 0 } }
      return { status: 201, body: claim({ status: 'draft', rev: 1, amount: 5120 }) }
    }
    routes['GET /api/claims/c00000000000000000000001'] = () => ({ body: claim({ status: current.claim?.status ?? 'draft', rev: 1, amount: 5120 }) })
    routes['POST /api/claims/c00000000000000000000001/status'] = () => {
      current = { ...current, claim: { id: 'c00000000000000000000001', status: 'submitted', amount: 5120, approved_amount: 0, paid_amount: 0 } }
      return { body: claim({ amount: 5120 }) }
    }
    const user = await openAccount()
    await user.click(await screen.findByRole('button', { name: /Open INV-2026-000007/ }))
    const detail = await screen.findByTestId('invoice-detail')
    expect(plain(within(detail).getByTestId('insurer-share').textContent)).toBe('$51.20')
    expect(plain(within(detail).getByTestId('patient-share').textContent)).toBe('$22.80')
    expect(plain(within(detail).getByTestId('balance').textContent)).toBe('$22.80')
    expect((within(detail).getByLabelText('Amount (USD)') as HTMLInputElement).value).toBe('22.80')
    expect(plain(within(screen.getByTestId(`invoice-${invoiceID}`)).getAllByRole('cell')[4]!.textContent)).toBe('$51.20')
    const panel = within(detail).getByTestId('claim-panel')
    expect(panel.textContent).toContain('No claim yet to Acme Health.')
    await user.click(within(panel).getByRole('button', { name: 'Create claim' }))
    expect(await within(detail).findByTestId('claim-status')).toBeTruthy()
    expect(plain(within(detail).getByTestId('claim-panel').textContent)).toContain('A claim to Acme Health for $51.20 is being prepared.')
    await user.click(await within(detail).findByRole('button', { name: 'Update claim' }))
    const dialog = await screen.findByRole('dialog')
    expect((within(dialog).getByRole('radio', { name: 'Submitted' }) as HTMLInputElement).checked).toBe(true)
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(within(detail).getByTestId('claim-status').textContent).toBe('Submitted'))
    expect(calls.find((c) => c.path.endsWith('/status'))!.body).toEqual({ status: 'submitted', rev: 1 })
    expect(within(detail).getByRole('link', { name: 'Claims board' }).getAttribute('href')).toBe('/billing/claims')
  })
})
