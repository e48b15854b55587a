// The claims board against canned answers: claims in their status columns, filtered by payer (asked of
// the server), moved on through the dialog at the revision shown (amounts and a denial's reason checked
// first), a move someone else made meanwhile said in words, and a billing.changed event reloading it.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Claim } from '../api/billing'
import { setHospital } from '../api/time'
import { apiError, fakeServer, type Call, type Route } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { signIn } from '../test/session'
import { ClaimsBoardScreen } from './ClaimsBoard'
import { claim, payer } from './billing/fixtures'

let live: FakeLive
let routes: Record<string, Route>
let calls: Call[]
let claims: Claim[]

const plain = (s: string | null | undefined) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ')
const claimID = 'c00000000000000000000001'

beforeEach(() => {
  setHospital({ time_zone: 'UTC', locale: 'en-US' })
  signIn({ id: 'u0000000000000000000000s', role: 'staff', name: 'Sam Desk' })
  live = new FakeLive()
  claims = [
    claim(),
    claim({ id: 'c00000000000000000000002', invoice_number: 'INV-2026-000009', status: 'paid', approved_amount: 7200, paid_amount: 7200, rev: 4,
      payer_id: 'y00000000000000000000002', payer_name: 'Bupa', patient_name: 'Ann Lee' }),
  ]
  routes = {
    'GET /api/billing/payers': { body: { items: [payer(), payer({ id: 'y00000000000000000000002', code: 'BUPA', name: 'Bupa' })] } },
    'GET /api/claims': (c) => {
      const p = c.query.get('payer_id')
      const items = p ? claims.filter((x) => x.payer_id === p) : claims
      return { body: { items, statuses: ['draft', 'submitted', 'in_review', 'approved', 'partially_approved', 'denied', 'paid'] } }
    },
    [`POST /api/claims/${claimID}/status`]: (c) => {
      const body = c.body as { status: Claim['status']; approved_amount?: number }
      claims[0] = claim({ status: body.status, rev: 3, approved_amount: body.approved_amount ?? 7200 })
      return { body: claims[0] }
    },
  }
  calls = fakeServer(routes)
})

afterEach(() => {
  vi.restoreAllMocks()
  setHospital({ time_zone: 'UTC', locale: 'en-GB' })
})

describe('ClaimsBoardScreen', () => {
  it('shows each claim in its status column and filters by payer', async () => {
    const user = userEvent.setup()
    renderLive(live, <ClaimsBoardScreen />)
    const submitted = await screen.findByTestId('column-submitted')
    expect(plain(within(submitted).getByTestId(`claim-${claimID}`).textContent)).toContain('INV-2026-000007Ben OdeAcme Health, GoldClaimed $72.00')
    const paid = screen.getByTestId('column-paid')
    expect(plain(within(paid).getByTestId('claim-c00000000000000000000002').textContent)).toContain('Paid $72.00')
    expect(within(paid).queryByRole('button', { name: /Move/ })).toBeNull() // paid is final
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => plain(h.textContent))).toEqual([
      'Draft0', 'Submitted1', 'In review0', 'Approved0', 'Partly approved0', 'Denied0', 'Paid1',
    ])
    await user.selectOptions(screen.getByLabelText('Payer'), 'Bupa')
    await waitFor(() => expect(screen.queryByTestId(`claim-${claimID}`)).toBeNull())
    expect(calls.at(-1)!.query.get('payer_id')).toBe('y00000000000000000000002')
    expect(screen.getByRole('status').textContent).toBe('1 claim with this payer.')
  })

  it('approves in part with an amount checked first, at the revision shown', async () => {
    const user = userEvent.setup()
    renderLive(live, <ClaimsBoardScreen />)
    await user.click(await screen.findByRole('button', { name: 'Move the claim on INV-2026-000007' }))
    const dialog = await screen.findByRole('dialog')
    await user.click(within(dialog).getByRole('radio', { name: 'Partly approved' }))
    const amount = within(dialog).getByLabelText('Approved amount (USD)')
    await user.type(amount, '80')
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    expect(plain(within(dialog).getByText(/More than nothing/).textContent)).toBe('More than nothing and less than the $72.00 claimed.')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    await user.clear(amount)
    await user.type(amount, '60')
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ status: 'partially_approved', rev: 2, approved_amount: 6000 })
    expect(await within(screen.getByTestId('column-partially_approved')).findByTestId(`claim-${claimID}`)).toBeTruthy()
  })

  it('asks for a denial’s reason, and says so when someone else moved the claim meanwhile', async () => {
    routes[`POST /api/claims/${claimID}/status`] = apiError(409, 'claim_changed', 'the claim was moved by someone else meanwhile')
    const user = userEvent.setup()
    renderLive(live, <ClaimsBoardScreen />)
    await user.click(await screen.findByRole('button', { name: 'Move the claim on INV-2026-000007' }))
    const dialog = await screen.findByRole('dialog')
    await user.click(within(dialog).getByRole('radio', { name: 'Denied' }))
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    expect(within(dialog).getByText('Say why the payer denied the claim.')).toBeTruthy()
    await user.type(within(dialog).getByLabelText('Denial reason'), 'Not covered by the plan')
    const reads = calls.filter((c) => c.path === '/api/claims').length
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'Someone moved this claim meanwhile; it has been reloaded. Check it and try again.',
    )
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ status: 'denied', rev: 2, reason: 'Not covered by the plan' })
    await waitFor(() => expect(calls.filter((c) => c.path === '/api/claims').length).toBeGreaterThan(reads))
  })

  it('reloads on a billing.changed event: a move made at another desk shows without a reload', async () => {
    renderLive(live, <ClaimsBoardScreen />)
    await screen.findByTestId(`claim-${claimID}`)
    await new Promise((r) => setTimeout(r, 400)) // the first sync's reload
    claims[0] = claim({ status: 'approved', rev: 3, approved_amount: 7200 })
    live.emit('billing', 'billing.changed', { patient_id: 'p0000000000000000000000b', invoice_id: 'i00000000000000000000001', kind: 'claim' })
    expect(await within(screen.getByTestId('column-approved')).findByTestId(`claim-${claimID}`)).toBeTruthy()
  })
})
