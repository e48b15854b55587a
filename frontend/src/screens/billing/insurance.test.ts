// The insurance rules the screens share: a claim's moves as the server allows them, the move dialog's
// checks, the board's columns, a policy's state, coverage typed as a percentage, and an invoice's
// shares and claim in words.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Claim } from '../../api/billing'
import { setHospital } from '../../api/time'
import { claim, issued, policy } from './fixtures'
import {
  boardColumns,
  checkMove,
  claimSentence,
  claimStatuses,
  nextStatuses,
  parseCoverage,
  policyState,
  shareRows,
  termsText,
} from './insurance'

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ')

beforeEach(() => setHospital({ time_zone: 'UTC', locale: 'en-US' }))
afterEach(() => setHospital({ time_zone: 'UTC', locale: 'en-GB' }))

describe('claim moves', () => {
  it('follows the server: draft → submitted → (in review →) a decision → paid; denied and paid are final', () => {
    expect(nextStatuses('draft')).toEqual(['submitted'])
    expect(nextStatuses('submitted')).toEqual(['in_review', 'approved', 'partially_approved', 'denied'])
    expect(nextStatuses('in_review')).toEqual(['approved', 'partially_approved', 'denied'])
    expect(nextStatuses('approved')).toEqual(['paid'])
    expect(nextStatuses('partially_approved')).toEqual(['paid'])
    expect(nextStatuses('denied')).toEqual([])
    expect(nextStatuses('paid')).toEqual([])
  })

  it('checks a move as the server will, and sends the revision shown', () => {
    const c = claim()
    const blank = { status: '' as const, approved: '', paid: '', reason: '' }
    expect(checkMove(c, blank)).toEqual({ ok: false, errors: { status: 'Choose what happened to the claim.' } })
    expect(checkMove(c, { ...blank, status: 'paid' })).toEqual({ ok: false, errors: { status: 'A claim that is submitted cannot become that.' } })
    expect(checkMove(c, { ...blank, status: 'approved' })).toEqual({ ok: true, body: { status: 'approved', rev: 2 } })
    expect(checkMove(c, { ...blank, status: 'in_review' })).toEqual({ ok: true, body: { status: 'in_review', rev: 2 } })
    // In part: more than nothing, less than claimed, typed in the currency.
    const part = (approved: string) => checkMove(c, { ...blank, status: 'partially_approved', approved })
    expect(part('50.00')).toEqual({ ok: true, body: { status: 'partially_approved', rev: 2, approved_amount: 5000 } })
    for (const bad of ['72', '0', '80']) {
      const r = part(bad)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(plain(r.errors.approved ?? '')).toBe('More than nothing and less than the $72.00 claimed.')
    }
    expect(part('1.234').ok).toBe(false)
    // Denied: with the payer's reason.
    const denied = checkMove(c, { ...blank, status: 'denied', reason: '  ' })
    expect(denied).toEqual({ ok: false, errors: { reason: 'Say why the payer denied the claim.' } })
    expect(checkMove(c, { ...blank, status: 'denied', reason: ' not covered ' })).toEqual({
      ok: true,
      body: { status: 'denied', rev: 2, reason: 'not covered' },
    })
    // Paid: at most what was approved.
    const approved = claim({ status: 'partially_approved', approved_amount: 5000, rev: 3 })
    expect(checkMove(approved, { ...blank, status: 'paid', paid: '50' })).toEqual({ ok: true, body: { status: 'paid', rev: 3, paid_amount: 5000 } })
    expect(checkMove(approved, { ...blank, status: 'paid', paid: '40' })).toEqual({ ok: true, body: { status: 'paid', rev: 3, paid_amount: 4000 } })
    const over = checkMove(approved, { ...blank, status: 'paid', paid: '50.01' })
    expect(over.ok).toBe(false)
    if (!over.ok) expect(plain(over.errors.paid ?? '')).toBe('More than nothing and at most the $50.00 approved.')
  })

  it('puts each claim in its status column, every column in the order of a claim’s life', () => {
    const cols = boardColumns([claim({ id: 'a', status: 'paid' }), claim({ id: 'b' }), claim({ id: 'c', status: 'paid' })])
    expect(cols.map((c) => c.status)).toEqual(claimStatuses)
    expect(cols.find((c) => c.status === 'paid')!.claims.map((c) => c.id)).toEqual(['a', 'c'])
    expect(cols.find((c) => c.status === 'submitted')!.claims.map((c) => c.id)).toEqual(['b'])
    expect(cols.find((c) => c.status === 'draft')!.claims).toEqual([])
  })
})

describe('policies', () => {
  it('says whether a policy covers the day', () => {
    expect(policyState(policy(), '2026-12-07')).toMatchObject({ text: 'Active', covers: true })
    expect(policyState(policy({ valid_from: '2027-01-01' }), '2026-12-07')).toMatchObject({ text: 'Not yet valid', covers: false })
    expect(policyState(policy({ valid_to: '2026-06-30' }), '2026-12-07')).toMatchObject({ text: 'Expired', covers: false })
    expect(policyState(policy({ valid_to: '2026-12-06', ended: { at: '2026-12-07T09:00:00Z', by: 'u' } }), '2026-12-07')).toMatchObject({
      text: 'Ended',
      covers: false,
    })
    // The last day is covered.
    expect(policyState(policy({ valid_to: '2026-12-07' }), '2026-12-07').covers).toBe(true)
  })

  it('reads coverage typed as a percentage exactly, and writes the terms', () => {
    expect(parseCoverage('80')).toEqual({ ok: true, bp: 8000 })
    expect(parseCoverage('82.5 %')).toEqual({ ok: true, bp: 8250 })
    expect(parseCoverage('0')).toEqual({ ok: true, bp: 0 })
    expect(parseCoverage('')).toEqual({ ok: false, error: 'Give the share the policy covers, e.g. 80 for 80%.' })
    expect(parseCoverage('101')).toEqual({ ok: false, error: 'Coverage is at most 100%.' })
    expect(parseCoverage('eighty').ok).toBe(false)
    expect(plain(termsText({ coverage_bp: 8000, copay: 1000 }, 'USD'))).toBe('80%, co-pay $10.00')
    expect(termsText({ coverage_bp: 10000, copay: 0 }, 'USD')).toBe('100%, no co-pay')
  })
})

describe('an insured invoice', () => {
  const coverage = { policy_id: 'o1', payer_id: 'y1', payer_name: 'Acme Health', plan: 'Gold', coverage_bp: 8000, copay: 1000 }
  const insured = (over = {}) =>
    issued({ coverage, insurer_share: 5120, patient_share: 2280, insurer_due: 5120, patient_due: 2280, balance: 2280, ...over })

  it('shows the insurer’s and the patient’s parts, following the claim', () => {
    const rows = (inv: ReturnType<typeof insured>) => shareRows(inv).map((r) => `${plain(r.label)}=${r.amount}`)
    expect(rows(insured())).toEqual(['Insurer’s share (Acme Health, Gold; 80%, co-pay $10.00)=5120', 'Patient’s share=2280'])
    expect(rows(insured({ claim: { id: 'c1', status: 'denied', amount: 5120, approved_amount: 0, paid_amount: 0 }, insurer_due: 0, patient_due: 7400 }))).toEqual([
      'Insurer’s share (Acme Health, Gold): claim denied=0',
      'Patient’s share=7400',
    ])
    expect(
      rows(insured({ claim: { id: 'c1', status: 'partially_approved', amount: 5120, approved_amount: 4000, paid_amount: 0 }, insurer_due: 4000, patient_due: 3400 })),
    ).toEqual(['Insurer’s share (Acme Health, Gold): approved in part=4000', 'Patient’s share=3400'])
    expect(shareRows(issued())).toEqual([]) // no coverage: nothing to split
  })

  it('says where the claim stands', () => {
    expect(claimSentence(insured())).toBe('')
    const s = (status: Claim['status'], over = {}) =>
      plain(claimSentence(insured({ claim: { id: 'c1', status, amount: 5120, approved_amount: 5120, paid_amount: 5120, ...over } })))
    expect(s('submitted')).toBe('The claim to Acme Health for $51.20 is submitted.')
    expect(s('approved')).toBe('Acme Health approved the claim for $51.20.')
    expect(s('paid', { paid_amount: 5000 })).toBe('Acme Health paid $50.00 of the $51.20 claimed; the rest is the patient’s to pay.')
    expect(s('denied', { denial_reason: 'not covered' })).toBe('Acme Health denied the claim (not covered); the whole invoice is the patient’s to pay.')
  })
})
