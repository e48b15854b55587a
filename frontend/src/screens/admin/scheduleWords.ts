// The server's schedule errors in people's words: it names periods by their place in the request
// ("weekly[2] overlaps weekly[0]", "breaks[0].start: …", "slot_minutes must be …"); the screen names
// them by weekday and hours, as the admin sees them.
import type { components } from '../../api/schema'

type ScheduleRequest = components['schemas']['ScheduleRequest']
type Hours = components['schemas']['Hours']

export const weekdayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

const partWords: Record<string, string> = { start: 'start', end: 'end', weekday: 'day' }

function describe(h: Hours | undefined, kind: 'weekly' | 'breaks'): string {
  if (!h) return kind === 'weekly' ? 'a working period' : 'a break'
  const day = h.weekday === undefined ? 'every day' : weekdayNames[h.weekday]
  const hours = `${h.start}–${h.end}`
  return kind === 'weekly' ? `${day} ${hours}` : `the break ${hours} (${day})`
}

/** message with each period named by its day and hours, and slot_minutes as the slot length. */
export function scheduleMessage(message: string, sent: ScheduleRequest): string {
  const out = message
    .replace(/(weekly|breaks)\[(\d+)\](?:\.(start|end|weekday))?/g, (_, kind: 'weekly' | 'breaks', i: string, part?: string) => {
      const list = kind === 'weekly' ? sent.weekly : (sent.breaks ?? [])
      const name = describe(list[Number(i)], kind)
      return part ? `the ${partWords[part]} of ${name}` : name
    })
    .replace(/slot_minutes/g, 'the slot length (minutes)')
  return out.charAt(0).toUpperCase() + out.slice(1)
}
