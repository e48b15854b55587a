// Where to search from without the browser's location: typed coordinates ("51.5, -0.12"), or a place
// the directory itself knows (a hospital's name, or a town or street in its address). Turning a postcode
// or any address into coordinates needs an internet geocoding service, which HMS does not call: nothing
// is sent anywhere but this server.
import type { HospitalEntry } from '../../api/types'

export interface Point {
  lat: number
  lng: number
  /** What the point is, in words: "your location", "51.5, -0.12", "near Kings Cross Hospital". */
  label: string
}

const coordinates = /^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$/

/**
 * The point typed coordinates name ("lat, lng" within range), an error for coordinates out of range,
 * or null when the text is not coordinates (then it is a place to look for in the directory).
 */
export function parseCoordinates(text: string): Point | { error: string } | null {
  const m = coordinates.exec(text)
  if (!m) return null
  const lat = Number(m[1])
  const lng = Number(m[2])
  if (Math.abs(lat) > 90) return { error: `The latitude ${m[1]} is not from -90 to 90.` }
  if (Math.abs(lng) > 180) return { error: `The longitude ${m[2]} is not from -180 to 180.` }
  return { lat, lng, label: `${lat}, ${lng}` }
}

/** The point near a directory entry found for the typed place. */
export function nearEntry(place: string, h: HospitalEntry): Point {
  const byName = h.name.toLowerCase().includes(place.trim().toLowerCase())
  return { lat: h.lat, lng: h.lng, label: byName ? `near ${h.name}` : `near ${place.trim()} (${h.name})` }
}

/** What to say when the directory knows no such place. */
export function notFound(place: string): string {
  return (
    `No hospital in the directory has “${place.trim()}” in its name or address. Type coordinates such as “51.507, -0.128”: ` +
    'looking up postcodes and street addresses needs an internet service this system does not use.'
  )
}

/** The places the fallback suggests: the directory's names and the towns or streets of its addresses. */
export function placeSuggestions(entries: readonly HospitalEntry[]): string[] {
  const out = new Set<string>()
  for (const h of entries) {
    out.add(h.name)
    for (const part of h.address.split(',')) {
      const p = part.trim()
      if (p) out.add(p)
    }
  }
  return [...out].sort((a, b) => a.localeCompare(b))
}

/** A distance in km as people read it: "0.4 km", "2.6 km", "83 km" from 100 km. */
export function formatDistance(km: number): string {
  if (km < 100) return `${km.toFixed(1)} km`
  return `${Math.round(km)} km`
}

/** The services a search can be narrowed to, as the directory names them. */
export const serviceLabels: Record<string, string> = {
  emergency: 'Emergency',
  icu: 'Intensive care',
  maternity: 'Maternity',
  pediatrics: 'Children',
  surgery: 'Surgery',
  cardiology: 'Heart',
  oncology: 'Cancer',
  radiology: 'Imaging',
  dialysis: 'Dialysis',
  psychiatry: 'Mental health',
  trauma: 'Trauma',
  burns: 'Burns',
  stroke: 'Stroke',
  pharmacy: 'Pharmacy',
  laboratory: 'Laboratory',
  outpatient: 'Outpatients',
}
