// Words and dates of the patient's screen, in plain language.
import type { AppointmentStatus } from '../../api/types'

/** What each status means to the patient, and the tag colour it gets. */
export const statusWords: Record<AppointmentStatus, { text: string; tone: string }> = {
  scheduled: { text: 'Booked', tone: 'pt-tag-booked' },
  'checked-in': { text: 'Checked in', tone: 'tag-warn' },
  called: { text: 'Called — please go in', tone: 'tag-urgent' },
  'in-consultation': { text: 'With the doctor', tone: 'tag-ok' },
  completed: { text: 'Seen', tone: 'tag-ok' },
  cancelled: { text: 'Cancelled', tone: 'pt-tag-off' },
  'no-show': { text: 'Missed', tone: 'pt-tag-off' },
}

/** "Fri 28 Nov", with the year when it is not this year. */
export function dayLabel(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso
  const thisYear = d.getFullYear() === new Date().getFullYear()
  return d.toLocaleDateString([], {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(thisYear ? {} : { year: 'numeric' }),
  })
}

/** "1st", "2nd", "3rd", "4th", … for a place in the queue. */
export function ordinal(n: number): string {
  const tens = n % 100
  if (tens >= 11 && tens <= 13) return `${n}th`
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`
}

/**
 * A fresh Idempotency-Key. crypto.randomUUID exists only on secure pages (https, localhost, the desktop
 * app); a hospital network may serve plain http, so the key is made from getRandomValues there.
 */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}
