// Hooks of the reception screen: loading a REST resource that follows its inputs, form drafts that
// survive switching tabs, the wall clock in minutes, and a debounced call.
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
  /** The data for the current key; undefined while the first load for it is on its way or failed. */
  data: T | undefined
  error: string
  loading: boolean
  reload: () => void
}

/**
 * Loads `load()` whenever `key` changes (null: nothing to load), when `version` changes and on
 * reload(). Data of another key is never shown (a slot list must not outlive its doctor), but a reload
 * of the same key keeps the shown data until the answer comes. Only the newest request's answer counts.
 */
export function useResource<T>(key: string | null, load: () => Promise<T>, version = 0): Resource<T> {
  const [state, setState] = useState<{ key: string | null; data?: T; error: string; loading: boolean }>({
    key: null,
    error: '',
    loading: false,
  })
  const [tick, setTick] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load

  useEffect(() => {
    if (key === null) return
    let gone = false
    setState((s) => (s.key === key ? { ...s, loading: true } : { key, error: '', loading: true }))
    loadRef.current().then(
      (data) => !gone && setState({ key, data, error: '', loading: false }),
      (e: unknown) => !gone && setState((s) => ({ ...s, key, error: messageOf(e), loading: false })),
    )
    return () => {
      gone = true
    }
  }, [key, version, tick])

  const reload = useCallback(() => setTick((n) => n + 1), [])
  const mine = key !== null && state.key === key
  return {
    data: mine ? state.data : undefined,
    error: mine ? state.error : '',
    loading: key !== null && (!mine || state.loading),
    reload,
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
