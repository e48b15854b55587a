// Procedures and treatments of the visit's encounter (doctors): one picked from the price list's
// procedure and treatment entries, a quantity, a note, recorded with POST /api/encounters/{id}/procedures
// under an Idempotency-Key (a resend after a lost answer records once). Billing charges each one; one
// recorded by mistake is marked "Entered in error" with a reason (POST /api/procedures/{id}/entered-in-error),
// which voids its charge while it is not on an invoice. Marked procedures stay in the list, struck through.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { useIdempotencyKey } from '../../api/idempotency'
import { $api, keyOf } from '../../api/query'
import { ApiError } from '../../api/session'
import { formatDate, formatTime } from '../../api/time'
import { Field } from '../../components/fields'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'
import type { Procedure } from './model'
import type { VisitEncounter } from './useVisitEncounter'

const empty = { code: '', quantity: '1', note: '' }

export function ProceduresSection({ visit }: { visit: VisitEncounter }) {
  const client = useQueryClient()
  const prices = $api.useQuery('get', '/api/billing/prices')
  const idem = useIdempotencyKey()
  const [f, setF] = useState(empty)
  const [problems, setProblems] = useState<Partial<Record<keyof typeof empty, string>>>({})
  const [saved, setSaved] = useState('')
  const record = $api.useMutation('post', '/api/encounters/{id}/procedures', {
    onSuccess: (p) => {
      idem.done()
      setF(empty)
      setSaved(`Recorded ${p.name} × ${p.quantity}.`)
      void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/encounters') })
    },
    onError: (e) => {
      // A refusal is final; a lost answer (no status) is resent with the same key.
      if (e instanceof ApiError && e.status > 0) idem.done()
    },
  })
  const encounter = visit.encounter
  if (!encounter) {
    return <p className="muted ch-section">Open the encounter first (Encounter tab): procedures are recorded on it.</p>
  }
  const codes = (prices.data?.items ?? []).filter((p) => !p.retired && (p.kind === 'procedure' || p.kind === 'treatment'))

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSaved('')
    const q = f.quantity.trim()
    const quantity = /^\d+$/.test(q) ? Number(q) : NaN
    const found: typeof problems = {}
    if (!f.code) found.code = 'Choose the procedure or treatment.'
    if (!(quantity >= 1 && quantity <= 1000)) found.quantity = 'A whole number from 1 to 1,000.'
    if (f.note.length > 2000) found.note = 'At most 2,000 characters.'
    setProblems(found)
    if (Object.keys(found).length > 0) return
    const body = { code: f.code, quantity, note: f.note.trim() || undefined }
    record.mutate({ params: { path: { id: encounter.id }, header: { 'Idempotency-Key': idem.keyFor(body) } }, body })
  }

  const procs = encounter.procedures ?? []
  return (
    <div className="ch-section">
      <LoadError error={prices.error ? messageOf(prices.error) : ''} retry={() => void prices.refetch()}>
        Could not load the price list
      </LoadError>
      <form className="ch-proc-form" onSubmit={submit} noValidate aria-label="Record a procedure">
        <Field label="Procedure or treatment" error={problems.code} className="ch-proc-code">
          {({ id, describedBy, invalid }) => (
            <select
              id={id}
              value={f.code}
              onChange={(e) => setF({ ...f, code: e.target.value })}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              disabled={prices.isPending}
            >
              <option value="">{prices.isPending ? 'Loading the price list…' : 'Choose…'}</option>
              {(['procedure', 'treatment'] as const).map((kind) => {
                const of = codes.filter((p) => p.kind === kind)
                return of.length === 0 ? null : (
                  <optgroup key={kind} label={kind === 'procedure' ? 'Procedures' : 'Treatments'}>
                    {of.map((p) => (
                      <option key={p.code} value={p.code}>
                        {p.name} ({p.code})
                      </option>
                    ))}
                  </optgroup>
                )
              })}
            </select>
          )}
        </Field>
        <Field label="Quantity" error={problems.quantity} className="ch-proc-qty">
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              inputMode="numeric"
              value={f.quantity}
              onChange={(e) => setF({ ...f, quantity: e.target.value })}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
            />
          )}
        </Field>
        <Field label="Note (optional)" error={problems.note} className="ch-proc-note">
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              value={f.note}
              onChange={(e) => setF({ ...f, note: e.target.value })}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              autoComplete="off"
            />
          )}
        </Field>
        <div className="row">
          <SubmitButton busy={record.isPending} busyText="Recording…">
            Record
          </SubmitButton>
          <ErrorText error={record.error ? messageOf(record.error) : ''} />
          {saved && (
            <span className="ok-text" role="status">
              {saved}
            </span>
          )}
        </div>
      </form>
      {procs.length === 0 ? (
        <p className="muted">No procedures recorded in this encounter yet.</p>
      ) : (
        <div className="ch-scroll">
          <table className="table ch-table" aria-label="Procedures recorded">
            <thead>
              <tr>
                <th scope="col">Performed</th>
                <th scope="col">Procedure</th>
                <th scope="col">Qty</th>
                <th scope="col">Note</th>
                <th scope="col">
                  <span className="sr-only">State</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {procs.map((p) => (
                <ProcedureRow key={p.id} p={p} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}

function ProcedureRow({ p }: { p: Procedure }) {
  const marked = p.entered_in_error
  return (
    <tr className={marked ? 'ch-proc-error' : undefined}>
      <td className="ch-when">
        {formatDate(p.performed_at, 'auto')}, {formatTime(p.performed_at)}
      </td>
      <td>
        {marked ? <s>{p.name}</s> : p.name} <span className="muted">{p.code}</span>
      </td>
      <td>{p.quantity}</td>
      <td>{p.note || '–'}</td>
      <td>{marked ? <span className="tag">Entered in error: {marked.reason}</span> : <EnterInError p={p} />}</td>
    </tr>
  )
}

function EnterInError({ p }: { p: Procedure }) {
  const client = useQueryClient()
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const [error, setError] = useState('')
  const mark = $api.useMutation('post', '/api/procedures/{id}/entered-in-error')
  const close = () => {
    setOpen(false)
    setError('')
    setReason('')
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!reason.trim()) {
      setError('Say why it was recorded in error.')
      return
    }
    mark.mutate(
      { params: { path: { id: p.id } }, body: { reason: reason.trim() } },
      {
        onSuccess: () => {
          close()
          void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/encounters') })
        },
        onError: (err) => setError(messageOf(err)),
      },
    )
  }
  return (
    <>
      <button type="button" className="btn btn-small btn-quiet" onClick={() => setOpen(true)}>
        Entered in error…
      </button>
      <ModalDialog role="alertdialog" isOpen={open} onClose={close} title="Mark this procedure entered in error?">
        <p>
          <strong>
            {p.name} × {p.quantity}
          </strong>
        </p>
        <p>It stays in the chart, struck through, with your reason. Its charge is voided unless it is already on an invoice.</p>
        <form onSubmit={submit} aria-label="Entered in error">
          <Field label="Reason" error={error}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                autoComplete="off"
                autoFocus
              />
            )}
          </Field>
          <div className="row">
            <SubmitButton busy={mark.isPending} busyText="Marking…" className="btn-danger">
              Mark entered in error
            </SubmitButton>
            <button type="button" className="btn" onClick={close}>
              Keep it
            </button>
          </div>
        </form>
      </ModalDialog>
    </>
  )
}
