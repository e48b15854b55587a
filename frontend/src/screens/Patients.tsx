// The patient register for doctors, staff and admins: search by name (the start of any word, accents and
// case ignored), MRN or ID, and by a medical term (condition); open a record. Opening one needs a care
// relationship (the server's access rule); without one the server answers break_glass_required and
// the screen asks for a reason, breaks the glass (a 60-minute grant, audited, admins alerted) and opens
// the record.
import { useEffect, useState, type FormEvent } from 'react'
import { api, ApiError, messageOf, must } from '../api/client'
import type { Patient, PatientList, PatientSummary } from '../api/types'
import { ErrorText, LoadError, SubmitButton } from '../components/forms'
import './patients.css'

const pageSize = 20

export function PatientsScreen() {
  const [q, setQ] = useState('')
  const [condition, setCondition] = useState('')
  const [result, setResult] = useState<PatientList | undefined>()
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const [open, setOpen] = useState<PatientSummary | null>(null)

  const search = async (e?: FormEvent) => {
    e?.preventDefault()
    const query = { ...(q.trim() && { q: q.trim() }), ...(condition.trim() && { condition: condition.trim() }) }
    if (!query.q && !query.condition) {
      setError('Type a name, MRN or ID, or a condition.')
      return
    }
    setBusy(true)
    setError('')
    try {
      setResult(await must(api.GET('/api/patients', { params: { query: { ...query, limit: pageSize } } })))
      setOpen(null)
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="stack pts">
      <h1>Patients</h1>
      <form className="panel pts-search row" onSubmit={(e) => void search(e)} aria-label="Find a patient" noValidate>
        <label className="pts-field">
          Name, MRN or ID
          <input value={q} onChange={(e) => setQ(e.target.value)} maxLength={200} autoComplete="off" spellCheck={false} />
        </label>
        <label className="pts-field">
          Condition (a whole word)
          <input value={condition} onChange={(e) => setCondition(e.target.value)} maxLength={200} autoComplete="off" />
        </label>
        <SubmitButton busy={busy} busyText="Searching…">
          Search
        </SubmitButton>
        <ErrorText error={error} />
      </form>
      {result && (
        <section className="panel" aria-labelledby="pts-results-h">
          <h2 id="pts-results-h">
            {result.total === 0 ? 'No patient matches' : `${result.total} ${result.total === 1 ? 'patient' : 'patients'}`}
            {result.total > result.items.length && <span className="muted"> — the first {result.items.length}; narrow the search</span>}
          </h2>
          {result.items.length > 0 && (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">MRN</th>
                  <th scope="col">Born</th>
                  <th scope="col">Sex</th>
                  <th scope="col">
                    <span className="rc-sr-only">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((p) => (
                  <tr key={p.id} aria-current={open?.id === p.id || undefined}>
                    <td>
                      {p.name}
                      {p.unidentified && <span className="tag tag-warn pts-tag">unidentified</span>}
                      {p.merged_into && <span className="tag pts-tag">merged</span>}
                    </td>
                    <td className="rc-mono">{p.mrn ?? '—'}</td>
                    <td>{p.date_of_birth ?? '—'}</td>
                    <td>{p.sex ?? '—'}</td>
                    <td>
                      <button type="button" className="btn btn-small" onClick={() => setOpen(p)}>
                        Open record
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      {open && <Record key={open.id} summary={open} />}
    </div>
  )
}

type RecordState =
  | { kind: 'loading' }
  | { kind: 'ok'; patient: Patient }
  | { kind: 'glass'; message: string }
  | { kind: 'error'; message: string }

/** One record: loaded at once, or, without a care relationship, after the glass is broken. */
function Record({ summary }: { summary: PatientSummary }) {
  const [state, setState] = useState<RecordState>({ kind: 'loading' })
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState('')

  const load = async () => {
    setState({ kind: 'loading' })
    try {
      const patient = await must(api.GET('/api/patient/{id}', { params: { path: { id: summary.id } } }))
      setState({ kind: 'ok', patient })
    } catch (e) {
      if (e instanceof ApiError && e.code === 'break_glass_required') setState({ kind: 'glass', message: e.message })
      else setState({ kind: 'error', message: messageOf(e) })
    }
  }
  // Opened once per record (the parent keys this component by patient id).
  useEffect(() => {
    void load()
  }, [])

  const breakGlass = async (e: FormEvent) => {
    e.preventDefault()
    const r = reason.trim()
    if (r.length < 10) {
      setProblem('Say why you need this record (at least 10 characters).')
      return
    }
    setBusy(true)
    setProblem('')
    try {
      await must(api.POST('/api/patients/{id}/access', { params: { path: { id: summary.id } }, body: { reason: r } }))
      await load()
    } catch (err) {
      setProblem(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="panel pts-record" aria-labelledby="pts-record-h" data-testid="patient-record">
      <h2 id="pts-record-h">
        {summary.name} <span className="muted rc-mono">{summary.mrn}</span>
      </h2>
      {state.kind === 'loading' && <p className="muted">Opening the record…</p>}
      {state.kind === 'error' && (
        <LoadError error={state.message} retry={() => void load()}>
          Could not open the record
        </LoadError>
      )}
      {state.kind === 'glass' && (
        <form className="stack pts-glass" onSubmit={(e) => void breakGlass(e)} aria-label="Break the glass" noValidate>
          <p role="alert">
            <strong>You have no care relationship with this patient.</strong> You may still open the record for 60
            minutes if you state why. Your reason is kept, the access is audited and the administrators are told at
            once.
          </p>
          <label className="pts-field">
            Reason
            <textarea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} rows={3} aria-invalid={problem ? true : undefined} />
          </label>
          <div className="row">
            <SubmitButton busy={busy} busyText="Opening…" className="btn-danger">
              Break the glass and open
            </SubmitButton>
            <ErrorText error={problem} />
          </div>
        </form>
      )}
      {state.kind === 'ok' && <RecordDetails p={state.patient} />}
    </section>
  )
}

function RecordDetails({ p }: { p: Patient }) {
  const list = (items: string[] | undefined) => (items && items.length > 0 ? items.join(', ') : 'none recorded')
  return (
    <dl className="pts-details">
      <dt>Born</dt>
      <dd>{p.date_of_birth ?? '—'}</dd>
      <dt>Sex</dt>
      <dd>{p.sex ?? '—'}</dd>
      <dt>Phone</dt>
      <dd>{p.phone ?? '—'}</dd>
      <dt>Allergies</dt>
      <dd data-testid="allergies">{list(p.allergies)}</dd>
      <dt>Conditions</dt>
      <dd>{list(p.conditions)}</dd>
      <dt>Medical history</dt>
      <dd className="pts-history" data-testid="history">
        {p.medical_history || 'none recorded'} <span className="muted">(revision {p.revision})</span>
      </dd>
      {p.merged_into && (
        <>
          <dt>Merged into</dt>
          <dd className="rc-mono">{p.merged_into}</dd>
        </>
      )}
    </dl>
  )
}
