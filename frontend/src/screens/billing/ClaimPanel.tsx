// An issued invoice's insurance at the billing desk: under which policy it was issued and where its
// claim stands; "Create claim" (POST /api/invoices/{id}/claims) when it has an insurer's share and no
// claim yet; the claim's next move (MoveClaim), its FHIR export, and the way to the claims board.
import { can } from '../../roles'
import { useState } from 'react'
import { Link } from 'wouter'
import { billingError, fetchClaimFHIR, type Claim, type Invoice } from '../../api/billing'
import { $api } from '../../api/query'
import { ErrorText } from '../../components/forms'
import { Tag } from '../../components/labels'
import { DownloadPDF } from './Download'
import { claimSentence, claimWords, nextStatuses } from './insurance'
import { MoveClaim, useClaimsChanged } from './MoveClaim'

export function ClaimPanel({ invoice }: { invoice: Invoice }) {
  const changed = useClaimsChanged()
  const create = $api.useMutation('post', '/api/invoices/{id}/claims', { onSuccess: changed })
  const claimID = invoice.claim?.id ?? ''
  const read = $api.useQuery('get', '/api/claims/{id}', { params: { path: { id: claimID } } }, { enabled: !!claimID })
  const claim = read.data as Claim | undefined
  const [moving, setMoving] = useState(false)
  if (!invoice.coverage) {
    return (
      <p className="muted bl-small" data-testid="no-cover">
        No policy covered the patient on the day this invoice was issued: the patient pays it all.
      </p>
    )
  }
  const summary = invoice.claim
  // Creating and moving claims needs billing.claims.
  const claims = can('billing.claims')
  return (
    <div className="stack bl-claim" data-testid="claim-panel">
      <div className="row">
        <h3>Insurance claim</h3>
        {summary && <Tag tone={claimWords[summary.status].tone} testId="claim-status">{claimWords[summary.status].text}</Tag>}
        <span className="spacer" />
        {claims && !summary && (invoice.insurer_due ?? 0) > 0 && (
          <button type="button" className="btn btn-primary btn-small" disabled={create.isPending}
            onClick={() => create.mutate({ params: { path: { id: invoice.id } } })}>
            {create.isPending ? 'Creating…' : 'Create claim'}
          </button>
        )}
        {claims && claim && nextStatuses(claim.status).length > 0 && (
          <button type="button" className="btn btn-small" onClick={() => setMoving(true)}>
            Update claim
          </button>
        )}
        {summary && <DownloadPDF fetch={() => fetchClaimFHIR(summary.id)} name={`claim-${invoice.number ?? summary.id}.fhir.json`} label="FHIR" />}
        <Link href="/billing/claims" className="btn btn-small">
          Claims board
        </Link>
      </div>
      <p>
        {summary
          ? claimSentence(invoice)
          : (invoice.insurer_due ?? 0) > 0
            ? `No claim yet to ${invoice.coverage.payer_name}.`
            : 'The insurer’s share is nothing (the co-pay covers the invoice): nothing to claim.'}
      </p>
      <ErrorText error={create.error ? billingError(create.error) : ''} />
      {moving && claim && <MoveClaim claim={claim} close={() => setMoving(false)} />}
    </div>
  )
}
