// How the reception screen words things: triage levels, statuses, minutes, days and ID checks.
import { hhmm, today } from '../../api/client'
import { formatDate } from '../../api/time'
import type { Appointment, AppointmentStatus, Department } from '../../api/types'
import type { StatusWords } from '../../components/labels'

/** The ESI levels with a short meaning each, for the triage selects. */
export const esiLevels: readonly { level: number; meaning: string }[] = [
  { level: 1, meaning: 'Resuscitation, immediate' },
  { level: 2, meaning: 'Emergent, high risk' },
  { level: 3, meaning: 'Urgent, several resources' },
  { level: 4, meaning: 'Less urgent, one resource' },
  { level: 5, meaning: 'Non-urgent, no resources' },
]

/** What a check-in gets when no level is chosen (CheckInRequest.triage's default). */
export const defaultTriage = 4

/** The statuses as the desk says them, and their tags' tones (for StatusTag). */
export const statusWords: StatusWords = {
  scheduled: { text: 'Booked', tone: '' },
  'checked-in': { text: 'Waiting', tone: '' },
  called: { text: 'Called', tone: 'tag-ok' },
  'in-consultation': { text: 'In consultation', tone: 'tag-ok' },
  completed: { text: 'Seen', tone: '' },
  cancelled: { text: 'Cancelled', tone: 'tag-warn' },
  'no-show': { text: 'No-show', tone: 'tag-warn' },
}

/** The statuses, in the order of a day, for the status filter. */
export const statuses = Object.keys(statusWords) as AppointmentStatus[]

/** Minutes as "8 min" or "1 h 05 min"; fractions are rounded. */
export function minutesText(m: number): string {
  const r = Math.max(0, Math.round(m))
  if (r < 60) return `${r} min`
  return `${Math.floor(r / 60)} h ${String(r % 60).padStart(2, '0')} min`
}

/** An estimated wait: "next" at 0, else "~8 min". */
export function estimateText(m: number | undefined): string {
  if (m === undefined) return '—'
  return m <= 0 ? 'next' : `~${minutesText(m)}`
}

/** A date (YYYY-MM-DD) as "Fri 27 Nov", or "today". */
export function dayText(date: string): string {
  if (date === today()) return 'today'
  return formatDate(date, false)
}

/** When an appointment is: "09:15 today" or "09:15 Fri 27 Nov". */
export function whenText(start: string): string {
  return `${hhmm(start)} ${dayText(today(new Date(start)))}`
}

/** The department's name, or its id when it is not (yet) known. */
export function departmentName(departments: Department[] | undefined, id: string): string {
  return departments?.find((d) => d.id === id)?.name ?? id
}

/** "Ticket 12 — Cardiology": what a check-in or admission gave. */
export function ticketText(a: Appointment, departments: Department[] | undefined): string {
  return `Ticket ${a.ticket?.number ?? '?'} — ${departmentName(departments, a.department)}`
}

/** Patient and appointment ids are 24 lowercase hex digits; people may type capitals or spaces. */
export function cleanID(s: string): string {
  return s.trim().toLowerCase()
}

/** Whether s is a well-formed id (after cleanID). */
export function isID(s: string): boolean {
  return /^[0-9a-f]{24}$/.test(s)
}
