// Every notification of mine, newest first, a page at a time, or only the unread ones. The page shown
// follows the live events (a new one appears at the top of the first page; ones read elsewhere are shown
// read; an admin's broadcast reloads it) and reloads when the server says too much was missed.
import { useRef, useState } from 'react'
import { api, must } from '../../api/client'
import type { Notification, NotificationList, NotificationsRead } from '../../api/types'
import { ErrorText, LoadError } from '../../components/forms'
import { NotLiveNote } from '../../components/LiveBadge'
import { Pager } from '../../components/Pager'
import { useAction } from '../../components/useAction'
import { usePage } from '../../components/usePage'
import { useChannel } from '../../live/LiveProvider'
import { markRead } from '../../notifications/inbox'
import { useInbox, userChannel } from '../../notifications/InboxProvider'
import { MarkAllRead, NotificationItem } from '../../notifications/NotificationItem'

const limit = 20

export function AllNotifications({ userID }: { userID: string }) {
  const inbox = useInbox()
  const [unreadOnly, setUnreadOnly] = useState(false)
  /** Marking read: the notification's id, or 'all'. */
  const action = useAction()
  const p = usePage<NotificationList>((page) =>
    must(
      api.GET('/api/notifications', {
        params: { query: unreadOnly ? { page, limit, unread: 'true' } : { page, limit } },
      }),
    ),
  )

  const showRead = (ids: string[], at: string) => p.update((d) => ({ ...d, items: markRead(d.items, ids, at) }))
  // The first sync is the subscription going live: the page is loading already.
  const synced = useRef(false)
  useChannel(
    userChannel(userID),
    (e) => {
      if (e.type === 'notification.created') {
        const n = e.data as Notification
        p.update((d) => (d.page !== 1 || d.items.some((x) => x.id === n.id) ? d : { ...d, items: [n, ...d.items] }))
      } else if (e.type === 'notification.read') {
        showRead((e.data as NotificationsRead).ids, e.at)
      }
    },
    () => {
      if (synced.current) p.reload()
      synced.current = true
    },
  )

  // A broadcast is in every inbox before it is sent live: the list shows it at once.
  useChannel('broadcast', (e) => e.type === 'broadcast.sent' && p.reload())

  const readOne = (n: Notification) =>
    action.run(n.id, async () => {
      const r = await inbox.markRead(n)
      showRead([n.id], r.read_at ?? new Date().toISOString())
    })
  const readAll = () =>
    action.run('all', async () => {
      const r = await inbox.markAllRead()
      showRead(r.ids, new Date().toISOString())
    })

  const unread = inbox.inbox?.unread
  const items = p.data?.items
  return (
    <section className="panel stack" aria-labelledby="nt-all-h" data-testid="notifications-list">
      <div className="row">
        <h2 id="nt-all-h">All notifications</h2>
        {unread !== undefined && (
          <span className="muted" data-testid="notifications-unread">
            {unread} unread
          </span>
        )}
        <span className="spacer" />
        <label className="check">
          <input
            type="checkbox"
            checked={unreadOnly}
            onChange={(e) => {
              setUnreadOnly(e.target.checked)
              p.go(1)
              p.reload()
            }}
          />
          Unread only
        </label>
        <MarkAllRead unread={unread} busy={action.busy} onClick={() => void readAll()} />
        <button type="button" className="btn btn-small" onClick={p.reload} disabled={p.busy}>
          {p.busy ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <NotLiveNote>refresh to see new ones</NotLiveNote>
      <LoadError error={p.error} retry={p.reload}>
        Could not load your notifications
      </LoadError>
      <ErrorText error={action.error} block />
      {items &&
        (items.length === 0 ? (
          <p className="muted">
            {p.page > 1 ? 'No older notifications.' : unreadOnly ? 'Nothing unread.' : 'No notifications yet'}
          </p>
        ) : (
          <ul className="nt-list" aria-label="Notifications">
            {items.map((n) => (
              <NotificationItem key={n.id} n={n} busy={action.busy !== ''} onMarkRead={(x) => void readOne(x)} />
            ))}
          </ul>
        ))}
      {!p.data && p.busy && <p className="muted">Loading your notifications…</p>}
      {p.data && (
        <Pager label="Notification pages" page={p.page} hasNext={p.data.items.length === limit} busy={p.busy} go={p.go} />
      )}
    </section>
  )
}
