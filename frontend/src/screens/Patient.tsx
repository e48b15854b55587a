// The patient's own screen: their appointments, live (patient:<patient id>), with today's ticket and
// place in the line when they have checked in; booking a free time; moving or cancelling what is to come.
import { session } from '../api/client'
import { useDepartments } from '../api/departments'
import type { Department } from '../api/types'
import { AppointmentList } from './patient/AppointmentList'
import { BookPanel } from './patient/BookPanel'
import { useAppointments } from './patient/useAppointments'
import './patient.css'

/** The departments until they are known (one array, so it does not change on each render). */
const noDepartments: Department[] = []

export function PatientScreen() {
  const user = session.current?.user
  const patientID = user?.patient_id ?? ''
  const mine = useAppointments(patientID)
  // Without them ids are shown instead of names, and booking still works without a filter.
  const departments = useDepartments().items ?? noDepartments

  if (!patientID) {
    return (
      <div className="panel">
        <h1>My appointments</h1>
        <p>Your account is not linked to a patient record yet. Please ask reception to link it.</p>
      </div>
    )
  }

  return (
    <div className="pt" data-testid="patient-screen">
      <h1>My appointments</h1>
      {mine.error && (
        <div className="pt-error row" role="alert">
          <span className="error-text">{mine.error}</span>
          <button type="button" className="btn btn-small" onClick={mine.reload}>
            Try again
          </button>
        </div>
      )}
      <div className="pt-layout">
        <div className="pt-col">
          {mine.items ? (
            <AppointmentList items={mine.items} departments={departments} onChanged={mine.put} />
          ) : (
            !mine.error && <p className="muted">Loading your appointments…</p>
          )}
        </div>
        <div className="pt-col">
          <BookPanel departments={departments} onBooked={mine.put} />
        </div>
      </div>
    </div>
  )
}
