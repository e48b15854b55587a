// Every notification of mine, newest first, a page at a time, or only the unread ones. Each page is a
// query the live events keep current (InboxProvider: a new one appears at the top of the first page;
// ones read elsewhere are shown read; an admin's broadcast reads it again), read again when the server
// says too much was missed.
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { messageOf } from '../../api/client'
import type { Notification } from '../../api/types'
import { ErrorText, LoadError } from '../../components/forms'
import { NotLiveNote } from '../../components/LiveBadge'
import { Pager } from '../../components/Pager'
import { useAction } from '../../components/useAction'
import { useInbox } from '../../notifications/InboxProvider'
import { MarkAllRead, NotificationItem } from '../../notifications/NotificationItem'

const limit = 20

export function AllNotifications() {
  const inbox = useInbox()
  const [unreadOnly, setUnreadOnly] = useState(false)
  const [page, setPage] = useState(1)
  /** Marking read: the notification's id, or 'all'. */
  const action = useAction()
  // The first page of all of them is the bell's list (one read for both). The user's channel keeps every
  // page current (InboxProvider); the page shown before stays until the next arrives.
  const q = useQuery({
    ...inbox.listQuery(unreadOnly ? { page, limit, unread: 'true' } : { page, limit }),
    enabled: inbox.ready,
    placeholderData: keepPreviousData,
    retry: false,
  })
  const p = {
    page,
    data: q.data,
    busy: q.isFetching || !inbox.ready,
    error: q.error ? messageOf(q.error) : '',
    go: setPage,
    reload: () => void q.refetch(),
  }

  const readOne = (n: Notification) => action.run(n.id, () => inbox.markRead(n))
  const readAll = () => action.run('all', () => inbox.markAllRead())

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
