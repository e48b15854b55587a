import { hhmm } from '../api/client'
import { useLiveState } from '../live/LiveProvider'

/** Says whether what the screen shows is live: "Live", "Reconnecting…", or "Stale since hh:mm". */
export function LiveBadge({ large = false }: { large?: boolean }) {
  const s = useLiveState()
  let text: string
  switch (s.status) {
    case 'live':
      text = 'Live'
      break
    case 'connecting':
      text = 'Connecting…'
      break
    case 'reconnecting':
      text = 'Reconnecting…'
      break
    case 'stale':
      text = s.since ? `Stale since ${hhmm(s.since)}` : 'Stale'
      break
    default:
      text = 'Offline'
  }
  const title = s.error ? `${text} (${s.error}${s.attempt ? `, attempt ${s.attempt}` : ''})` : text
  return (
    <span
      className={`live-badge live-${s.status}${large ? ' live-large' : ''}`}
      role="status"
      aria-live="polite"
      title={title}
      data-testid="live-status"
      data-status={s.status}
    >
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  )
}
