// One department's waiting-room board: who is being seen and where, who is next and how long the wait
// is. The snapshot is a query in the shared cache, read when the display channel is live (and whenever
// the server says to reload); every display.updated event then carries the whole board, which replaces
// the cached one.
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { ApiError, hhmm, messageOf } from '../../api/client'
import type { DisplayBoard, DisplayTicket } from '../../api/types'
import { LiveBadge } from '../../components/LiveBadge'
import { report } from '../../desktop'
import { useLiveState } from '../../live/LiveProvider'
import { useSnapshotChannel } from '../../live/useLiveQuery'
import { boardQuery, justCalled, minutes, putBoard, waitText } from './board'
import { useClock } from './hooks'

/** How long a freshly called ticket flashes. */
const flashMs = 8000
/** How long to wait before loading the board again after a failure. */
const retryMs = 10_000
/** The server does not know the department: asking again will not change that. */
function missing(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404
}

/** Beyond this many tickets being served, they take two columns to fit the screen. */
const manyServing = 4

type Load = { phase: 'loading' } | { phase: 'failed'; error: string; retrying: boolean } | { phase: 'ready' }

export function Board({ department, name }: { department: string; name?: string }) {
  const client = useQueryClient()
  const [refused, setRefused] = useState('')
  const clock = useClock()
  const live = useLiveState()
  const snapshot = boardQuery(client, department)

  const synced = useSnapshotChannel(
    `display:${department}`,
    snapshot.queryKey,
    (e) => {
      if (e.type !== 'display.updated') return
      putBoard(client, snapshot.queryKey, e.data)
      setRefused('')
    },
    (_code, message) => setRefused(`Live updates refused: ${message}`),
  )
  const q = useQuery({
    queryKey: snapshot.queryKey,
    // The board is read only once its channel is subscribed (synced).
    queryFn: async (c) => {
      const shown = await snapshot.queryFn(c)
      // The desktop's smoke test waits for this: the board is on screen and its channel subscribed.
      report(`display shown ${department}`)
      return shown
    },
    enabled: synced,
    retry: false,
    // A screen on a wall has no one to press retry: after a failure it tries again on its own (but not for
    // a department that does not exist).
    refetchInterval: (query) => (query.state.status === 'error' && !missing(query.state.error) ? retryMs : false),
  })
  const board = q.data ?? null
  const fresh = useFresh(board)
  const load: Load = refused
    ? { phase: 'failed', error: refused, retrying: false }
    : q.error
      ? missing(q.error)
        ? { phase: 'failed', error: `There is no department “${department}”.`, retrying: false }
        : { phase: 'failed', error: `Could not load the board: ${messageOf(q.error)}`, retrying: true }
      : board
        ? { phase: 'ready' }
        : { phase: 'loading' }

  const notLive = live.status !== 'live'
  const since = live.since ?? (board ? new Date(board.at) : null)
  return (
    <div className={`ds-board${notLive && board ? ' ds-stale' : ''}`} data-testid="display-board">
      <header className="ds-header">
        <h1 className="ds-title">{name ?? department}</h1>
        <span className="ds-clock">{clock}</span>
        <LiveBadge large />
      </header>

      {notLive && board && (
        <div className="ds-stale-note" role="status" data-testid="stale-note">
          <strong>{since ? `Stale since ${hhmm(since)}` : 'Not live'}</strong>
          <span>This board may be out of date. Reconnecting…</span>
        </div>
      )}

      {load.phase === 'failed' && (
        <p className="ds-message ds-error" role="alert">
          {load.error}
          {load.retrying && ' Trying again…'}
        </p>
      )}

      {!board ? (
        load.phase !== 'failed' && (
          <p className="ds-message">{notLive ? 'Connecting to the server…' : 'Loading the board…'}</p>
        )
      ) : (
        <>
          <div className="ds-body">
            <section className="ds-serving" data-testid="now-serving" aria-labelledby="ds-serving-h">
              <h2 id="ds-serving-h" className="ds-section-title">
                Now serving
              </h2>
              {board.now_serving.length === 0 ? (
                <p className="ds-empty">No one being seen right now</p>
              ) : (
                <ul className={`ds-serving-list${board.now_serving.length > manyServing ? ' ds-many' : ''}`}>
                  {board.now_serving.map((t) => (
                    <ServingTicket key={t.number} t={t} flash={fresh.has(t.number)} />
                  ))}
                </ul>
              )}
            </section>
            <section className="ds-next" data-testid="next-list" aria-labelledby="ds-next-h">
              <h2 id="ds-next-h" className="ds-section-title">
                Next
              </h2>
              {board.next.length === 0 ? (
                <p className="ds-empty">No one waiting</p>
              ) : (
                <ol className="ds-next-list">
                  {board.next.map((t) => (
                    <NextTicket key={t.number} t={t} />
                  ))}
                </ol>
              )}
            </section>
          </div>
          <footer className="ds-figures">
            <span>
              Waiting <strong data-testid="waiting-count">{board.waiting}</strong>
            </span>
            <span>
              Average wait today <strong>{minutes(board.average_wait_minutes)}</strong>
            </span>
            {board.waiting > 0 && (
              <span>
                Longest wait now <strong>{minutes(board.longest_wait_minutes)}</strong>
              </span>
            )}
          </footer>
        </>
      )}
    </div>
  )
}

function ServingTicket({ t, flash }: { t: DisplayTicket; flash: boolean }) {
  const called = t.status === 'called'
  return (
    <li
      className={`ds-ticket ds-serving-ticket${called ? ' ds-called' : ''}${called && flash ? ' ds-flash' : ''}`}
      data-testid={`display-ticket-${t.number}`}
    >
      <span className="ds-number">{t.number}</span>
      <span className="ds-where">{t.doctor_name ?? ''}</span>
      <span className="ds-status">{called ? 'Please go in' : 'In consultation'}</span>
    </li>
  )
}

function NextTicket({ t }: { t: DisplayTicket }) {
  return (
    <li className="ds-ticket ds-next-ticket" data-testid={`display-ticket-${t.number}`}>
      <span className="ds-number">{t.number}</span>
      <span className="ds-meta">
        <span className="ds-wait">{waitText(t.estimated_wait_minutes)}</span>
      </span>
    </li>
  )
}

/** The numbers called since the previous board, each for a few seconds, so they flash once. */
function useFresh(board: DisplayBoard | null): Set<number> {
  const [fresh, setFresh] = useState<Set<number>>(() => new Set())
  const prev = useRef<DisplayBoard | null>(null)
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>())
  useEffect(() => {
    if (!board || board === prev.current) return
    const called = justCalled(prev.current, board)
    prev.current = board
    if (called.length === 0) return
    setFresh((s) => new Set([...s, ...called]))
    const t = setTimeout(() => {
      timers.current.delete(t)
      setFresh((s) => new Set([...s].filter((n) => !called.includes(n))))
    }, flashMs)
    timers.current.add(t)
  }, [board])
  useEffect(() => {
    const all = timers.current
    return () => all.forEach(clearTimeout)
  }, [])
  return fresh
}
