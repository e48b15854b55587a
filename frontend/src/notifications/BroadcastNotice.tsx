// An admin's broadcast as a notice under the header of every signed-in screen (not the displays): the
// newest one heard live in this tab, its time, how many more there are, and Dismiss. The broadcast is
// in the bell too (InboxProvider reloads it), so dismissing the notice loses nothing.
import { Link } from 'wouter'
import { formatTime } from '../api/time'
import { useInbox } from './InboxProvider'

export function BroadcastNotice() {
  const { broadcasts, dismissBroadcast } = useInbox()
  const b = broadcasts[0]
  if (!b) return null
  const more = broadcasts.length - 1
  return (
    <div className="broadcast" role="status" aria-live="polite" data-testid="broadcast">
      <strong className="broadcast-title">Announcement</strong>
      <span className="broadcast-text">{b.message}</span>
      <time className="broadcast-time" dateTime={b.at}>
        {formatTime(b.at)}
      </time>
      {more > 0 && (
        <Link href="/notifications" className="broadcast-more">
          {more === 1 ? '1 more' : `${more} more`}
        </Link>
      )}
      <button type="button" className="btn btn-small" onClick={() => dismissBroadcast(b.id)}>
        Dismiss
      </button>
    </div>
  )
}
