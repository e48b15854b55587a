// The bed board: every ward's occupancy and beds, live. It loads the wards and each ward's board over
// REST (GET /api/wards, GET /api/wards/{id}/beds) when the `beds` channel is live and whenever the server
// says to reload; each `beds.updated` event then carries the new boards of the wards it touched, built
// under the channel's lock, so the newest event is the current board. No patient is named: a bed is
// free or occupied.
import { useCallback, useRef, useState } from 'react'
import { api, hhmm, messageOf, must } from '../api/client'
import type { BedBoard, BedsEvent } from '../api/types'
import { LoadError } from '../components/forms'
import { useChannel, useLiveState } from '../live/LiveProvider'
import './beds.css'

/** Loads every ward's board; a newer load wins over an older one still in flight. */
async function loadBoards(): Promise<BedBoard[]> {
  const { items } = await must(api.GET('/api/wards'))
  return Promise.all(items.map((w) => must(api.GET('/api/wards/{id}/beds', { params: { path: { id: w.id } } }))))
}

export function BedsScreen() {
  const [boards, setBoards] = useState<BedBoard[] | undefined>()
  const [error, setError] = useState('')
  const seq = useRef(0)
  const live = useLiveState()

  const load = useCallback(() => {
    const mine = ++seq.current
    loadBoards().then(
      (b) => {
        if (mine !== seq.current) return
        setBoards(b)
        setError('')
      },
      (e: unknown) => mine === seq.current && setError(messageOf(e)),
    )
  }, [])

  useChannel(
    'beds',
    (e) => {
      if (e.type !== 'beds.updated') return
      const data = e.data as BedsEvent
      seq.current++ // a load still in flight is older than this event
      setBoards((old) => {
        const next = new Map((old ?? []).map((b) => [b.ward.id, b]))
        for (const b of data.wards) next.set(b.ward.id, b)
        return [...next.values()].sort((x, y) => x.ward.id.localeCompare(y.ward.id))
      })
    },
    load,
    (_code, message) => setError(`Live updates refused: ${message}`),
  )

  const total = boards?.reduce((n, b) => n + b.ward.total, 0) ?? 0
  const free = boards?.reduce((n, b) => n + b.ward.free, 0) ?? 0
  return (
    <div className="stack beds">
      <div className="beds-head">
        <h1>Beds</h1>
        {boards && (
          <p className="beds-total" data-testid="beds-total">
            <strong>{free}</strong> free of {total}
          </p>
        )}
        {live.status !== 'live' && (
          <span className="tag tag-warn" role="status">
            {live.since ? `Not live since ${hhmm(live.since)}` : 'Not live yet'} — the board may be out of date
          </span>
        )}
      </div>
      {error && (
        <LoadError error={error} retry={load}>
          Could not load the bed board
        </LoadError>
      )}
      {!boards ? (
        !error && <p className="muted">Loading the wards…</p>
      ) : boards.length === 0 ? (
        <p className="muted">No wards yet. An admin adds wards and beds (POST /api/wards).</p>
      ) : (
        <div className="beds-wards">
          {boards.map((b) => (
            <section key={b.ward.id} className="panel beds-ward" aria-labelledby={`ward-${b.ward.id}`} data-testid={`ward-${b.ward.id}`}>
              <h2 id={`ward-${b.ward.id}`}>
                {b.ward.name} <span className="muted">· {b.ward.department}</span>
              </h2>
              <p className="beds-counts" data-testid={`ward-${b.ward.id}-counts`}>
                <strong>{b.ward.free}</strong> free · {b.ward.occupied} occupied · {b.ward.total} beds
              </p>
              <ul className="beds-grid" aria-label={`Beds of ${b.ward.name}`}>
                {b.beds.map((bed) => (
                  <li key={bed.id} className={`bed bed-${bed.state}`} data-testid={`bed-${bed.label}`}>
                    <span className="bed-label">{bed.label}</span>
                    <span className="bed-state">{bed.state === 'free' ? 'Free' : 'Occupied'}</span>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
    </div>
  )
}
