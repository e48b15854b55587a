// Moves a claim to its next status (POST /api/claims/{id}/status), staff and admins: what happened —
// submitted, in review, approved (the whole amount), approved in part (how much), denied (why), paid
// (how much the payer paid; the approved amount unless changed) — from the revision shown. Someone
// else's move meanwhile is refused (claim_changed) and the claim is read again.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { billingError, type Claim } from '../../api/billing'
import { amountText, formatMoney } from '../../api/money'
import { $api, keyOf } from '../../api/query'
import { ApiError } from '../../api/session'
import { Field } from '../../components/fields'
import { ErrorText, SubmitButton } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'
import { checkMove, claimWords, nextStatuses, type MoveForm } from './insurance'

/** Reloads what shows a claim: the board, the claim, and the invoices that show its state. */
export function useClaimsChanged(): () => void {
  const client = useQueryClient()
  return () => {
    for (const k of ['/api/claims', '/api/claims/{id}', '/api/invoices', '/api/invoices/{id}'] as const) {
      void client.invalidateQueries({ queryKey: keyOf(k) })
    }
  }
}

export function MoveClaim({ claim, close }: { claim: Claim; close: () => void }) {
  const changed = useClaimsChanged()
  const next = nextStatuses(claim.status)
  const [f, setF] = useState<MoveForm>({
    status: next.length === 1 ? (next[0] ?? '') : '',
    approved: '',
    paid: amountText(claim.approved_amount, claim.currency),
    reason: '',
  })
  const [errors, setErrors] = useState<Partial<Record<keyof MoveForm, string>>>({})
  const move = $api.useMutation('post', '/api/claims/{id}/status', {
    onSuccess: () => {
      changed()
      close()
    },
    onError: (e) => {
      if (e instanceof ApiError && e.code === 'claim_changed') changed()
    },
  })
  const money = (n: number) => formatMoney(n, claim.currency)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const c = checkMove(claim, f)
    if (!c.ok) return setErrors(c.errors)
    setErrors({})
    move.mutate({ params: { path: { id: claim.id } }, body: c.body })
  }
  return (
    <ModalDialog title={`Claim on ${claim.invoice_number}`} isOpen onClose={close}>
      <form className="stack" onSubmit={submit} noValidate aria-label="Move the claim">
        <p>
          {claim.payer_name}
          {claim.patient_name && <> · {claim.patient_name}</>} · claimed {money(claim.amount)} · now{' '}
          <strong>{claimWords[claim.status].text.toLowerCase()}</strong>
          {claim.approved_amount > 0 && <>, approved {money(claim.approved_amount)}</>}
        </p>
        <fieldset className="bl-field bl-methods" aria-invalid={!!errors.status || undefined}>
          <legend>What happened</legend>
          {next.map((s) => (
            <label key={s} className="bl-radio">
              <input type="radio" name="claim-status" value={s} checked={f.status === s} onChange={() => setF({ ...f, status: s })} />
              {claimWords[s].text}
            </label>
          ))}
          {errors.status && <span className="error-text">{errors.status}</span>}
        </fieldset>
        {f.status === 'approved' && <p className="muted">The whole {money(claim.amount)} claimed is approved.</p>}
        {f.status === 'partially_approved' && (
          <Field label={`Approved amount (${claim.currency})`} hint={`Less than the ${money(claim.amount)} claimed; the rest is the patient’s`} error={errors.approved}>
            {({ id, describedBy, invalid }) => (
              <input id={id} inputMode="decimal" value={f.approved} onChange={(e) => setF({ ...f, approved: e.target.value })}
                aria-describedby={describedBy} aria-invalid={invalid || undefined} autoComplete="off" />
            )}
          </Field>
        )}
        {f.status === 'paid' && (
          <Field label={`Paid amount (${claim.currency})`} hint={`At most the ${money(claim.approved_amount)} approved; a shortfall is the patient’s`} error={errors.paid}>
            {({ id, describedBy, invalid }) => (
              <input id={id} inputMode="decimal" value={f.paid} onChange={(e) => setF({ ...f, paid: e.target.value })}
                aria-describedby={describedBy} aria-invalid={invalid || undefined} autoComplete="off" />
            )}
          </Field>
        )}
        {f.status === 'denied' && (
          <Field label="Denial reason" hint="The payer’s reason; the whole invoice becomes the patient’s" error={errors.reason}>
            {({ id, describedBy, invalid }) => (
              <textarea id={id} rows={2} value={f.reason} onChange={(e) => setF({ ...f, reason: e.target.value })}
                aria-describedby={describedBy} aria-invalid={invalid || undefined} />
            )}
          </Field>
        )}
        <div className="row">
          <SubmitButton busy={move.isPending} busyText="Saving…">
            Save
          </SubmitButton>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <ErrorText error={move.error ? billingError(move.error) : ''} />
        </div>
      </form>
    </ModalDialog>
  )
}
