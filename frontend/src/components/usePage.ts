// One page of a server list (users, audit entries, notifications, deliveries) at a time: which page, its
// data, whether it is loading, and the server's message when it failed (the page shown before stays until
// the next arrives). A screen changes the page it shows with update (a live event, an action's answer).
import { useCallback, useEffect, useRef, useState } from 'react'
import { messageOf } from '../api/client'

export interface Paged<T> {
  page: number
  data: T | null
  busy: boolean
  error: string
  go(page: number): void
  reload(): void
  /** Changes the data shown (nothing before the first page arrived); the next load replaces it. */
  update(change: (data: T) => T): void
}

export function usePage<T>(load: (page: number) => Promise<T>): Paged<T> {
  const loadRef = useRef(load)
  loadRef.current = load
  const [page, setPage] = useState(1)
  const [reloads, setReloads] = useState(0)
  const [data, setData] = useState<T | null>(null)
  const [busy, setBusy] = useState(true)
  const [error, setError] = useState('')

  useEffect(() => {
    let gone = false
    setBusy(true)
    loadRef
      .current(page)
      .then((d) => {
        if (gone) return
        setData(d)
        setError('')
      })
      .catch((e: unknown) => !gone && setError(messageOf(e)))
      .finally(() => !gone && setBusy(false))
    return () => {
      gone = true
    }
  }, [page, reloads])

  const reload = useCallback(() => setReloads((n) => n + 1), [])
  const update = useCallback((change: (data: T) => T) => setData((d) => (d === null ? d : change(d))), [])
  return { page, data, busy, error, go: setPage, reload, update }
}
