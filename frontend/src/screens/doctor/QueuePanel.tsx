// The doctor's live queue: the waiting tickets they may call, in call order, urgent ones (ESI 1–2)
// marked, with how long each has waited and is expected to wait, and the actions on each ticket: call
// it out of turn, mark it no-show (with an undo), or change its triage level.
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { ApiError, hhmm, messageOf } from '../../api/client'
import type { Appointment } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'
import { esiLevels, setTriage, ticketStep } from './actions'
import { isUrgent } from './desk'
import { TriageTag } from './tags'

interface Props {
  /** The tickets this doctor may call, in call order. */
  queue: Appointment[]
  /** How many more wait in the department for other doctors. */
  othersWaiting: number
  /** The doctor has a patient: calling another waits until that one is done, unless it is urgent. */
  hasCurrent: boolean
  onResult: (a: Appointment) => void
  onStale: () => void
}

interface RowMessage {
  id: string
  tone: 'ok' | 'error'
  text: string
}

export function QueuePanel({ queue, othersWaiting, hasCurrent, onResult, onStale }: Props) {
  const now = useNow(30_000)
  const [busy, setBusy] = useState('')
  const [message, setMessage] = useState<RowMessage | null>(null)
  const [undoable, setUndoable] = useState<Appointment | null>(null)
  const [triageFor, setTriageFor] = useState('')

  const step = async (a: Appointment, what: 'call' | 'no-show' | 'requeue') => {
    setBusy(`${what}:${a.id}`)
    setMessage(null)
    setUndoable(null)
    try {
      const r = await ticketStep(what, a.id)
      onResult(r)
      const n = r.ticket?.number ?? '?'
      if (what === 'no-show') {
        setMessage({ id: '', tone: 'ok', text: `Ticket ${n} marked no-show.` })
        setUndoable(r)
      } else if (what === 'requeue') setMessage({ id: '', tone: 'ok', text: `Ticket ${n} is back in the queue.` })
    } catch (e) {
      setMessage({ id: what === 'requeue' ? '' : a.id, tone: 'error', text: messageOf(e) })
      if (e instanceof ApiError && (e.status === 409 || e.status === 403 || e.status === 404)) onStale()
    } finally {
      setBusy('')
    }
  }

  return (
    <section className="panel dd-queue" aria-labelledby="dd-queue-title">
      <div className="dd-panel-head">
        <h2 id="dd-queue-title">Waiting for you</h2>
        <span className="muted" data-testid="queue-count">
          {queue.length === 1 ? '1 patient' : `${queue.length} patients`}
          {othersWaiting > 0 && ` · ${othersWaiting} more for other doctors`}
        </span>
      </div>
      <div className="dd-notice" role="status" aria-live="polite">
        {message && message.id === '' && (
          <span className={message.tone === 'error' ? 'error-text' : 'ok-text'}>{message.text}</span>
        )}
        {undoable && (
          <button
            type="button"
            className="btn btn-small"
            disabled={busy !== ''}
            onClick={() => void step(undoable, 'requeue')}
          >
            Undo
          </button>
        )}
      </div>
      {queue.length === 0 ? (
        <p className="dd-empty">Nobody is waiting for you.</p>
      ) : (
        <table className="table dd-table">
          <thead>
            <tr>
              <th scope="col">No.</th>
              <th scope="col">Triage</th>
              <th scope="col">Patient</th>
              <th scope="col">Waiting</th>
              <th scope="col">
                <span className="dd-sr">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {queue.map((a) => {
              const t = a.ticket
              if (!t) return null
              const numberID = `dd-n-${a.id}`
              const waited = Math.max(0, Math.floor((now - Date.parse(t.checked_in_at)) / 60_000))
              const rowBusy = busy.endsWith(`:${a.id}`)
              return [
                <tr
                  key={a.id}
                  className={isUrgent(a) ? 'dd-urgent' : undefined}
                  data-testid={`queue-ticket-${t.number}`}
                >
                  <td className="dd-num" id={numberID}>
                    <span className="dd-sr">Ticket </span>
                    {t.number}
                  </td>
                  <td>
                    <div className="dd-tags">
                      <TriageTag level={t.triage} />
                      {a.emergency && <span className="tag tag-urgent">Emergency</span>}
                    </div>
                  </td>
                  <td>
                    <div className="dd-name">{a.patient_name || 'Unnamed patient'}</div>
                    <div className="dd-sub">
                      {a.walk_in || a.emergency ? 'Walk-in' : `Booked ${hhmm(a.start)}`}
                      {a.reason && ` · ${a.reason}`}
                    </div>
                  </td>
                  <td>
                    <div className="dd-waited">{waited} min</div>
                    <div className="dd-sub dd-nowrap">
                      since {hhmm(t.checked_in_at)}
                      {t.estimated_wait_minutes !== undefined &&
                        (t.estimated_wait_minutes === 0 ? ' · next up' : ` · est. ${t.estimated_wait_minutes} min`)}
                    </div>
                  </td>
                  <td>
                    <div className="dd-row-actions">
                      <button
                        type="button"
                        className="btn btn-small btn-primary"
                        aria-describedby={numberID}
                        disabled={busy !== '' || (hasCurrent && !isUrgent(a))}
                        title={hasCurrent && !isUrgent(a) ? 'Finish or return your current patient first' : undefined}
                        onClick={() => void step(a, 'call')}
                      >
                        {busy === `call:${a.id}` ? 'Calling…' : 'Call'}
                      </button>
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-describedby={numberID}
                        disabled={busy !== ''}
                        onClick={() => void step(a, 'no-show')}
                      >
                        {busy === `no-show:${a.id}` ? 'Marking…' : 'No-show'}
                      </button>
                      <button
                        type="button"
                        id={`dd-tri-${a.id}`}
                        className="btn btn-small"
                        aria-describedby={numberID}
                        aria-expanded={triageFor === a.id}
                        disabled={rowBusy}
                        onClick={() => setTriageFor(triageFor === a.id ? '' : a.id)}
                      >
                        Triage
                      </button>
                    </div>
                    {message && message.id === a.id && (
                      <div className="error-text dd-row-error" role="alert">
                        {message.text}
                      </div>
                    )}
                  </td>
                </tr>,
                triageFor === a.id && (
                  <tr key={`${a.id}-triage`} className="dd-triage-row">
                    <td colSpan={5}>
                      <TriageForm
                        ticket={a}
                        onDone={(r) => {
                          if (r) onResult(r)
                          setTriageFor('')
                          // The row may have moved; the focus goes back to its Triage button.
                          requestAnimationFrame(() => document.getElementById(`dd-tri-${a.id}`)?.focus())
                        }}
                        onStale={onStale}
                      />
                    </td>
                  </tr>
                ),
              ]
            })}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** Sets a ticket's triage level, with an optional reason; Escape or Cancel closes it. */
function TriageForm({
  ticket,
  onDone,
  onStale,
}: {
  ticket: Appointment
  onDone: (a: Appointment | null) => void
  onStale: () => void
}) {
  const [level, setLevel] = useState(ticket.ticket?.triage ?? 4)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const select = useRef<HTMLSelectElement>(null)
  useEffect(() => select.current?.focus(), [])

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      onDone(await setTriage(ticket.id, level, reason.trim()))
    } catch (err) {
      setError(messageOf(err))
      if (err instanceof ApiError && err.status === 409) onStale()
      setBusy(false)
    }
  }

  return (
    <form
      className="dd-triage"
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onDone(null)
      }}
      aria-label={`Triage of ticket ${ticket.ticket?.number}`}
    >
      <label>
        Triage level
        <select ref={select} value={level} onChange={(e) => setLevel(Number(e.target.value))}>
          {esiLevels.map((l) => (
            <option key={l.level} value={l.level}>
              {l.label}
            </option>
          ))}
        </select>
      </label>
      <label className="dd-triage-reason">
        Reason (optional)
        <input value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <SubmitButton busy={busy} busyText="Saving…">
        Save triage
      </SubmitButton>
      <button type="button" className="btn" onClick={() => onDone(null)}>
        Cancel
      </button>
      {level <= 2 && <span className="muted">ESI 1–2 raises an emergency alert.</span>}
      <ErrorText error={error} />
    </form>
  )
}

/** Date.now(), refreshed every `ms` so waiting times count up. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(t)
  }, [ms])
  return now
}
