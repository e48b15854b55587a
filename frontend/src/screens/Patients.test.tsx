import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeServer, type Call } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { signIn } from '../test/session'
import { PatientsScreen } from './Patients'

const ada = { id: 'a'.repeat(24), name: 'Ada Álvarez', mrn: 'H12345674', date_of_birth: '1980-04-02', sex: 'female' as const }
const record = {
  ...ada,
  medical_history: 'asthma since 2010',
  revision: 3,
  allergies: ['penicillin'],
  conditions: ['asthma'],
  created_at: '2026-11-01T09:00:00Z',
  updated_at: '2026-11-20T09:00:00Z',
}

beforeEach(() => {
  signIn({ id: 's'.repeat(24), role: 'staff' })
})

afterEach(() => {
  vi.restoreAllMocks()
})

describe('PatientsScreen', () => {
  it('finds a patient, asks for a reason without a care relationship, breaks the glass and opens the record', async () => {
    let granted = false
    const calls = fakeServer({
      'GET /api/patients': { body: { items: [ada], total: 1, page: 1, limit: 20 } },
      [`GET /api/patient/${ada.id}`]: () =>
        granted ? { body: record } : apiError(403, 'break_glass_required', 'no care relationship with this patient'),
      [`POST /api/patients/${ada.id}/access`]: () => {
        granted = true
        return { status: 201, body: { id: 'g'.repeat(24), patient_id: ada.id, user_id: 'u1', expires_at: '2026-11-27T11:00:00Z' } }
      },
    })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <PatientsScreen />)
    await user.type(screen.getByLabelText('Name, MRN or ID'), 'alv')
    await user.type(screen.getByLabelText('Condition (a whole word)'), 'asthma')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    const search = calls.find((c) => c.path === '/api/patients')
    expect(search?.query.get('q')).toBe('alv')
    expect(search?.query.get('condition')).toBe('asthma')
    const row = (await screen.findByText('Ada Álvarez')).closest('tr')!
    expect(within(row).getByText('H12345674')).toBeTruthy()

    await user.click(within(row).getByRole('button', { name: 'Open record' }))
    const rec = await screen.findByTestId('patient-record')
    expect(await within(rec).findByText(/no care relationship with this patient/i)).toBeTruthy()
    expect(within(rec).queryByTestId('history')).toBeNull()

    await user.click(within(rec).getByRole('button', { name: 'Break the glass and open' }))
    expect(await within(rec).findByText(/at least 10 characters/)).toBeTruthy()
    await user.type(within(rec).getByLabelText('Reason'), 'covering the ward tonight')
    await user.click(within(rec).getByRole('button', { name: 'Break the glass and open' }))
    expect((await within(rec).findByTestId('history')).textContent).toContain('asthma since 2010')
    expect(within(rec).getByTestId('allergies').textContent).toBe('penicillin')
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ reason: 'covering the ward tonight' }])
  })

  it('opens with the search the address asks for (?q=, as the admin screen links a record)', async () => {
    const calls = fakeServer({ 'GET /api/patients': { body: { items: [ada], total: 1, page: 1, limit: 20 } } })
    window.history.replaceState(null, '', `/patients?q=${ada.id}`)
    try {
      renderLive(new FakeLive(), <PatientsScreen />)
      expect(await screen.findByText('Ada Álvarez')).toBeTruthy()
      expect((screen.getByLabelText('Name, MRN or ID') as HTMLInputElement).value).toBe(ada.id)
      expect(calls.find((c) => c.path === '/api/patients')?.query.get('q')).toBe(ada.id)
    } finally {
      window.history.replaceState(null, '', '/')
    }
  })

  it('asks for something to search for, and says when nothing matches', async () => {
    fakeServer({ 'GET /api/patients': { body: { items: [], total: 0, page: 1, limit: 20 } } })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <PatientsScreen />)
    await user.click(screen.getByRole('button', { name: 'Search' }))
    expect(screen.getByRole('alert').textContent).toContain('Type a name, MRN or ID')
    await user.type(screen.getByLabelText('Name, MRN or ID'), 'zz')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    expect(await screen.findByText('No patient matches')).toBeTruthy()
  })

  it('shows likely duplicates while the name is typed, and registers a new patient anyway with an Idempotency-Key', async () => {
    const fresh = { ...record, id: 'c'.repeat(24), name: 'Ada Alvarez', mrn: 'H76543210', date_of_birth: '1980-04-02', revision: 0, medical_history: '', allergies: [], conditions: [] }
    const calls = fakeServer({
      'GET /api/patients': { body: { items: [ada], total: 1, page: 1, limit: 10 } },
      'POST /api/patients': { status: 201, body: fresh },
      [`GET /api/patient/${fresh.id}`]: { body: fresh },
    })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <PatientsScreen />)
    await user.click(screen.getByRole('button', { name: 'Register a patient' }))
    await user.type(screen.getByLabelText('Full name'), 'Ada Alvarez')
    fireEvent.change(screen.getByLabelText('Date of birth'), { target: { value: '1980-04-02' } })
    const dupes = await screen.findByTestId('likely-duplicates')
    expect(within(dupes).getByText('Is this one of these?')).toBeTruthy()
    expect(within(dupes).getByText('Ada Álvarez')).toBeTruthy()
    expect(within(dupes).getByText('same date of birth')).toBeTruthy()
    expect(dupes.textContent).toContain('born Wed 2 Apr 1980')
    const searched = calls.find((c) => c.path === '/api/patients' && c.method === 'GET')
    expect(searched?.query.get('q')).toBe('Ada Alvarez')

    await user.type(screen.getAllByLabelText('Phone')[0]!, '+44 20 7946 0000')
    await user.click(screen.getByRole('button', { name: 'None of these: register a new patient' }))
    const rec = await screen.findByTestId('patient-record')
    expect(await within(rec).findByText('H76543210')).toBeTruthy()
    const post = calls.find((c) => c.method === 'POST' && c.path === '/api/patients') as Call
    expect(post.body).toEqual({ name: 'Ada Alvarez', date_of_birth: '1980-04-02', phone: '+44 20 7946 0000' })
    expect(post.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/)
  }, 20_000)

  it("shows the server's 400 in words at the field it names", async () => {
    fakeServer({
      'GET /api/patients': { body: { items: [], total: 0, page: 1, limit: 10 } },
      'POST /api/patients': apiError(400, 'invalid', 'date_of_birth must be in the past (and after 1880)'),
    })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <PatientsScreen />)
    await user.click(screen.getByRole('button', { name: 'Register a patient' }))
    await user.type(screen.getByLabelText('Full name'), 'Bo Chen')
    const dob = screen.getByLabelText('Date of birth')
    fireEvent.change(dob, { target: { value: '1870-01-01' } })
    await user.click(screen.getByRole('button', { name: 'Register' }))
    await waitFor(() => expect(dob.getAttribute('aria-invalid')).toBe('true'))
    expect(document.getElementById(dob.getAttribute('aria-describedby')!)!.textContent).toBe(
      'Date of birth must be in the past (and after 1880)',
    )
    expect(document.body.textContent).not.toContain('date_of_birth')
  })

  it('edits the demographics, sending only what changed', async () => {
    let current = { ...record, phone: '0201' }
    const calls = fakeServer({
      'GET /api/patients': { body: { items: [ada], total: 1, page: 1, limit: 20 } },
      [`GET /api/patient/${ada.id}`]: () => ({ body: current }),
      [`PATCH /api/patients/${ada.id}`]: (c) => {
        current = { ...current, ...(c.body as object) }
        return { body: ada }
      },
    })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <PatientsScreen />)
    await user.type(screen.getByLabelText('Name, MRN or ID'), 'ada')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    await user.click(await screen.findByRole('button', { name: 'Open record' }))
    const rec = await screen.findByTestId('patient-record')
    await user.click(await within(rec).findByRole('button', { name: 'Edit details' }))
    const phone = within(rec).getAllByLabelText('Phone')[0]!
    await user.clear(phone)
    await user.type(phone, '020 7946 0999')
    await user.type(within(rec).getByLabelText('Address'), '1 High Street')
    await user.click(within(rec).getByRole('button', { name: 'Save the details' }))
    await waitFor(() => expect(within(rec).queryByRole('button', { name: 'Save the details' })).toBeNull())
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ phone: '020 7946 0999', address: '1 High Street' })
    expect(await within(rec).findByText('020 7946 0999')).toBeTruthy()
  }, 20_000)

  it('merges an unidentified emergency record into the real one after a confirmation that says what happens', async () => {
    const unknown = { ...record, id: 'e'.repeat(24), name: 'Unknown woman 7', mrn: 'H11111116', unidentified: true, date_of_birth: undefined }
    const unknownSummary = { id: unknown.id, name: unknown.name, mrn: unknown.mrn, unidentified: true }
    let merged = false
    const calls = fakeServer({
      'GET /api/patients': { body: { items: [unknownSummary], total: 1, page: 1, limit: 20 } },
      [`GET /api/patient/${unknown.id}`]: () => ({ body: merged ? { ...unknown, merged_into: ada.id } : unknown }),
      [`GET /api/patients/${unknown.id}/duplicates`]: { body: { items: [ada], total: 1, page: 1, limit: 100 } },
      [`POST /api/patients/${unknown.id}/merge`]: () =>
        merged ? apiError(409, 'conflict', `the record is being merged into ${ada.id}`) : ((merged = true), { body: record }),
      [`GET /api/patient/${ada.id}`]: { body: record },
    })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <PatientsScreen />)
    await user.type(screen.getByLabelText('Name, MRN or ID'), 'unknown')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    await user.click(await screen.findByRole('button', { name: 'Open record' }))
    const rec = await screen.findByTestId('patient-record')
    await user.click(await within(rec).findByRole('button', { name: 'Merge into this record…' }))
    const dialog = await screen.findByRole('alertdialog')
    expect(within(dialog).getByRole('heading').textContent).toBe('Merge into Ada Álvarez?')
    expect(dialog.textContent).toContain('Ada Álvarez (H12345674) is kept')
    expect(dialog.textContent).toContain('the medical history of Unknown woman 7 (H11111116) is added to its history')
    expect(dialog.textContent).toContain('This cannot be undone')
    // Cancelling sends nothing.
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull())
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await user.click(within(rec).getByRole('button', { name: 'Merge into this record…' }))
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Merge into Ada Álvarez' }))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull())
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ into: ada.id })
    // The surviving record is opened.
    const opened = await screen.findByTestId('patient-record')
    expect(await within(opened).findByText('H12345674')).toBeTruthy()
  }, 20_000)

  it("shows a refused merge in the server's words", async () => {
    const unknown = { ...record, id: 'e'.repeat(24), name: 'Unknown man 2', mrn: 'H22222224', unidentified: true }
    fakeServer({
      'GET /api/patients': { body: { items: [{ id: unknown.id, name: unknown.name, mrn: unknown.mrn, unidentified: true }], total: 1, page: 1, limit: 20 } },
      [`GET /api/patient/${unknown.id}`]: { body: unknown },
      [`GET /api/patients/${unknown.id}/duplicates`]: { body: { items: [ada], total: 1, page: 1, limit: 100 } },
      [`POST /api/patients/${unknown.id}/merge`]: apiError(409, 'conflict', 'the target record is being merged into this one'),
    })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <PatientsScreen />)
    await user.type(screen.getByLabelText('Name, MRN or ID'), 'unknown')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    await user.click(await screen.findByRole('button', { name: 'Open record' }))
    await user.click(await screen.findByRole('button', { name: 'Merge into this record…' }))
    const dialog = await screen.findByRole('alertdialog')
    await user.click(within(dialog).getByRole('button', { name: 'Merge into Ada Álvarez' }))
    expect((await within(dialog).findByRole('alert')).textContent).toBe('the target record is being merged into this one')
  })

  it('says in words, not a route, when merging needs the glass broken on the real record', async () => {
    const unknown = { ...record, id: 'e'.repeat(24), name: 'Unknown man 3', mrn: 'H33333332', unidentified: true }
    fakeServer({
      'GET /api/patients': { body: { items: [{ id: unknown.id, name: unknown.name, mrn: unknown.mrn, unidentified: true }], total: 1, page: 1, limit: 20 } },
      [`GET /api/patient/${unknown.id}`]: { body: unknown },
      [`GET /api/patients/${unknown.id}/duplicates`]: { body: { items: [ada], total: 1, page: 1, limit: 100 } },
      [`POST /api/patients/${unknown.id}/merge`]: apiError(403, 'break_glass_required', 'no care relationship with this patient: state a reason to break the glass (POST /api/patients/{id}/access)'),
    })
    const user = userEvent.setup()
    renderLive(new FakeLive(), <PatientsScreen />)
    await user.type(screen.getByLabelText('Name, MRN or ID'), 'unknown')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    await user.click(await screen.findByRole('button', { name: 'Open record' }))
    await user.click(await screen.findByRole('button', { name: 'Merge into this record…' }))
    const dialog = await screen.findByRole('alertdialog')
    await user.click(within(dialog).getByRole('button', { name: 'Merge into Ada Álvarez' }))
    const said = (await within(dialog).findByRole('alert')).textContent
    expect(said).toBe('You have no care relationship with Ada Álvarez (H12345674). Open that record, break the glass with your reason, then merge again.')
    expect(document.body.textContent).not.toContain('/api/')
  })
})

describe('PatientsScreen, messages and erasure', () => {
  const openAda = async (user: ReturnType<typeof userEvent.setup>) => {
    renderLive(new FakeLive(), <PatientsScreen />)
    await user.type(screen.getByLabelText('Name, MRN or ID'), 'ada')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    const row = (await screen.findByText('Ada Álvarez')).closest('tr')!
    await user.click(within(row).getByRole('button', { name: 'Open record' }))
    return screen.findByTestId('patient-record')
  }

  it('sends a message to the patient by email too, and says the hourly limit in words', async () => {
    signIn({ id: 'd'.repeat(24), role: 'doctor' })
    let limited = false
    const calls = fakeServer({
      'GET /api/patients': { body: { items: [ada], total: 1, page: 1, limit: 20 } },
      [`GET /api/patient/${ada.id}`]: { body: record },
      'POST /api/notifications/send': () =>
        limited
          ? apiError(429, 'too_many_requests', 'at most 60 messages by email or SMS an hour may be sent by one person (NOTIFY_SEND_PER_HOUR)')
          : { status: 201, body: { id: 'n'.repeat(24) } },
    })
    const user = userEvent.setup()
    const rec = await openAda(user)
    expect(within(rec).queryByRole('button', { name: 'Erase personal data…' })).toBeNull()

    await user.click(within(rec).getByRole('button', { name: 'Send a message' }))
    let dialog = await screen.findByRole('dialog', { name: 'Message to Ada Álvarez' })
    await user.click(within(dialog).getByRole('button', { name: 'Send' }))
    expect(within(dialog).getByRole('alert').textContent).toBe('Write the message.')
    await user.type(within(dialog).getByLabelText('Message'), '  Your results are ready.  ')
    await user.click(within(dialog).getByLabelText('Email'))
    await user.click(within(dialog).getByRole('button', { name: 'Send' }))
    expect((await within(rec).findByRole('status')).textContent).toBe(
      'Message sent to Ada Álvarez in the app and by email where they accept it.',
    )
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([
      { recipient_id: ada.id, message: 'Your results are ready.', channels: ['email'] },
    ])

    limited = true
    await user.click(within(rec).getByRole('button', { name: 'Send a message' }))
    dialog = await screen.findByRole('dialog')
    await user.type(within(dialog).getByLabelText('Message'), 'Please call us.')
    await user.click(within(dialog).getByLabelText('Text message'))
    await user.click(within(dialog).getByRole('button', { name: 'Send' }))
    const alert = await within(dialog).findByRole('alert')
    expect(alert.textContent).toContain('as many email and text messages as one person may in an hour')
    expect(alert.textContent).not.toContain('NOTIFY_SEND_PER_HOUR')
  })

  it('lets an admin erase the personal data only after typing the MRN, and says the result in words', async () => {
    signIn({ id: 'e'.repeat(24), role: 'admin' })
    let down = true
    const calls = fakeServer({
      'GET /api/patients': { body: { items: [ada], total: 1, page: 1, limit: 20 } },
      [`GET /api/patient/${ada.id}`]: apiError(403, 'break_glass_required', 'no care relationship with this patient'),
      [`POST /api/patients/${ada.id}/erasure`]: () => {
        if (down) {
          down = false
          return apiError(503, 'unavailable', 'the database is not reachable; try again in a moment')
        }
        return { body: { patient_id: ada.id, pseudonym: 'Erased patient 3f9a0c1d', erased_at: '2026-12-07T15:04:00Z' } }
      },
    })
    const user = userEvent.setup()
    const rec = await openAda(user)
    await user.click(within(rec).getByRole('button', { name: 'Erase personal data…' }))
    const dialog = await screen.findByRole('alertdialog', { name: 'Erase the personal data of Ada Álvarez?' })
    expect(dialog.textContent).toContain('the MRN H12345674 under the new name, and the clinical record')
    await user.type(within(dialog).getByLabelText(/Type the MRN/), 'H1234')
    await user.click(within(dialog).getByRole('button', { name: 'Erase personal data' }))
    expect(within(dialog).getByRole('alert').textContent).toBe('Type the MRN, H12345674, to confirm.')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)

    await user.type(within(dialog).getByLabelText(/Type the MRN/), '5674')
    await user.click(within(dialog).getByRole('button', { name: 'Erase personal data' }))
    expect((await within(dialog).findByRole('alert')).textContent).toBe('the database is not reachable; try again in a moment')
    await user.click(within(dialog).getByRole('button', { name: 'Erase personal data' }))
    expect((await within(rec).findByRole('status')).textContent).toBe(
      'Erased on Mon 7 Dec 2026, 15:04. The record is now “Erased patient 3f9a0c1d”.',
    )
    expect(screen.queryByRole('alertdialog')).toBeNull()
    expect(within(rec).getByRole('heading', { level: 2 }).textContent).toContain('Erased patient 3f9a0c1d')
    expect(within(rec).queryByRole('button', { name: 'Erase personal data…' })).toBeNull()
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ confirm: true }, { confirm: true }])
  })
})
