// The top of the chart: who the patient is (MRN, birth date, sex), their allergies and conditions, and
// their medical history with its earlier versions (GET /api/patients/{id}/history), read on demand.
import { useState } from 'react'
import { messageOf } from '../../api/client'
import { $api } from '../../api/query'
import { formatDate, formatDateTime } from '../../api/time'
import type { Patient } from '../../api/types'
import { LoadError } from '../../components/forms'
import { roleWords } from './words'

const sexWords: Record<NonNullable<Patient['sex']>, string> = {
  female: 'Female',
  male: 'Male',
  other: 'Other',
  unknown: 'Sex not known',
}

export function PatientHeader({ patient }: { patient: Patient }) {
  const [showVersions, setShowVersions] = useState(false)
  const allergies = patient.allergies ?? []
  const conditions = patient.conditions ?? []
  return (
    <div className="ch-patient" data-testid="chart-patient">
      <div className="row ch-facts">
        {patient.mrn && <span>MRN {patient.mrn}</span>}
        {patient.date_of_birth && <span>Born {formatDate(patient.date_of_birth)}</span>}
        {patient.sex && <span>{sexWords[patient.sex]}</span>}
        {patient.unidentified && <span className="tag tag-warn">Identity not known yet</span>}
      </div>
      <div className="row ch-facts" data-testid="chart-allergies">
        <strong>Allergies:</strong>
        {allergies.length === 0 ? (
          <span className="muted">none known</span>
        ) : (
          allergies.map((a) => (
            <span key={a} className="tag tag-urgent">
              {a}
            </span>
          ))
        )}
      </div>
      <div className="row ch-facts">
        <strong>Conditions:</strong>
        {conditions.length === 0 ? (
          <span className="muted">none recorded</span>
        ) : (
          conditions.map((c) => (
            <span key={c} className="tag">
              {c}
            </span>
          ))
        )}
      </div>
      <details className="ch-history">
        <summary>Medical history{patient.revision > 0 ? ` (version ${patient.revision})` : ''}</summary>
        <p className="ch-text">{patient.medical_history || 'No medical history written yet.'}</p>
        {patient.revision > 1 && (
          <button type="button" className="btn btn-small" onClick={() => setShowVersions((v) => !v)}>
            {showVersions ? 'Hide earlier versions' : 'Show earlier versions'}
          </button>
        )}
        {showVersions && <HistoryVersions patientId={patient.id} />}
      </details>
    </div>
  )
}

function HistoryVersions({ patientId }: { patientId: string }) {
  const q = $api.useQuery('get', '/api/patients/{id}/history', {
    params: { path: { id: patientId }, query: { limit: 20 } },
  })
  if (q.error) return <LoadError error={messageOf(q.error)}>Could not load the earlier versions</LoadError>
  if (!q.data) return <p className="muted">Loading the earlier versions…</p>
  return (
    <ol className="ch-versions">
      {q.data.items.map((r) => (
        <li key={r.rev}>
          <div className="muted">
            Version {r.rev}, {formatDateTime(r.at)}
            {r.author_role ? `, by ${roleWords[r.author_role]}` : ''}
          </div>
          <p className="ch-text">{r.medical_history || '(empty)'}</p>
        </li>
      ))}
    </ol>
  )
}
