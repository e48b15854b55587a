// The portal's bills section (/patient/bills): the patient's issued invoices with number, date, total,
// the insurer's part, paid, balance and state (and their claim's); where a policy covered an invoice,
// its insurer's and patient's shares and where the claim stands (only the patient's part is theirs to
// pay, online or at the desk); an invoice's lines, its PDF and the receipts of its payments; "Pay online"
// where the hospital takes card payments online (GET /api/billing/config) and something is left to pay:
// a Stripe Checkout session (POST /api/invoices/{id}/checkout) the browser is sent to. Stripe sends the
// patient back to ?invoice=<id>&paid=1 (or &cancelled=1); the payment is confirmed by the server when
// Stripe tells it, so until the invoice shows paid the section says it is being confirmed. Live on the
// patient's own channel (user:<id>): billing.changed reloads the invoices; while a payment is being
// confirmed the invoice is also read again every few seconds.
import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { useSearch } from 'wouter'
import {
  balanceOf,
  billingError,
  fetchInvoicePDF,
  paidOf,
  paymentStatusOf,
  fetchReceiptPDF,
  startCheckout,
  useBillingConfig,
  type Invoice,
} from '../../api/billing'
import { session } from '../../api/client'
import { formatMoney } from '../../api/money'
import { $api } from '../../api/query'
import { formatDate, formatDateTime } from '../../api/time'
import { ErrorText } from '../../components/forms'
import { Tag } from '../../components/labels'
import { useLiveQueries } from '../../live/useLiveQuery'
import { DownloadPDF } from '../billing/Download'
import { InvoiceLines } from '../billing/InvoiceLines'
import { claimSentence, claimWords } from '../billing/insurance'
import { invoiceName, invoiceState, methodWords } from '../billing/words'
import '../billing.css'
import { Pending } from './Pending'

/** Invoices read at once (the server's most). */
const limit = 100

/** How often an invoice paid online is read again until the payment shows (besides the live event). */
const confirmEveryMs = 5000

/** How long it is read again so; after that only the live event updates it. */
const confirmForMs = 2 * 60_000

export function Bills({ patientID }: { patientID: string }) {
  const params = new URLSearchParams(useSearch())
  const returned = params.get('invoice') ?? ''
  const paidOnline = params.get('paid') === '1'
  const cancelled = params.get('cancelled') === '1'
  const [open, setOpen] = useState(returned)
  const userID = session.current?.user.id ?? ''
  const list = $api.useQuery('get', '/api/invoices', {
    params: { query: { patient_id: patientID, status: 'issued', page: 1, limit } },
  })
  useLiveQueries(userID ? `user:${userID}` : null, ['/api/invoices', '/api/invoices/{id}'], (e) => e.type === 'billing.changed')
  const items = (list.data?.items ?? []) as Invoice[]
  const owed = items.reduce((s, i) => s + Math.max(0, balanceOf(i)), 0)
  return (
    <>
      <h1>My bills</h1>
      {cancelled && returned && (
        <p className="bl-note" role="status">
          The online payment was cancelled; nothing was taken.
        </p>
      )}
      {!list.data ? (
        <Pending read={list} what="your bills" />
      ) : items.length === 0 ? (
        <section className="panel">
          <p className="muted">No bills. An invoice appears here once the hospital has issued it.</p>
        </section>
      ) : (
        <section className="panel stack" aria-labelledby="pt-bills-h">
          <div className="row">
            <h2 id="pt-bills-h">Invoices</h2>
            <span className="spacer" />
            <span className="bl-owed" data-testid="owed">
              Left to pay: <strong>{formatMoney(owed, items[0]?.currency ?? 'USD')}</strong>
            </span>
          </div>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Invoice</th>
                <th scope="col">Date</th>
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
                <th scope="col">State</th>
                <th scope="col">
                  <span className="sr-only">Open</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => {
                const state = invoiceState(i)
                return (
                  <tr key={i.id} className={open === i.id ? 'selected' : undefined} data-testid={`bill-${i.id}`}>
                    <td className="bl-mono">{invoiceName(i)}</td>
                    <td className="bl-nowrap">{formatDate(i.issued_at ?? i.created_at, 'auto')}</td>
                    <td className="bl-num">{formatMoney(i.totals.total, i.currency)}</td>
                    <td className="bl-num">{i.coverage ? formatMoney(i.insurer_due ?? 0, i.currency) : '—'}</td>
                    <td className="bl-num">{formatMoney(paidOf(i), i.currency)}</td>
                    <td className="bl-num">{formatMoney(balanceOf(i), i.currency)}</td>
                    <td>
                      <Tag tone={state.tone}>{state.text}</Tag>
                      {i.claim && (
                        <div className="bl-small">
                          Claim: <Tag tone={claimWords[i.claim.status].tone}>{claimWords[i.claim.status].text}</Tag>
                        </div>
                      )}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="btn btn-small"
                        onClick={() => setOpen(i.id)}
                        aria-label={`Open invoice ${invoiceName(i)}`}
                      >
                        Open
                      </button>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </section>
      )}
      {open && <Bill key={open} id={open} confirming={paidOnline && open === returned} />}
    </>
  )
}

function Bill({ id, confirming }: { id: string; confirming: boolean }) {
  const config = useBillingConfig()
  const [waiting, setWaiting] = useState(confirming)
  const [since] = useState(() => Date.now())
  const read = $api.useQuery(
    'get',
    '/api/invoices/{id}',
    { params: { path: { id } } },
    { refetchInterval: () => (waiting && Date.now() - since < confirmForMs ? confirmEveryMs : false) },
  )
  const inv = read.data as Invoice | undefined
  const paid = inv ? paymentStatusOf(inv) === 'paid' : false
  if (waiting && paid) setWaiting(false)
  const checkout = useMutation({
    mutationFn: () => startCheckout(id),
    onSuccess: (c) => window.location.assign(c.url),
  })
  if (!inv) {
    return (
      <section className="panel" aria-label="Invoice">
        <Pending read={read} what="the invoice" />
      </section>
    )
  }
  const balance = balanceOf(inv)
  const state = invoiceState(inv)
  const payments = inv.payments ?? []
  return (
    <section className="panel stack" aria-labelledby="pt-bill-h" data-testid="bill">
      <div className="row">
        <h2 id="pt-bill-h">
          Invoice {invoiceName(inv)} <Tag tone={state.tone}>{state.text}</Tag>
        </h2>
        <span className="spacer" />
        <DownloadPDF fetch={() => fetchInvoicePDF(inv.id)} name={`${invoiceName(inv)}.pdf`} label="Download the invoice (PDF)" />
      </div>
      {confirming && (
        <p className="bl-thanks" role="status" data-testid="confirming">
          {waiting ? 'Thank you — your payment is being confirmed.' : 'Thank you — your payment has been received.'}
        </p>
      )}
      {inv.issued_at && <p className="muted bl-small">Issued {formatDate(inv.issued_at)}</p>}
      <InvoiceLines invoice={inv} />
      {inv.coverage && (
        <p data-testid="claim-state">
          {inv.claim ? (
            <>
              <Tag tone={claimWords[inv.claim.status].tone}>Claim: {claimWords[inv.claim.status].text}</Tag> {claimSentence(inv)}
            </>
          ) : (
            `Your policy with ${inv.coverage.payer_name} covers ${formatMoney(inv.insurer_due ?? 0, inv.currency)} of this invoice; the hospital claims it from them. You pay your share.`
          )}
        </p>
      )}
      {config.data?.online_payment && balance > 0 && !waiting && (
        <div className="row">
          <button type="button" className="btn btn-primary" disabled={checkout.isPending} onClick={() => checkout.mutate()}>
            {checkout.isPending ? 'Opening the payment page…' : `Pay ${formatMoney(balance, inv.currency)} online`}
          </button>
          <span className="muted bl-small">You will pay by card on Stripe’s secure page and come back here.</span>
          <ErrorText error={checkout.error ? billingError(checkout.error) : ''} />
        </div>
      )}
      {!config.data?.online_payment && balance > 0 && config.data && (
        <p className="muted">To pay, please visit the hospital’s billing desk.</p>
      )}
      {payments.length > 0 && (
        <div className="stack">
          <h3>Payments</h3>
          <ul className="pt-plain">
            {payments.map((p) => (
              <li key={p.id} className="row" data-testid={`receipt-${p.id}`}>
                <span>
                  {formatDateTime(p.at, 'auto')} · {methodWords[p.method] ?? p.method} · {formatMoney(p.amount, p.currency)}
                  {p.refunded > 0 && ` (${formatMoney(p.refunded, p.currency)} refunded)`}
                </span>
                <DownloadPDF fetch={() => fetchReceiptPDF(p.id)} name={`${p.receipt_number}.pdf`} label={`Receipt ${p.receipt_number}`} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  )
}
