import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { BedBoard, Ward } from '../api/types'
import type { components } from '../api/schema'
import { apiError, fakeServer, type Call, type Route } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { signIn } from '../test/session'
import { BedsScreen } from './Beds'

type Admission = components['schemas']['Admission']

const at = '2026-11-27T08:00:00.000Z'
const ward = (id: string, name: string, occupied: number, total: number): Ward => ({
  id,
  name,
  department: 'general',
  total,
  occupied,
  free: total - occupied,
  created_at: at,
})
const patientID = 'b'.repeat(24)
const hiddenPatient = 'd'.repeat(24)
const doctorID = 'f'.repeat(24)
const admission: Admission = {
  id: 'a'.repeat(24),
  patient_id: patientID,
  patient_name: 'Ada Álvarez',
  ward_id: 'icu',
  bed_id: '1'.repeat(24),
  bed_label: 'I1',
  doctor_id: doctorID,
  source: 'emergency',
  reason: 'pneumonia',
  status: 'active',
  admitted_at: at,
  admitted_by: 'e'.repeat(24),
}
const icu: BedBoard = {
  ward: ward('icu', 'Intensive care', 1, 2),
  beds: [
    { id: '1'.repeat(24), label: 'I1', state: 'occupied', admission_id: admission.id, patient_id: patientID },
    { id: '2'.repeat(24), label: 'I2', state: 'free' },
  ],
}
// W2 holds someone the reader has no clinical access to: GET /api/admissions leaves them out.
const ward3: BedBoard = {
  ward: ward('ward-3', 'Ward 3', 1, 2),
  beds: [
    { id: '3'.repeat(24), label: 'W1', state: 'free' },
    { id: '4'.repeat(24), label: 'W2', state: 'occupied', admission_id: 'c'.repeat(24), patient_id: hiddenPatient },
  ],
}
const doctors = {
  items: [{ id: doctorID, name: 'Dr Grace Okafor', specialty: 'Internal medicine', department: 'general', slot_minutes: 15, weekly: [], breaks: [] }],
  time_zone: 'UTC',
}
const ada = { id: patientID, name: 'Ada Álvarez', mrn: 'H12345674', date_of_birth: '1980-04-02' }

let boards: Record<string, BedBoard>
let admissions: Admission[]
let calls: Call[]

function serve(extra: Record<string, Route> = {}) {
  calls = fakeServer({
    'GET /api/wards': () => ({ body: { items: Object.values(boards).map((b) => b.ward) } }),
    'GET /api/wards/icu/beds': () => ({ body: boards.icu }),
    'GET /api/wards/ward-3/beds': () => ({ body: boards['ward-3'] }),
    'GET /api/admissions': (c) => {
      const items = admissions.filter((a) => a.ward_id === c.query.get('ward'))
      return { body: { items, total: items.length, page: 1, limit: 100 } }
    },
    'GET /api/doctors': { body: doctors },
    'GET /api/departments': { body: { items: [{ id: 'general', name: 'General medicine' }] } },
    ...extra,
  })
}

beforeEach(() => {
  boards = { icu, 'ward-3': ward3 }
  admissions = [admission]
  serve()
  signIn({ id: 's'.repeat(24), role: 'staff' })
})

afterEach(() => {
  vi.restoreAllMocks()
})

const posts = () => calls.filter((c) => c.method === 'POST')

/** Opens the actions menu of an occupied bed and picks one. */
async function act(user: ReturnType<typeof userEvent.setup>, bed: string, item: string) {
  await user.click(within(await screen.findByTestId(`bed-${bed}`)).getByRole('button', { name: /actions/ }))
  await user.click(await screen.findByRole('menuitem', { name: item }))
  return screen.findByRole('dialog')
}

describe('BedsScreen', () => {
  it('names a patient only where the server returned the admission, and reloads on beds.updated', async () => {
    const live = new FakeLive()
    renderLive(live, <BedsScreen />)
    const icuCard = await screen.findByTestId('ward-icu')
    expect(within(icuCard).getByTestId('ward-icu-counts').textContent).toBe('1 free · 1 occupied · 2 beds')
    expect((await within(icuCard).findByText('Ada Álvarez')).closest('li')?.dataset.testid).toBe('bed-I1')
    expect(within(icuCard).getByTestId('bed-I2').textContent).toContain('Free')
    expect(screen.getByTestId('beds-total').textContent).toBe('2 free of 4')
    expect(live.channels()).toEqual(['beds'])
    // The patient the server left out: occupied, no one named, nothing to do.
    const w2 = screen.getByTestId('bed-W2')
    expect(w2.textContent).toBe('W2Occupied')
    expect(within(w2).queryByRole('button')).toBeNull()
    expect(document.body.textContent).not.toContain(hiddenPatient)
    expect(document.body.textContent).not.toContain(patientID)
    expect(screen.getByTestId('ward-icu').textContent).toContain('General medicine')

    // A discharge elsewhere: the event makes the board read again.
    boards = { ...boards, icu: { ward: ward('icu', 'Intensive care', 0, 2), beds: icu.beds.map((b) => ({ id: b.id, label: b.label, state: 'free' as const })) } }
    admissions = []
    live.emit('beds', 'beds.updated', { action: 'discharged', admission_id: admission.id, wards: [] })
    await waitFor(() => expect(screen.getByTestId('ward-icu-counts').textContent).toBe('2 free · 0 occupied · 2 beds'))
    await waitFor(() => expect(screen.getByTestId('beds-total').textContent).toBe('3 free of 4'))
    expect(screen.queryByText('Ada Álvarez')).toBeNull()
  })

  it('admits a patient found by name to a free bed', async () => {
    serve({
      'GET /api/patients': { body: { items: [ada], total: 1, page: 1, limit: 8 } },
      'POST /api/admissions': { status: 201, body: { ...admission, bed_id: icu.beds[1]!.id, bed_label: 'I2' } },
    })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <BedsScreen />)
    await user.click(await screen.findByRole('button', { name: 'Admit to bed I2' }))
    const dialog = await screen.findByRole('dialog')
    expect(within(dialog).getByRole('heading').textContent).toBe('Admit to Intensive care, bed I2')
    // Nothing chosen yet: the form says what is missing.
    await user.click(within(dialog).getByRole('button', { name: 'Admit' }))
    expect(within(dialog).getByText('Choose the patient.')).toBeTruthy()
    await user.type(within(dialog).getByLabelText('Patient (name or MRN)'), 'ada')
    await user.click(await within(dialog).findByRole('radio', { name: /Ada Álvarez/ }))
    await user.type(within(dialog).getByLabelText('Reason for admission'), 'community-acquired pneumonia')
    await user.selectOptions(within(dialog).getByLabelText('Attending doctor'), doctorID)
    await user.click(within(dialog).getByRole('button', { name: 'Admit' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(posts().map((c) => c.body)).toEqual([
      { patient_id: patientID, ward_id: 'icu', bed_id: icu.beds[1]!.id, doctor_id: doctorID, source: 'emergency', reason: 'community-acquired pneumonia' },
    ])
  }, 20_000)

  it('offers to break the glass when the server says there is no care relationship, then admits', async () => {
    let granted = false
    serve({
      'GET /api/patients': { body: { items: [ada], total: 1, page: 1, limit: 8 } },
      'POST /api/admissions': () =>
        granted ? { status: 201, body: admission } : apiError(403, 'break_glass_required', 'no care relationship with this patient'),
      [`POST /api/patients/${patientID}/access`]: () => ((granted = true), { status: 201, body: {} }),
    })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <BedsScreen />)
    await user.click(await screen.findByRole('button', { name: 'Admit to bed W1' }))
    const dialog = await screen.findByRole('dialog')
    await user.type(within(dialog).getByLabelText('Patient (name or MRN)'), 'ada')
    await user.click(await within(dialog).findByRole('radio', { name: /Ada Álvarez/ }))
    await user.type(within(dialog).getByLabelText('Reason for admission'), 'fall')
    await user.selectOptions(within(dialog).getByLabelText('Attending doctor'), doctorID)
    await user.click(within(dialog).getByRole('button', { name: 'Admit' }))
    expect(await within(dialog).findByText(/no care relationship with Ada Álvarez/)).toBeTruthy()
    await user.type(within(dialog).getByLabelText('Why you need the record'), 'admitting from the emergency room')
    await user.click(within(dialog).getByRole('button', { name: 'Break the glass and admit' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(posts().map((c) => c.path)).toEqual(['/api/admissions', `/api/patients/${patientID}/access`, '/api/admissions'])
  }, 20_000)

  it('transfers an admitted patient to a free bed of another ward', async () => {
    serve({ [`POST /api/admissions/${admission.id}/transfer`]: { body: admission } })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <BedsScreen />)
    await screen.findByText('Ada Álvarez')
    const dialog = await act(user, 'I1', 'Transfer…')
    expect(within(dialog).getByRole('heading').textContent).toBe('Transfer Ada Álvarez')
    await user.selectOptions(within(dialog).getByLabelText('To ward'), 'ward-3')
    await waitFor(() => expect(within(dialog).getByRole('option', { name: 'Bed W1' })).toBeTruthy())
    // Only free beds are offered.
    expect(within(dialog).queryByRole('option', { name: 'Bed W2' })).toBeNull()
    await user.selectOptions(within(dialog).getByLabelText('To bed'), ward3.beds[0]!.id)
    await user.click(within(dialog).getByRole('button', { name: 'Transfer' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(posts().map((c) => c.body)).toEqual([{ ward_id: 'ward-3', bed_id: ward3.beds[0]!.id }])
  }, 20_000)

  it('discharges with a summary and where the patient went, and shows a refusal in the server\u2019s words', async () => {
    let first = true
    serve({
      [`POST /api/admissions/${admission.id}/discharge`]: () =>
        first ? ((first = false), apiError(409, 'conflict', 'the admission was discharged already')) : { body: admission },
    })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <BedsScreen />)
    await screen.findByText('Ada Álvarez')
    const dialog = await act(user, 'I1', 'Discharge…')
    await user.click(within(dialog).getByRole('button', { name: 'Discharge and free the bed' }))
    expect(within(dialog).getByText('Write the discharge summary.')).toBeTruthy()
    await user.type(within(dialog).getByLabelText('Discharge summary'), 'Recovered; antibiotics for 5 more days.')
    await user.selectOptions(within(dialog).getByLabelText('Discharged to'), 'Home')
    await user.click(within(dialog).getByRole('button', { name: 'Discharge and free the bed' }))
    expect((await within(dialog).findByRole('alert')).textContent).toBe('the admission was discharged already')
    await user.click(within(dialog).getByRole('button', { name: 'Discharge and free the bed' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(posts().at(-1)?.body).toEqual({ summary: 'Recovered; antibiotics for 5 more days.', disposition: 'home' })
  }, 20_000)

  it('records vitals, opening the stay’s encounter once, with the server’s 400 shown at the field in words', async () => {
    const encounterID = '9'.repeat(24)
    let vitalsCalls = 0
    serve({
      [`GET /api/patients/${patientID}/encounters`]: { body: { items: [], total: 0, page: 1, limit: 20 } },
      [`POST /api/patients/${patientID}/encounters`]: { status: 201, body: { id: encounterID } },
      [`POST /api/encounters/${encounterID}/vitals`]: () =>
        ++vitalsCalls === 1
          ? apiError(400, 'invalid', 'pulse_bpm must be between 20 and 300 bpm (got 720)')
          : { status: 201, body: { id: '8'.repeat(24), encounter_id: encounterID, vitals: { pulse_bpm: 72 }, recorded_by: 'x', recorded_by_role: 'staff', recorded_at: '2026-11-27T09:30:00Z' } },
    })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <BedsScreen />)
    await screen.findByText('Ada Álvarez')
    const dialog = await act(user, 'I1', 'Record vitals…')
    expect(within(dialog).getByRole('heading').textContent).toBe('Vitals for Ada Álvarez')
    const pulse = within(dialog).getByLabelText('Pulse (beats/min)')
    expect(document.getElementById(pulse.getAttribute('aria-describedby')!)!.textContent).toBe('Normal 60–100')
    await user.type(pulse, '720')
    await user.click(within(dialog).getByRole('button', { name: 'Record vitals' }))
    await waitFor(() => expect(pulse.getAttribute('aria-invalid')).toBe('true'))
    expect(dialog.textContent).toContain('Pulse must be between 20 and 300 bpm (got 720)')
    expect(dialog.textContent).not.toContain('pulse_bpm')
    await user.clear(pulse)
    await user.type(pulse, '72')
    fireEvent.change(within(dialog).getByLabelText('Temperature (°C)'), { target: { value: '37,1' } })
    await user.click(within(dialog).getByRole('button', { name: 'Record vitals' }))
    expect((await within(dialog).findByRole('status')).textContent).toBe('Recorded at 09:30.')
    expect(posts().map((c) => [c.path, c.body])).toEqual([
      [`/api/patients/${patientID}/encounters`, { reason: 'Inpatient stay: Intensive care, bed I1' }],
      [`/api/encounters/${encounterID}/vitals`, { pulse_bpm: 720 }],
      [`/api/encounters/${encounterID}/vitals`, { temperature_c: 37.1, pulse_bpm: 72 }],
    ])
  }, 20_000)

  it('shows an admin the board without actions (admitting is for doctors and staff)', async () => {
    signIn({ id: 'z'.repeat(24), role: 'admin' })
    renderLive(new FakeLive(), <BedsScreen />)
    expect(await screen.findByText('Ada Álvarez')).toBeTruthy()
    expect(within(screen.getByTestId('ward-icu')).queryByRole('button')).toBeNull()
  })

  it('says when there are no wards', async () => {
    boards = {}
    renderLive(new FakeLive(), <BedsScreen />)
    expect(await screen.findByText(/No wards yet/)).toBeTruthy()
  })

  it('shows a load failure with a retry that loads again', async () => {
    let fail = true
    serve({ 'GET /api/wards': () => (fail ? apiError(403, 'forbidden', 'you are not allowed to do this') : { body: { items: [ward3.ward] } }) })
    renderLive(new FakeLive(), <BedsScreen />)
    const retry = await screen.findByRole('button', { name: 'Retry' })
    expect(document.body.textContent).toContain('Could not load the bed board: you are not allowed to do this')
    fail = false
    retry.click()
    expect(await screen.findByTestId('ward-ward-3')).toBeTruthy()
  })
})
