// Corrects an issued invoice with a credit note (POST /api/invoices/{id}/credit-notes, staff and admins):
// the lines to credit, each with how many of its quantity, and a reason. The server numbers the note
// (CN-<year>-…) and refuses more than is left to credit. One Idempotency-Key per submission.
import { useMutation } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { billingError, creditInvoice, type CreditRequest, type Invoice } from '../../api/billing'
import { useIdempotencyKey } from '../../api/idempotency'
import { ErrorText, SubmitButton } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'

type Choice = { on: boolean; qty: string }

export function CreditNote({ invoice, close, onCredited }: { invoice: Invoice; close: () => void; onCredited: () => void }) {
  const idem = useIdempotencyKey()
  // Per line: whether it is credited, and how many of its quantity (as typed).
  const [chosen, setChosen] = useState<Record<string, Choice>>(() =>
    Object.fromEntries(invoice.lines.map((l) => [l.charge_id, { on: false, qty: String(l.quantity) }])),
  )
  const [reason, setReason] = useState('')
  const [problem, setProblem] = useState('')
  const credit = useMutation({
    mutationFn: (v: { body: CreditRequest; key: string }) => creditInvoice(invoice.id, v.body, v.key),
    onSuccess: () => {
      idem.done()
      onCredited()
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const lines: NonNullable<CreditRequest['lines']> = []
    for (const l of invoice.lines) {
      const c = chosen[l.charge_id]
      if (!c?.on) continue
      const qty = Number(c.qty.trim())
      if (!/^\d+$/.test(c.qty.trim()) || qty < 1 || qty > l.quantity) {
        return setProblem(`Credit between 1 and ${l.quantity} of ${l.description}.`)
      }
      lines.push({ charge_id: l.charge_id, quantity: qty })
    }
    if (lines.length === 0) return setProblem('Choose the lines to credit.')
    if (!reason.trim()) return setProblem('Say why the invoice is corrected.')
    setProblem('')
    const body = { lines, reason: reason.trim() }
    credit.mutate({ body, key: idem.keyFor({ invoice: invoice.id, ...body }) })
  }
  return (
    <ModalDialog title={`Credit note for ${invoice.number ?? 'this invoice'}`} isOpen onClose={close}>
      <form className="stack" onSubmit={submit} noValidate>
        <p className="muted">An issued invoice never changes: a credit note takes back what was charged in error.</p>
        <fieldset className="stack bl-credit-lines">
          <legend>What to credit</legend>
          {invoice.lines.map((l) => {
            const c = chosen[l.charge_id] ?? { on: false, qty: String(l.quantity) }
            const set = (next: Partial<Choice>) => setChosen((all) => ({ ...all, [l.charge_id]: { ...c, ...all[l.charge_id], ...next } }))
            return (
              <div key={l.charge_id} className="row">
                <label className="bl-check">
                  <input type="checkbox" checked={c.on} onChange={(e) => set({ on: e.target.checked })} />
                  {l.description}
                </label>
                <label className="bl-field bl-qty">
                  How many (of {l.quantity})
                  <input inputMode="numeric" value={c.qty} disabled={!c.on} onChange={(e) => set({ qty: e.target.value })} />
                </label>
              </div>
            )
          })}
        </fieldset>
        <label className="bl-field">
          Reason
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} />
        </label>
        <div className="row">
          <SubmitButton busy={credit.isPending} busyText="Crediting…">
            Issue credit note
          </SubmitButton>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <ErrorText error={problem || (credit.error ? billingError(credit.error) : '')} />
        </div>
      </form>
    </ModalDialog>
  )
}
