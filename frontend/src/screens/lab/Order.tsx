// One lab order on the desk (GET /api/lab-orders/{id}, under the access rule): its tests and the doctor's
// note, the results with the flags the server computed, a form for a new results revision, its files
// (attach, view) and the release, which only doctors may do.
import { useQueryClient } from '@tanstack/react-query'
import { messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatDateTime } from '../../api/time'
import type { LabQueueItem } from '../../api/types'
import { ErrorText, LoadError } from '../../components/forms'
import { Tag } from '../../components/labels'
import { LabFiles } from './Files'
import { ResultsForm } from './ResultsForm'
import { can } from '../../roles'
import { flagWords, rangeWords, statusWords } from './words'

export function LabOrderPanel({ item, close }: { item: LabQueueItem; close: () => void }) {
  const client = useQueryClient()
  // Releasing needs lab.release, entering results lab.results.
  const releases = can('lab.release')
  const q = $api.useQuery('get', '/api/lab-orders/{id}', { params: { path: { id: item.id } } })
  const release = $api.useMutation('post', '/api/lab-orders/{id}/release', {
    onSuccess: () => {
      for (const p of ['/api/lab-orders', '/api/lab-orders/{id}'] as const) void client.invalidateQueries({ queryKey: keyOf(p) })
    },
  })
  const o = q.data
  return (
    <section className="panel stack lab-order" aria-labelledby="lab-order-title">
      <div className="row">
        <h2 id="lab-order-title">
          {item.patient_name} <span className="muted">MRN {item.mrn}</span>
        </h2>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={close}>
          Close
        </button>
      </div>
      <LoadError error={q.error ? messageOf(q.error) : ''} retry={() => void q.refetch()}>
        Could not open the order
      </LoadError>
      {q.isPending && <p className="muted">Loading…</p>}
      {o && (
        <>
          <p className="row">
            {o.priority === 'urgent' && <Tag tone="tag-urgent">Urgent</Tag>}
            <Tag tone={statusWords[o.status].tone}>{statusWords[o.status].text}</Tag>
            <span className="muted">Ordered {formatDateTime(o.ordered_at, 'auto')}</span>
          </p>
          {o.note && (
            <p>
              <strong>Doctor&apos;s note:</strong> {o.note}
            </p>
          )}
          {o.results.length > 0 && (
            <table className="table" data-testid="lab-results">
              <caption className="sr-only">Results, revision {o.revision}</caption>
              <thead>
                <tr>
                  <th scope="col">Test</th>
                  <th scope="col">Result</th>
                  <th scope="col">Reference</th>
                  <th scope="col">Flag</th>
                </tr>
              </thead>
              <tbody>
                {o.results.map((r) => {
                  const test = o.tests.find((t) => t.code === r.code)
                  const range = rangeWords(r.range)
                  return (
                    <tr key={r.code}>
                      <td>{test?.name ?? r.code}</td>
                      <td>
                        {r.value ?? r.text} {r.unit}
                      </td>
                      <td>{range}</td>
                      <td>{r.flag && <Tag tone={flagWords[r.flag].tone}>{flagWords[r.flag].text}</Tag>}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          )}
          {o.interpretation && (
            <p>
              <strong>Interpretation:</strong> {o.interpretation}
            </p>
          )}
          {(o.status === 'ordered' || o.status === 'resulted') && can('lab.results') && <ResultsForm order={o} />}
          <LabFiles order={o} />
          {o.status === 'resulted' &&
            (releases ? (
              <div className="row">
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={release.isPending}
                  onClick={() => release.mutate({ params: { path: { id: o.id } } })}
                >
                  {release.isPending ? 'Releasing…' : 'Release to the patient'}
                </button>
                <ErrorText error={release.error ? messageOf(release.error) : ''} />
              </div>
            ) : (
              <p className="muted" data-testid="release-note">
                A doctor checks and releases the report to the patient.
              </p>
            ))}
          {o.status === 'released' && o.released_at && (
            <p className="ok-text" role="status">
              Released to the patient {formatDateTime(o.released_at, 'auto')}.
            </p>
          )}
        </>
      )}
    </section>
  )
}
