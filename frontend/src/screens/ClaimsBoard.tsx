// The claims board (/billing/claims), for staff and admins: every claim to an insurer in a column by
// its status, in the order of a claim's life (draft, submitted, in review, approved, partly approved,
// denied, paid), filtered by payer. Each card says whose invoice, which payer, what was claimed and
// approved or paid, and moves the claim on (MoveClaim: amounts, a denial's reason) or exports it as
// FHIR. Live on the staff channel `billing`: any billing.changed reloads the board, so a move made at
// another desk shows without a reload.
import { useState } from 'react'
import { Link } from 'wouter'
import { billingError, fetchClaimFHIR, type Claim } from '../api/billing'
import { formatMoney } from '../api/money'
import { $api } from '../api/query'
import { formatDateTime } from '../api/time'
import { Field } from '../components/fields'
import { LoadError } from '../components/forms'
import { Tag } from '../components/labels'
import { useLiveQueries } from '../live/useLiveQuery'
import { DownloadPDF } from './billing/Download'
import { boardColumns, claimWords, nextStatuses } from './billing/insurance'
import { MoveClaim } from './billing/MoveClaim'
import { can } from '../roles'
import './billing.css'

export function ClaimsBoardScreen() {
  const [payer, setPayer] = useState('')
  const [moving, setMoving] = useState<Claim | null>(null)
  const payers = $api.useQuery('get', '/api/billing/payers')
  const list = $api.useQuery('get', '/api/claims', { params: { query: payer ? { payer_id: payer } : {} } })
  useLiveQueries('billing', ['/api/claims', '/api/claims/{id}'], (e) => e.type === 'billing.changed')
  const claims = (list.data?.items ?? []) as Claim[]
  const columns = boardColumns(claims)
  return (
    <div className="stack bl">
      <div className="row">
        <h1>Claims board</h1>
        <span className="spacer" />
        <Link href="/billing" className="btn">
          Billing desk
        </Link>
      </div>
      <section className="panel bl-filters" aria-label="Filter the claims">
        <Field label="Payer">
          {({ id }) => (
            <select id={id} value={payer} onChange={(e) => setPayer(e.target.value)}>
              <option value="">All payers</option>
              {(payers.data?.items ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        {list.data && (
          <p className="muted" role="status">
            {claims.length === 0 ? 'No claims' : `${claims.length} claim${claims.length === 1 ? '' : 's'}`}
            {payer ? ' with this payer' : ''}.
          </p>
        )}
      </section>
      <LoadError error={list.error ? billingError(list.error) : ''} retry={() => void list.refetch()}>
        Could not load the claims
      </LoadError>
      {list.isPending && <p className="muted">Loading the claims…</p>}
      {list.data && (
        <div className="bl-board" data-testid="claims-board">
          {columns.map((col) => (
            <section key={col.status} className="bl-column" aria-labelledby={`bl-col-${col.status}`} data-testid={`column-${col.status}`}>
              <h2 id={`bl-col-${col.status}`}>
                <Tag tone={claimWords[col.status].tone}>{claimWords[col.status].text}</Tag>
                <span className="muted">{col.claims.length}</span>
              </h2>
              {col.claims.length > 0 && (
                <ul>
                  {col.claims.map((c) => (
                    <ClaimCard key={c.id} claim={c} move={() => setMoving(c)} />
                  ))}
                </ul>
              )}
            </section>
          ))}
        </div>
      )}
      {moving && <MoveClaim key={moving.id} claim={moving} close={() => setMoving(null)} />}
    </div>
  )
}

function ClaimCard({ claim: c, move }: { claim: Claim; move: () => void }) {
  const money = (n: number) => formatMoney(n, c.currency)
  return (
    <li className="bl-card" data-testid={`claim-${c.id}`}>
      <strong className="bl-mono">{c.invoice_number}</strong>
      <span>{c.patient_name || 'Patient'}</span>
      <span className="muted bl-small">
        {c.payer_name}
        {c.plan ? `, ${c.plan}` : ''}
      </span>
      <span>
        Claimed <strong>{money(c.amount)}</strong>
      </span>
      {(c.status === 'approved' || c.status === 'partially_approved' || c.status === 'paid') && (
        <span className="bl-small">Approved {money(c.approved_amount)}</span>
      )}
      {c.status === 'paid' && <span className="bl-small">Paid {money(c.paid_amount)}</span>}
      {c.status === 'denied' && c.denial_reason && <span className="bl-small">Denied: {c.denial_reason}</span>}
      <span className="muted bl-small">Updated {formatDateTime(c.changed_at, 'auto')}</span>
      <div className="bl-card-actions">
        {nextStatuses(c.status).length > 0 && can('billing.claims') && (
          <button type="button" className="btn btn-small" onClick={move} aria-label={`Move the claim on ${c.invoice_number}`}>
            Move
          </button>
        )}
        <DownloadPDF fetch={() => fetchClaimFHIR(c.id)} name={`claim-${c.invoice_number}.fhir.json`} label="FHIR" />
      </div>
    </li>
  )
}
