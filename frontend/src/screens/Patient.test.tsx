// The patient's screen against a fake hub and canned REST answers: the list, live changes and the place
// in the line, booking with an Idempotency-Key, and a taken slot.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { hhmm, today } from '../api/client'
import type { Appointment, DisplayBoard, Doctor } from '../api/types'
import { apiError, fakeServer, type Call } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { signIn } from '../test/session'
import { PatientScreen } from './Patient'

const patientID = 'p0000000000000000000000a'
const chen = 'd0000000000000000000000a'
const novak = 'd0000000000000000000000b'
const hour = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString()
const now = Date.now()

function appointment(id: string, start: number, over: Partial<Appointment> = {}): Appointment {
  return {
    id,
    patient_id: patientID,
    patient_name: 'Ann Lee',
    doctor_id: chen,
    doctor_name: 'Dr. Clara Chen',
    department: 'cardiology',
    start: iso(start),
    end: iso(start + hour / 4),
    reason: 'check-up',
    status: 'scheduled',
    walk_in: false,
    emergency: false,
    created_by: 'u0000000000000000000000a',
    created_at: iso(now - 48 * hour),
    ...over,
  }
}

function doctor(id: string, name: string, free: number): Doctor {
  return {
    id,
    name,
    specialty: 'Cardiology',
    department: 'cardiology',
    slot_minutes: 15,
    weekly: [],
    breaks: [],
    leave: [],
    free_slots: free,
  }
}

// Free times tomorrow at whole hours, so they are always in the future.
const tomorrow = new Date(now + 24 * hour)
tomorrow.setHours(9, 0, 0, 0)
const slot1 = tomorrow.getTime()
const slot2 = slot1 + hour

let live: FakeLive
let items: Appointment[]
let routes: Parameters<typeof fakeServer>[0]
let calls: Call[]

beforeEach(() => {
  signIn({ id: 'u0000000000000000000000a', role: 'patient', name: 'Ann Lee', patient_id: patientID })
  live = new FakeLive()
  items = [
    appointment('a00000000000000000000001', now - 7 * 24 * hour, { status: 'completed', reason: 'old visit' }),
    appointment('a00000000000000000000002', now + 3 * 24 * hour),
  ]
  routes = {
    'GET /api/appointments': () => ({ body: { items, total: items.length, page: 1, limit: 100 } }),
    // An event has the screen read the one appointment it names.
    ...Object.fromEntries(
      items.map((a) => [`GET /api/appointments/${a.id}`, () => ({ body: items.find((x) => x.id === a.id) })]),
    ),
    'GET /api/departments': { body: { items: [{ id: 'cardiology', name: 'Cardiology' }] } },
    'GET /api/doctors': {
      body: { items: [doctor(chen, 'Dr. Clara Chen', 2), doctor(novak, 'Dr. David Novak', 5)], time_zone: 'UTC' },
    },
    [`GET /api/doctors/${chen}/slots`]: {
      body: {
        doctor_id: chen,
        date: '',
        time_zone: 'UTC',
        slots: [
          { start: iso(slot1), end: iso(slot1 + hour / 4) },
          { start: iso(slot2), end: iso(slot2 + hour / 4) },
        ],
      },
    },
  }
  calls = fakeServer(routes)
})

afterEach(() => {
  vi.restoreAllMocks()
})

function renderPatient() {
  return renderLive(live, <PatientScreen />)
}

const section = (name: string) => screen.getByRole('region', { name })

/** Chooses Dr. Chen and the first free time, and types a reason. */
async function chooseSlot(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole('radio', { name: /Dr\. Clara Chen/ }))
  await user.click(await screen.findByRole('radio', { name: hhmm(iso(slot1)) }))
  await user.type(screen.getByLabelText('Reason for the visit (optional)'), 'chest pain')
}

describe('PatientScreen', () => {
  it('lists my upcoming and past appointments', async () => {
    renderPatient()
    const upcoming = await waitFor(() =>
      within(section('Upcoming')).getByTestId('appointment-a00000000000000000000002'),
    )
    expect(upcoming.textContent).toContain('Dr. Clara Chen')
    expect(within(upcoming).getByTestId('status').textContent).toBe('Booked')
    expect(within(upcoming).getByRole('button', { name: 'Reschedule' })).toBeTruthy()
    const past = within(section('Past')).getByTestId('appointment-a00000000000000000000001')
    expect(within(past).getByTestId('status').textContent).toBe('Seen')
    expect(live.channels()).toContain(`patient:${patientID}`)
  })

  it('follows appointment.changed live, with my ticket and place in the line', async () => {
    const board: DisplayBoard = {
      department: 'cardiology',
      day: '',
      at: iso(now),
      now_serving: [],
      next: [
        { number: 12, status: 'checked-in', estimated_wait_minutes: 0 },
        { number: 13, status: 'checked-in', estimated_wait_minutes: 10 },
        { number: 14, status: 'checked-in', estimated_wait_minutes: 20 },
      ],
      waiting: 3,
      average_wait_minutes: 0,
      longest_wait_minutes: 0,
    }
    routes['GET /api/queues/cardiology/display'] = { body: board }
    renderPatient()
    await waitFor(() => within(section('Upcoming')).getByTestId('appointment-a00000000000000000000002'))

    // Reception checks me in: today's visit shows the ticket and where I am.
    const checkedIn = appointment('a00000000000000000000002', now, {
      status: 'checked-in',
      ticket: { number: 14, department: 'cardiology', day: today(), triage: 4, checked_in_at: iso(now) },
    })
    items = items.map((a) => (a.id === checkedIn.id ? { ...checkedIn, reason: a.reason } : a))
    live.emit(`patient:${patientID}`, 'appointment.changed', { action: 'checked_in', appointment: checkedIn })
    const visit = section('Today’s visit')
    expect(within(visit).getByTestId('my-ticket-number').textContent).toBe('14')
    const position = () => within(visit).getByTestId('my-position').textContent
    await waitFor(() => expect(position()).toBe('You are 3rd in line — about 20 minutes.'))
    expect(live.channels()).toContain('display:cardiology')

    // Two are called before me: the board moves me up.
    live.emit('display:cardiology', 'display.updated', { ...board, at: iso(now + 60_000), next: [board.next[2]!] })
    expect(position()).toBe('You are 1st in line — about 20 minutes.')

    // I am called.
    const called = { action: 'called', appointment: { ...checkedIn, status: 'called' as const } }
    items = items.map((a) => (a.id === checkedIn.id ? { ...a, status: 'called' } : a))
    live.emit(`patient:${patientID}`, 'appointment.changed', called)
    expect(within(section('Today’s visit')).getByTestId('status').textContent).toBe('Called — please go in')
  })

  it('books with the doctor, time and reason, and an Idempotency-Key', async () => {
    const user = userEvent.setup()
    const booked = appointment('a00000000000000000000003', slot1, { reason: 'chest pain' })
    routes['POST /api/appointments'] = { status: 201, body: booked }
    renderPatient()
    await chooseSlot(user)
    await user.click(screen.getByRole('button', { name: `Book ${hhmm(iso(slot1))}` }))

    await waitFor(() => expect(screen.getByTestId('book-result').textContent).toContain('Booked:'))
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.path).toBe('/api/appointments')
    expect(post.body).toEqual({ doctor_id: chen, start: iso(slot1), reason: 'chest pain' })
    expect(post.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{32,36}$/)
    expect(within(section('Upcoming')).getByTestId('appointment-a00000000000000000000003')).toBeTruthy()
  })

  it('retries a booking whose answer failed with the same Idempotency-Key', async () => {
    const user = userEvent.setup()
    let answer = apiError(503, 'unavailable', 'the database is busy; try again')
    routes['POST /api/appointments'] = () => answer
    renderPatient()
    await chooseSlot(user)
    const book = screen.getByRole('button', { name: `Book ${hhmm(iso(slot1))}` })
    await user.click(book)
    await waitFor(() => expect(screen.getByTestId('book-result').textContent).toBe('the database is busy; try again'))
    answer = { status: 201, body: appointment('a00000000000000000000003', slot1) }
    await user.click(book)
    await waitFor(() => expect(screen.getByTestId('book-result').textContent).toContain('Booked:'))
    const keys = calls.filter((c) => c.method === 'POST').map((c) => c.headers.get('Idempotency-Key'))
    expect(keys).toHaveLength(2)
    expect(keys[0]).toBeTruthy()
    expect(keys[1]).toBe(keys[0])
  })

  it('shows the server\'s message when the time was taken, and loads the free times again', async () => {
    const user = userEvent.setup()
    routes['POST /api/appointments'] = apiError(409, 'conflict', 'that time was just booked by someone else')
    renderPatient()
    await chooseSlot(user)
    const slotLoads = () => calls.filter((c) => c.path === `/api/doctors/${chen}/slots`).length
    const before = slotLoads()
    await user.click(screen.getByRole('button', { name: `Book ${hhmm(iso(slot1))}` }))
    await waitFor(() =>
      expect(screen.getByTestId('book-result').textContent).toBe('that time was just booked by someone else'),
    )
    await waitFor(() => expect(slotLoads()).toBe(before + 1))
    // What was typed stays; the taken time is no longer chosen.
    expect((screen.getByLabelText('Reason for the visit (optional)') as HTMLTextAreaElement).value).toBe('chest pain')
    expect((screen.getByRole('radio', { name: hhmm(iso(slot1)) }) as HTMLInputElement).checked).toBe(false)
  })
})
