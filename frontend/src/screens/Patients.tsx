// The patient register for doctors, staff and admins: search by name (the start of any word, accents and
// case ignored), MRN or ID, and by a medical term (condition); open a record (screens/patients/Record:
// break the glass where there is no care relationship, edit the demographics, merge an unidentified
// emergency record into the real one, send the patient a message, erase their personal data (admins));
// register a patient, shown likely duplicates first (screens/patients/Register). /patients?q=<name, MRN
// or ID> opens with that search made (the admin's audit log and access grants link a record so).
import { useState, type FormEvent } from 'react'
import { messageOf } from '../api/client'
import { $api } from '../api/query'
import { formatDate } from '../api/time'
import type { PatientSummary } from '../api/types'
import { ErrorText, SubmitButton } from '../components/forms'
import { sexWords } from './patients/demographics'
import { PatientRecord } from './patients/Record'
import { RegisterPatient } from './patients/Register'
import { can } from '../roles'
import './patients.css'

const pageSize = 20

interface Search {
  q?: string
  condition?: string
}

/** The search asked for in the address (?q=), if any. */
function searchOfAddress(): Search | null {
  const q = new URLSearchParams(window.location.search).get('q')?.trim()
  return q ? { q } : null
}

export function PatientsScreen() {
  const [q, setQ] = useState(() => searchOfAddress()?.q ?? '')
  const [condition, setCondition] = useState('')
  const [asked, setAsked] = useState<Search | null>(searchOfAddress)
  const [problem, setProblem] = useState('')
  const [open, setOpen] = useState<PatientSummary | null>(null)
  const [registering, setRegistering] = useState(false)
  const result = $api.useQuery(
    'get',
    '/api/patients',
    { params: { query: { ...asked, limit: pageSize } } },
    { enabled: asked !== null, retry: false },
  )

  const search = (e: FormEvent) => {
    e.preventDefault()
    const query: Search = { ...(q.trim() && { q: q.trim() }), ...(condition.trim() && { condition: condition.trim() }) }
    if (!query.q && !query.condition) {
      setProblem('Type a name, MRN or ID, or a condition.')
      return
    }
    setProblem('')
    setAsked(query)
    setOpen(null)
    if (JSON.stringify(query) === JSON.stringify(asked)) void result.refetch()
  }

  const openRecord = (p: PatientSummary) => {
    setRegistering(false)
    setOpen(p)
  }

  const list = asked ? result.data : undefined
  const error = problem || (asked && result.error ? messageOf(result.error) : '')
  return (
    <div className="stack pts">
      <div className="pts-head">
        <h1>Patients</h1>
        {!registering && can('patient.register') && (
          <button type="button" className="btn btn-primary" onClick={() => setRegistering(true)}>
            Register a patient
          </button>
        )}
      </div>
      {registering && (
        <RegisterPatient
          onOpen={openRecord}
          onRegistered={(p) => openRecord(p)}
          onCancel={() => setRegistering(false)}
        />
      )}
      <form className="panel pts-search row" onSubmit={search} aria-label="Find a patient" noValidate>
        <label className="pts-field">
          Name, MRN or ID
          <input value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" spellCheck={false} />
        </label>
        <label className="pts-field">
          Condition (a whole word)
          <input value={condition} onChange={(e) => setCondition(e.target.value)} autoComplete="off" />
        </label>
        <SubmitButton busy={asked !== null && result.isFetching} busyText="Searching…">
          Search
        </SubmitButton>
        <ErrorText error={error} />
      </form>
      {list && (
        <section className="panel" aria-labelledby="pts-results-h">
          <h2 id="pts-results-h">
            {list.total === 0 ? 'No patient matches' : `${list.total} ${list.total === 1 ? 'patient' : 'patients'}`}
            {list.total > list.items.length && <span className="muted"> — the first {list.items.length}; narrow the search</span>}
          </h2>
          {list.items.length > 0 && (
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
                {list.items.map((p) => (
                  <tr key={p.id} aria-current={open?.id === p.id || undefined}>
                    <td>
                      {p.name}
                      {p.unidentified && <span className="tag tag-warn pts-tag">unidentified</span>}
                      {p.merged_into && <span className="tag pts-tag">merged</span>}
                    </td>
                    <td className="rc-mono">{p.mrn ?? '—'}</td>
                    <td>{p.date_of_birth ? formatDate(p.date_of_birth) : '—'}</td>
                    <td>{p.sex ? sexWords[p.sex] : '—'}</td>
                    <td>
                      <button type="button" className="btn btn-small" onClick={() => openRecord(p)}>
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
      {open && <PatientRecord key={open.id} summary={open} onOpen={openRecord} />}
    </div>
  )
}
