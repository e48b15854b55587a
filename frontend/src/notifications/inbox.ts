// The rules that keep the user's notification lists current as plain functions: a new notification and
// notifications marked read (live events, or the answers to this screen's own requests) change every
// cached list (the bell's newest and each page of the screen). No React here, so the rules are easy to
// read and to test.
import type { Notification, NotificationList } from '../api/types'

/** How many of the newest notifications the bell keeps (GET /api/notifications?page=1&limit=20). */
export const inboxSize = 20

/** The newest notifications, newest first, and the unread count over all of them (the server's). */
export interface Inbox {
  items: Notification[]
  unread: number
}

/** The query of one list: which page, how long, only the unread ones. */
export interface ListQuery {
  page?: number
  limit?: number
  unread?: 'true'
}

/** A change of one list, which has the query `q`. */
export type InboxChange = (s: NotificationList, q: ListQuery) => NotificationList

/**
 * Adds a new notification at the top of a first page, counting it unread on every list; one already
 * shown changes nothing. A first page keeps its length (the last one moves to the next page).
 */
export function withCreated(n: Notification): InboxChange {
  return (s, q) => {
    if (s.items.some((x) => x.id === n.id)) return s
    const unread = s.unread + (n.read_at ? 0 : 1)
    const first = (q.page ?? 1) === 1 && !(q.unread && n.read_at)
    return first ? { ...s, items: [n, ...s.items].slice(0, s.limit || inboxSize), unread } : { ...s, unread }
  }
}

/** Marks notifications read at `at`; unread is the new count (the server's, or worked out by the caller). */
export function withRead(ids: string[], at: string, unread: (s: NotificationList) => number): InboxChange {
  return (s) => ({ ...s, items: markRead(s.items, ids, at), unread: Math.max(0, unread(s)) })
}

/** The notifications with those ids marked read at `at` (the others, and ones read already, unchanged). */
export function markRead(items: Notification[], ids: Iterable<string>, at: string): Notification[] {
  const set = new Set(ids)
  return items.map((n) => (set.has(n.id) && !n.read_at ? { ...n, read_at: at } : n))
}
