// The prescriptions waiting to be dispensed (GET /api/prescriptions): whom for, what, how much, which fill,
// with a Dispense button per row. A dispense names its fill and carries an Idempotency-Key, so a repeat
// (a double click, a retry, a second counter) dispenses once.
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { messageOf, today } from '../../api/client'
import { newIdempotencyKey } from '../../api/idempotency'
import { $api, keyOf } from '../../api/query'
import { formatDate, formatDateTime } from '../../api/time'
import type { PrescriptionQueueItem } from '../../api/types'
import { ErrorText, LoadError } from '../../components/forms'
import { Pager } from '../../components/Pager'
import { dispenseError, fillWords } from './words'

const limit = 20

export function DispenseQueue() {
  const [page, setPage] = useState(1)
  const [done, setDone] = useState('')
  const q = $api.useQuery('get', '/api/prescriptions', { params: { query: { status: 'pending', page, limit } } })
  const items = q.data?.items ?? []
  return (
    <section className="panel stack" aria-labelledby="rx-queue-title">
      <h2 id="rx-queue-title">To dispense</h2>
      <LoadError error={q.error ? messageOf(q.error) : ''} retry={() => void q.refetch()}>
        Could not load the prescriptions
      </LoadError>
      {done && (
        <p className="ok-text" role="status" data-testid="rx-done">
          {done}
        </p>
      )}
      {q.isPending && <p className="muted">Loading…</p>}
      {q.data && items.length === 0 && (
        <p className="muted" data-testid="rx-empty">
          Nothing to dispense: new prescriptions appear here as doctors write them.
        </p>
      )}
      {items.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Patient</th>
              <th scope="col">Medication</th>
              <th scope="col">Supply</th>
              <th scope="col">Prescribed</th>
              <th scope="col">
                <span className="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((rx) => (
              <Row key={`${rx.id}-${rx.fill}`} rx={rx} onDone={setDone} />
            ))}
          </tbody>
        </table>
      )}
      {q.data && q.data.total > limit && (
        <Pager
          page={page}
          pages={Math.ceil(q.data.total / limit)}
          hasNext={page * limit < q.data.total}
          busy={q.isFetching}
          go={setPage}
          label="Prescription pages"
        />
      )}
    </section>
  )
}

/** One prescription; a new fill of it is a new row (and a new Idempotency-Key). */
function Row({ rx, onDone }: { rx: PrescriptionQueueItem; onDone: (message: string) => void }) {
  const client = useQueryClient()
  const [key] = useState(newIdempotencyKey)
  const name = `${rx.patient_name} (MRN ${rx.mrn})`
  const dispense = $api.useMutation('post', '/api/prescriptions/{id}/dispense', {
    onSuccess: (d) => {
      const next = d.refills_left > 0 && d.refill_due ? ` Next fill due ${formatDate(d.refill_due, 'auto')}.` : ''
      onDone(`Dispensed ${d.quantity} × ${rx.medication_name} for ${name}: ${d.balance} left in stock.${next}`)
      for (const p of ['/api/prescriptions', '/api/medications/{id}/stock'] as const)
        void client.invalidateQueries({ queryKey: keyOf(p) })
    },
  })
  const early = rx.refill_due !== undefined && rx.refill_due > today()
  return (
    <tr data-testid={`rx-${rx.id}`}>
      <td>
        <strong>{rx.patient_name}</strong>
        <div className="muted">MRN {rx.mrn}</div>
      </td>
      <td>
        {rx.medication_name}
        <div className="muted">Dose {rx.dose}</div>
        {rx.allergy_warnings.length > 0 && (
          <div className="tag tag-warn">Allergy overridden by the doctor: {rx.allergy_warnings.join(', ')}</div>
        )}
      </td>
      <td>
        {rx.quantity === 1 ? '1 unit' : `${rx.quantity} units`}
        <div className="muted">
          {fillWords(rx.fill, rx.fills)}
          {rx.refill_due && ` · due ${formatDate(rx.refill_due, 'auto')}`}
        </div>
      </td>
      <td>{formatDateTime(rx.prescribed_at, 'auto')}</td>
      <td className="rx-action">
        <button
          type="button"
          className="btn btn-primary btn-small"
          disabled={dispense.isPending}
          aria-label={`Dispense ${rx.medication_name} for ${name}`}
          onClick={() =>
            dispense.mutate({
              params: { path: { id: rx.id }, header: { 'Idempotency-Key': key } },
              body: { fill: rx.fill },
            })
          }
        >
          {dispense.isPending ? 'Dispensing…' : 'Dispense'}
        </button>
        {early && !dispense.error && <div className="muted">Not due yet</div>}
        <ErrorText error={dispense.error ? dispenseError(dispense.error) : ''} block />
      </td>
    </tr>
  )
}
