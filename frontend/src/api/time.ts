// The hospital's time: every date and time a screen shows, and every "today", is in the hospital's zone
// and written in its locale (GET /api/hospital, loaded at start-up), never the zone of the computer the
// screen runs on — a desk in another zone still sees the hospital's day. One format throughout:
//   formatDate   "Mon 7 Dec 2026"            (the year left out when it is this year, if asked)
//   formatTime   "14:05"
//   formatDateTime "Mon 7 Dec 2026, 14:05"
//   zoneName     "GMT", "CET", shown beside times where the zone matters
export interface Hospital {
  name: string
  time_zone: string
  locale: string
  today: string
  now: string
}

let zone = 'UTC'
let locale = 'en-GB'
let name = 'HMS'
/** How far the server's clock is ahead of this computer's, in ms. */
let skew = 0
const formats = new Map<string, Intl.DateTimeFormat>()

/** Loads the hospital's zone and locale; until it has, screens use UTC and en-GB. */
export async function loadHospital(fetchFn: typeof fetch = (...a) => fetch(...a)): Promise<Hospital> {
  const res = await fetchFn('/api/hospital')
  if (!res.ok) throw new Error(`the server answered ${res.status}`)
  const h = (await res.json()) as Hospital
  setHospital(h)
  return h
}

/** Sets the hospital's zone and locale (start-up, and tests). */
export function setHospital(h: Pick<Hospital, 'time_zone' | 'locale'> & Partial<Hospital>): void {
  zone = h.time_zone
  locale = h.locale
  if (h.name) name = h.name
  skew = h.now ? new Date(h.now).getTime() - Date.now() : 0
  formats.clear()
}

export function hospitalZone(): string {
  return zone
}

/** The hospital's locale (HOSPITAL_LOCALE), in which numbers and money are written too. */
export function hospitalLocale(): string {
  return locale
}

export function hospitalName(): string {
  return name
}

/** The time now by the server's clock (this computer's, corrected by the skew seen at start-up). */
export function nowMs(): number {
  return Date.now() + skew
}

function format(key: string, o: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = formats.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: zone, ...o })
    formats.set(key, f)
  }
  return f
}

function asDate(t: string | Date | number): Date {
  return t instanceof Date ? t : new Date(t)
}

/** The parts of a moment in the hospital's zone. */
function parts(t: Date): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of format('parts', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(t)) {
    out[p.type] = p.value
  }
  return out
}

/** The hospital's date of a moment as YYYY-MM-DD (today by default). */
export function dayOf(t: string | Date | number = nowMs()): string {
  const p = parts(asDate(t))
  return `${p.year}-${p.month}-${p.day}`
}

/** A YYYY-MM-DD day as the moment of noon UTC that day, to write it without crossing a day boundary. */
function dayMoment(day: string): Date {
  return new Date(`${day}T12:00:00Z`)
}

/** "14:05": the time of a moment in the hospital's zone, 24-hour. */
export function formatTime(t: string | Date | number): string {
  return format('time', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(asDate(t))
}

/**
 * "Mon 7 Dec 2026": the hospital's day of a moment, or a YYYY-MM-DD day as it is. withYear 'auto'
 * leaves the year out when it is this year.
 */
export function formatDate(t: string | Date | number, withYear: boolean | 'auto' = true): string {
  const isDay = typeof t === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(t)
  const day = isDay ? (t as string) : dayOf(t)
  const year = withYear === true || (withYear === 'auto' && day.slice(0, 4) !== dayOf().slice(0, 4))
  const o: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short' }
  if (year) o.year = 'numeric'
  // A day is written in UTC at noon, so no zone can move it to the day before or after.
  const f = new Intl.DateTimeFormat(locale, { ...o, timeZone: 'UTC' })
  return f.format(dayMoment(day)).replace(/,(?= \d)/g, '')
}

/** "Mon 7 Dec 2026, 14:05" (the year left out when it is this year, with withYear 'auto'). */
export function formatDateTime(t: string | Date | number, withYear: boolean | 'auto' = true): string {
  return `${formatDate(t, withYear)}, ${formatTime(t)}`
}

/** The zone's short name at a moment ("GMT", "BST", "GMT+13"), to show beside a time where it matters. */
export function zoneName(t: string | Date | number = nowMs()): string {
  const p = format('zone', { timeZoneName: 'short' })
    .formatToParts(asDate(t))
    .find((x) => x.type === 'timeZoneName')
  return p?.value ?? zone
}
