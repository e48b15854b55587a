// An invoice's lines and its totals (net, tax, total, credited, the insurer's and the patient's shares
// when a policy covered it, paid, balance), as the desk and the patient see it; on a draft the desk may
// take a line off (onRemove).
import type { Invoice, InvoiceLine } from '../../api/billing'
import { balanceOf, paidOf } from '../../api/billing'
import { formatMoney, formatPercent } from '../../api/money'
import { shareRows } from './insurance'

export function InvoiceLines({
  invoice,
  onRemove,
  busyLine,
}: {
  invoice: Invoice
  onRemove?: (line: InvoiceLine) => void
  /** The line being taken off, if any. */
  busyLine?: string
}) {
  const money = (n: number) => formatMoney(n, invoice.currency)
  const issued = invoice.status === 'issued'
  return (
    <table className="table bl-lines">
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col" className="bl-num">
            Qty
          </th>
          <th scope="col" className="bl-num">
            Unit
          </th>
          <th scope="col" className="bl-num">
            Tax
          </th>
          <th scope="col" className="bl-num">
            Amount
          </th>
          {onRemove && (
            <th scope="col">
              <span className="sr-only">Take off</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {invoice.lines.map((l) => (
          <tr key={l.charge_id}>
            <td>
              {l.description}
              <div className="muted bl-small">{l.code}</div>
            </td>
            <td className="bl-num">{l.quantity}</td>
            <td className="bl-num">{money(l.unit_amount)}</td>
            <td className="bl-num">
              {money(l.tax)}
              <div className="muted bl-small">{formatPercent(l.tax_bp)}</div>
            </td>
            <td className="bl-num">{money(l.total)}</td>
            {onRemove && (
              <td>
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={busyLine !== undefined && busyLine !== ''}
                  onClick={() => onRemove(l)}
                  aria-label={`Take ${l.description} off the draft`}
                >
                  {busyLine === l.charge_id ? 'Taking off…' : 'Take off'}
                </button>
              </td>
            )}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <Total label="Net" value={money(invoice.totals.net)} extra={!!onRemove} />
        <Total label="Tax" value={money(invoice.totals.tax)} extra={!!onRemove} />
        <Total label="Total" value={money(invoice.totals.total)} extra={!!onRemove} strong />
        {issued && (invoice.credited ?? 0) > 0 && <Total label="Credited" value={money(-(invoice.credited ?? 0))} />}
        {shareRows(invoice).map((r) => (
          <Total key={r.testId} label={r.label} value={money(r.amount)} strong={r.strong} testId={r.testId} />
        ))}
        {issued && <Total label={invoice.coverage ? 'Paid by the patient' : 'Paid'} value={money(paidOf(invoice))} />}
        {issued && <Total label="Balance" value={money(balanceOf(invoice))} strong testId="balance" />}
      </tfoot>
    </table>
  )
}

function Total({
  label,
  value,
  extra,
  strong,
  testId,
}: {
  label: string
  value: string
  /** The table has a column after the amounts (the draft's "Take off"). */
  extra?: boolean
  strong?: boolean
  testId?: string
}) {
  return (
    <tr className={strong ? 'bl-total bl-strong' : 'bl-total'}>
      <th scope="row" colSpan={4}>
        {label}
      </th>
      <td className="bl-num" data-testid={testId}>
        {value}
      </td>
      {extra && <td />}
    </tr>
  )
}
