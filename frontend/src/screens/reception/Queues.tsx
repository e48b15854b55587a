// Every department's queue at a glance, live. Each card loads its snapshot (GET /api/queues/{department})
// when its channel is live and whenever the server says to reload; every queue.changed or queue.waits
// event then asks for a fresh snapshot, debounced, because the day's figures (seen, average wait) are
// only in the snapshot. Only the answer to the newest request is shown, and that request was sent after
// the last event arrived, so the card always ends at the state of the newest event or later.
import { useCallback, useEffect, useRef, useState } from 'react'
import { api, hhmm, messageOf, must } from '../../api/client'
import type { Appointment, Department, QueueSnapshot } from '../../api/types'
import { LoadError } from '../../components/forms'
import { StatusTag, Tag, triageTone } from '../../components/labels'
import { useChannel, useLiveState } from '../../live/LiveProvider'
import { estimateText, minutesText, statusWords } from './format'
import { useNow } from './hooks'

/** How long to gather a burst of events before asking for the snapshot. */
const refetchMs = 150
/** How long to wait before asking again after a failed load. */
const retryMs = 10_000

export function Queues({
  departments,
  error,
  retry,
  onChanged,
}: {
  departments: Department[] | undefined
  error: string
  retry: () => void
  /** A queue changed: lists of appointments elsewhere on the screen may need reloading. */
  onChanged: () => void
}) {
  const live = useLiveState()
  return (
    <section className="rc-queues" aria-labelledby="rc-queues-h">
      <div className="rc-section-head">
        <h2 id="rc-queues-h">Queues today</h2>
        {live.status !== 'live' && (
          <span className="tag tag-warn" role="status">
            {live.since ? `Not live since ${hhmm(live.since)}` : 'Not live yet'} — figures may be out of date
          </span>
        )}
      </div>
      <LoadError error={error} retry={retry} retryText="Try again">
        Could not load the departments
      </LoadError>
      {!departments ? (
        !error && <p className="muted">Loading departments…</p>
      ) : departments.length === 0 ? (
        <p className="muted">No departments yet. An admin creates them.</p>
      ) : (
        <div className="rc-cards">
          {departments.map((d) => (
            <QueueCard key={d.id} department={d} onChanged={onChanged} />
          ))}
        </div>
      )}
    </section>
  )
}

function QueueCard({ department, onChanged }: { department: Department; onChanged: () => void }) {
  const [snap, setSnap] = useState<{ data: QueueSnapshot; received: number } | null>(null)
  const [error, setError] = useState('')
  const latest = useRef(0)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const now = useNow()
  const id = department.id

  const load = useCallback(() => {
    clearTimeout(timer.current)
    const mine = ++latest.current
    must(api.GET('/api/queues/{department}', { params: { path: { department: id } } }))
      .then((data) => {
        if (mine !== latest.current) return
        setSnap({ data, received: Date.now() })
        setError('')
      })
      .catch((e: unknown) => {
        if (mine !== latest.current) return
        setError(messageOf(e))
        timer.current = setTimeout(load, retryMs)
      })
  }, [id])
  useEffect(() => () => clearTimeout(timer.current), [])

  useChannel(
    `queue:dept:${id}`,
    (e) => {
      if (e.type !== 'queue.changed' && e.type !== 'queue.waits') return
      clearTimeout(timer.current)
      timer.current = setTimeout(load, refetchMs)
      if (e.type === 'queue.changed') onChanged()
    },
    () => {
      load()
      onChanged()
    },
    (_code, message) => setError(`Live updates refused: ${message}`),
  )

  const s = snap?.data
  // The longest current wait grows with the clock between snapshots.
  const longest = s && s.waiting.length > 0 ? s.stats.longest_wait_minutes + (now - snap.received) / 60_000 : 0
  return (
    <article className="rc-card panel" data-testid={`queue-${id}`} aria-labelledby={`rc-q-${id}`}>
      <header className="rc-card-head">
        <h3 id={`rc-q-${id}`}>{department.name}</h3>
        {s && (
          <div className="rc-counts">
            <Count n={s.waiting.length} label="waiting" testid="count-waiting" strong />
            <Count n={s.serving.length} label="serving" testid="count-serving" />
            <Count n={s.stats.seen} label="seen" testid="count-seen" />
          </div>
        )}
      </header>
      {error && (
        <p className="error-text rc-card-error" role="alert">
          {snap ? 'Not up to date: ' : ''}
          {error}{' '}
          <button type="button" className="btn btn-small" onClick={load}>
            Retry
          </button>
        </p>
      )}
      {!s ? (
        !error && <p className="muted">Loading…</p>
      ) : (
        <>
          <p className="rc-waits">
            Average wait <strong>{minutesText(s.stats.average_wait_minutes)}</strong>
            <span aria-hidden="true"> · </span>
            Longest now <strong>{s.waiting.length > 0 ? minutesText(longest) : '—'}</strong>
          </p>
          {s.serving.length > 0 && (
            <ul className="rc-serving" aria-label={`Being seen in ${department.name}`}>
              {s.serving.map((a) => (
                <li key={a.id} data-testid={`queue-serving-${a.ticket?.number ?? a.id}`}>
                  <strong className="rc-num">{a.ticket?.number}</strong> {a.patient_name}
                  {a.doctor_name && <span className="muted"> — {a.doctor_name}</span>}{' '}
                  <StatusTag status={a.status} words={statusWords} />
                </li>
              ))}
            </ul>
          )}
          {s.waiting.length === 0 ? (
            <p className="muted rc-empty">Nobody waiting.</p>
          ) : (
            <WaitingTable waiting={s.waiting} name={department.name} />
          )}
        </>
      )}
    </article>
  )
}

function Count({ n, label, testid, strong }: { n: number; label: string; testid: string; strong?: boolean }) {
  return (
    <span className={`rc-count${strong && n > 0 ? ' rc-count-strong' : ''}`} data-testid={testid}>
      <strong>{n}</strong> {label}
    </span>
  )
}

/** The waiting tickets in call order; the box scrolls (by keyboard too) when the queue is long. */
function WaitingTable({ waiting, name }: { waiting: Appointment[]; name: string }) {
  return (
    <div className="rc-waiting" tabIndex={0} role="region" aria-label={`Waiting in ${name}, in call order`}>
      <table className="table rc-table-compact">
        <thead>
          <tr>
            <th scope="col">No.</th>
            <th scope="col">ESI</th>
            <th scope="col">Patient</th>
            <th scope="col">Status</th>
            <th scope="col">Wait</th>
          </tr>
        </thead>
        <tbody>
          {waiting.map((a) => {
            const t = a.ticket
            return (
              <tr key={a.id} data-testid={`queue-ticket-${t?.number ?? a.id}`}>
                <td className="rc-num">{t?.number}</td>
                <td>{t && <Tag tone={triageTone(t.triage)}>{t.triage}</Tag>}</td>
                <td>
                  {a.patient_name}
                  {a.emergency && <span className="tag tag-urgent rc-flag">Emergency</span>}
                  {a.walk_in && !a.emergency && <span className="muted rc-flag">walk-in</span>}
                </td>
                <td>
                  <StatusTag status={a.status} words={statusWords} />
                  {t && (
                    <span className="muted rc-since" title="Checked in at">
                      {' '}
                      {hhmm(t.checked_in_at)}
                    </span>
                  )}
                </td>
                <td className="rc-est">{estimateText(t?.estimated_wait_minutes)}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
