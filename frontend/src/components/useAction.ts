// One action at a time for a list's buttons (mark read, mark all read): which one is running, so the
// buttons can say so and wait, and the server's message when the last one failed.
import { useCallback, useState } from 'react'
import { messageOf } from '../api/client'

export interface Action {
  /** What is running ('' when nothing is), as named to run. */
  busy: string
  /** Why the last action failed ('' when it did not). */
  error: string
  run(what: string, call: () => Promise<unknown>): Promise<void>
  clearError(): void
}

export function useAction(): Action {
  const [busy, setBusy] = useState('')
  const [error, setError] = useState('')
  const run = useCallback(async (what: string, call: () => Promise<unknown>) => {
    setBusy(what)
    setError('')
    try {
      await call()
    } catch (e) {
      setError(messageOf(e))
    } finally {
      setBusy('')
    }
  }, [])
  const clearError = useCallback(() => setError(''), [])
  return { busy, error, run, clearError }
}
