// Emergency alerts on every staff-side screen: one red banner however many are open — the newest with
// its place (a department by name, the ticket and the complaint for an emergency admission), a count
// that opens the others, Acknowledge (this person has seen it) and Resolve (it is over, for everyone) —
// with the alarm sound and, in the desktop app, a desktop notification. An alert leaves the banner when
// this person acknowledges it or anyone resolves it (alert.resolved, also when the emergency's ticket is
// finished). On a public display (canAck false) the banner says only that an emergency is being
// handled: never which ticket, department or complaint, which would tell the room who it is.
import { useCallback, useEffect, useState } from 'react'
import { api, hhmm, messageOf, must, session } from '../api/client'
import { useDepartmentName } from '../api/departments'
import { nowMs } from '../api/time'
import type { Alert } from '../api/types'
import { notifyDesktop, report } from '../desktop'
import { useChannel } from '../live/LiveProvider'
import { playAlarm } from '../sound'

/** How far back an unacknowledged alert is still shown after a reload. */
const recentMs = 12 * 60 * 60 * 1000

const severityWords: Record<string, string> = { critical: 'Critical', high: 'High', moderate: 'Moderate' }

export function AlertBanner({ canAck = true }: { canAck?: boolean }) {
  const [alerts, setAlerts] = useState<Alert[]>([])
  const [error, setError] = useState('')
  const [more, setMore] = useState(false)
  const [busy, setBusy] = useState('')
  const deptName = useDepartmentName()
  const me = session.current?.user.id ?? ''
  // A desk shows an alert until this person acknowledges it; a display, where nobody acknowledges,
  // until anyone has. Nobody sees a resolved one.
  const open = (a: Alert) => !a.resolved && (canAck ? !a.acks?.some((k) => k.user_id === me) : !a.acks?.length)

  const load = useCallback(() => {
    must(api.GET('/api/alerts'))
      .then((l) => {
        const since = nowMs() - recentMs
        setAlerts(l.items.filter((a) => open(a) && new Date(a.at).getTime() > since))
        setError('')
      })
      .catch((e: unknown) => setError(messageOf(e)))
  }, [me, canAck])

  useChannel(
    'alerts',
    (e) => {
      if (e.type === 'alert.raised' || e.type === 'alert.escalated') {
        const a = e.data as Alert
        setAlerts((prev) => [a, ...prev.filter((x) => x.id !== a.id)].filter(open))
        playAlarm()
        notifyDesktop(
          e.type === 'alert.escalated' ? 'Emergency (escalated)' : 'Emergency',
          canAck ? alertText(a, deptName) : publicText,
        )
      } else if (e.type === 'alert.acked') {
        const d = e.data as { alert_id: string; ack: { user_id: string } }
        if (!canAck || d.ack.user_id === me) setAlerts((prev) => prev.filter((x) => x.id !== d.alert_id))
      } else if (e.type === 'alert.resolved') {
        const a = e.data as Alert
        setAlerts((prev) => prev.filter((x) => x.id !== a.id))
      }
    },
    load,
  )

  const act = async (id: string, what: 'ack' | 'resolve') => {
    setBusy(id)
    try {
      if (what === 'ack') await must(api.POST('/api/alerts/{id}/ack', { params: { path: { id } } }))
      else await must(api.POST('/api/alerts/{id}/resolve', { params: { path: { id } } }))
      setAlerts((prev) => prev.filter((x) => x.id !== id))
      setError('')
    } catch (e) {
      setError(messageOf(e))
    } finally {
      setBusy('')
    }
  }

  // The desktop smoke test waits for this line before it takes its screenshot.
  useEffect(() => report(`alerts shown ${alerts.length}`), [alerts.length])
  useEffect(() => {
    if (alerts.length < 2) setMore(false)
  }, [alerts.length])

  if (alerts.length === 0 && !error) return null
  const [first, ...rest] = alerts
  if (!canAck) {
    return first ? (
      <div className="alerts" role="alert" aria-live="assertive" data-testid="alert-banner">
        <div className="alert-item" data-testid="alert">
          <strong className="alert-title">EMERGENCY</strong>
          <span className="alert-text">{publicText}</span>
        </div>
      </div>
    ) : null
  }
  const buttons = (a: Alert) => (
    <>
      <button type="button" className="btn btn-light btn-small" disabled={busy !== ''} onClick={() => void act(a.id, 'ack')}>
        Acknowledge
      </button>
      <button type="button" className="btn btn-light btn-small" disabled={busy !== ''} onClick={() => void act(a.id, 'resolve')}>
        Resolve
      </button>
    </>
  )
  return (
    <div className="alerts" role="alert" aria-live="assertive" data-testid="alert-banner">
      {error && <div className="alert-error">Alerts: {error}</div>}
      {first && (
        <div className={`alert-item${first.escalated ? ' escalated' : ''}`} data-testid="alert">
          <strong className="alert-title">EMERGENCY{first.escalated ? ' — escalated' : ''}</strong>
          <span className="alert-text" title={alertText(first, deptName)}>
            {alertText(first, deptName)}
          </span>
          <span className="alert-time">{hhmm(first.at)}</span>
          {rest.length > 0 && (
            <button
              type="button"
              className="btn btn-light btn-small alert-count"
              aria-expanded={more}
              aria-controls="alerts-more"
              onClick={() => setMore(!more)}
              data-testid="alert-count"
            >
              {more ? 'Hide' : `+${rest.length} more`}
            </button>
          )}
          {buttons(first)}
        </div>
      )}
      {more && rest.length > 0 && (
        <div className="alert-more" id="alerts-more">
          <ul aria-label="Other open alerts">
            {rest.map((a) => (
              <li key={a.id} data-testid="alert-other">
                <strong>{a.escalated ? 'Escalated' : severityWords[a.severity] ?? ''}</strong>
                <span className="alert-text">{alertText(a, deptName)}</span>
                <span className="alert-time">{hhmm(a.at)}</span>
                {buttons(a)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  )
}

/** What a public display says while an emergency is open. */
const publicText = 'An emergency is being handled. Thank you for your patience.'

/**
 * An alert in words: an emergency admission's ticket, department by name and complaint; a free-form
 * alert's message and place.
 */
export function alertText(a: Alert, deptName: (id: string) => string): string {
  const sev = severityWords[a.severity] ?? ''
  if (a.ticket) {
    const where = [`Ticket ${a.ticket}`, a.department ? deptName(a.department) : ''].filter(Boolean).join(', ')
    return `${sev ? sev + ': ' : ''}${where}${a.complaint ? ` — ${a.complaint}` : ''}`
  }
  return a.location && !a.message.toLowerCase().includes(a.location.toLowerCase())
    ? `${a.message} — ${a.location}`
    : a.message
}
