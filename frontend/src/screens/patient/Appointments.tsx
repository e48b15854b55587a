// The portal's appointments section: the patient's appointments, live (patient:<patient id>), with
// today's ticket and place in the line when they have checked in; booking a free time; moving or
// cancelling what is to come.
import { useDepartments } from '../../api/departments'
import type { Department } from '../../api/types'
import { AppointmentList } from './AppointmentList'
import { BookPanel } from './BookPanel'
import { useAppointments } from './useAppointments'

/** The departments until they are known (one array, so it does not change on each render). */
const noDepartments: Department[] = []

export function Appointments({ patientID }: { patientID: string }) {
  const mine = useAppointments(patientID)
  // Without them ids are shown instead of names, and booking still works without a filter.
  const departments = useDepartments().items ?? noDepartments

  return (
    <>
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
    </>
  )
}
