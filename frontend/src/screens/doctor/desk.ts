// The doctor's desk as data: the department's queue and the doctor's day, built from the REST snapshot
// and kept current by the live events, with no React in it. Every function returns a new Desk (or the
// same one when nothing changed), or null when an event names a ticket the desk does not know, which
// means something was missed and the snapshot must be loaded again.
import { today } from '../../api/client'
import type {
  Appointment,
  AppointmentEvent,
  Dashboard,
  LiveEvent,
  QueueEvent,
  QueueSnapshot,
  QueueWaits,
  TicketWait,
} from '../../api/types'

export interface Desk {
  /** The server time of the queue snapshot: events stamped before it are already in it ('' without one). */
  at: string
  /** The day the desk shows (YYYY-MM-DD, the hospital's calendar). */
  day: string
  /** The department's waiting tickets in call order, each with its position and estimate. */
  waiting: Appointment[]
  /** The department's tickets being served (called or in consultation), by any doctor. */
  serving: Appointment[]
  /** The doctor's booked appointments of the day, by start. */
  appointments: Appointment[]
  /** Patients this doctor has finished today. */
  seen: number
  /** This doctor's mean consultation today, in minutes (0 before the first). */
  averageConsultation: number
}

/** ESI levels 1 and 2 go first and raise an alert. */
export const isUrgent = (a: Appointment): boolean => (a.ticket?.triage ?? 5) <= 2

const isServing = (a: Appointment) => a.status === 'called' || a.status === 'in-consultation'

/** The desk from the doctor's dashboard and, when the doctor has a department, its queue snapshot. */
export function deskFrom(dash: Dashboard, snap: QueueSnapshot | null): Desk {
  return {
    at: snap?.at ?? '',
    day: dash.day,
    waiting: snap?.waiting ?? dash.queue,
    serving: snap?.serving ?? (dash.current ? [dash.current] : []),
    appointments: byStart(dash.appointments),
    seen: dash.seen,
    averageConsultation: dash.average_consultation_minutes,
  }
}

/** Tickets the doctor may call: booked with them or with nobody, in call order. */
export function mine(d: Desk, me: string): Appointment[] {
  return d.waiting.filter((a) => !a.doctor_id || a.doctor_id === me)
}

/** The tickets this doctor has called or is seeing. */
export function myServing(d: Desk, me: string): Appointment[] {
  return d.serving.filter((a) => a.ticket?.called_by === me)
}

/**
 * Applies one live event. queue.changed is taken from the department's channel only: the doctor's own
 * channel repeats the same changes with its own numbering, and mixing two streams could put an older
 * state after a newer one. From the doctor's channel come the bookings not yet checked in.
 */
export function applyEvent(d: Desk, e: LiveEvent, me: string): Desk | null {
  if (Date.parse(e.at) < Date.parse(d.at)) return d
  const fromDept = e.channel.startsWith('queue:dept:')
  switch (e.type) {
    case 'queue.changed': {
      if (!fromDept) return d
      const ev = e.data as QueueEvent
      const a = withKnown(d, ev.appointment)
      const next = withWaits(withAppointment(d, a, me), ev.waits, a)
      if (next && ev.action === 'finished' && a.ticket?.called_by === me) next.seen = d.seen + 1
      return nameless(next, a) ? null : next
    }
    case 'queue.waits':
      return fromDept ? withWaits(d, (e.data as QueueWaits).waits) : d
    case 'appointment.changed': {
      if (fromDept) return d
      const a = withKnown(d, (e.data as AppointmentEvent).appointment)
      const next = withBooking(d, a, me)
      return nameless(next, a) ? null : next
    }
  }
  return d
}

/**
 * Live events carry neither the reason nor the patient's name (the server keeps them out of the event
 * stream, which is stored in clear): an appointment keeps the ones the desk read over REST for the same
 * id.
 */
function withKnown(d: Desk, a: Appointment): Appointment {
  if (a.reason && a.patient_name) return a
  const was = [...d.waiting, ...d.serving, ...d.appointments].find((x) => x.id === a.id)
  if (!was) return a
  return { ...a, reason: a.reason || was.reason, patient_name: a.patient_name || was.patient_name }
}

/**
 * Whether an event put on the desk an appointment it has no name for (one first seen in an event): the
 * snapshot is then loaded again over REST, where the name comes from.
 */
function nameless(d: Desk | null, a: Appointment): boolean {
  if (!d || a.patient_name) return false
  return [...d.waiting, ...d.serving, ...d.appointments].some((x) => x.id === a.id)
}

/** Applies the appointment an action answered with, before its event arrives. */
export function applyResult(d: Desk, a: Appointment, me: string): Desk {
  const next = withAppointment(d, a, me)
  return { ...next, waiting: next.waiting.filter((x) => x.id !== a.id || a.status === 'checked-in') }
}

/** The desk with one appointment's new state: served or not, and in the doctor's day. */
function withAppointment(d: Desk, a: Appointment, me: string): Desk {
  const serving = d.serving.filter((x) => x.id !== a.id)
  if (isServing(a)) serving.push(a)
  const waiting = d.waiting.map((x) => (x.id === a.id ? keepPlace(a, x) : x))
  return { ...withBooking(d, a, me), serving, waiting }
}

/**
 * The desk with the waiting list rebuilt in the order of waits; null when a ticket is unknown. changed is
 * the event's appointment, which may have just joined the queue (checked in, or back from a doctor).
 */
function withWaits(d: Desk, waits: TicketWait[], changed?: Appointment): Desk | null {
  const known = new Map<string, Appointment>()
  for (const a of [...d.waiting, ...d.serving]) known.set(a.id, a)
  if (changed) known.set(changed.id, changed)
  const waiting: Appointment[] = []
  for (const w of waits) {
    const a = known.get(w.appointment_id)
    if (!a?.ticket) return null
    waiting.push(placedAt(a, w.position, w.estimated_wait_minutes))
  }
  return { ...d, waiting }
}

/** The desk's day with a booking added, replaced, or dropped when it is no longer this doctor's today. */
function withBooking(d: Desk, a: Appointment, me: string): Desk {
  const rest = d.appointments.filter((x) => x.id !== a.id)
  const ours = a.doctor_id === me && dayOf(a) === d.day
  if (!ours && rest.length === d.appointments.length) return d
  return { ...d, appointments: ours ? byStart([...rest, a]) : rest }
}

/** An appointment's new state keeping the place in the queue it had (events carry no position). */
function keepPlace(a: Appointment, was: Appointment): Appointment {
  return was.ticket ? placedAt(a, was.ticket.position, was.ticket.estimated_wait_minutes) : a
}

/** A waiting ticket with its place in the call order and its estimate. */
function placedAt(a: Appointment, position?: number, estimate?: number): Appointment {
  if (!a.ticket) return a
  return { ...a, ticket: { ...a.ticket, position, estimated_wait_minutes: estimate } }
}

function dayOf(a: Appointment): string {
  return a.ticket?.day ?? today(new Date(a.start))
}

function byStart(list: Appointment[]): Appointment[] {
  return [...list].sort((x, y) => Date.parse(x.start) - Date.parse(y.start))
}
