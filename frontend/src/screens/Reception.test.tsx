import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { today } from '../api/client'
import type { Appointment, QueueEvent, QueueSnapshot } from '../api/types'
import { apiError, fakeServer, type Answer, type Call, type Route } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { signIn } from '../test/session'
import { ReceptionScreen } from './Reception'

const day = today()
// The hospital is on UTC in the tests (api/time.ts), whatever the zone the tests run in.
const at = (hm: string) => new Date(`${day}T${hm}:00Z`).toISOString()

function appt(id: string, over: Partial<Appointment>): Appointment {
  return {
    id,
    patient_id: 'p'.repeat(23) + id.slice(-1),
    department: 'cardiology',
    start: at('09:00'),
    end: at('09:15'),
    status: 'scheduled',
    walk_in: false,
    emergency: false,
    created_by: 'c'.repeat(24),
    created_at: at('08:00'),
    ...over,
  }
}

const ticketed = (id: string, number: number, name: string, position: number, wait: number, triage = 4) =>
  appt(id, {
    patient_name: name,
    status: 'checked-in',
    walk_in: true,
    ticket: {
      number,
      department: 'cardiology',
      day,
      triage,
      checked_in_at: at('08:30'),
      position,
      estimated_wait_minutes: wait,
    },
  })

function snapshot(waiting: Appointment[], seen: number): QueueSnapshot {
  return {
    department: 'cardiology',
    day,
    at: new Date().toISOString(),
    waiting,
    serving: [
      appt('a0000000000000000000000a', {
        patient_name: 'Sam Served',
        doctor_name: 'Dr. Clara Chen',
        status: 'in-consultation',
        ticket: { number: 4, department: 'cardiology', day, triage: 4, checked_in_at: at('08:10') },
      }),
    ],
    stats: {
      waiting: waiting.length,
      in_consultation: 1,
      seen,
      average_wait_minutes: 12.4,
      longest_wait_minutes: 25,
      longest_wait_today_minutes: 40,
      average_consultation_minutes: 10,
    },
  }
}

const booked = appt('b0000000000000000000000b', {
  patient_name: 'Ann Lee',
  doctor_id: 'd'.repeat(24),
  doctor_name: 'Dr. Clara Chen',
  reason: 'chest pain',
})

const doctor = {
  id: 'd'.repeat(24),
  name: 'Dr. Clara Chen',
  specialty: 'Cardiology',
  department: 'cardiology',
  slot_minutes: 15,
  weekly: [],
  breaks: [],
  leave: [],
  free_slots: 2,
  next_free: at('10:00'),
}

/** The register as GET /api/patients answers a search: the patients whose name has a word starting with q. */
const register = (...people: { id: string; name: string }[]) => (call: { query: URLSearchParams }) => {
  const q = (call.query.get('q') ?? '').toLowerCase()
  const items = people
    .filter((p) => p.id === q || p.name.toLowerCase().split(' ').some((w) => w.startsWith(q)))
    .map((p) => ({ ...p, mrn: 'H10000009', date_of_birth: '1980-04-02' }))
  return { body: { items, total: items.length, page: 1, limit: 8 } }
}

/** A ticket of today's cardiology queue. */
const ticket = (number: number, triage = 4) => ({
  number,
  department: 'cardiology',
  day,
  triage,
  checked_in_at: at('09:00'),
})

const slotList = (slots: { start: string; end: string }[]): Answer => ({
  body: { doctor_id: doctor.id, date: day, time_zone: 'UTC', slots },
})

let sent: Call[]
/** The fake server's routes: the defaults below, and what a test sets with route(). */
let routes: Record<string, Route>
let cardiology: QueueSnapshot

/** Sets (or replaces) the answer of one route for this test. */
const route = (key: string, answer: Route) => {
  routes[key] = answer
}

beforeEach(() => {
  signIn({ id: 's'.repeat(24), role: 'staff' })
  cardiology = snapshot([ticketed('w0000000000000000000005w', 5, 'Ann Walker', 1, 8, 3)], 2)
  routes = {
    'GET /api/departments': {
      body: {
        items: [
          { id: 'cardiology', name: 'Cardiology' },
          { id: 'general', name: 'General' },
        ],
      },
    },
    'GET /api/doctors': { body: { items: [], time_zone: 'UTC' } },
    'GET /api/queues/cardiology': () => ({ body: cardiology }),
    'GET /api/queues/general': { body: { ...snapshot([], 0), department: 'general', serving: [] } },
    'GET /api/appointments': { body: { items: [booked], total: 1, page: 1, limit: 100 } },
  }
  sent = fakeServer(routes)
})

afterEach(async () => {
  // Unmount first and let requests already on their way reach the fake fetch before it goes.
  cleanup()
  await new Promise((r) => setTimeout(r, 0))
  vi.restoreAllMocks()
})

function renderReception() {
  const live = new FakeLive()
  renderLive(live, <ReceptionScreen />)
  return { live, user: userEvent.setup() }
}

const posts = (path: string) => sent.filter((r) => r.method !== 'GET' && r.path === path)

describe('ReceptionScreen', () => {
  it('renders each queue card from its snapshot and updates it from a queue.changed event', async () => {
    const { live } = renderReception()
    const card = await screen.findByTestId('queue-cardiology')
    const row = await within(card).findByTestId('queue-ticket-5')
    expect(row.textContent).toContain('Ann Walker')
    expect(row.textContent).toContain('~8 min')
    expect(within(card).getByTestId('count-waiting').textContent).toBe('1 waiting')
    expect(within(card).getByTestId('count-serving').textContent).toBe('1 serving')
    expect(within(card).getByTestId('count-seen').textContent).toBe('2 seen')
    expect(within(card).getByTestId('queue-serving-4').textContent).toContain('Sam Served')
    expect(card.textContent).toContain('Average wait 12 min')
    expect(within(await screen.findByTestId('queue-general')).getByText('Nobody waiting.')).toBeTruthy()

    // A walk-in arrives: the server's queue now has ticket 6 behind ticket 5.
    const walkIn = ticketed('w0000000000000000000006w', 6, 'Bo Newman', 2, 18)
    cardiology = snapshot([...cardiology.waiting, walkIn], 2)
    const before = sent.filter((r) => r.path === '/api/queues/cardiology').length
    const event: QueueEvent = {
      action: 'walk_in',
      appointment: walkIn,
      waits: [
        { appointment_id: cardiology.waiting[0]!.id, number: 5, position: 1, estimated_wait_minutes: 8 },
        { appointment_id: walkIn.id, number: 6, position: 2, estimated_wait_minutes: 18 },
      ],
    }
    live.emit('queue:dept:cardiology', 'queue.changed', event)
    const added = await within(card).findByTestId('queue-ticket-6')
    expect(added.textContent).toContain('Bo Newman')
    expect(within(card).getByTestId('count-waiting').textContent).toBe('2 waiting')
    expect(sent.filter((r) => r.path === '/api/queues/cardiology').length).toBe(before + 1)
    // Call order is kept: 5 then 6.
    const numbers = within(card)
      .getAllByTestId(/^queue-ticket-/)
      .map((el) => el.dataset.testid)
    expect(numbers).toEqual(['queue-ticket-5', 'queue-ticket-6'])

    // A consultation runs long: queue.waits brings new estimates.
    cardiology = snapshot(
      cardiology.waiting.map((a) => {
        const t = a.ticket!
        return { ...a, ticket: { ...t, estimated_wait_minutes: t.estimated_wait_minutes! + 5 } }
      }),
      2,
    )
    live.emit('queue:dept:cardiology', 'queue.waits', { department: 'cardiology', waits: [] })
    await waitFor(() => expect(within(card).getByTestId('queue-ticket-6').textContent).toContain('~23 min'))
  })

  it('checks a new walk-in patient in with the right body, shows the ticket and clears the form', async () => {
    route('POST /api/queue/checkin', (r) => {
      const b = r.body as { name: string; department: string; triage: number }
      return {
        status: 201,
        body: appt('n0000000000000000000000n', {
          patient_name: b.name,
          department: b.department,
          status: 'checked-in',
          walk_in: true,
          ticket: { ...ticket(12, b.triage), department: b.department, position: 1 },
        }),
      }
    })
    const { user } = renderReception()
    await user.click(screen.getByRole('radio', { name: 'Walk-in, new patient' }))
    await waitFor(() => expect((screen.getByLabelText('Department') as HTMLSelectElement).disabled).toBe(false))
    await user.type(screen.getByLabelText('Patient name'), 'Bob Stone')
    await user.selectOptions(screen.getByLabelText('Department'), 'general')
    await user.selectOptions(screen.getByLabelText('Triage (ESI)'), '2')
    await user.type(screen.getByLabelText('Reason (optional)'), 'sprained ankle')
    // Enter in a field submits, as the "Check in" button does.
    await user.type(screen.getByLabelText('Patient name'), '{Enter}')

    const result = await screen.findByTestId('checkin-result')
    expect(result.textContent).toContain('Ticket 12 — General')
    expect(result.textContent).toContain('Bob Stone')
    expect(posts('/api/queue/checkin').map((r) => r.body)).toEqual([
      { department: 'general', triage: 2, name: 'Bob Stone', reason: 'sprained ankle' },
    ])
    expect((screen.getByLabelText('Patient name') as HTMLInputElement).value).toBe('')
    expect((screen.getByLabelText('Department') as HTMLSelectElement).value).toBe('')
    expect((screen.getByLabelText('Triage (ESI)') as HTMLSelectElement).value).toBe('4')
    expect(document.activeElement).toBe(screen.getByLabelText('Patient name'))
  })

  it('finds a registered walk-in by name, not a namesake, and checks them in with the default triage', async () => {
    route('GET /api/patients', register({ id: 'e'.repeat(24), name: 'Eve Known' }, { id: 'a'.repeat(24), name: 'Ada Other' }))
    route('POST /api/queue/checkin', () => ({
      status: 201,
      body: appt('k0000000000000000000000k', { patient_name: 'Eve Known', status: 'checked-in', ticket: ticket(7) }),
    }))
    const { user } = renderReception()
    await user.click(screen.getByRole('radio', { name: 'Walk-in, registered patient' }))
    await user.type(screen.getByLabelText('Patient'), 'EVE')
    await user.click(await screen.findByRole('button', { name: /Eve Known/ }))
    expect(screen.getByText('Eve Known · MRN H10000009 · born 1980-04-02')).toBeTruthy()
    expect(screen.queryByRole('button', { name: /Ada Other/ })).toBeNull()
    await waitFor(() => expect((screen.getByLabelText('Department') as HTMLSelectElement).disabled).toBe(false))
    await user.selectOptions(screen.getByLabelText('Department'), 'cardiology')
    await user.click(screen.getByRole('button', { name: 'Check in' }))
    expect((await screen.findByTestId('checkin-result')).textContent).toContain('Ticket 7 — Cardiology')
    expect(posts('/api/queue/checkin')[0]?.body).toEqual({
      department: 'cardiology',
      triage: 4,
      patient_id: 'e'.repeat(24),
    })
  })

  it('shows the server’s 400 message and keeps what was typed', async () => {
    route('POST /api/queue/checkin', () => apiError(400, 'invalid_request', 'name: at most 200 characters'))
    const { user } = renderReception()
    await user.click(screen.getByRole('radio', { name: 'Walk-in, new patient' }))
    await waitFor(() => expect((screen.getByLabelText('Department') as HTMLSelectElement).disabled).toBe(false))
    await user.type(screen.getByLabelText('Patient name'), 'Bob Stone')
    await user.selectOptions(screen.getByLabelText('Department'), 'cardiology')
    await user.type(screen.getByLabelText('Reason (optional)'), 'cough')
    await user.click(screen.getByRole('button', { name: 'Check in' }))

    expect((await screen.findByRole('alert')).textContent).toBe('name: at most 200 characters')
    expect((screen.getByLabelText('Patient name') as HTMLInputElement).value).toBe('Bob Stone')
    expect((screen.getByLabelText('Department') as HTMLSelectElement).value).toBe('cardiology')
    expect((screen.getByLabelText('Reason (optional)') as HTMLInputElement).value).toBe('cough')
    expect(screen.queryByTestId('checkin-result')).toBeNull()
  })

  it('says what is missing before sending a walk-in', async () => {
    const { user } = renderReception()
    await user.click(screen.getByRole('radio', { name: 'Walk-in, new patient' }))
    await user.click(screen.getByRole('button', { name: 'Check in' }))
    expect(screen.getByText('Enter the patient’s name.')).toBeTruthy()
    expect(screen.getByText('Choose the department.')).toBeTruthy()
    expect(posts('/api/queue/checkin')).toEqual([])
    // The focus goes to the first field to fix.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Patient name')))
  })

  it('checks a booked patient in from today’s list', async () => {
    route('POST /api/queue/checkin', () => ({ status: 201, body: { ...booked, status: 'checked-in', ticket: ticket(3) } }))
    const { user } = renderReception()
    const row = await screen.findByTestId(`appt-${booked.id}`)
    expect(row.textContent).toContain('Ann Lee')
    const list = sent.find((r) => r.path === '/api/appointments')
    expect(list?.query.get('date')).toBe(day)
    expect(list?.query.get('status')).toBe('scheduled')
    await user.click(within(row).getByRole('button', { name: 'Check in' }))
    const result = await screen.findByTestId('checkin-result')
    expect(result.textContent).toContain('Ticket 3 — Cardiology')
    expect(posts('/api/queue/checkin')[0]?.body).toEqual({ appointment_id: booked.id, triage: 4 })
    // The row's button is about to go; the ticket takes the focus.
    await waitFor(() => expect(document.activeElement).toBe(result))
  })

  it('admits an emergency with the chosen level', async () => {
    route('POST /api/queue/emergency', () => ({
      status: 201,
      body: appt('e000000000000000000000e0', {
        patient_name: 'Unidentified patient',
        status: 'checked-in',
        emergency: true,
        ticket: ticket(9, 1),
      }),
    }))
    const { user } = renderReception()
    await user.click(screen.getByRole('tab', { name: 'Emergency admission' }))
    await waitFor(() => expect((screen.getByLabelText('Department') as HTMLSelectElement).disabled).toBe(false))
    await user.selectOptions(screen.getByLabelText('Department'), 'cardiology')
    await user.click(screen.getByRole('button', { name: 'Admit now' }))
    expect(screen.getByText('Choose the ESI level.')).toBeTruthy()
    await user.selectOptions(screen.getByLabelText('Triage (ESI)'), '1')
    await user.click(screen.getByRole('button', { name: 'Admit now' }))
    const result = await screen.findByTestId('emergency-result')
    expect(result.textContent).toContain('Ticket 9 — Cardiology')
    expect(result.textContent).toContain('emergency alert raised')
    expect(posts('/api/queue/emergency').map((r) => r.body)).toEqual([{ department: 'cardiology', triage: 1 }])
  })

  it('reads only the appointment an event names, and shows it moved in the list without reading the list again', async () => {
    route('GET /api/doctors', () => ({ body: { items: [doctor], time_zone: 'UTC' } }))
    const { live, user } = renderReception()
    await user.click(screen.getByRole('tab', { name: 'Appointments' }))
    expect((await screen.findByTestId(`appt-${booked.id}`)).textContent).toContain('Ann Lee')
    // The channels' first syncs read the lists again; let them settle.
    await new Promise((r) => setTimeout(r, 700))
    const listReads = () => sent.filter((r) => r.path === '/api/appointments').length
    const before = listReads()

    // Another desk moves the booking to 11:30. The event carries neither the name nor the reason.
    const moved = { ...booked, start: at('11:30'), end: at('11:45') }
    route(`GET /api/appointments/${booked.id}`, () => ({ body: moved }))
    live.emit(`queue:doctor:${doctor.id}`, 'appointment.changed', {
      action: 'rescheduled',
      appointment: { ...moved, patient_name: undefined, reason: '' },
    })
    await waitFor(() => expect(screen.getByTestId(`appt-${booked.id}`).textContent).toContain('11:30'))
    const row = screen.getByTestId(`appt-${booked.id}`)
    expect(row.textContent).toContain('Ann Lee')
    expect(row.textContent).toContain('chest pain')
    expect(sent.filter((r) => r.path === `/api/appointments/${booked.id}`)).toHaveLength(1)
    await new Promise((r) => setTimeout(r, 500))
    expect(listReads()).toBe(before)
  })

  it('asks for a reason before cancelling an appointment', async () => {
    route(`POST /api/appointments/${booked.id}/cancel`, () => ({ body: { ...booked, status: 'cancelled' } }))
    const { user } = renderReception()
    await user.click(screen.getByRole('tab', { name: 'Appointments' }))
    const row = await screen.findByTestId(`appt-${booked.id}`)
    await user.click(within(row).getByRole('button', { name: 'Cancel' }))

    const reason = screen.getByLabelText('Reason for cancelling')
    expect(document.activeElement).toBe(reason)
    await user.click(screen.getByRole('button', { name: 'Cancel appointment' }))
    expect(screen.getByText('Give the reason for cancelling.')).toBeTruthy()
    expect(posts(`/api/appointments/${booked.id}/cancel`)).toEqual([])

    await user.type(reason, 'patient called to cancel{Enter}')
    const done = await screen.findByTestId('appointments-done')
    expect(done.textContent).toContain('Cancelled the appointment of Ann Lee')
    expect(posts(`/api/appointments/${booked.id}/cancel`).map((r) => r.body)).toEqual([
      { reason: 'patient called to cancel' },
    ])
  })

  it('books with an Idempotency-Key kept across a retry, and shows a 409 and fresh slots', async () => {
    let slots = [
      { start: at('10:00'), end: at('10:15') },
      { start: at('10:15'), end: at('10:30') },
    ]
    route('GET /api/doctors', () => ({ body: { items: [doctor], time_zone: 'UTC' } }))
    route(`GET /api/doctors/${doctor.id}/slots`, () => slotList(slots))
    route('GET /api/patients', register({ id: 'f'.repeat(24), name: 'Fay Booker' }))
    const answers: (() => Answer)[] = [
      () => {
        throw new TypeError('Failed to fetch')
      },
      () => {
        slots = slots.slice(1)
        return apiError(409, 'conflict', 'that slot was just taken')
      },
      () => ({ status: 201, body: { ...booked, patient_name: 'Fay Booker', start: at('10:15') } }),
    ]
    route('POST /api/appointments', () => answers.shift()!())

    const { user } = renderReception()
    await user.click(screen.getByRole('tab', { name: 'Book' }))
    await user.click(await screen.findByRole('radio', { name: /Dr\. Clara Chen/ }))
    await user.click(await screen.findByRole('radio', { name: '10:00' }))
    await user.type(screen.getByLabelText('Patient'), 'f'.repeat(24))
    await user.click(await screen.findByRole('button', { name: /Fay Booker/ }))
    await user.type(screen.getByLabelText('Reason (optional)'), 'follow-up')
    const book = screen.getByRole('button', { name: 'Book appointment' })

    await user.click(book)
    expect((await screen.findByRole('alert')).textContent).toContain('Cannot reach the server')
    await user.click(book)
    expect((await screen.findByRole('alert')).textContent).toContain('that slot was just taken')
    await waitFor(() => expect(screen.queryByRole('radio', { name: '10:00' })).toBeNull())

    await user.click(screen.getByRole('radio', { name: '10:15' }))
    await user.click(book)
    expect((await screen.findByTestId('book-result')).textContent).toContain('Fay Booker')

    const tries = posts('/api/appointments')
    expect(tries.map((r) => r.body)).toEqual([
      { doctor_id: doctor.id, start: at('10:00'), patient_id: 'f'.repeat(24), reason: 'follow-up' },
      { doctor_id: doctor.id, start: at('10:00'), patient_id: 'f'.repeat(24), reason: 'follow-up' },
      { doctor_id: doctor.id, start: at('10:15'), patient_id: 'f'.repeat(24), reason: 'follow-up' },
    ])
    const keys = tries.map((r) => r.headers.get('Idempotency-Key'))
    expect(keys[0]).toMatch(/^[!-~]{1,100}$/)
    expect(keys[1]).toBe(keys[0])
    expect(keys[2]).not.toBe(keys[0])
  })

  it('retries with the same key when the slot went, so a booking whose answer was lost is made once', async () => {
    let slots = [
      { start: at('10:00'), end: at('10:15') },
      { start: at('10:15'), end: at('10:30') },
    ]
    route('GET /api/doctors', () => ({ body: { items: [doctor], time_zone: 'UTC' } }))
    route(`GET /api/doctors/${doctor.id}/slots`, () => slotList(slots))
    route('GET /api/patients', register({ id: 'f'.repeat(24), name: 'Fay Booker' }))
    const answers: (() => Answer)[] = [
      () => {
        // Booked on the server, but the answer never arrives.
        slots = slots.slice(1)
        throw new TypeError('Failed to fetch')
      },
      () => ({ status: 201, body: { ...booked, patient_name: 'Fay Booker', start: at('10:00') } }),
    ]
    route('POST /api/appointments', () => answers.shift()!())

    const { live, user } = renderReception()
    await user.click(screen.getByRole('tab', { name: 'Book' }))
    await user.click(await screen.findByRole('radio', { name: /Dr\. Clara Chen/ }))
    await user.click(await screen.findByRole('radio', { name: '10:00' }))
    await user.type(screen.getByLabelText('Patient'), 'f'.repeat(24))
    await user.click(await screen.findByRole('button', { name: /Fay Booker/ }))
    await user.click(screen.getByRole('button', { name: 'Book appointment' }))
    expect((await screen.findByRole('alert')).textContent).toContain('Cannot reach the server')

    // The booking reaches the doctor's channel: the slot list is read again and 10:00 is gone.
    live.emit(`queue:doctor:${doctor.id}`, 'appointment.changed', { action: 'booked', appointment: booked })
    expect(await screen.findByText(/10:00 is no longer listed, perhaps booked by the last try/)).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Book appointment' }))
    expect((await screen.findByTestId('book-result')).textContent).toContain('Fay Booker')

    const keys = posts('/api/appointments').map((r) => r.headers.get('Idempotency-Key'))
    expect(keys).toHaveLength(2)
    expect(keys[1]).toBe(keys[0])
  })
  it('retries a check-in whose answer was lost with the same key, and the next patient gets a new one', async () => {
    const answers: (() => Answer)[] = [
      () => {
        // Checked in on the server, but the answer never arrives.
        throw new TypeError('Failed to fetch')
      },
      () => ({ status: 201, body: appt('r0000000000000000000000r', { patient_name: 'Rae Retry', ticket: ticket(21) }) }),
      () => ({ status: 201, body: appt('s0000000000000000000000s', { patient_name: 'Sam Next', ticket: ticket(22) }) }),
    ]
    route('POST /api/queue/checkin', () => answers.shift()!())
    const { user } = renderReception()
    await user.click(screen.getByRole('radio', { name: 'Walk-in, new patient' }))
    await waitFor(() => expect((screen.getByLabelText('Department') as HTMLSelectElement).disabled).toBe(false))
    await user.type(screen.getByLabelText('Patient name'), 'Rae Retry')
    await user.selectOptions(screen.getByLabelText('Department'), 'general')
    await user.click(screen.getByRole('button', { name: 'Check in' }))
    expect((await screen.findByRole('alert')).textContent).toContain('Cannot reach the server')
    // The form is kept; the same check-in is sent again.
    await user.click(screen.getByRole('button', { name: 'Check in' }))
    expect((await screen.findByTestId('checkin-result')).textContent).toContain('Ticket 21')

    await user.type(screen.getByLabelText('Patient name'), 'Sam Next')
    await user.selectOptions(screen.getByLabelText('Department'), 'general')
    await user.click(screen.getByRole('button', { name: 'Check in' }))
    await waitFor(() => expect(screen.getByTestId('checkin-result').textContent).toContain('Ticket 22'))

    const keys = posts('/api/queue/checkin').map((r) => r.headers.get('Idempotency-Key'))
    expect(keys).toHaveLength(3)
    expect(keys[0]).toBeTruthy()
    expect(keys[1]).toBe(keys[0])
    expect(keys[2]).not.toBe(keys[0])
  })
})
