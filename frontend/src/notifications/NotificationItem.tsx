// One notification in a list (the bell's panel, the /notifications screen): its kind in words, subject,
// message and time, unread ones marked as such (also for screen readers), a chip per email/SMS delivery
// that was attempted, and "Mark read" while it is unread; and the lists' "Mark all read".
import type { DeliveryState, Notification } from '../api/types'
import { deliveryText, deliveryWords, kindLabel, whenShort } from './words'
import { formatDateTime } from '../api/time'

export function NotificationItem({
  n,
  onMarkRead,
  busy = false,
}: {
  n: Notification
  /** Marks it read; without it there is no button. */
  onMarkRead?: (n: Notification) => void
  busy?: boolean
}) {
  const unread = !n.read_at
  // A delivery that was never going to be made (the channel is off, or the server has no transport for
  // it) says nothing to the reader: only those attempted are shown.
  const deliveries = (n.deliveries ?? []).filter((d) => d.status !== 'skipped')
  return (
    <li className={unread ? 'nt-item nt-unread' : 'nt-item'} data-testid="notification" data-unread={unread}>
      <div className="nt-head">
        <span className="nt-kind">
          {unread && <span className="sr-only">Unread: </span>}
          {kindLabel(n.kind)}
        </span>
        <time className="nt-time" dateTime={n.created_at} title={formatDateTime(n.created_at)}>
          {whenShort(n.created_at)}
        </time>
      </div>
      {n.subject && <strong className="nt-subject">{n.subject}</strong>}
      <p className="nt-message">{n.message}</p>
      {(deliveries.length > 0 || (unread && onMarkRead)) && (
        <div className="nt-foot">
          {deliveries.map((d) => (
            <DeliveryChip key={d.channel} d={d} />
          ))}
          <span className="spacer" />
          {unread && onMarkRead && (
            <button type="button" className="btn btn-small" disabled={busy} onClick={() => onMarkRead(n)}>
              Mark read
            </button>
          )}
        </div>
      )}
    </li>
  )
}

/** "Mark all read": disabled while nothing is unread or another mark is running. */
export function MarkAllRead({ unread, busy, onClick }: { unread: number | undefined; busy: string; onClick: () => void }) {
  return (
    <button type="button" className="btn btn-small" disabled={unread === 0 || busy !== ''} onClick={onClick}>
      {busy === 'all' ? 'Marking…' : 'Mark all read'}
    </button>
  )
}

function DeliveryChip({ d }: { d: DeliveryState }) {
  const tone = deliveryWords[d.status]?.tone
  const detail = [d.attempts > 1 ? `${d.attempts} attempts` : '', d.error ?? ''].filter(Boolean).join(' — ')
  return (
    <span className={tone ? `tag ${tone}` : 'tag'} title={detail || undefined} data-testid="delivery">
      {deliveryText(d)}
    </span>
  )
}
