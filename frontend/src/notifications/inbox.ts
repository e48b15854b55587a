// The bell's state as plain functions: the newest notifications and how many of all of them are unread,
// changed by a new notification and by notifications marked read (live events, or the answers to this
// screen's own requests). No React here, so the rules are easy to read and to test.
import type { Notification } from '../api/types'

/** How many of the newest notifications the bell keeps (GET /api/notifications?limit=20). */
export const inboxSize = 20

/** The newest notifications, newest first, and the unread count over all of them (the server's). */
export interface Inbox {
  items: Notification[]
  unread: number
}

/** A change of the inbox. */
export type InboxChange = (s: Inbox) => Inbox

/** Adds a new notification at the top, counting it unread; one already shown changes nothing. */
export function withCreated(n: Notification): InboxChange {
  return (s) =>
    s.items.some((x) => x.id === n.id)
      ? s
      : { items: [n, ...s.items].slice(0, inboxSize), unread: s.unread + (n.read_at ? 0 : 1) }
}

/** Marks notifications read at `at`; unread is the new count (the server's, or worked out by the caller). */
export function withRead(ids: string[], at: string, unread: (s: Inbox) => number): InboxChange {
  return (s) => ({ items: markRead(s.items, ids, at), unread: Math.max(0, unread(s)) })
}

/** The notifications with those ids marked read at `at` (the others, and ones read already, unchanged). */
export function markRead(items: Notification[], ids: Iterable<string>, at: string): Notification[] {
  const set = new Set(ids)
  return items.map((n) => (set.has(n.id) && !n.read_at ? { ...n, read_at: at } : n))
}
