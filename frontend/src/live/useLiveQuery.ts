// Live events keep the query cache fresh: a screen names the channel it follows and the reads (GET paths,
// any parameters) an event on it makes stale; each event, and each (re)sync after an outage, invalidates
// them, gathered over a short moment so a burst of events costs one read. Events carry ids, not people's
// names: the names come back through the REST reads, which ask the access rule.
import { useQueryClient, type QueryKey } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import type { LiveEvent } from '../api/types'
import type { paths } from '../api/schema'
import { keyOf } from '../api/query'
import { useChannel } from './LiveProvider'

type Path = keyof paths & string

/** How long events are gathered before the reads they made stale are read again. */
export const gatherMs = 250

/**
 * Follows channel (null: none) and invalidates every GET of each path in `stale` on each event that
 * `when` accepts (all of them by default), and on each (re)sync, which may follow missed events.
 * onEvent, when given, sees every event first (a sound, a toast).
 */
export function useLiveQueries(
  channel: string | null,
  stale: Path[],
  when?: (e: LiveEvent) => boolean,
  onEvent?: (e: LiveEvent) => void,
): void {
  const client = useQueryClient()
  const pending = useRef(new Set<Path>())
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const latest = useRef({ stale, when, onEvent })
  latest.current = { stale, when, onEvent }

  useEffect(() => () => clearTimeout(timer.current), [])

  const mark = () => {
    for (const p of latest.current.stale) pending.current.add(p)
    if (timer.current !== undefined || pending.current.size === 0) return
    timer.current = setTimeout(() => {
      timer.current = undefined
      const all = [...pending.current]
      pending.current.clear()
      for (const p of all) void client.invalidateQueries({ queryKey: keyOf(p) })
    }, gatherMs)
  }

  useChannel(
    channel,
    (e) => {
      latest.current.onEvent?.(e)
      if (latest.current.when?.(e) ?? true) mark()
    },
    mark,
  )
}

/**
 * Follows channel for a snapshot its events keep current (applied to the cache by onEvent, or
 * invalidating it). Returns false until the channel's first sync: a query enabled by it is first read
 * after the subscription is live, so no event falls between the read and the subscription. Every later
 * sync (the server says to reload, or events may have been missed), and a first sync that finds `key`
 * cached already, invalidates `key`. onSync, when given, is told of every sync too.
 */
export function useSnapshotChannel(
  channel: string | null,
  key: QueryKey,
  onEvent: (e: LiveEvent) => void,
  onError?: (code: string, message: string) => void,
  onSync?: () => void,
): boolean {
  const client = useQueryClient()
  const [synced, setSynced] = useState<string | null>(null)
  const latest = useRef({ key, onSync })
  latest.current = { key, onSync }
  useChannel(
    channel,
    onEvent,
    () => {
      const { key: k, onSync: told } = latest.current
      if (client.getQueryData(k) !== undefined) void client.invalidateQueries({ queryKey: k })
      setSynced(channel)
      told?.()
    },
    onError,
  )
  return channel !== null && synced === channel
}
