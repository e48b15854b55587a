// Server state for every screen: one TanStack Query cache, and `$api`, typed query and mutation hooks
// over the same OpenAPI schema as `api` (openapi-react-query). A screen reads with
//   const doctors = $api.useQuery('get', '/api/doctors', { params: { query: { department } } })
// and changes with $api.useMutation('post', '/api/…'), invalidating what the change touches. Live events
// invalidate the queries they make stale (live/useLiveQuery.ts), so nothing is kept fresh by hand.
// A failed request throws an ApiError with the server's message (messageOf shows it).
import { QueryClient, type QueryKey } from '@tanstack/react-query'
import createClient, { type Middleware } from 'openapi-fetch'
import createQueryHooks from 'openapi-react-query'
import { authFetch, session } from './client'
import type { paths } from './schema'
import { ApiError, errorFrom } from './session'

// Error answers become ApiErrors before openapi-react-query sees them, so every query's and mutation's
// error carries the server's code and message.
const throwErrors: Middleware = {
  async onResponse({ response }) {
    if (response.ok) return undefined
    const body: unknown = await response
      .clone()
      .json()
      .catch(() => null)
    throw errorFrom(response.status, body)
  },
}

const queryFetch = createClient<paths>({ fetch: authFetch })
queryFetch.use(throwErrors)

export const $api = createQueryHooks(queryFetch)

/** Retries a failed read twice unless the server said no (4xx): a refusal does not change by asking again. */
function retry(failures: number, e: unknown): boolean {
  if (e instanceof ApiError && e.status >= 400 && e.status < 500) return false
  return failures < 2
}

export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Live events say when data changed; a screen does not need to poll or refetch on focus.
      queries: { staleTime: 60_000, retry, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  })
}

export const queryClient = newQueryClient()

// What one person read is never shown to the next: signing out, or in as someone else, empties the cache.
let owner = session.current?.user.id
session.subscribe((s) => {
  if (s?.user.id === owner) return
  owner = s?.user.id
  queryClient.clear()
})

/** The key prefix of every GET of a path (any parameters), for invalidation: keyOf('/api/doctors'). */
export function keyOf(path: keyof paths & string): QueryKey {
  return ['get', path]
}
