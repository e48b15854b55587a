// A wall-clock time on a day in the hospital's zone as the moment it names (ISO, UTC), for the forms
// that ask for a day and a time (leave). Built on api/time.ts, so it follows the hospital's zone, never
// this computer's.
import { dayOf, formatTime } from '../../api/time'

/** The hospital's wall-clock reading of a moment, written as if it were UTC, in ms. */
function wallMs(ms: number): number {
  return Date.parse(`${dayOf(ms)}T${formatTime(ms)}:00Z`)
}

/** The moment of hh:mm on day (YYYY-MM-DD) in the hospital's zone; "24:00" is the next day's midnight. */
export function hospitalMoment(day: string, hhmm: string): string {
  const naive = Date.parse(`${day}T00:00:00Z`) + minutesOf(hhmm) * 60_000
  // The zone's offset at the guess, then again at the answer (they differ across a clock change).
  let ms = naive - (wallMs(naive) - naive)
  ms = naive - (wallMs(ms) - ms)
  return new Date(ms).toISOString()
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number)
  return (h ?? 0) * 60 + (m ?? 0)
}

/** The day after a YYYY-MM-DD day. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}
