// The hospital stays section against canned answers: the ward by name, the bed, the doctor, the dates
// in the hospital's zone, and what became of the patient.
import { screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeServer } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { Admissions } from './Admissions'
import { doctorID, doctors, patientID, userID } from './fixtures'

const stay = {
  patient_id: patientID,
  ward_id: 'cardiac-unit',
  ward_name: 'Cardiac unit',
  bed_id: 'b00000000000000000000001',
  bed_label: 'C2',
  doctor_id: doctorID,
  source: 'emergency',
  reason: 'Chest pain, observation',
  admitted_by: userID,
}

beforeEach(() => {
  signIn({ id: userID, role: 'patient', name: 'Ann Lee', patient_id: patientID })
  fakeServer({
    'GET /api/doctors': doctors,
    [`GET /api/patients/${patientID}/admissions`]: {
      body: {
        items: [
          { ...stay, id: 's00000000000000000000002', status: 'active', admitted_at: '2026-12-05T22:15:00Z' },
          {
            ...stay,
            id: 's00000000000000000000001',
            status: 'discharged',
            admitted_at: '2025-06-01T08:00:00Z',
            discharged_at: '2025-06-03T16:45:00Z',
            discharge_summary: 'Recovered well.',
            disposition: 'home',
          },
        ],
        total: 2,
        page: 1,
        limit: 100,
      },
    },
  })
})

afterEach(() => vi.restoreAllMocks())

describe('Admissions', () => {
  it('shows each stay with ward, bed, doctor and dates', async () => {
    renderLive(new FakeLive(), <Admissions patientID={patientID} />)
    const now = await screen.findByTestId('stay-s00000000000000000000002')
    expect(now.textContent).toContain('Cardiac unit, bed C2')
    expect(now.textContent).toContain('In hospital now')
    expect(now.textContent).toContain('AdmittedSat 5 Dec, 22:15')
    await waitFor(() => expect(now.textContent).toContain('In the care of Dr. Clara Chen'))
    const past = screen.getByTestId('stay-s00000000000000000000001')
    expect(past.textContent).toContain('AdmittedSun 1 Jun 2025, 08:00')
    expect(past.textContent).toContain('DischargedTue 3 Jun 2025, 16:45')
    expect(past.textContent).toContain('Discharge summary: Recovered well.')
    expect(past.textContent).toContain('Went home')
    expect(past.textContent).not.toContain('cardiac-unit')
  })
})
