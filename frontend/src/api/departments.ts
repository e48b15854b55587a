// The departments (GET /api/departments), which several screens need for names and choices.
import { useCallback, useEffect, useState } from 'react'
import { api, messageOf, must } from './client'
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
 * Loads the departments once. After a failure retry() loads them again; with retryAfterMs that happens
 * on its own, that long after each failure (a kiosk has no one to press retry).
 */
export function useDepartments(retryAfterMs?: number): Departments {
  const [state, setState] = useState<{ items?: Department[]; error: string }>({ error: '' })
  const [attempt, setAttempt] = useState(0)
  const retry = useCallback(() => setAttempt((n) => n + 1), [])
  useEffect(() => {
    let gone = false
    let timer: ReturnType<typeof setTimeout> | undefined
    must(api.GET('/api/departments'))
      .then((l) => !gone && setState({ items: l.items, error: '' }))
      .catch((e: unknown) => {
        if (gone) return
        setState((s) => ({ ...s, error: messageOf(e) }))
        if (retryAfterMs !== undefined) timer = setTimeout(retry, retryAfterMs)
      })
    return () => {
      gone = true
      clearTimeout(timer)
    }
  }, [attempt, retry, retryAfterMs])
  return { items: state.items, error: state.error, retry }
}
