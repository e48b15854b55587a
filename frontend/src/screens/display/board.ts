// Helpers for the display board: copying a board from the wire field by field (so nothing but numbers,
// doctors and waits can ever reach a waiting-room screen), choosing the newer of two boards, finding the
// tickets that were just called, and the board as a query in the shared cache.
import type { QueryClient, QueryKey } from '@tanstack/react-query'
import { api, must } from '../../api/client'
import { $api } from '../../api/query'
import type { DisplayBoard, DisplayTicket } from '../../api/types'

/**
 * A board built only from the DisplayBoard fields the screen shows. The server never sends names on a
 * display channel; this makes sure that, whatever arrives, the screen could not show one either.
 */
export function cleanBoard(data: unknown): DisplayBoard {
  const b = (data ?? {}) as Partial<DisplayBoard>
  return {
    department: String(b.department ?? ''),
    day: String(b.day ?? ''),
    at: String(b.at ?? ''),
    now_serving: (b.now_serving ?? []).map(cleanTicket),
    next: (b.next ?? []).map(cleanTicket),
    waiting: Number(b.waiting ?? 0),
    average_wait_minutes: Number(b.average_wait_minutes ?? 0),
    longest_wait_minutes: Number(b.longest_wait_minutes ?? 0),
  }
}

function cleanTicket(t: DisplayTicket): DisplayTicket {
  const out: DisplayTicket = { number: Number(t.number), status: t.status }
  if (typeof t.doctor_name === 'string') out.doctor_name = t.doctor_name
  if (typeof t.estimated_wait_minutes === 'number') out.estimated_wait_minutes = t.estimated_wait_minutes
  return out
}

/**
 * The newer of the shown board and an arriving one, by the time the server built each. A REST snapshot
 * and a live event can cross on the way, so an older board must not replace a newer one.
 */
export function newer(shown: DisplayBoard | null, next: DisplayBoard): DisplayBoard {
  if (!shown) return next
  const a = Date.parse(shown.at)
  const b = Date.parse(next.at)
  if (Number.isNaN(a) || Number.isNaN(b)) return next
  return b >= a ? next : shown
}

/** Numbers called on `next` that were not called on `prev` (nothing on the first board). */
export function justCalled(prev: DisplayBoard | null, next: DisplayBoard): number[] {
  if (!prev) return []
  const before = new Set(prev.now_serving.filter((t) => t.status === 'called').map((t) => t.number))
  return next.now_serving.filter((t) => t.status === 'called' && !before.has(t.number)).map((t) => t.number)
}

/** A wait for people reading from across the room: "~8 min", "Soon", or a dash when unknown. */
export function waitText(minutes: number | undefined): string {
  if (minutes === undefined) return '—'
  if (minutes <= 0) return 'Soon'
  return `~${Math.round(minutes)} min`
}

/** Whole minutes for the footer figures. */
export function minutes(m: number): string {
  return `${Math.round(m)} min`
}

/**
 * The department's board as a query (the ward display's and the patient's place in the line share it):
 * read over REST, and kept newer than what is cached, since a snapshot and a live event can cross.
 */
export function boardQuery(client: QueryClient, department: string) {
  const init = { params: { path: { department } } }
  const { queryKey } = $api.queryOptions('get', '/api/queues/{department}/display', init)
  return {
    queryKey,
    queryFn: async ({ signal }: { signal: AbortSignal }): Promise<DisplayBoard> => {
      const b = await must(api.GET('/api/queues/{department}/display', { ...init, signal }))
      return newer(client.getQueryData<DisplayBoard>(queryKey) ?? null, cleanBoard(b))
    },
  }
}

/** Puts a board that arrived live into the cache, unless the cached one is newer. */
export function putBoard(client: QueryClient, queryKey: QueryKey, data: unknown): void {
  client.setQueryData<DisplayBoard>(queryKey, (shown) => newer(shown ?? null, cleanBoard(data)))
}
