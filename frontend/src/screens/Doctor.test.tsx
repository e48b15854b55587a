// The doctor's screen against a fake hub and canned REST answers: the queue from the snapshot and live
// events, the consultation steps and their states, calm answers when nobody waits, and triage.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Appointment, Dashboard, QueueEvent, QueueSnapshot } from '../api/types'
import { DoctorScreen } from './Doctor'
import { apiError, fakeServer, type Call } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { signIn } from '../test/session'

const me = 'd0000000000000000000000a'
const other = 'd0000000000000000000000b'
const day = '2026-11-27'
const snapAt = '2026-11-27T10:00:00.000Z'

/** A waiting ticket of cardiology. */
function ticket(n: number, over: Partial<Appointment> = {}, triage = 4): Appointment {
  return {
    id: `a00000000000000000000${String(n).padStart(3, '0')}`,
    patient_id: `p00000000000000000000${String(n).padStart(3, '0')}`,
    patient_name: `Patient ${n}`,
    doctor_id: me,
    doctor_name: 'Dr. Clara Chen',
    department: 'cardiology',
    start: '2026-11-27T09:00:00Z',
    end: '2026-11-27T09:15:00Z',
    status: 'checked-in',
    walk_in: false,
    emergency: false,
    created_by: 'staff',
    created_at: '2026-11-26T09:00:00Z',
    ticket: { number: n, department: 'cardiology', day, triage, checked_in_at: '2026-11-27T09:40:00Z' },
    ...over,
  }
}

/** A ticket this doctor called (or is seeing). */
function calledByMe(a: Appointment, status: 'called' | 'in-consultation' = 'called'): Appointment {
  return {
    ...a,
    status,
    ticket: {
      ...a.ticket!,
      called_at: '2026-11-27T10:05:00Z',
      called_by: me,
      ...(status === 'in-consultation' ? { started_at: '2026-11-27T10:06:00Z' } : {}),
    },
  }
}

const profile = {
  id: me,
  name: 'Dr. Clara Chen',
  specialty: 'Cardiology',
  department: 'cardiology',
  slot_minutes: 15,
  weekly: [],
  breaks: [],
  leave: [],
}

/** The waits of a queue.changed event for tickets in call order, 12 minutes apart. */
function waitsOf(list: Appointment[]): QueueEvent['waits'] {
  return list.map((a, i) => ({
    appointment_id: a.id,
    number: a.ticket!.number,
    position: i + 1,
    estimated_wait_minutes: i * 12,
  }))
}

function placed(list: Appointment[]): Appointment[] {
  return list.map((a, i) => ({ ...a, ticket: { ...a.ticket!, position: i + 1, estimated_wait_minutes: i * 10 } }))
}

let live: FakeLive
let waiting: Appointment[]
let serving: Appointment[]
let routes: Parameters<typeof fakeServer>[0]
let calls: Call[]

function snapshot(): QueueSnapshot {
  return {
    department: 'cardiology',
    day,
    at: snapAt,
    waiting: placed(waiting),
    serving,
    stats: {
      waiting: waiting.length,
      in_consultation: 0,
      seen: 0,
      average_wait_minutes: 0,
      longest_wait_minutes: 0,
      longest_wait_today_minutes: 0,
      average_consultation_minutes: 0,
    },
  }
}

function dashboard(): Dashboard {
  return {
    doctor: profile,
    day,
    appointments: waiting.filter((a) => a.doctor_id === me),
    queue: placed(waiting).filter((a) => !a.doctor_id || a.doctor_id === me),
    current: serving.find((a) => a.ticket?.called_by === me),
    seen: 2,
    average_consultation_minutes: 11,
  }
}

beforeEach(() => {
  signIn({ id: me, role: 'doctor', name: 'Dr. Clara Chen' })
  live = new FakeLive()
  waiting = [ticket(3), ticket(1), ticket(2, { doctor_id: other, doctor_name: 'Dr. David Novak' })]
  serving = []
  routes = {
    'GET /api/doctors/d0000000000000000000000a': { body: profile },
    'GET /api/departments': { body: { items: [{ id: 'cardiology', name: 'Cardiology' }] } },
    'GET /api/doctors/d0000000000000000000000a/dashboard': () => ({ body: dashboard() }),
    'GET /api/queues/cardiology': () => ({ body: snapshot() }),
    'GET /api/admissions': { body: { items: [], total: 0, page: 1, limit: 50 } },
    'GET /api/wards': { body: { items: [] } },
  }
  calls = fakeServer(routes)
})

afterEach(() => {
  vi.restoreAllMocks()
})

function renderDoctor() {
  return renderLive(live, <DoctorScreen />)
}

const rows = () => screen.getAllByTestId(/^queue-ticket-/).map((r) => r.dataset.testid)
const button = (name: string) =>
  within(screen.getByTestId('current-ticket')).getByRole('button', { name }) as HTMLButtonElement

describe('DoctorScreen', () => {
  it('renders my queue from the snapshot and follows queue.changed events', async () => {
    renderDoctor()
    // Ticket 2 is booked with another doctor: not in my queue.
    await waitFor(() => expect(rows()).toEqual(['queue-ticket-3', 'queue-ticket-1']))
    expect(screen.getByTestId('queue-ticket-3').textContent).toContain('Patient 3')
    expect(live.channels()).toEqual(expect.arrayContaining([`queue:doctor:${me}`, 'queue:dept:cardiology']))

    // A walk-in at ESI 2 checks in and goes first: urgent, counted, and highlighted.
    const walkIn = ticket(4, { doctor_id: undefined, doctor_name: undefined, walk_in: true, emergency: true }, 2)
    const ev: QueueEvent = { action: 'emergency', appointment: walkIn, waits: waitsOf([walkIn, ...waiting]) }
    live.emit('queue:dept:cardiology', 'queue.changed', ev, '2026-11-27T10:01:00Z')
    expect(rows()).toEqual(['queue-ticket-4', 'queue-ticket-3', 'queue-ticket-1'])
    expect(screen.getByTestId('queue-ticket-4').classList.contains('dd-urgent')).toBe(true)
    expect(screen.getByTestId('queue-ticket-3').textContent).toContain('est. 12 min')
    expect(screen.getByTestId('urgent-count').textContent).toContain('1 urgent')

    // Another doctor calls ticket 3: it leaves the list, with no reload.
    const before = calls.length
    const taken = { ...waiting[0]!, status: 'called' as const, ticket: { ...waiting[0]!.ticket!, called_by: other } }
    const called: QueueEvent = { action: 'called', appointment: taken, waits: waitsOf([walkIn, ...waiting.slice(1)]) }
    live.emit('queue:dept:cardiology', 'queue.changed', called, '2026-11-27T10:02:00Z')
    expect(rows()).toEqual(['queue-ticket-4', 'queue-ticket-1'])
    expect(calls.length).toBe(before)
  })

  it('"Call next" posts to the department\'s next and shows the called ticket', async () => {
    const user = userEvent.setup()
    routes['POST /api/queues/cardiology/next'] = { body: calledByMe(ticket(3)) }
    renderDoctor()
    await waitFor(() => expect(rows()).toHaveLength(2))
    await user.click(button('Call next'))
    await waitFor(() => expect(screen.getByTestId('current-number').textContent).toContain('3'))
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.path).toBe('/api/queues/cardiology/next')
    expect(within(screen.getByTestId('current-ticket')).getByText('Patient 3')).toBeTruthy()
    expect(rows()).toEqual(['queue-ticket-1'])
  })

  // Start opens the chart too, which reads the patient's record and lists: slow on a busy machine.
  it('enables Start only when called and Finish only in consultation', { timeout: 15_000 }, async () => {
    const user = userEvent.setup()
    serving = [calledByMe(ticket(5))]
    const seeing = calledByMe(ticket(5), 'in-consultation')
    routes['POST /api/queue/tickets/a00000000000000000000005/start'] = { body: seeing }
    routes['POST /api/queue/tickets/a00000000000000000000005/finish'] = { body: { ...seeing, status: 'completed' } }
    renderDoctor()
    await waitFor(() => expect(screen.getByTestId('current-number').textContent).toContain('5'))
    expect(button('Call next').disabled).toBe(true)
    expect(button('Start').disabled).toBe(false)
    expect(button('Finish').disabled).toBe(true)
    expect(button('No-show').disabled).toBe(false)
    expect(button('Back to queue').disabled).toBe(false)

    await user.click(button('Start'))
    await waitFor(() => expect(button('Finish').disabled).toBe(false))
    expect(button('Start').disabled).toBe(true)
    expect(button('No-show').disabled).toBe(true)
    expect(calls.filter((c) => c.method === 'POST').at(-1)?.path).toBe('/api/queue/tickets/a00000000000000000000005/start')
    // Starting the consultation opens the patient's chart on the visit.
    expect(await screen.findByTestId('chart')).toBeTruthy()

    await user.click(button('Finish'))
    await waitFor(() => expect(button('Call next').disabled).toBe(false))
    expect(button('Start').disabled).toBe(true)
    expect(button('Finish').disabled).toBe(true)
    expect(screen.getByTestId('current-notice').textContent).toContain('Ticket 5 finished.')
    // The chart stays open after the visit.
    expect(screen.getByTestId('chart')).toBeTruthy()
  })

  it('lists my inpatients, whose names come from the REST read, and opens a chart from one', async () => {
    const user = userEvent.setup()
    routes['GET /api/admissions'] = (c) => {
      expect(c.query.get('doctor')).toBe('me')
      expect(c.query.get('active')).toBe('true')
      return {
        body: {
          items: [
            {
              id: 'ad1',
              patient_id: 'p00000000000000000000009',
              patient_name: 'Grace Hopper',
              ward_id: 'card-1',
              bed_id: 'b1',
              bed_label: 'A2',
              doctor_id: me,
              source: 'planned',
              reason: 'Observation',
              status: 'active',
              admitted_at: '2026-11-25T15:00:00Z',
              admitted_by: me,
            },
          ],
          total: 1,
          page: 1,
          limit: 50,
        },
      }
    }
    routes['GET /api/wards'] = {
      body: { items: [{ id: 'card-1', name: 'Cardiology ward', department: 'cardiology', total: 4, occupied: 1, free: 3, created_at: '2026-01-01T00:00:00Z' }] },
    }
    routes['GET /api/patient/p00000000000000000000009'] = {
      body: { id: 'p00000000000000000000009', name: 'Grace Hopper', medical_history: '', revision: 0, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
    }
    renderDoctor()
    const panel = await screen.findByTestId('inpatients')
    await waitFor(() => expect(panel.textContent).toContain('Cardiology ward, bed A2 · since Wed 25 Nov'))
    await user.click(within(panel).getByRole('button', { name: 'Open the chart of Grace Hopper' }))
    expect(await screen.findByRole('heading', { name: 'Chart: Grace Hopper' })).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Close chart' }))
    expect(screen.queryByTestId('chart')).toBeNull()
  })

  it.each([
    [404, 'not_found', 'nobody is waiting in this queue for you', 'Nobody is waiting for you right now.'],
    [409, 'conflict', 'the appointment is called: it cannot be called', 'Another doctor took that patient'],
  ])('a %i on "Call next" shows a calm message', async (status, code, message, shown) => {
    const user = userEvent.setup()
    routes['POST /api/queues/cardiology/next'] = apiError(status, code, message)
    renderDoctor()
    await waitFor(() => expect(rows()).toHaveLength(2))
    await user.click(button('Call next'))
    const notice = await screen.findByText(new RegExp(shown))
    expect(notice.classList.contains('dd-calm')).toBe(true)
    expect(screen.queryByRole('alert')).toBeNull()
    expect(button('Call next').disabled).toBe(false)
  })

  it('N calls the next patient from the keyboard', async () => {
    const user = userEvent.setup()
    routes['POST /api/queues/cardiology/next'] = { body: calledByMe(ticket(1)) }
    renderDoctor()
    await waitFor(() => expect(rows()).toHaveLength(2))
    await user.keyboard('n')
    await waitFor(() => expect(screen.getByTestId('current-number').textContent).toContain('1'))
  })

  it('changes a ticket\'s triage level', async () => {
    const user = userEvent.setup()
    routes['POST /api/queue/tickets/a00000000000000000000001/triage'] = (c) => ({
      body: ticket(1, {}, (c.body as { level: number }).level),
    })
    renderDoctor()
    const row = await screen.findByTestId('queue-ticket-1')
    await user.click(within(row).getByRole('button', { name: 'Triage' }))
    await user.selectOptions(screen.getByLabelText('Triage level'), '2')
    await user.type(screen.getByLabelText('Reason (optional)'), 'worse pain')
    await user.click(screen.getByRole('button', { name: 'Save triage' }))
    await waitFor(() => expect(within(screen.getByTestId('queue-ticket-1')).getByText('ESI 2')).toBeTruthy())
    expect(calls.at(-1)?.body).toEqual({ level: 2, reason: 'worse pain' })
  })
})
