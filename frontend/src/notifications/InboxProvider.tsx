// The signed-in user's notifications, shared by the header's bell and the /notifications screen: the
// newest ones and the unread count, loaded over REST when the user's channel (`user:<id>`, joined on
// connect) is live and whenever the server says to reload, then kept current by `notification.created`
// and `notification.read`. Marking read goes through here too, so the bell's count follows at once even
// when the connection is down; the live event that the server also sends changes nothing twice.
// An admin's broadcast (`broadcast.sent` on the broadcast channel, which every connection has) is stored
// in every inbox before it is sent live: hearing it reloads the inbox (the bell and its unread count),
// and it is kept as a notice for the screen's header until the person dismisses it.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { api, messageOf, must } from '../api/client'
import type { Broadcast, Notification, NotificationsRead } from '../api/types'
import { useChannel, useLiveState } from '../live/LiveProvider'
import { inboxSize, withCreated, withRead, type Inbox, type InboxChange } from './inbox'

/** What the bell and the screen get from useInbox. */
export interface InboxValue {
  /** null until the first load answers. */
  inbox: Inbox | null
  /** Why the last load failed ('' when it did not). */
  error: string
  reload(): void
  /** Marks one notification read (POST /api/notifications/{id}/read); throws an ApiError. */
  markRead(n: Notification): Promise<Notification>
  /** Marks all read (POST /api/notifications/read-all); throws an ApiError. */
  markAllRead(): Promise<NotificationsRead>
  /** The broadcasts heard live in this tab and not dismissed, newest first. */
  broadcasts: Broadcast[]
  dismissBroadcast(id: string): void
}

const Ctx = createContext<InboxValue | null>(null)

/** The user's channel, where their notifications arrive. */
export function userChannel(userID: string): string {
  return `user:${userID}`
}

export function InboxProvider({ userID, children }: { userID: string; children: ReactNode }) {
  const [inbox, setInbox] = useState<Inbox | null>(null)
  const [error, setError] = useState('')
  const [broadcasts, setBroadcasts] = useState<Broadcast[]>([])
  /** Bumped by every load: an older load's answer is dropped. */
  const generation = useRef(0)
  /** The changes made while a load is in flight (null when none is), replayed onto its answer. */
  const pending = useRef<InboxChange[] | null>(null)
  /** Ids known to be read, so a notification marked read by a request and its event counts once. */
  const read = useRef(new Set<string>())
  const live = useLiveState()

  const apply = useCallback((c: InboxChange) => {
    pending.current?.push(c)
    setInbox((s) => s && c(s))
  }, [])

  const load = useCallback(() => {
    const mine = ++generation.current
    pending.current = []
    must(api.GET('/api/notifications', { params: { query: { limit: inboxSize } } })).then(
      (l) => {
        if (mine !== generation.current) return
        for (const n of l.items) if (n.read_at) read.current.add(n.id)
        const changes = pending.current ?? []
        pending.current = null
        setInbox(changes.reduce((s, c) => c(s), { items: l.items, unread: l.unread }))
        setError('')
      },
      (e: unknown) => {
        if (mine !== generation.current) return
        pending.current = null
        setError(messageOf(e))
      },
    )
  }, [])

  const marked = useCallback(
    (r: NotificationsRead, at: string) => {
      for (const id of r.ids) read.current.add(id)
      apply(withRead(r.ids, at, () => r.unread))
    },
    [apply],
  )

  useChannel(
    userChannel(userID),
    (e) => {
      if (e.type === 'notification.created') apply(withCreated(e.data as Notification))
      else if (e.type === 'notification.read') marked(e.data as NotificationsRead, e.at)
    },
    load,
    (_code, message) => setError(`Live updates refused: ${message}`),
  )

  useChannel('broadcast', (e) => {
    if (e.type !== 'broadcast.sent') return
    const b = e.data as Broadcast
    setBroadcasts((prev) => (prev.some((x) => x.id === b.id) ? prev : [b, ...prev]))
    load()
  })
  const dismissBroadcast = useCallback((id: string) => setBroadcasts((prev) => prev.filter((b) => b.id !== id)), [])

  // The live connection is down before the first load: load over REST anyway, and say it is not live.
  const down = live.status === 'reconnecting' || live.status === 'stale'
  useEffect(() => {
    if (down && inbox === null && pending.current === null && !error) load()
  }, [down, inbox, error, load])

  const markRead = useCallback(
    async (n: Notification) => {
      const answer = await must(api.POST('/api/notifications/{id}/read', { params: { path: { id: n.id } } }))
      const counted = Boolean(n.read_at) || read.current.has(n.id)
      read.current.add(n.id)
      apply(withRead([n.id], answer.read_at ?? new Date().toISOString(), (s) => (counted ? s.unread : s.unread - 1)))
      return answer
    },
    [apply],
  )

  const markAllRead = useCallback(async () => {
    const r = await must(api.POST('/api/notifications/read-all'))
    marked(r, new Date().toISOString())
    return r
  }, [marked])

  const value = useMemo(
    () => ({ inbox, error, reload: load, markRead, markAllRead, broadcasts, dismissBroadcast }),
    [inbox, error, load, markRead, markAllRead, broadcasts, dismissBroadcast],
  )
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useInbox(): InboxValue {
  const c = useContext(Ctx)
  if (!c) throw new Error('useInbox outside InboxProvider')
  return c
}
