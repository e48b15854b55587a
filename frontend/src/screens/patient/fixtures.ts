// Canned server answers for the portal's section tests (never used by the app): the signed-in patient
// and their record, in the server's shapes.
import type { Patient } from '../../api/types'

export const patientID = 'p0000000000000000000000a'
export const userID = 'u0000000000000000000000a'
export const doctorID = 'd0000000000000000000000a'

export function record(over: Partial<Patient> = {}): Patient {
  return {
    id: patientID,
    user_id: userID,
    name: 'Ann Lee',
    email: 'ann@example.org',
    medical_history: '',
    revision: 0,
    created_at: '2026-01-05T10:00:00Z',
    updated_at: '2026-01-05T10:00:00Z',
    mrn: 'H12345674',
    ...over,
  }
}

/** GET /api/doctors with one doctor, Dr. Clara Chen. */
export const doctors = {
  body: {
    items: [
      {
        id: doctorID,
        name: 'Dr. Clara Chen',
        specialty: 'Cardiology',
        department: 'cardiology',
        slot_minutes: 15,
        weekly: [],
        breaks: [],
        leave: [],
      },
    ],
    time_zone: 'UTC',
  },
}
