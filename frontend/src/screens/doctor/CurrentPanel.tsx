// The patient in front of the doctor: the ticket they called or are seeing, with the steps of the
// consultation. Only the steps valid in the ticket's state are enabled; N, S and F press "Call next",
// "Start" and "Finish" when the focus is not in a field or form. When a step disables the focused button, the
// focus moves to the button of the next step, so a keyboard user goes call → start → finish → call.
import { useEffect, useRef, useState } from 'react'
import { ApiError, hhmm, messageOf } from '../../api/client'
import type { Appointment } from '../../api/types'
import { callNext, ticketStep, type TicketStep } from './actions'
import { TriageTag } from './tags'

type Action = 'next' | Exclude<TicketStep, 'call'>

interface Notice {
  tone: 'calm' | 'ok' | 'error'
  text: string
  /** A ticket just marked no-show, which can go back to the queue. */
  undo?: Appointment
}

interface Props {
  department: string
  /** The tickets this doctor has called or is seeing. */
  serving: Appointment[]
  /** How many patients wait for this doctor. */
  waitingForMe: number
  onResult: (a: Appointment) => void
  onStale: () => void
  /** Opens the patient's chart for this ticket (also done on Start). */
  onChart: (a: Appointment) => void
}

export function CurrentPanel({ department, serving, waitingForMe, onResult, onStale, onChart }: Props) {
  const [selected, setSelected] = useState('')
  const [busy, setBusy] = useState<Action | 'undo' | null>(null)
  const [notice, setNotice] = useState<Notice | null>(null)
  const [focusNext, setFocusNext] = useState<Action | null>(null)
  const panel = useRef<HTMLElement>(null)
  const buttons = useRef(new Map<Action, HTMLButtonElement>())

  const current = serving.find((a) => a.id === selected) ?? first(serving)
  const others = serving.filter((a) => a !== current)
  const status = current?.status
  const undoable = notice?.undo
  const enabled: Record<Action, boolean> = {
    next: !current && department !== '',
    start: status === 'called',
    finish: status === 'in-consultation',
    'no-show': status === 'called',
    requeue: status === 'called' || status === 'in-consultation',
  }

  const run = async (action: Action) => {
    if (busy || !enabled[action]) return
    const ticket = current
    setBusy(action)
    setNotice(null)
    try {
      const a = action === 'next' ? await callNext(department) : await ticketStep(action, ticket?.id ?? '')
      onResult(a)
      const n = a.ticket?.number ?? '?'
      if (action === 'next') {
        setSelected(a.id)
        setFocusNext('start')
      } else if (action === 'start') {
        setFocusNext('finish')
        onChart(a)
      } else {
        setSelected('')
        setFocusNext('next')
        if (action === 'finish') setNotice({ tone: 'ok', text: `Ticket ${n} finished.` })
        if (action === 'requeue') setNotice({ tone: 'ok', text: `Ticket ${n} is back in the queue.` })
        if (action === 'no-show') setNotice({ tone: 'ok', text: `Ticket ${n} marked no-show.`, undo: a })
      }
    } catch (e) {
      if (action === 'next' && e instanceof ApiError && e.status === 404) {
        setNotice({ tone: 'calm', text: 'Nobody is waiting for you right now.' })
      } else if (action === 'next' && e instanceof ApiError && e.status === 409) {
        setNotice({ tone: 'calm', text: 'Another doctor took that patient just now. Press “Call next” again.' })
        onStale()
      } else {
        setNotice({ tone: 'error', text: messageOf(e) })
        if (e instanceof ApiError && (e.status === 409 || e.status === 403)) onStale()
      }
    } finally {
      setBusy(null)
    }
  }

  const undo = async (a: Appointment) => {
    setBusy('undo')
    try {
      onResult(await ticketStep('requeue', a.id))
      setNotice({ tone: 'ok', text: `Ticket ${a.ticket?.number ?? '?'} is back in the queue.` })
    } catch (e) {
      setNotice({ tone: 'error', text: messageOf(e) })
    } finally {
      setBusy(null)
    }
  }

  // Keyboard shortcuts, outside fields and without modifiers.
  const runRef = useRef(run)
  runRef.current = run
  useEffect(() => {
    const keys: Record<string, Action> = { n: 'next', s: 'start', f: 'finish' }
    const onKey = (e: KeyboardEvent) => {
      if (e.repeat || e.ctrlKey || e.metaKey || e.altKey || inField(e.target)) return
      const action = keys[e.key.toLowerCase()]
      if (!action) return
      e.preventDefault()
      void runRef.current(action)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  // A patient called from the queue's rows takes the focus that their row's button had, to Start.
  const shownID = useRef(current?.id)
  useEffect(() => {
    if (current?.id === shownID.current) return
    shownID.current = current?.id
    if (current?.status === 'called' && document.activeElement === document.body) setFocusNext('start')
  }, [current?.id, current?.status])

  // Move the focus on to the next step's button once it is enabled, if the focus was on this panel.
  useEffect(() => {
    if (!focusNext || busy) return
    const b = buttons.current.get(focusNext)
    if (!b || b.disabled) return
    setFocusNext(null)
    const active = document.activeElement
    if (!active || active === document.body || panel.current?.contains(active)) b.focus()
  })

  const button = (action: Action, label: string, className: string, key?: string) => (
    <button
      type="button"
      className={`btn ${className}`}
      disabled={busy !== null || !enabled[action]}
      aria-keyshortcuts={key}
      ref={(el) => {
        if (el) buttons.current.set(action, el)
        else buttons.current.delete(action)
      }}
      onClick={() => void run(action)}
    >
      {busy === action ? `${label}…` : label}
    </button>
  )

  return (
    <section className="panel dd-current" ref={panel} aria-labelledby="dd-current-title" data-testid="current-ticket">
      <h2 id="dd-current-title">Current patient</h2>
      {current ? (
        <div className={`dd-patient${(current.ticket?.triage ?? 5) <= 2 ? ' dd-patient-urgent' : ''}`}>
          <div className="dd-big-number" data-testid="current-number">
            <span className="dd-label">Ticket</span>
            {current.ticket?.number}
          </div>
          <div className="dd-patient-info">
            <div className="dd-patient-name">{current.patient_name || 'Unnamed patient'}</div>
            <div className="row">
              {current.ticket && <TriageTag level={current.ticket.triage} />}
              {current.emergency && <span className="tag tag-urgent">Emergency</span>}
              {current.walk_in && !current.emergency && <span className="tag">Walk-in</span>}
              <span className="dd-state" data-testid="current-status">
                {stateText(current)}
              </span>
            </div>
            {current.reason && <div className="dd-reason">{current.reason}</div>}
            <button type="button" className="btn btn-small dd-chart-btn" onClick={() => onChart(current)}>
              Open chart
            </button>
            {!current.walk_in && !current.emergency && (
              <div className="muted">Booked for {hhmm(current.start)}</div>
            )}
          </div>
        </div>
      ) : (
        <p className="dd-empty">
          {department === ''
            ? 'You have no department yet, so there is no queue to call from.'
            : waitingForMe > 0
              ? `No patient with you. ${waitingForMe} waiting — press “Call next”.`
              : 'No patient with you, and nobody is waiting for you.'}
        </p>
      )}
      <div className="dd-steps" role="group" aria-label="Consultation steps">
        <div className="dd-steps-main">
          {button('next', 'Call next', 'btn-primary dd-step-next', 'N')}
          {button('start', 'Start', 'btn-primary', 'S')}
          {button('finish', 'Finish', 'btn-primary', 'F')}
        </div>
        <div className="dd-steps-other">
          {button('no-show', 'No-show', '')}
          {button('requeue', 'Back to queue', '')}
        </div>
      </div>
      <p className="dd-keys muted">
        Keys: <kbd>N</kbd> call next · <kbd>S</kbd> start · <kbd>F</kbd> finish
      </p>
      {others.length > 0 && (
        <div className="row dd-others">
          <span className="muted">Also with you:</span>
          {others.map((a) => (
            <button key={a.id} type="button" className="btn btn-small" onClick={() => setSelected(a.id)}>
              Ticket {a.ticket?.number} ({a.status === 'called' ? 'called' : 'in consultation'})
            </button>
          ))}
        </div>
      )}
      <div className="dd-notice" role="status" aria-live="polite" data-testid="current-notice">
        {notice && (
          <span className={notice.tone === 'error' ? 'error-text' : notice.tone === 'ok' ? 'ok-text' : 'dd-calm'}>
            {notice.text}
          </span>
        )}
        {undoable && (
          <button type="button" className="btn btn-small" disabled={busy !== null} onClick={() => void undo(undoable)}>
            {busy === 'undo' ? 'Undoing…' : 'Undo'}
          </button>
        )}
      </div>
    </section>
  )
}

/** "Called at 10:31" or "In consultation since 10:33". */
function stateText(a: Appointment): string {
  const t = a.ticket
  if (a.status === 'called') return t?.called_at ? `Called at ${hhmm(t.called_at)}` : 'Called'
  return t?.started_at ? `In consultation since ${hhmm(t.started_at)}` : 'In consultation'
}

/** The ticket to show first: the one in consultation, else the one called most recently. */
function first(list: Appointment[]): Appointment | undefined {
  const seeing = list.find((a) => a.status === 'in-consultation')
  if (seeing) return seeing
  return [...list].sort((x, y) => Date.parse(y.ticket?.called_at ?? '') - Date.parse(x.ticket?.called_at ?? ''))[0]
}

/** Whether a key press belongs to a field, a form (the triage form) or the chart, not to the shortcuts. */
function inField(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false
  return (
    t.isContentEditable ||
    ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName) ||
    t.closest('form, [data-no-shortcuts]') !== null
  )
}
