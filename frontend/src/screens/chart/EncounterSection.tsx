// The visit's encounter: open it (POST /api/patients/{id}/encounters, recording the appointment), then
// write its reason, summary, notes and diagnoses (PATCH /api/encounters/{id} on the revision it was
// loaded at: a 409 says someone else changed it, and the doctor reloads before saving again), and read
// its earlier revisions (GET /api/encounters/{id}/history). Without an appointment (an inpatient's
// chart) the doctor picks one of the patient's encounters or opens a new one.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { ApiError, messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatDateTime } from '../../api/time'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import type { Diagnosis, Encounter } from './model'
import type { VisitEncounter } from './useVisitEncounter'
import { authorWords } from './words'

interface Props {
  patientId: string
  appointmentId?: string
  visitReason?: string
  visit: VisitEncounter
  me: string
}

export function EncounterSection({ patientId, appointmentId, visitReason, visit, me }: Props) {
  const client = useQueryClient()
  const open = $api.useMutation('post', '/api/patients/{id}/encounters')
  const [error, setError] = useState('')

  const start = () => {
    setError('')
    open.mutate(
      {
        params: { path: { id: patientId } },
        body: { appointment_id: appointmentId, reason: visitReason || undefined },
      },
      {
        onSuccess: (e) => {
          visit.choose(e.id)
          void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/encounters') })
        },
        onError: (e) => {
          // Someone opened it a moment ago (another tab): reading the list again shows it.
          if (e instanceof ApiError && e.status === 409) {
            void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/encounters') })
          }
          setError(messageOf(e))
        },
      },
    )
  }

  if (visit.loadError) {
    return (
      <LoadError error={visit.loadError} retry={visit.retry}>
        Could not load the encounters
      </LoadError>
    )
  }
  if (!visit.all) return <p className="muted">Loading the encounters…</p>

  const others = visit.all.filter((e) => e !== visit.encounter)
  return (
    <div className="ch-section">
      {visit.encounter ? (
        <EncounterForm key={visit.encounter.id} encounter={visit.encounter} me={me} />
      ) : (
        <div className="row">
          <span>
            {appointmentId ? 'This visit has no encounter yet.' : 'Pick an encounter below, or open a new one.'}
          </span>
          <button type="button" className="btn btn-primary" disabled={open.isPending} onClick={start}>
            {open.isPending ? 'Opening…' : appointmentId ? 'Open the visit’s encounter' : 'Open a new encounter'}
          </button>
          <ErrorText error={error} />
        </div>
      )}
      {others.length > 0 && (
        <div className="ch-earlier">
          <h3>{appointmentId ? 'Earlier encounters' : 'Encounters'}</h3>
          <ul className="ch-list">
            {others.map((e) => (
              <li key={e.id}>
                <span className="ch-when">{formatDateTime(e.created_at, 'auto')}</span>{' '}
                {e.reason || <span className="muted">no reason written</span>}
                {e.diagnoses.length > 0 && (
                  <span className="muted"> · {e.diagnoses.map((d) => d.description).join(', ')}</span>
                )}
                {!appointmentId && (
                  <button type="button" className="btn btn-small" onClick={() => visit.choose(e.id)}>
                    Open
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  )
}

const noDiagnosis: Diagnosis = { code: '', description: '', status: 'active' }

function EncounterForm({ encounter, me }: { encounter: Encounter; me: string }) {
  const client = useQueryClient()
  const save = $api.useMutation('patch', '/api/encounters/{id}')
  const [rev, setRev] = useState(encounter.rev)
  const [reason, setReason] = useState(encounter.reason)
  const [summary, setSummary] = useState(encounter.summary)
  const [notes, setNotes] = useState(encounter.notes)
  const [diagnoses, setDiagnoses] = useState<Diagnosis[]>(encounter.diagnoses)
  const [error, setError] = useState('')
  const [stale, setStale] = useState(false)
  const [saved, setSaved] = useState('')
  const [showRevisions, setShowRevisions] = useState(false)

  const load = (e: Encounter) => {
    setRev(e.rev)
    setReason(e.reason)
    setSummary(e.summary)
    setNotes(e.notes)
    setDiagnoses(e.diagnoses)
  }

  const submit = (ev: FormEvent) => {
    ev.preventDefault()
    setError('')
    setSaved('')
    save.mutate(
      {
        params: { path: { id: encounter.id } },
        body: {
          rev,
          reason,
          summary,
          notes,
          diagnoses: diagnoses.filter((d) => d.description.trim() !== '' || (d.code ?? '').trim() !== ''),
        },
      },
      {
        onSuccess: (e) => {
          load(e)
          setStale(false)
          setSaved(`Saved at ${formatDateTime(e.updated_at, 'auto')}.`)
          void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/encounters') })
          void client.invalidateQueries({ queryKey: keyOf('/api/encounters/{id}/history') })
        },
        onError: (e) => {
          setStale(e instanceof ApiError && e.status === 409)
          setError(
            e instanceof ApiError && e.status === 409
              ? 'Someone else changed this encounter since you opened it. ' +
                  'Load their version, then make your change again.'
              : messageOf(e),
          )
        },
      },
    )
  }

  const reload = async () => {
    const fresh = await client.fetchQuery(
      $api.queryOptions('get', '/api/encounters/{id}', { params: { path: { id: encounter.id } } }),
    )
    load(fresh)
    setStale(false)
    setError('')
    void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/encounters') })
  }

  const setDiagnosis = (i: number, d: Partial<Diagnosis>) =>
    setDiagnoses((list) => list.map((x, j) => (j === i ? { ...x, ...d } : x)))

  return (
    <form className="ch-form" onSubmit={submit} aria-label="Encounter">
      <p className="muted ch-meta">
        Opened {formatDateTime(encounter.created_at, 'auto')}
        {encounter.ticket && ` for ticket ${encounter.ticket.number}`} · version {rev}, last written by{' '}
        {authorWords(encounter.updated_by, encounter.updated_by_role, me)}
      </p>
      <label>
        Reason for the visit
        <input value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <label>
        Clinical notes
        <textarea rows={5} value={notes} onChange={(e) => setNotes(e.target.value)} />
      </label>
      <label>
        Summary
        <textarea rows={2} value={summary} onChange={(e) => setSummary(e.target.value)} />
      </label>
      <fieldset className="ch-diagnoses">
        <legend>Diagnoses</legend>
        {diagnoses.length === 0 && <p className="muted">No diagnosis yet.</p>}
        {diagnoses.map((d, i) => (
          <div className="ch-diagnosis" key={i}>
            <label>
              Diagnosis {i + 1}
              <input
                value={d.description}
                onChange={(e) => setDiagnosis(i, { description: e.target.value })}
              />
            </label>
            <label className="ch-code">
              ICD-10 code
              <input value={d.code ?? ''} onChange={(e) => setDiagnosis(i, { code: e.target.value })} />
            </label>
            <label className="ch-status">
              Status
              <select
                value={d.status ?? 'active'}
                onChange={(e) => setDiagnosis(i, { status: e.target.value as Diagnosis['status'] })}
              >
                <option value="active">Active</option>
                <option value="resolved">Resolved</option>
              </select>
            </label>
            <button
              type="button"
              className="btn btn-small"
              aria-label={`Remove diagnosis ${i + 1}`}
              onClick={() => setDiagnoses((list) => list.filter((_, j) => j !== i))}
            >
              Remove
            </button>
          </div>
        ))}
        <button type="button" className="btn btn-small" onClick={() => setDiagnoses((l) => [...l, { ...noDiagnosis }])}>
          Add a diagnosis
        </button>
      </fieldset>
      <div className="row">
        <SubmitButton busy={save.isPending} busyText="Saving…">
          Save encounter
        </SubmitButton>
        {stale && (
          <button type="button" className="btn" onClick={() => void reload()}>
            Load their version
          </button>
        )}
        <button type="button" className="btn btn-quiet" onClick={() => setShowRevisions((v) => !v)}>
          {showRevisions ? 'Hide revisions' : 'Revisions'}
        </button>
        <ErrorText error={error} />
        {saved && (
          <span className="ok-text" role="status">
            {saved}
          </span>
        )}
      </div>
      {showRevisions && <Revisions encounterId={encounter.id} me={me} />}
    </form>
  )
}

function Revisions({ encounterId, me }: { encounterId: string; me: string }) {
  const q = $api.useQuery('get', '/api/encounters/{id}/history', { params: { path: { id: encounterId } } })
  if (q.error) return <LoadError error={messageOf(q.error)}>Could not load the revisions</LoadError>
  if (!q.data) return <p className="muted">Loading the revisions…</p>
  return (
    <ol className="ch-versions" aria-label="Revisions">
      {[...q.data.revisions].reverse().map((r) => (
        <li key={r.rev}>
          <div className="muted">
            Version {r.rev}, {formatDateTime(r.at, 'auto')}, by {authorWords(r.author_id, r.author_role, me)}
          </div>
          {r.reason && <div>Reason: {r.reason}</div>}
          {r.diagnoses.length > 0 && <div>Diagnoses: {r.diagnoses.map((d) => d.description).join(', ')}</div>}
          {r.notes && <p className="ch-text">{r.notes}</p>}
        </li>
      ))}
    </ol>
  )
}
