// The Idempotency-Key: a UUID v4 with or without crypto.randomUUID, kept for the same body until done.
import { renderHook } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { newIdempotencyKey, useIdempotencyKey } from './idempotency'

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

afterEach(() => vi.unstubAllGlobals())

describe('newIdempotencyKey', () => {
  it('is a fresh UUID v4 each time', () => {
    const a = newIdempotencyKey()
    expect(a).toMatch(uuidV4)
    expect(newIdempotencyKey()).not.toBe(a)
  })

  it('falls back to getRandomValues where randomUUID is missing (plain http)', () => {
    const real = globalThis.crypto
    const random = vi.fn((a: Uint8Array) => real.getRandomValues(a))
    vi.stubGlobal('crypto', { getRandomValues: random })
    const a = newIdempotencyKey()
    expect(random).toHaveBeenCalled()
    expect(a).toMatch(uuidV4)
    expect(newIdempotencyKey()).not.toBe(a)
  })
})

describe('useIdempotencyKey', () => {
  it('keeps the key for the same body until done, and makes a new one for another body', () => {
    const { result } = renderHook(() => useIdempotencyKey())
    const idem = result.current
    const first = idem.keyFor({ start: '09:00' })
    expect(idem.pending({ start: '09:00' })).toBe(true)
    expect(idem.keyFor({ start: '09:00' })).toBe(first)

    const other = idem.keyFor({ start: '09:15' })
    expect(other).not.toBe(first)
    expect(idem.pending({ start: '09:00' })).toBe(false)

    idem.done()
    expect(idem.pending({ start: '09:15' })).toBe(false)
    expect(idem.keyFor({ start: '09:15' })).not.toBe(other)
  })
})
