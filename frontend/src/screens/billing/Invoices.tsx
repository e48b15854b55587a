// The patient's invoices at the billing desk (GET /api/invoices?patient_id=): drafts and issued ones,
// with each one's state (and its claim's), total, the insurer's part, paid and balance, and the
// account's balance (what the patient has left to pay on the issued ones). Choosing one opens it (InvoiceDetail).
import { balanceOf, billingError, paidOf, type Invoice } from '../../api/billing'
import { formatMoney } from '../../api/money'
import { $api } from '../../api/query'
import { formatDate } from '../../api/time'
import { LoadError } from '../../components/forms'
import { Tag } from '../../components/labels'
import { claimWords } from './insurance'
import { invoiceName, invoiceState } from './words'

/** Invoices read at once (the server's most). */
const limit = 100

export function Invoices({
  patientID,
  currency,
  open,
  choose,
}: {
  patientID: string
  /** The hospital's currency ('' while unknown: the balance then waits). */
  currency: string
  open: string
  choose: (id: string) => void
}) {
  const list = $api.useQuery('get', '/api/invoices', { params: { query: { patient_id: patientID, page: 1, limit } } })
  const items = (list.data?.items ?? []) as Invoice[]
  const issued = items.filter((i) => i.status === 'issued')
  const owed = issued.reduce((s, i) => s + balanceOf(i), 0)
  const cur = items[0]?.currency ?? currency
  return (
    <section className="panel stack" aria-labelledby="bl-invoices-h">
      <div className="row">
        <h2 id="bl-invoices-h">Invoices</h2>
        <span className="spacer" />
        {list.data && cur && (
          <span className="bl-owed" data-testid="account-balance">
            Balance due: <strong>{formatMoney(owed, cur)}</strong>
          </span>
        )}
      </div>
      <LoadError error={list.error ? billingError(list.error) : ''} retry={() => void list.refetch()}>
        Could not load the invoices
      </LoadError>
      {list.isPending && <p className="muted">Loading the invoices…</p>}
      {list.data && items.length === 0 && <p className="muted">No invoices yet.</p>}
      {items.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Invoice</th>
              <th scope="col">Date</th>
              <th scope="col">State</th>
              <th scope="col" className="bl-num">
                Total
              </th>
              <th scope="col" className="bl-num">
                Insurer
              </th>
              <th scope="col" className="bl-num">
                Paid
              </th>
              <th scope="col" className="bl-num">
                Balance
              </th>
              <th scope="col">
                <span className="sr-only">Open</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => {
              const state = invoiceState(i)
              const done = i.status === 'issued'
              return (
                <tr key={i.id} className={open === i.id ? 'selected' : undefined} data-testid={`invoice-${i.id}`}>
                  <td className="bl-mono">{invoiceName(i)}</td>
                  <td className="bl-nowrap">{formatDate(i.issued_at ?? i.created_at, 'auto')}</td>
                  <td>
                    <Tag tone={state.tone}>{state.text}</Tag>
                    {i.claim && (
                      <div className="bl-small">
                        Claim: <Tag tone={claimWords[i.claim.status].tone}>{claimWords[i.claim.status].text}</Tag>
                      </div>
                    )}
                  </td>
                  <td className="bl-num">{formatMoney(i.totals.total, i.currency)}</td>
                  <td className="bl-num">{done && i.coverage ? formatMoney(i.insurer_due ?? 0, i.currency) : '—'}</td>
                  <td className="bl-num">{done ? formatMoney(paidOf(i), i.currency) : '—'}</td>
                  <td className="bl-num">{done ? formatMoney(balanceOf(i), i.currency) : '—'}</td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => choose(i.id)}
                      aria-label={`Open ${invoiceName(i)} of ${formatDate(i.issued_at ?? i.created_at)}`}
                    >
                      Open
                    </button>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      {list.data && list.data.total > items.length && (
        <p className="muted">The newest {items.length} of {list.data.total} invoices are shown.</p>
      )}
    </section>
  )
}
