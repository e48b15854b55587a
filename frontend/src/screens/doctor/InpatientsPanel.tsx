// The doctor's inpatients: the current admissions they attend (GET /api/admissions?doctor=me&active=true),
// with ward, bed and since when, each opening the patient's chart. The `beds` channel says when an
// admission, transfer or discharge changed them.
import { messageOf } from '../../api/client'
import { $api } from '../../api/query'
import { formatDate } from '../../api/time'
import { LoadError } from '../../components/forms'
import { useLiveQueries } from '../../live/useLiveQuery'

export function InpatientsPanel({ onOpen }: { onOpen: (patientId: string) => void }) {
  const q = $api.useQuery('get', '/api/admissions', { params: { query: { doctor: 'me', active: 'true', limit: 50 } } })
  const wards = $api.useQuery('get', '/api/wards')
  useLiveQueries('beds', ['/api/admissions', '/api/wards'])
  const wardName = (id: string) => wards.data?.items.find((w) => w.id === id)?.name ?? 'Ward'
  const items = q.data?.items

  return (
    <section className="panel dd-inpatients" aria-labelledby="dd-inpatients-title" data-testid="inpatients">
      <div className="dd-panel-head">
        <h2 id="dd-inpatients-title">My inpatients</h2>
        {items && (
          <span className="muted">{items.length === 1 ? '1 on the wards' : `${items.length} on the wards`}</span>
        )}
      </div>
      <LoadError error={q.error ? messageOf(q.error) : ''} retry={() => void q.refetch()}>
        Could not load your inpatients
      </LoadError>
      {!items ? (
        !q.error && <p className="muted">Loading your inpatients…</p>
      ) : items.length === 0 ? (
        <p className="dd-empty">Nobody is admitted under you.</p>
      ) : (
        <ul className="dd-inpatient-list">
          {items.map((a) => (
            <li key={a.id}>
              <div>
                <div className="dd-name-small">{a.patient_name || 'Unnamed patient'}</div>
                <div className="dd-sub">
                  {wardName(a.ward_id)}, bed {a.bed_label} · since {formatDate(a.admitted_at, 'auto')}
                </div>
              </div>
              <button
                type="button"
                className="btn btn-small"
                aria-label={`Open the chart of ${a.patient_name || 'this patient'}`}
                onClick={() => onOpen(a.patient_id)}
              >
                Chart
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
