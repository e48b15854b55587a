// The portal's past visits section: the patient's past appointments (doctor, department, what became of
// each), filtered by outcome, and the notes of each visit the doctors recorded (reason, summary,
// diagnoses, the procedures done (not those entered in error), the last vital signs). Live on patient:<id>: an appointment's change reloads both.
import { useState } from 'react'
import { useDepartmentName } from '../../api/departments'
import { $api } from '../../api/query'
import { formatDate, formatDateTime, formatTime, nowMs } from '../../api/time'
import type { AppointmentStatus } from '../../api/types'
import type { components } from '../../api/schema'
import { StatusTag } from '../../components/labels'
import { useLiveQueries } from '../../live/useLiveQuery'
import { statusWords } from './format'
import { Pending } from './Pending'
import { useDoctorName } from './useDoctorName'

type Encounter = components['schemas']['Encounter']
type Vitals = components['schemas']['Vitals']

/** The outcomes a patient may filter by, in their words ('' for every past appointment). */
const outcomes: { value: '' | AppointmentStatus; label: string }[] = [
  { value: '', label: 'All past appointments' },
  { value: 'completed', label: 'Seen' },
  { value: 'no-show', label: 'Missed' },
  { value: 'cancelled', label: 'Cancelled' },
]

/** Appointments read at once (the server's most); a patient with more sees these. */
const pageSize = 100
/** Visit notes read at once. */
const notesShown = 20

export function Visits({ patientID }: { patientID: string }) {
  const [status, setStatus] = useState<'' | AppointmentStatus>('')
  const deptName = useDepartmentName()
  const doctorName = useDoctorName()
  const appointments = $api.useQuery('get', '/api/appointments', {
    params: { query: { patient_id: patientID, page: 1, limit: pageSize, ...(status ? { status } : {}) } },
  })
  const encounters = $api.useQuery('get', '/api/patients/{id}/encounters', {
    params: { path: { id: patientID }, query: { page: 1, limit: notesShown } },
  })
  useLiveQueries(
    `patient:${patientID}`,
    ['/api/appointments', '/api/patients/{id}/encounters'],
    (e) => e.type === 'appointment.changed',
  )

  const now = nowMs()
  const past = (appointments.data?.items ?? [])
    .filter((a) => a.status !== 'scheduled' || Date.parse(a.end) <= now)
    .filter((a) => !['checked-in', 'called', 'in-consultation'].includes(a.status))
    .sort((x, y) => Date.parse(y.start) - Date.parse(x.start))
  const byAppointment = new Map((appointments.data?.items ?? []).map((a) => [a.id, a]))

  return (
    <>
      <h1>Past visits</h1>
      <div className="pt-layout">
        <section className="panel" aria-labelledby="pt-past-visits-title">
          <div className="pt-section-head">
            <h2 id="pt-past-visits-title">Appointments</h2>
            <label className="pt-inline">
              Show
              <select value={status} onChange={(e) => setStatus(e.target.value as '' | AppointmentStatus)}>
                {outcomes.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {!appointments.data ? (
            <Pending read={appointments} what="your appointments" />
          ) : past.length === 0 ? (
            <p className="muted">{status ? 'No past appointments with this outcome.' : 'No past appointments yet.'}</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Doctor</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {past.map((a) => (
                  <tr key={a.id} data-testid={`visit-${a.id}`}>
                    <td className="pt-nowrap">
                      {formatDate(a.start, 'auto')}, {formatTime(a.start)}
                    </td>
                    <td>
                      {a.doctor_name ?? 'A doctor'}
                      <div className="muted pt-small">{deptName(a.department)}</div>
                    </td>
                    <td>
                      {a.status === 'scheduled' ? (
                        <span className="tag pt-tag-off">Not attended</span>
                      ) : (
                        <StatusTag status={a.status} words={statusWords} />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel" aria-labelledby="pt-notes-title">
          <h2 id="pt-notes-title">Visit notes</h2>
          {!encounters.data ? (
            <Pending read={encounters} what="your visit notes" />
          ) : encounters.data.items.length === 0 ? (
            <p className="muted">No visit notes yet. Your doctor writes them when you are seen.</p>
          ) : (
            <ul className="pt-plain pt-notes">
              {encounters.data.items.map((e) => (
                <Note key={e.id} e={e} doctor={byAppointment.get(e.appointment_id ?? '')?.doctor_name ?? doctorName(e.doctor_id)} />
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  )
}

function Note({ e, doctor }: { e: Encounter; doctor?: string }) {
  const last = e.vitals.at(-1)
  return (
    <li className="pt-note" data-testid={`note-${e.id}`}>
      <div className="pt-note-head">
        <strong>{formatDateTime(e.created_at, 'auto')}</strong>
        {doctor && <span className="muted"> · {doctor}</span>}
      </div>
      {e.reason && (
        <p>
          <span className="muted">Why you came: </span>
          {e.reason}
        </p>
      )}
      {e.summary && <p className="pt-pre">{e.summary}</p>}
      {e.diagnoses.length > 0 && (
        <ul className="pt-words">
          {e.diagnoses.map((d, i) => (
            <li key={i}>
              {d.description}
              {d.status === 'resolved' && ' (resolved)'}
            </li>
          ))}
        </ul>
      )}
      {(e.procedures ?? []).some((p) => !p.entered_in_error) && (
        <p className="pt-small">
          <span className="muted">Procedures: </span>
          {(e.procedures ?? [])
            .filter((p) => !p.entered_in_error)
            .map((p) => (p.quantity > 1 ? `${p.name} × ${p.quantity}` : p.name))
            .join(', ')}
        </p>
      )}
      {last && (
        <p className="muted pt-small">
          {vitalsText(last.vitals)} — measured {formatTime(last.recorded_at)}
        </p>
      )}
    </li>
  )
}

/** "Temperature 37.2 °C · Pulse 72/min · Blood pressure 120/80 mmHg …" of what was measured. */
export function vitalsText(v: Vitals): string {
  const out: string[] = []
  if (v.temperature_c !== undefined) out.push(`Temperature ${v.temperature_c} °C`)
  if (v.pulse_bpm !== undefined) out.push(`Pulse ${v.pulse_bpm}/min`)
  if (v.systolic_mmhg !== undefined && v.diastolic_mmhg !== undefined) {
    out.push(`Blood pressure ${v.systolic_mmhg}/${v.diastolic_mmhg} mmHg`)
  }
  if (v.respiratory_rate !== undefined) out.push(`Breathing ${v.respiratory_rate}/min`)
  if (v.spo2_percent !== undefined) out.push(`Oxygen ${v.spo2_percent}%`)
  if (v.weight_kg !== undefined) out.push(`Weight ${v.weight_kg} kg`)
  if (v.height_cm !== undefined) out.push(`Height ${v.height_cm} cm`)
  return out.join(' · ')
}
