// Words and dates of the patient's screen, in plain language.
import { shortDay, type StatusWords } from '../../components/labels'

/** What each status means to the patient, and the tag colour it gets. */
export const statusWords: StatusWords = {
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
  return shortDay(typeof iso === 'string' ? new Date(iso) : iso)
}

/** "1st", "2nd", "3rd", "4th", … for a place in the queue. */
export function ordinal(n: number): string {
  const tens = n % 100
  if (tens >= 11 && tens <= 13) return `${n}th`
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`
}

