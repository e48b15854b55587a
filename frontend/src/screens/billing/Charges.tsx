// The patient's unbilled charges at the billing desk (GET /api/patients/{id}/charges?unbilled=true):
// choose some or all and draft an invoice of them (POST /api/invoices), or void one with a reason
// (POST /api/charges/{id}/void). A charge on a draft is not listed: it is on that invoice.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { billingError, type Charge, type Invoice } from '../../api/billing'
import { formatMoney } from '../../api/money'
import { $api, keyOf } from '../../api/query'
import { formatDate } from '../../api/time'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'
import { kindWords } from './words'

export function Charges({ patientID, onDrafted }: { patientID: string; onDrafted: (inv: Invoice) => void }) {
  const client = useQueryClient()
  const charges = $api.useQuery('get', '/api/patients/{id}/charges', {
    params: { path: { id: patientID }, query: { unbilled: true } },
  })
  const [chosen, setChosen] = useState<Set<string>>(new Set())
  const [voiding, setVoiding] = useState<Charge | null>(null)
  const items = (charges.data?.items ?? []).filter((c) => !c.void && !c.invoice_id)
  const picked = items.filter((c) => chosen.has(c.id))
  const draft = $api.useMutation('post', '/api/invoices', {
    onSuccess: (inv) => {
      setChosen(new Set())
      void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/charges') })
      void client.invalidateQueries({ queryKey: keyOf('/api/invoices') })
      onDrafted(inv as Invoice)
    },
  })
  const toggle = (id: string) => {
    const next = new Set(chosen)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    setChosen(next)
  }
  const all = items.length > 0 && picked.length === items.length
  const currency = items[0]?.currency ?? ''
  const sum = picked.reduce((s, c) => s + c.total, 0)
  return (
    <section className="panel stack" aria-labelledby="bl-charges-h">
      <h2 id="bl-charges-h">Unbilled charges</h2>
      <LoadError error={charges.error ? billingError(charges.error) : ''} retry={() => void charges.refetch()}>
        Could not load the charges
      </LoadError>
      {charges.isPending && <p className="muted">Loading the charges…</p>}
      {charges.data && items.length === 0 && <p className="muted">No unbilled charges.</p>}
      {items.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Choose every charge"
                  checked={all}
                  onChange={() => setChosen(all ? new Set() : new Set(items.map((c) => c.id)))}
                />
              </th>
              <th scope="col">Charge</th>
              <th scope="col">Date</th>
              <th scope="col" className="bl-num">
                Qty
              </th>
              <th scope="col" className="bl-num">
                Amount
              </th>
              <th scope="col">
                <span className="sr-only">Void</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id} className={chosen.has(c.id) ? 'selected' : undefined}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Choose ${c.description}`}
                    checked={chosen.has(c.id)}
                    onChange={() => toggle(c.id)}
                  />
                </td>
                <td>
                  {c.description}
                  <div className="muted bl-small">
                    {kindWords[c.kind] ?? c.kind} · {c.code}
                    {c.reason && ` · ${c.reason}`}
                  </div>
                </td>
                <td className="bl-nowrap">{formatDate(c.at, 'auto')}</td>
                <td className="bl-num">{c.quantity}</td>
                <td className="bl-num">{formatMoney(c.total, c.currency)}</td>
                <td>
                  <button type="button" className="btn btn-small" onClick={() => setVoiding(c)} aria-label={`Void ${c.description}`}>
                    Void
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {items.length > 0 && (
        <div className="row">
          <button
            type="button"
            className="btn btn-primary"
            disabled={picked.length === 0 || draft.isPending}
            onClick={() => draft.mutate({ body: { patient_id: patientID, charge_ids: picked.map((c) => c.id) } })}
          >
            {draft.isPending ? 'Drafting…' : 'Draft invoice'}
          </button>
          <span className="muted" role="status">
            {picked.length === 0
              ? 'Choose the charges to bill.'
              : `${picked.length} ${picked.length === 1 ? 'charge' : 'charges'}, ${formatMoney(sum, currency)}`}
          </span>
          <ErrorText error={draft.error ? billingError(draft.error) : ''} />
        </div>
      )}
      {voiding && <VoidCharge charge={voiding} close={() => setVoiding(null)} />}
    </section>
  )
}

/** Voids a charge with a reason: it is kept with the reason, never deleted. */
function VoidCharge({ charge, close }: { charge: Charge; close: () => void }) {
  const client = useQueryClient()
  const [reason, setReason] = useState('')
  const [problem, setProblem] = useState('')
  const voidIt = $api.useMutation('post', '/api/charges/{id}/void', {
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/charges') })
      close()
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!reason.trim()) {
      setProblem('Say why the charge is voided.')
      return
    }
    setProblem('')
    voidIt.mutate({ params: { path: { id: charge.id } }, body: { reason: reason.trim() } })
  }
  return (
    <ModalDialog title={`Void ${charge.description}`} isOpen onClose={close} role="alertdialog">
      <form className="stack" onSubmit={submit} noValidate>
        <p>
          {formatMoney(charge.total, charge.currency)} will not be billed. The charge is kept, marked void, with your
          reason.
        </p>
        <label className="bl-field">
          Reason
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} />
        </label>
        <div className="row">
          <SubmitButton busy={voidIt.isPending} busyText="Voiding…" className="btn-danger">
            Void the charge
          </SubmitButton>
          <button type="button" className="btn" onClick={close}>
            Keep it
          </button>
          <ErrorText error={problem || (voidIt.error ? billingError(voidIt.error) : '')} />
        </div>
      </form>
    </ModalDialog>
  )
}
