// Emergency alerts on every staff-side screen: a red banner per alert this person has not acknowledged,
// with the alarm sound and, in the desktop app, a desktop notification. Alerts name a location or a
// ticket and department, never a patient, so the banner is safe on a waiting-room display too.
import { useCallback, useEffect, useState } from 'react'
import { api, hhmm, messageOf, must, session } from '../api/client'
import type { Alert } from '../api/types'
import { notifyDesktop, report } from '../desktop'
import { useChannel } from '../live/LiveProvider'
import { playAlarm } from '../sound'

/** How far back an unacknowledged alert is still shown after a reload. */
const recentMs = 12 * 60 * 60 * 1000

export function AlertBanner({ canAck = true }: { canAck?: boolean }) {
  const [alerts, setAlerts] = useState<Alert[]>([])
  const [error, setError] = useState('')
  const me = session.current?.user.id ?? ''
  // A desk shows an alert until this person acknowledges it; a display (canAck false), where nobody
  // acknowledges, shows it until anyone has.
  const open = (a: Alert) => (canAck ? !a.acks?.some((k) => k.user_id === me) : !a.acks?.length)

  const load = useCallback(() => {
    must(api.GET('/api/alerts'))
      .then((l) => {
        const since = Date.now() - recentMs
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
        notifyDesktop(e.type === 'alert.escalated' ? 'Emergency (escalated)' : 'Emergency', alertText(a))
      } else if (e.type === 'alert.acked') {
        const d = e.data as { alert_id: string; ack: { user_id: string } }
        if (!canAck || d.ack.user_id === me) setAlerts((prev) => prev.filter((x) => x.id !== d.alert_id))
      }
    },
    load,
  )

  const ack = async (id: string) => {
    try {
      await must(api.POST('/api/alerts/{id}/ack', { params: { path: { id } } }))
      setAlerts((prev) => prev.filter((x) => x.id !== id))
    } catch (e) {
      setError(messageOf(e))
    }
  }

  // The desktop smoke test waits for this line before it takes its screenshot.
  useEffect(() => report(`alerts shown ${alerts.length}`), [alerts.length])

  if (alerts.length === 0 && !error) return null
  return (
    <div className="alerts" role="alert" aria-live="assertive" data-testid="alert-banner">
      {error && <div className="alert-error">Alerts: {error}</div>}
      {alerts.map((a) => (
        <div key={a.id} className={`alert-item${a.escalated ? ' escalated' : ''}`} data-testid="alert">
          <strong className="alert-title">EMERGENCY{a.escalated ? ' — escalated' : ''}</strong>
          <span className="alert-text">{alertText(a)}</span>
          <span className="alert-time">{hhmm(a.at)}</span>
          {canAck && (
            <button type="button" className="btn btn-light" onClick={() => void ack(a.id)}>
              Acknowledge
            </button>
          )}
        </div>
      ))}
    </div>
  )
}

function alertText(a: Alert): string {
  // Alerts raised by an emergency admission already name the department that is their location.
  return a.location && !a.message.toLowerCase().includes(a.location.toLowerCase())
    ? `${a.message} — ${a.location}`
    : a.message
}
