// Idempotency-Keys for bookings (README "A retried booking books once"): the same key with the same body
// makes the server book once and answer with that first booking.
import { useCallback, useRef } from 'react'

/**
 * A new Idempotency-Key, a UUID v4. crypto.randomUUID exists only in secure contexts (https, localhost,
 * the desktop app), and the UI may be served over plain http on a hospital network, so it falls back to
 * one made from getRandomValues.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/**
 * One Idempotency-Key per submission: sending the same body again after a failure (a timeout, a lost
 * answer) reuses the key; a changed body gets a new key (the same key with another body is a 409).
 * Call done() once the submission has its final answer (a success, or an error the server gave);
 * pending(body) tells whether this body was sent without one yet (its answer may have been lost).
 */
export function useIdempotencyKey(): {
  keyFor: (body: unknown) => string
  pending: (body: unknown) => boolean
  done: () => void
} {
  const last = useRef<{ body: string; key: string } | null>(null)
  const keyFor = useCallback((body: unknown) => {
    const b = JSON.stringify(body)
    if (last.current?.body !== b) last.current = { body: b, key: newIdempotencyKey() }
    return last.current.key
  }, [])
  const pending = useCallback((body: unknown) => last.current?.body === JSON.stringify(body), [])
  const done = useCallback(() => {
    last.current = null
  }, [])
  return { keyFor, pending, done }
}
