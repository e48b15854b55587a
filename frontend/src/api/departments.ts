// The departments (GET /api/departments), which several screens need for names and choices: one read
// shared by every screen through the query cache.
import { $api } from './query'
import { messageOf } from './client'
import type { Department } from './types'

export interface Departments {
  /** The departments; undefined until the first answer. */
  items: Department[] | undefined
  /** Why the last load failed; '' when it did not. Items already loaded stay. */
  error: string
  /** Loads them again now. */
  retry: () => void
}

/**
 * The departments. After a failure retry() loads them again; with retryAfterMs that happens on its own,
 * that long after each failure (a kiosk has no one to press retry).
 */
export function useDepartments(retryAfterMs?: number): Departments {
  const q = $api.useQuery('get', '/api/departments', undefined, {
    staleTime: 5 * 60_000,
    refetchInterval: (query) => (query.state.status === 'error' && retryAfterMs !== undefined ? retryAfterMs : false),
    retry: false,
  })
  return { items: q.data?.items, error: q.error ? messageOf(q.error) : '', retry: () => void q.refetch() }
}

/** A department's name from its id (the id itself until the departments arrive, or when it is unknown). */
export function useDepartmentName(): (id: string) => string {
  const { items } = useDepartments()
  return (id) => items?.find((d) => d.id === id)?.name ?? id
}
