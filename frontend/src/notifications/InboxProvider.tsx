// The signed-in user's notifications, shared by the header's bell and the /notifications screen: the
// newest ones and the unread count, a query in the shared cache read when the user's channel
// (`user:<id>`, joined on connect) is live and whenever the server says to reload, then kept current by
// `notification.created` and `notification.read`, which change every cached list of notifications (the
// bell's is the screen's first page: one read for both). Marking read goes through here too, so the
// bell's count follows at once even when the connection is down; the live event that the server also
// sends changes nothing twice.
// An admin's broadcast (`broadcast.sent` on the broadcast channel, which every connection has) is stored
// in every inbox before it is sent live: hearing it reloads the inbox (the bell and its unread count),
// and it is kept as a notice for the screen's header until the person dismisses it.
import { useQuery, useQueryClient, type QueryFunctionContext, type QueryKey } from '@tanstack/react-query'
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react'
import { api, messageOf, must } from '../api/client'
import { keyOf } from '../api/query'
import type { Broadcast, Notification, NotificationList, NotificationsRead } from '../api/types'
import { useChannel, useLiveState } from '../live/LiveProvider'
import { useSnapshotChannel } from '../live/useLiveQuery'
import { inboxSize, withCreated, withRead, type Inbox, type InboxChange, type ListQuery } from './inbox'

/** A list of notifications as a query: its key, and the read that keeps what arrived meanwhile. */
export interface ListOptions {
  queryKey: QueryKey
  queryFn: (c: QueryFunctionContext) => Promise<NotificationList>
}

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
  /** A page of the notifications (any query) as a query that the live events keep current. */
  listQuery(q: ListQuery): ListOptions
  /**
   * True once the user's channel is live (or the connection is down): a list read before that could miss
   * what arrives meanwhile, so lists wait for it.
   */
  ready: boolean
  /** The broadcasts heard live in this tab and not dismissed, newest first. */
  broadcasts: Broadcast[]
  dismissBroadcast(id: string): void
}

const Ctx = createContext<InboxValue | null>(null)

/** The user's channel, where their notifications arrive. */
export function userChannel(userID: string): string {
  return `user:${userID}`
}

/** The bell's list: the first page of every notification (the screen's first page is the same query). */
const inboxQuery: ListQuery = { page: 1, limit: inboxSize }

function keyOfList(q: ListQuery): QueryKey {
  return ['get', '/api/notifications', { params: { query: q } }]
}

export function InboxProvider({ userID, children }: { userID: string; children: ReactNode }) {
  const client = useQueryClient()
  const [refused, setRefused] = useState('')
  const [broadcasts, setBroadcasts] = useState<Broadcast[]>([])
  /** The changes made while each read is on its way, replayed onto its answer (older than they are). */
  const inFlight = useRef(new Set<InboxChange[]>())
  /** Ids known to be read, so a notification marked read by a request and its event counts once. */
  const read = useRef(new Set<string>())
  const live = useLiveState()

  const listQuery = useCallback(
    (q: ListQuery): ListOptions => ({
      queryKey: keyOfList(q),
      queryFn: async ({ signal }) => {
        const changes: InboxChange[] = []
        inFlight.current.add(changes)
        try {
          const l = await must(api.GET('/api/notifications', { params: { query: q }, signal }))
          for (const n of l.items) if (n.read_at) read.current.add(n.id)
          return changes.reduce((s, c) => c(s, q), l)
        } finally {
          inFlight.current.delete(changes)
        }
      },
    }),
    [],
  )

  /** Applies a change to every cached list, and to the answers of the reads on their way. */
  const apply = useCallback(
    (c: InboxChange) => {
      for (const changes of inFlight.current) changes.push(c)
      for (const [key, list] of client.getQueriesData<NotificationList>({ queryKey: keyOf('/api/notifications') })) {
        if (!list) continue
        const q = ((key[2] as { params?: { query?: ListQuery } } | undefined)?.params?.query ?? {}) as ListQuery
        client.setQueryData<NotificationList>(key, c(list, q))
      }
    },
    [client],
  )

  const marked = useCallback(
    (r: NotificationsRead, at: string) => {
      for (const id of r.ids) read.current.add(id)
      apply(withRead(r.ids, at, () => r.unread))
    },
    [apply],
  )

  // Every list but the bell's (which the channel's sync reads again itself).
  const inboxKey = keyOfList(inboxQuery)
  const others = (q: { queryKey: QueryKey }) =>
    q.queryKey[1] === '/api/notifications' && JSON.stringify(q.queryKey) !== JSON.stringify(inboxKey)
  const syncedOnce = useRef(false)
  const synced = useSnapshotChannel(
    userChannel(userID),
    inboxKey,
    (e) => {
      if (e.type === 'notification.created') apply(withCreated(e.data as Notification))
      else if (e.type === 'notification.read') marked(e.data as NotificationsRead, e.at)
    },
    (_code, message) => setRefused(`Live updates refused: ${message}`),
    () => {
      // The first sync is the subscription going live: the lists are loading already.
      if (syncedOnce.current) void client.invalidateQueries({ predicate: others })
      syncedOnce.current = true
    },
  )

  // A broadcast is in every inbox before it is sent live: the lists show it at once.
  useChannel('broadcast', (e) => {
    if (e.type !== 'broadcast.sent') return
    const b = e.data as Broadcast
    setBroadcasts((prev) => (prev.some((x) => x.id === b.id) ? prev : [b, ...prev]))
    void client.invalidateQueries({ queryKey: keyOf('/api/notifications') })
  })
  const dismissBroadcast = useCallback((id: string) => setBroadcasts((prev) => prev.filter((b) => b.id !== id)), [])

  // The live connection is down before the first load: load over REST anyway, and say it is not live.
  const down = live.status === 'reconnecting' || live.status === 'stale'
  const ready = synced || down
  const q = useQuery({ ...listQuery(inboxQuery), enabled: ready, retry: false })
  const inbox: Inbox | null = useMemo(() => (q.data ? { items: q.data.items, unread: q.data.unread } : null), [q.data])
  const error = refused || (q.error ? messageOf(q.error) : '')
  const refetch = q.refetch
  const reload = useCallback(() => {
    setRefused('')
    void refetch()
  }, [refetch])

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
    () => ({ inbox, error, reload, markRead, markAllRead, listQuery, ready, broadcasts, dismissBroadcast }),
    [inbox, error, reload, markRead, markAllRead, listQuery, ready, broadcasts, dismissBroadcast],
  )
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useInbox(): InboxValue {
  const c = useContext(Ctx)
  if (!c) throw new Error('useInbox outside InboxProvider')
  return c
}
