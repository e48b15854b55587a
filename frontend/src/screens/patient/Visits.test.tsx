// The past visits section against canned answers: past appointments with doctor and department, the
// outcome filter asked of the server, the visit notes, and a live appointment change reloading them.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Appointment } from '../../api/types'
import { fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { doctorID, doctors, patientID, userID } from './fixtures'
import { Visits } from './Visits'

const day = 86_400_000
const now = Date.now()

function appointment(id: string, start: number, status: Appointment['status']): Appointment {
  return {
    id,
    patient_id: patientID,
    doctor_id: doctorID,
    doctor_name: 'Dr. Clara Chen',
    department: 'cardiology',
    start: new Date(start).toISOString(),
    end: new Date(start + 900_000).toISOString(),
    reason: '',
    status,
    walk_in: false,
    emergency: false,
    created_by: userID,
    created_at: new Date(start - day).toISOString(),
  }
}

let live: FakeLive
let routes: Record<string, Route>
let calls: Call[]

beforeEach(() => {
  signIn({ id: userID, role: 'patient', name: 'Ann Lee', patient_id: patientID })
  live = new FakeLive()
  const items = [
    appointment('a00000000000000000000001', now - 20 * day, 'completed'),
    appointment('a00000000000000000000002', now - 5 * day, 'no-show'),
    appointment('a00000000000000000000003', now + 3 * day, 'scheduled'),
  ]
  routes = {
    'GET /api/appointments': (c) => {
      const status = c.query.get('status')
      const shown = status ? items.filter((a) => a.status === status) : items
      return { body: { items: shown, total: shown.length, page: 1, limit: 100 } }
    },
    'GET /api/departments': { body: { items: [{ id: 'cardiology', name: 'Cardiology' }] } },
    'GET /api/doctors': doctors,
    [`GET /api/patients/${patientID}/encounters`]: {
      body: {
        items: [
          {
            id: 'e00000000000000000000001',
            patient_id: patientID,
            appointment_id: 'a00000000000000000000001',
            doctor_id: doctorID,
            reason: 'Chest pain',
            summary: 'Muscle strain; rest.',
            notes: '',
            diagnoses: [{ description: 'Chest wall strain' }],
            vitals: [
              {
                id: 'v00000000000000000000001',
                encounter_id: 'e00000000000000000000001',
                vitals: { pulse_bpm: 72, systolic_mmhg: 120, diastolic_mmhg: 80 },
                recorded_by: userID,
                recorded_by_role: 'staff',
                recorded_at: new Date(now - 20 * day).toISOString(),
              },
            ],
            procedures: [
              { id: 'q1', encounter_id: 'e00000000000000000000001', patient_id: patientID, code: 'PROC-ECG', name: 'ECG', kind: 'procedure',
                quantity: 1, note: '', performed_at: new Date(now - 20 * day).toISOString(), recorded_by: doctorID, recorded_by_role: 'doctor',
                recorded_at: new Date(now - 20 * day).toISOString() },
              { id: 'q2', encounter_id: 'e00000000000000000000001', patient_id: patientID, code: 'TRT-NEB', name: 'Nebuliser', kind: 'treatment',
                quantity: 2, note: '', performed_at: new Date(now - 20 * day).toISOString(), recorded_by: doctorID, recorded_by_role: 'doctor',
                recorded_at: new Date(now - 20 * day).toISOString() },
              { id: 'q3', encounter_id: 'e00000000000000000000001', patient_id: patientID, code: 'PROC-X', name: 'Wrong one', kind: 'procedure',
                quantity: 1, note: '', performed_at: new Date(now - 20 * day).toISOString(), recorded_by: doctorID, recorded_by_role: 'doctor',
                recorded_at: new Date(now - 20 * day).toISOString(),
                entered_in_error: { reason: 'x', by: doctorID, at: new Date(now - 20 * day).toISOString() } },
            ],
            rev: 1,
            created_by: doctorID,
            created_at: new Date(now - 20 * day).toISOString(),
            updated_by: doctorID,
            updated_by_role: 'doctor',
            updated_at: new Date(now - 20 * day).toISOString(),
          },
        ],
        total: 1,
        page: 1,
        limit: 20,
      },
    },
  }
  calls = fakeServer(routes)
})

afterEach(() => vi.restoreAllMocks())

describe('Visits', () => {
  it('lists past appointments with doctor, department and outcome, and the visit notes', async () => {
    renderLive(live, <Visits patientID={patientID} />)
    const seen = await screen.findByTestId('visit-a00000000000000000000001')
    expect(seen.textContent).toContain('Dr. Clara Chen')
    await waitFor(() => expect(seen.textContent).toContain('Cardiology'))
    expect(seen.textContent).toContain('Seen')
    expect(screen.getByTestId('visit-a00000000000000000000002').textContent).toContain('Missed')
    // What is still to come is not a past visit.
    expect(screen.queryByTestId('visit-a00000000000000000000003')).toBeNull()
    expect(calls.find((c) => c.path === '/api/appointments')?.query.get('patient_id')).toBe(patientID)

    const note = await screen.findByTestId('note-e00000000000000000000001')
    expect(note.textContent).toContain('Why you came: Chest pain')
    expect(note.textContent).toContain('Chest wall strain')
    expect(note.textContent).toContain('Pulse 72/min · Blood pressure 120/80 mmHg')
    expect(note.textContent).toContain('Procedures: ECG, Nebuliser × 2')
    expect(note.textContent).not.toContain('Wrong one')
  })

  it('asks the server for the chosen outcome only', async () => {
    const user = userEvent.setup()
    renderLive(live, <Visits patientID={patientID} />)
    await screen.findByTestId('visit-a00000000000000000000001')
    await user.selectOptions(screen.getByLabelText('Show'), 'Missed')
    await waitFor(() => expect(screen.queryByTestId('visit-a00000000000000000000001')).toBeNull())
    expect(screen.getByTestId('visit-a00000000000000000000002')).toBeTruthy()
    expect(calls.filter((c) => c.path === '/api/appointments').at(-1)?.query.get('status')).toBe('no-show')
  })

  it('reloads the appointments and notes when one of my appointments changes', async () => {
    renderLive(live, <Visits patientID={patientID} />)
    await screen.findByTestId('visit-a00000000000000000000001')
    const reads = (p: string) => calls.filter((c) => c.path === p).length
    const before = reads('/api/appointments')
    const notesBefore = reads(`/api/patients/${patientID}/encounters`)
    live.emit(`patient:${patientID}`, 'appointment.changed', { action: 'finished', appointment: {} })
    await waitFor(() => expect(reads('/api/appointments')).toBeGreaterThan(before))
    await waitFor(() => expect(reads(`/api/patients/${patientID}/encounters`)).toBeGreaterThan(notesBefore))
    expect(within(screen.getByRole('region', { name: 'Appointments' })).getAllByRole('row')).toHaveLength(3)
  })
})
