// Hooks of the reception screen: a query as the forms use it, form drafts that survive switching tabs,
// the wall clock in minutes, and a debounced call.
import type { UseQueryResult } from '@tanstack/react-query'
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
  type Dispatch,
  type SetStateAction,
} from 'react'
import { messageOf } from '../../api/client'

export interface Resource<T> {
  /** The data for the current query; undefined while the first read of it is on its way or failed. */
  data: T | undefined
  error: string
  loading: boolean
  reload: () => void
}

/**
 * A query as the desk's forms use it. Data of another key is never shown (a slot list must not outlive
 * its doctor: no placeholder data), but reading the same key again keeps the shown data until the answer
 * comes. `enabled` false (nothing to read) is neither loading nor read by reload().
 */
export function resourceOf<T, E>(q: UseQueryResult<T, E>, enabled = true): Resource<T> {
  return {
    data: q.data,
    error: enabled && q.error ? messageOf(q.error) : '',
    loading: enabled && q.isFetching,
    reload: () => {
      if (enabled) void q.refetch()
    },
  }
}

/** Where form drafts are kept while their tab is not shown; the screen provides one store. */
export const DraftStore = createContext<Map<string, unknown> | null>(null)

/**
 * useState whose value outlives the component: a form's content stays when the person switches to
 * another tab and back. Without a DraftStore it is plain useState.
 */
export function useDraft<T>(key: string, initial: T): [T, Dispatch<SetStateAction<T>>] {
  const store = useContext(DraftStore)
  const [value, setValue] = useState<T>(() => (store?.has(key) ? (store.get(key) as T) : initial))
  useEffect(() => {
    store?.set(key, value)
  }, [store, key, value])
  return [value, setValue]
}

/** The time now (ms), refreshed every `every` ms, for figures that grow while nothing else changes. */
export function useNow(every = 30_000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), every)
    return () => clearInterval(t)
  }, [every])
  return now
}

/** Calls fn once, `ms` after the last of a burst of calls; the timer is dropped on unmount. */
export function useDebounced(fn: () => void, ms: number): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const fnRef = useRef(fn)
  fnRef.current = fn
  useEffect(() => () => clearTimeout(timer.current), [])
  return useCallback(() => {
    clearTimeout(timer.current)
    timer.current = setTimeout(() => fnRef.current(), ms)
  }, [ms])
}
