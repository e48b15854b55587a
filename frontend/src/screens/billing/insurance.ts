// Insurance in words and rules the screens share: a claim's status and the moves it may make (as the
// server allows them), a policy's state on a day, its terms, the invoice's shares as rows, and the
// checks of a claim's move before it is sent. The server decides; these only say it and catch typos.
import type { Claim, ClaimStatus, Coverage, Invoice, MoveClaimRequest, Policy } from '../../api/billing'
import { formatMoney, formatPercent, parseMoney, parsePercent } from '../../api/money'
import type { Wording } from '../../components/labels'

/** The statuses in the order of a claim's life: the board's columns. */
export const claimStatuses: ClaimStatus[] = ['draft', 'submitted', 'in_review', 'approved', 'partially_approved', 'denied', 'paid']

export const claimWords: Record<ClaimStatus, Wording> = {
  draft: { text: 'Draft', tone: '' },
  submitted: { text: 'Submitted', tone: 'tag-info' },
  in_review: { text: 'In review', tone: 'tag-info' },
  approved: { text: 'Approved', tone: 'tag-ok' },
  partially_approved: { text: 'Partly approved', tone: 'tag-warn' },
  denied: { text: 'Denied', tone: 'tag-urgent' },
  paid: { text: 'Paid', tone: 'tag-ok' },
}

/** The moves a claim in a status may make (the server's rule; denied and paid are final). */
const moves: Record<ClaimStatus, ClaimStatus[]> = {
  draft: ['submitted'],
  submitted: ['in_review', 'approved', 'partially_approved', 'denied'],
  in_review: ['approved', 'partially_approved', 'denied'],
  approved: ['paid'],
  partially_approved: ['paid'],
  denied: [],
  paid: [],
}

export function nextStatuses(s: ClaimStatus): ClaimStatus[] {
  return moves[s] ?? []
}

/** A move's verb on its button: "Submit", "Mark paid", … */
export const moveVerbs: Record<ClaimStatus, string> = {
  draft: 'Back to draft',
  submitted: 'Submit',
  in_review: 'In review',
  approved: 'Approve',
  partially_approved: 'Approve in part',
  denied: 'Deny',
  paid: 'Mark paid',
}

/** What a move asks for, as typed in the move dialog. */
export interface MoveForm {
  status: ClaimStatus | ''
  approved: string
  paid: string
  reason: string
}

export type MoveCheck = { ok: true; body: MoveClaimRequest } | { ok: false; errors: Partial<Record<keyof MoveForm, string>> }

/** Checks a move of claim before it is sent, the way the server will, and makes its body. */
export function checkMove(claim: Claim, f: MoveForm): MoveCheck {
  const errors: Partial<Record<keyof MoveForm, string>> = {}
  const money = (n: number) => formatMoney(n, claim.currency)
  if (!f.status) return { ok: false, errors: { status: 'Choose what happened to the claim.' } }
  if (!nextStatuses(claim.status).includes(f.status)) {
    return { ok: false, errors: { status: `A claim that is ${claimWords[claim.status].text.toLowerCase()} cannot become that.` } }
  }
  const body: MoveClaimRequest = { status: f.status, rev: claim.rev }
  if (f.status === 'partially_approved') {
    const p = parseMoney(f.approved, claim.currency)
    if (!p.ok) errors.approved = p.error
    else if (p.minor <= 0 || p.minor >= claim.amount) errors.approved = `More than nothing and less than the ${money(claim.amount)} claimed.`
    else body.approved_amount = p.minor
  }
  if (f.status === 'paid') {
    const p = parseMoney(f.paid, claim.currency)
    if (!p.ok) errors.paid = p.error
    else if (p.minor <= 0 || p.minor > claim.approved_amount) errors.paid = `More than nothing and at most the ${money(claim.approved_amount)} approved.`
    else body.paid_amount = p.minor
  }
  if (f.status === 'denied') {
    if (!f.reason.trim()) errors.reason = 'Say why the payer denied the claim.'
    else body.reason = f.reason.trim()
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, body }
}

/** Groups claims into the board's columns, in the order of a claim's life. */
export function boardColumns(claims: Claim[]): { status: ClaimStatus; claims: Claim[] }[] {
  return claimStatuses.map((status) => ({ status, claims: claims.filter((c) => c.status === status) }))
}

/** A policy's state on a day (YYYY-MM-DD): covering it, not yet, over (by its dates), or ended by hand. */
export function policyState(p: Policy, today: string): Wording & { covers: boolean } {
  const covers = p.valid_from <= today && (!p.valid_to || today <= p.valid_to)
  if (covers) return { text: 'Active', tone: 'tag-ok', covers }
  if (p.ended) return { text: 'Ended', tone: '', covers }
  if (p.valid_from > today) return { text: 'Not yet valid', tone: 'tag-info', covers }
  return { text: 'Expired', tone: '', covers }
}

/** A policy's or an invoice's coverage terms: "80%, co-pay £10.00" (or "80%, no co-pay"). */
export function termsText(c: Pick<Coverage, 'coverage_bp' | 'copay'>, currency: string): string {
  return `${formatPercent(c.coverage_bp)}, ${c.copay > 0 ? `co-pay ${formatMoney(c.copay, currency)}` : 'no co-pay'}`
}

/** Reads a typed coverage ("80", "82.5", "80%") as basis points, exactly; it must be 0 to 100%. */
export function parseCoverage(text: string): { ok: true; bp: number } | { ok: false; error: string } {
  if (!text.trim()) return { ok: false, error: 'Give the share the policy covers, e.g. 80 for 80%.' }
  const p = parsePercent(text)
  if (!p.ok) return { ok: false, error: p.error.replace('A tax rate', 'Coverage') }
  return { ok: true, bp: p.minor }
}

/** One row of an invoice's insurance part. */
export interface ShareRow {
  label: string
  amount: number
  strong?: boolean
  testId?: string
}

/**
 * The rows an issued invoice with a coverage adds under its total: the insurer's part as its claim
 * stands (with the claim's state when decided) and the patient's part; none without a coverage.
 */
export function shareRows(inv: Invoice): ShareRow[] {
  const cov = inv.coverage
  if (!cov || inv.status !== 'issued') return []
  const payer = cov.plan ? `${cov.payer_name}, ${cov.plan}` : cov.payer_name
  const insurerDue = inv.insurer_due ?? inv.insurer_share ?? 0
  const patientDue = inv.patient_due ?? inv.patient_share ?? inv.totals.total
  let label = `Insurer’s share (${payer}; ${termsText(cov, inv.currency)})`
  const claim = inv.claim
  if (claim?.status === 'denied') label = `Insurer’s share (${payer}): claim denied`
  else if (claim?.status === 'partially_approved' || (claim?.status === 'paid' && claim.paid_amount < claim.amount)) {
    label = `Insurer’s share (${payer}): ${claim.status === 'paid' ? 'paid' : 'approved'} in part`
  }
  return [
    { label, amount: insurerDue, testId: 'insurer-share' },
    { label: 'Patient’s share', amount: patientDue, strong: true, testId: 'patient-share' },
  ]
}

/** Where an invoice's claim stands, in a sentence ('' without a claim). */
export function claimSentence(inv: Invoice): string {
  const c = inv.claim
  const payer = inv.coverage?.payer_name ?? 'the insurer'
  if (!c) return ''
  const money = (n: number) => formatMoney(n, inv.currency)
  switch (c.status) {
    case 'draft':
      return `A claim to ${payer} for ${money(c.amount)} is being prepared.`
    case 'submitted':
    case 'in_review':
      return `The claim to ${payer} for ${money(c.amount)} is ${claimWords[c.status].text.toLowerCase()}.`
    case 'approved':
      return `${payer} approved the claim for ${money(c.approved_amount)}.`
    case 'partially_approved':
      return `${payer} approved ${money(c.approved_amount)} of the ${money(c.amount)} claimed; the rest is the patient’s to pay.`
    case 'denied':
      return `${payer} denied the claim${c.denial_reason ? ` (${c.denial_reason})` : ''}; the whole invoice is the patient’s to pay.`
    case 'paid':
      return c.paid_amount < c.amount
        ? `${payer} paid ${money(c.paid_amount)} of the ${money(c.amount)} claimed; the rest is the patient’s to pay.`
        : `${payer} paid ${money(c.paid_amount)}.`
  }
}
