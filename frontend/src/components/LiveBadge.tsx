import type { ReactNode } from 'react'
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

/**
 * "Not live since hh:mm — <what that means here>" while the connection is not live; nothing while it is.
 * For a list that live events keep current, so the person knows it may be behind.
 */
export function NotLiveNote({ children }: { children: ReactNode }) {
  const s = useLiveState()
  if (s.status === 'live') return null
  return (
    <p className="tag tag-warn not-live-note" role="status" data-testid="not-live">
      {s.since ? `Not live since ${hhmm(s.since)}` : 'Not live yet'} — {children}
    </p>
  )
}
