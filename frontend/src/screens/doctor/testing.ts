// Test doubles for the doctor's and the patient's screens (used by Doctor.test.tsx and Patient.test.tsx,
// never by the app): a live connection the test plays the hub for, and a REST server of canned answers.
import { act } from '@testing-library/react'
import { vi } from 'vitest'
import { session } from '../../api/client'
import type { SessionState } from '../../api/session'
import type { User } from '../../api/types'
import type { ChannelHandlers, LiveConnection, LiveState } from '../../live/connection'

/** The part of LiveConnection that LiveProvider and useChannel use; every channel goes live at once. */
export class FakeLive {
  private readonly handlers = new Map<string, Set<ChannelHandlers>>()
  private readonly seqs = new Map<string, number>()
  readonly current: LiveState = { status: 'live', since: null, attempt: 0, error: '' }

  start(): void {}
  stop(): void {}
  check(): void {}
  reconnectNow(): void {}

  onState(l: (s: LiveState) => void): () => void {
    l(this.current)
    return () => undefined
  }

  subscribe(channel: string, h: ChannelHandlers): () => void {
    let set = this.handlers.get(channel)
    if (!set) this.handlers.set(channel, (set = new Set()))
    set.add(h)
    // Live on the next tick, as after the server's `subscribed`.
    setTimeout(() => set.has(h) && h.onSync?.(), 0)
    return () => set.delete(h)
  }

  /** The channels someone listens to. */
  channels(): string[] {
    return [...this.handlers].filter(([, s]) => s.size > 0).map(([c]) => c)
  }

  /** Delivers an event on a channel, numbered after the channel's last one. */
  emit(channel: string, type: string, data: unknown, at = new Date().toISOString()): void {
    const seq = (this.seqs.get(channel) ?? 0) + 1
    this.seqs.set(channel, seq)
    act(() => {
      for (const h of this.handlers.get(channel) ?? []) h.onEvent({ channel, seq, type, at, data })
    })
  }

  asConnection(): LiveConnection {
    return this as unknown as LiveConnection
  }
}

/** One request the screen made. */
export interface Call {
  method: string
  path: string
  query: URLSearchParams
  headers: Headers
  body: unknown
}

type Answer = { status?: number; body: unknown } | ((c: Call) => { status?: number; body: unknown })

/**
 * Answers fetch from a table keyed "METHOD /path" (no query); anything else is a 404. Returns the list
 * of calls, newest last. A route may be changed while the test runs.
 */
export function fakeServer(routes: Record<string, Answer>): Call[] {
  const calls: Call[] = []
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    const req = input as Request
    const url = new URL(req.url)
    const text = await req.text()
    const call: Call = {
      method: req.method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    }
    calls.push(call)
    const route = routes[`${req.method} ${url.pathname}`]
    const answer = typeof route === 'function' ? route(call) : route
    const { status, body } = answer ?? apiError(404, 'not_found', `no route ${url.pathname}`)
    return json(body, status ?? 200)
  })
  return calls
}

/** An error answer in the server's one shape. */
export function apiError(status: number, code: string, message: string): { status: number; body: unknown } {
  return { status, body: { error: { code, message }, request_id: 'req-1' } }
}

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

/** Signs a user in for the test (the session's getter answers it). */
export function signIn(user: Partial<User> & Pick<User, 'id' | 'role'>): void {
  const s = {
    token: 'token',
    refreshToken: 'refresh',
    user: { name: 'Test User', email: 'test@hms.test', active: true, ...user },
  } as unknown as SessionState
  vi.spyOn(session, 'current', 'get').mockReturnValue(s)
}
