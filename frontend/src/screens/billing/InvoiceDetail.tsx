// One invoice at the billing desk (GET /api/invoices/{id}): its lines, taxes and totals, what is paid
// and the balance. A draft can lose a line (DELETE …/lines/{charge_id}?rev=) and be issued at the
// revision shown (POST …/issue); an issued one takes payments (TakePayment), has its PDF, is corrected
// by credit notes (CreditNote), and lists its payments with their receipts; an admin may refund a
// payment (Refund). An issued invoice a policy covered shows the insurer's and the patient's shares and
// its claim (ClaimPanel); the payment taken is the patient's part only.
import { can } from '../../roles'
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { balanceOf, billingError, fetchInvoicePDF, fetchReceiptPDF, type Invoice, type Payment } from '../../api/billing'
import { formatMoney } from '../../api/money'
import { $api, keyOf } from '../../api/query'
import { ApiError } from '../../api/session'
import { formatDateTime } from '../../api/time'
import { ErrorText, LoadError } from '../../components/forms'
import { Tag } from '../../components/labels'
import { ClaimPanel } from './ClaimPanel'
import { CreditNote } from './CreditNote'
import { DownloadPDF } from './Download'
import { InvoiceLines } from './InvoiceLines'
import { Refund } from './Refund'
import { TakePayment } from './TakePayment'
import { invoiceName, invoiceState, methodWords } from './words'

export function InvoiceDetail({ id, canRefund, close }: { id: string; canRefund: boolean; close: () => void }) {
  const client = useQueryClient()
  const read = $api.useQuery('get', '/api/invoices/{id}', { params: { path: { id } } })
  const inv = read.data as Invoice | undefined
  const [error, setError] = useState('')
  const [removing, setRemoving] = useState('')
  const [crediting, setCrediting] = useState(false)
  const changed = () => {
    void client.invalidateQueries({ queryKey: keyOf('/api/invoices/{id}') })
    void client.invalidateQueries({ queryKey: keyOf('/api/invoices') })
    void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/charges') })
  }
  const failed = (e: unknown) => {
    setError(billingError(e))
    if (e instanceof ApiError && e.code === 'invoice_changed') void read.refetch()
  }
  const remove = $api.useMutation('delete', '/api/invoices/{id}/lines/{charge_id}', {
    onSuccess: changed,
    onError: failed,
    onSettled: () => setRemoving(''),
  })
  const issue = $api.useMutation('post', '/api/invoices/{id}/issue', { onSuccess: changed, onError: failed })

  if (!inv) {
    return (
      <section className="panel" aria-label="Invoice">
        {read.error ? (
          <LoadError error={billingError(read.error)} retry={() => void read.refetch()}>
            Could not load the invoice
          </LoadError>
        ) : (
          <p className="muted">Loading the invoice…</p>
        )}
      </section>
    )
  }
  const state = invoiceState(inv)
  const draft = inv.status === 'draft'
  const issued = inv.status === 'issued'
  const balance = balanceOf(inv)
  return (
    <section className="panel stack bl-invoice" aria-labelledby="bl-invoice-h" data-testid="invoice-detail">
      <div className="row">
        <h2 id="bl-invoice-h">
          {draft ? 'Draft invoice' : `Invoice ${invoiceName(inv)}`} <Tag tone={state.tone}>{state.text}</Tag>
        </h2>
        <span className="spacer" />
        {issued && can('billing.invoice') && (
          <button type="button" className="btn btn-small" onClick={() => setCrediting(true)}>
            Credit note
          </button>
        )}
        {issued && <DownloadPDF fetch={() => fetchInvoicePDF(inv.id)} name={`${invoiceName(inv)}.pdf`} label="Download PDF" />}
        <button type="button" className="btn btn-small" onClick={close}>
          Close
        </button>
      </div>
      <p className="muted bl-small">
        {issued && inv.issued_at ? `Issued ${formatDateTime(inv.issued_at, 'auto')}` : `Drafted ${formatDateTime(inv.created_at, 'auto')}`}
      </p>
      {inv.lines.length === 0 ? (
        <p className="muted">No lines: every charge was taken off. Choose charges above to draft a new invoice.</p>
      ) : (
        <InvoiceLines
          invoice={inv}
          busyLine={removing}
          onRemove={
            draft
              ? (l) => {
                  setError('')
                  setRemoving(l.charge_id)
                  remove.mutate({ params: { path: { id: inv.id, charge_id: l.charge_id }, query: { rev: inv.rev } } })
                }
              : undefined
          }
        />
      )}
      {issued && <ClaimPanel invoice={inv} />}
      {draft && (
        <div className="row">
          <button
            type="button"
            className="btn btn-primary"
            disabled={issue.isPending || inv.lines.length === 0}
            onClick={() => {
              setError('')
              issue.mutate({ params: { path: { id: inv.id } }, body: { rev: inv.rev } })
            }}
          >
            {issue.isPending ? 'Issuing…' : 'Issue invoice'}
          </button>
          <span className="muted bl-small">
            Once issued it is numbered and never changes; a policy covering the day splits it with the insurer.
          </span>
        </div>
      )}
      <ErrorText error={error} block />
      {issued && balance > 0 && can('billing.payment') && <TakePayment key={inv.id} invoice={inv} onChanged={changed} />}
      {issued && balance <= 0 && (
        <p className="ok-text" role="status">
          Paid in full.
        </p>
      )}
      {issued && <Payments invoice={inv} canRefund={canRefund} onRefunded={changed} />}
      {issued && (inv.credit_notes ?? []).length > 0 && (
        <div className="stack">
          <h3>Credit notes</h3>
          <ul className="bl-credit-notes">
            {(inv.credit_notes ?? []).map((n) => (
              <li key={n.id} data-testid={`credit-note-${n.id}`}>
                <span className="bl-mono">{n.number ?? 'Being numbered…'}</span> {formatMoney(n.totals.total, n.currency)} —{' '}
                {n.reason} <span className="muted bl-small">{formatDateTime(n.created_at, 'auto')}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {crediting && (
        <CreditNote
          invoice={inv}
          close={() => setCrediting(false)}
          onCredited={() => {
            setCrediting(false)
            changed()
          }}
        />
      )}
    </section>
  )
}

function Payments({ invoice, canRefund, onRefunded }: { invoice: Invoice; canRefund: boolean; onRefunded: () => void }) {
  const [refunding, setRefunding] = useState<Payment | null>(null)
  const payments = invoice.payments ?? []
  if (payments.length === 0) return <p className="muted">No payments yet.</p>
  return (
    <div className="stack">
      <h3>Payments</h3>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Receipt</th>
            <th scope="col">When</th>
            <th scope="col">Method</th>
            <th scope="col" className="bl-num">
              Amount
            </th>
            <th scope="col" className="bl-num">
              Refunded
            </th>
            <th scope="col">Taken by</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {payments.map((p) => (
            <tr key={p.id} data-testid={`payment-${p.id}`}>
              <td className="bl-mono">{p.receipt_number}</td>
              <td className="bl-nowrap">{formatDateTime(p.at, 'auto')}</td>
              <td>
                {methodWords[p.method] ?? p.method}
                {p.reference && <div className="muted bl-small">{p.reference}</div>}
              </td>
              <td className="bl-num">{formatMoney(p.amount, p.currency)}</td>
              <td className="bl-num">{p.refunded > 0 ? formatMoney(p.refunded, p.currency) : '—'}</td>
              <td>{p.received_by_name}</td>
              <td>
                <div className="row bl-row-actions">
                  <DownloadPDF fetch={() => fetchReceiptPDF(p.id)} name={`${p.receipt_number}.pdf`} label="Receipt" />
                  {canRefund && p.amount - p.refunded > 0 && (
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => setRefunding(p)}
                      aria-label={`Refund ${p.receipt_number}`}
                    >
                      Refund
                    </button>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {refunding && (
        <Refund
          payment={refunding}
          close={() => setRefunding(null)}
          onRefunded={() => {
            setRefunding(null)
            onRefunded()
          }}
        />
      )}
    </div>
  )
}
