// The bell in the signed-in header: the unread count, and a panel (a non-modal popover) with the newest
// notifications, "Mark read" on each unread one, "Mark all read", and a link to the full list and the
// preferences. Keyboard: Enter/Space opens it and focus moves into it; Escape closes it and focus returns
// to the bell; tabbing out of it or clicking elsewhere closes it.
import { useEffect, useRef, useState } from 'react'
import { Link } from 'wouter'
import type { Notification } from '../api/types'
import { ErrorText, LoadError } from '../components/forms'
import { NotLiveNote } from '../components/LiveBadge'
import { useAction } from '../components/useAction'
import { useInbox } from './InboxProvider'
import { MarkAllRead, NotificationItem } from './NotificationItem'
import './notifications.css'

export function NotificationBell() {
  const { inbox, error, reload, markRead, markAllRead } = useInbox()
  const [open, setOpen] = useState(false)
  /** Marking read: the notification's id, or 'all'. */
  const action = useAction()
  const wrap = useRef<HTMLDivElement>(null)
  const button = useRef<HTMLButtonElement>(null)
  const panel = useRef<HTMLDivElement>(null)
  const unread = inbox?.unread ?? 0

  const close = (refocus: boolean) => {
    setOpen(false)
    action.clearError()
    if (refocus) button.current?.focus()
  }
  const closeRef = useRef(close)
  closeRef.current = close

  useEffect(() => {
    if (!open) return
    panel.current?.focus()
    const outside = (e: MouseEvent) => {
      if (!wrap.current?.contains(e.target as Node)) closeRef.current(false)
    }
    document.addEventListener('mousedown', outside)
    return () => document.removeEventListener('mousedown', outside)
  }, [open])

  return (
    <div
      className="nt-bell-wrap"
      ref={wrap}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation()
          close(true)
        }
      }}
      onBlur={(e) => {
        // Focus moved on to something outside (Tab past the end): the panel is done with.
        const to = e.relatedTarget as Node | null
        if (open && to && !wrap.current?.contains(to)) close(false)
      }}
    >
      <button
        ref={button}
        type="button"
        className="btn btn-quiet nt-bell"
        aria-label={inbox ? `Notifications, ${unread} unread` : 'Notifications'}
        aria-expanded={open}
        aria-haspopup="dialog"
        aria-controls={open ? 'notifications-panel' : undefined}
        data-testid="notifications-bell"
        onClick={() => (open ? close(false) : setOpen(true))}
      >
        <BellIcon />
        {unread > 0 && (
          <span className="nt-count" aria-hidden="true" data-testid="notifications-count">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && (
        <div
          id="notifications-panel"
          ref={panel}
          className="nt-panel"
          role="dialog"
          aria-labelledby="notifications-panel-h"
          tabIndex={-1}
          data-testid="notifications-panel"
        >
          <div className="nt-panel-head">
            <h2 id="notifications-panel-h">Notifications</h2>
            <span className="muted">{inbox ? `${unread} unread` : ''}</span>
            <span className="spacer" />
            <MarkAllRead unread={unread} busy={action.busy} onClick={() => void action.run('all', markAllRead)} />
          </div>
          <NotLiveNote>new ones may be missing</NotLiveNote>
          <LoadError error={error} retry={reload}>
            Could not load your notifications
          </LoadError>
          <ErrorText error={action.error} block />
          {!inbox ? (
            !error && <p className="muted">Loading…</p>
          ) : inbox.items.length === 0 ? (
            <p className="muted">No notifications yet</p>
          ) : (
            <ul className="nt-list" aria-label="Newest notifications">
              {inbox.items.map((n: Notification) => (
                <NotificationItem
                  key={n.id}
                  n={n}
                  busy={action.busy !== ''}
                  onMarkRead={(x) => void action.run(x.id, () => markRead(x))}
                />
              ))}
            </ul>
          )}
          <Link href="/notifications" className="nt-all" onClick={() => close(false)}>
            All notifications &amp; preferences
          </Link>
        </div>
      )}
    </div>
  )
}

function BellIcon() {
  return (
    <svg className="nt-bell-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
      />
    </svg>
  )
}
