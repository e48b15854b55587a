// Every department's queue at a glance, live. Each card loads its snapshot (GET /api/queues/{department})
// when its channel is live and whenever the server says to reload; every queue.changed or queue.waits
// event then asks for a fresh snapshot, debounced, because the day's figures (seen, average wait) are
// only in the snapshot. The snapshot is a query in the shared cache; a new read cancels the one on its
// way, so the card always ends at the state of the newest event or later. A queue.changed names the
// appointment it moved: the screen reads that one record again for its lists (api/appointments.ts).
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { hhmm, messageOf } from '../../api/client'
import { $api } from '../../api/query'
import type { Appointment, Department, QueueEvent } from '../../api/types'
import { LoadError } from '../../components/forms'
import { StatusTag, Tag, triageTone } from '../../components/labels'
import { useLiveState } from '../../live/LiveProvider'
import { useSnapshotChannel } from '../../live/useLiveQuery'
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
  /**
   * A queue changed (the appointment it names, when the event names one): lists of appointments
   * elsewhere on the screen may need reloading.
   */
  onChanged: (appointmentID?: string) => void
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

function QueueCard({
  department,
  onChanged,
}: {
  department: Department
  onChanged: (appointmentID?: string) => void
}) {
  const client = useQueryClient()
  const [refused, setRefused] = useState('')
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const now = useNow()
  const id = department.id
  const opts = $api.queryOptions('get', '/api/queues/{department}', { params: { path: { department: id } } })
  useEffect(() => () => clearTimeout(timer.current), [])

  const synced = useSnapshotChannel(
    `queue:dept:${id}`,
    opts.queryKey,
    (e) => {
      if (e.type !== 'queue.changed' && e.type !== 'queue.waits') return
      clearTimeout(timer.current)
      timer.current = setTimeout(
        () => void client.invalidateQueries({ queryKey: opts.queryKey, exact: true }),
        refetchMs,
      )
      if (e.type === 'queue.changed') onChanged((e.data as QueueEvent | undefined)?.appointment?.id)
    },
    (_code, message) => setRefused(`Live updates refused: ${message}`),
    () => onChanged(),
  )
  const q = useQuery({
    ...opts,
    enabled: synced,
    retry: false,
    // A card on a desk nobody looks at for a while still comes back on its own after a failure.
    refetchInterval: (query) => (query.state.status === 'error' ? retryMs : false),
  })
  const load = () => {
    setRefused('')
    void q.refetch()
  }
  const snap = q.data ? { data: q.data, received: q.dataUpdatedAt } : null
  const error = refused || (q.error ? messageOf(q.error) : '')

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
