// Account names for the admin's review lists (access grants, audit log): every account, read a hundred at
// a time from GET /api/users (the list the Accounts tab shows), as a lookup from user id to the account.
import { useQueries } from '@tanstack/react-query'
import { $api } from '../../api/query'
import type { User } from '../../api/types'

const limit = 100

/** The accounts by id; empty until the first page is in. `error` is the first failed page's. */
export function useUserNames(): { byId: Map<string, User>; error: unknown } {
  const first = $api.useQuery('get', '/api/users', { params: { query: { page: 1, limit } } })
  const pages = first.data ? Math.ceil(first.data.total / limit) : 1
  const rest = useQueries({
    queries: Array.from({ length: Math.max(0, pages - 1) }, (_, i) =>
      $api.queryOptions('get', '/api/users', { params: { query: { page: i + 2, limit } } }),
    ),
  })
  const byId = new Map<string, User>()
  for (const u of first.data?.items ?? []) byId.set(u.id, u)
  for (const r of rest) for (const u of r.data?.items ?? []) byId.set(u.id, u)
  return { byId, error: first.error ?? rest.find((r) => r.error)?.error ?? null }
}
