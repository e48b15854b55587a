// Nearby hospitals, for the patient portal and the reception desk: the browser's location is asked for
// (navigator.geolocation); without it, a place the directory knows or typed coordinates (place.ts). The
// list — name, distance, services, phone, and for the hospital's own sites the live emergency wait and
// free beds — is the answer of GET /api/hospitals/nearby and works without the map. The map (Leaflet,
// loaded only then) shows when the server has a tile URL (MAP_TILE_URL or Google's, in GET /api/hospital); its tiles
// are the only thing fetched from elsewhere, and the page's Content-Security-Policy allows that host only.
import { lazy, Suspense, useCallback, useEffect, useState, type FormEvent } from 'react'
import { api, messageOf } from '../../api/client'
import { $api } from '../../api/query'
import type { NearbyHospital } from '../../api/types'
import { ErrorText, LoadError } from '../../components/forms'
import { formatDistance, nearEntry, notFound, parseCoordinates, placeSuggestions, serviceLabels, type Point } from './place'
import './nearby.css'

const NearbyMap = lazy(() => import('./NearbyMap').then((m) => ({ default: m.NearbyMap })))

const radii = [5, 10, 25, 50, 100, 250]

function useNearbyQuery(point: Point | null, service: string, radius: number) {
  return $api.useQuery(
    'get',
    '/api/hospitals/nearby',
    {
      params: {
        query: {
          lat: point?.lat ?? 0,
          lng: point?.lng ?? 0,
          radius_km: radius,
          limit: 10,
          ...(service ? { service: service as 'emergency' } : {}),
        },
      },
    },
    { enabled: point !== null },
  )
}

type Locating = 'idle' | 'asking' | 'denied' | 'unavailable'

export function NearbyHospitals({ level = 1 }: { level?: 1 | 2 }) {
  const H = level === 1 ? 'h1' : 'h2'
  const hospital = $api.useQuery('get', '/api/hospital', undefined, { staleTime: 5 * 60_000 })
  const [point, setPoint] = useState<Point | null>(null)
  const [locating, setLocating] = useState<Locating>('idle')
  const [service, setService] = useState('')
  const [radius, setRadius] = useState(50)
  const nearby = useNearbyQuery(point, service, radius)
  const tiles = hospital.data?.map_tile_url ?? ''
  const attribution = hospital.data?.map_attribution ?? ''

  const locate = useCallback(() => {
    if (!('geolocation' in navigator)) {
      setLocating('unavailable')
      return
    }
    setLocating('asking')
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating('idle')
        setPoint({ lat: pos.coords.latitude, lng: pos.coords.longitude, label: 'your location' })
      },
      (err) => setLocating(err.code === err.PERMISSION_DENIED ? 'denied' : 'unavailable'),
      { timeout: 15_000, maximumAge: 5 * 60_000 },
    )
  }, [])
  // The location is asked for once, as the panel opens; the button asks again.
  useEffect(() => locate(), [locate])

  const items = nearby.data?.items
  return (
    <div className="stack nb">
      <H>Nearby hospitals</H>
      <section className="panel stack" aria-label="Where from">
        <div className="row nb-where">
          <p className="nb-from">
            {point ? (
              <>
                Nearest to <strong>{point.label}</strong>
              </>
            ) : locating === 'asking' ? (
              'Asking your browser for your location…'
            ) : (
              'Choose where to search from.'
            )}
          </p>
          <button type="button" className="btn" onClick={locate} disabled={locating === 'asking'}>
            Use my location
          </button>
        </div>
        {locating === 'denied' && (
          <p className="muted" role="status">
            Your browser did not share your location. Type a place or coordinates instead.
          </p>
        )}
        {locating === 'unavailable' && (
          <p className="muted" role="status">
            Your location is not available here. Type a place or coordinates instead.
          </p>
        )}
        <PlaceForm onPoint={setPoint} />
        <div className="row nb-filters">
          <label>
            Service
            <select value={service} onChange={(e) => setService(e.target.value)}>
              <option value="">Any</option>
              {Object.entries(serviceLabels).map(([id, label]) => (
                <option key={id} value={id}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Within
            <select value={radius} onChange={(e) => setRadius(Number(e.target.value))}>
              {radii.map((r) => (
                <option key={r} value={r}>
                  {r} km
                </option>
              ))}
            </select>
          </label>
        </div>
      </section>
      {point && (
        <div className={tiles ? 'nb-body nb-with-map' : 'nb-body'}>
          <section className="panel stack" aria-labelledby="nb-list-h">
            <h2 id="nb-list-h">{service ? `${serviceLabels[service]} near you` : 'Nearest hospitals'}</h2>
            <LoadError error={nearby.error ? messageOf(nearby.error) : ''} retry={() => void nearby.refetch()}>
              Could not load the nearby hospitals
            </LoadError>
            {!items && !nearby.error && <p className="muted">Looking for hospitals…</p>}
            {items && items.length === 0 && (
              <p className="muted">No hospital in the directory within {radius} km. Try a wider distance.</p>
            )}
            {items && items.length > 0 && <NearbyList items={items} />}
          </section>
          {tiles && items && (
            <Suspense fallback={<p className="muted">Loading the map…</p>}>
              <NearbyMap tiles={tiles} attribution={attribution} point={point} items={items} />
            </Suspense>
          )}
        </div>
      )}
    </div>
  )
}

function NearbyList({ items }: { items: NearbyHospital[] }) {
  return (
    <ol className="nb-list" aria-label="Hospitals by distance" data-testid="nearby-list">
      {items.map((h, i) => (
        <li key={h.id} className="nb-item" data-testid="nearby-item">
          <span className="nb-rank" aria-hidden="true">
            {i + 1}
          </span>
          <div className="nb-main">
            <div className="nb-head">
              <span className="nb-name">{h.name}</span>
              <span className="nb-distance" data-testid="nearby-distance">
                {formatDistance(h.distance_km)}
              </span>
            </div>
            {h.address && <div className="muted">{h.address}</div>}
            {h.services.length > 0 && (
              <ul className="nb-services" aria-label="Services">
                {h.services.map((s) => (
                  <li key={s}>{serviceLabels[s] ?? s}</li>
                ))}
              </ul>
            )}
            {h.phone && (
              <div>
                Phone <a href={`tel:${h.phone.replace(/[^\d+]/g, '')}`}>{h.phone}</a>
              </div>
            )}
            {h.own && <Live h={h} />}
          </div>
        </li>
      ))}
    </ol>
  )
}

/** An own site's live figures, in words. */
function Live({ h }: { h: NearbyHospital }) {
  const l = h.live
  const parts: string[] = []
  if (l?.emergency_waiting !== undefined) {
    parts.push(
      l.emergency_waiting === 0
        ? 'no one waiting in Emergency'
        : `${l.emergency_waiting} waiting in Emergency`,
    )
  }
  if (l?.emergency_wait_minutes !== undefined && l.emergency_wait_minutes > 0) {
    parts.push(`about ${l.emergency_wait_minutes} min average wait today`)
  }
  if (l?.free_beds !== undefined) parts.push(`${l.free_beds} ${l.free_beds === 1 ? 'bed' : 'beds'} free`)
  return (
    <div className="nb-live">
      <span className="nb-own">Our hospital</span>
      {parts.length > 0 && <span>Now: {parts.join(', ')}</span>}
    </div>
  )
}

/** The fallback: typed coordinates, or a place the directory knows (GET /api/hospitals?q=). */
function PlaceForm({ onPoint }: { onPoint: (p: Point) => void }) {
  const directory = $api.useQuery('get', '/api/hospitals', { params: { query: { limit: 100 } } }, { staleTime: 5 * 60_000 })
  const [text, setText] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError('')
    if (!text.trim()) {
      setError('Type a place, or coordinates such as “51.507, -0.128”.')
      return
    }
    const typed = parseCoordinates(text)
    if (typed && 'error' in typed) {
      setError(typed.error)
      return
    }
    if (typed) {
      onPoint(typed)
      return
    }
    setBusy(true)
    try {
      const { data, error: err } = await api.GET('/api/hospitals', { params: { query: { q: text.trim(), limit: 1 } } })
      if (err || !data) throw new Error(err?.error.message ?? 'the directory could not be searched')
      const first = data.items[0]
      if (first) onPoint(nearEntry(text, first))
      else setError(notFound(text))
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form className="stack nb-place" onSubmit={(e) => void submit(e)} noValidate>
      <div className="row nb-place-row">
        <label className="nb-place-label">
          Or search near
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            list="nb-places"
            autoComplete="off"
            placeholder="a town, a hospital, or 51.507, -0.128"
            aria-describedby="nb-place-hint"
          />
        </label>
        <button type="submit" className="btn" disabled={busy}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </div>
      <datalist id="nb-places">
        {placeSuggestions(directory.data?.items ?? []).map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <p id="nb-place-hint" className="muted nb-hint">
        Places are the towns, streets and hospitals in the hospital directory. Postcodes are not looked up (that needs an
        internet service), so for anywhere else type coordinates.
      </p>
      <ErrorText error={error} block />
    </form>
  )
}
