// Live test doubles shared by the tests (never used by the app): a websocket the test plays the hub
// for, a LiveConnection built on such sockets, and a fake connection for screens whose every channel
// goes live at once.
import { QueryClientProvider } from '@tanstack/react-query'
import { act, render } from '@testing-library/react'
import type { ReactNode } from 'react'
import {
  LiveConnection,
  type ChannelHandlers,
  type LiveOptions,
  type LiveState,
  type SocketLike,
} from '../live/connection'
import { LiveProvider } from '../live/LiveProvider'
import { newQueryClient } from '../api/query'

/** A frame the client sent. */
export interface Sent {
  op: string
  id?: string
  channels?: { channel: string; since?: number }[]
}

/**
 * A websocket as the connection sees it: it records what is sent, and the test plays the server. It
 * starts connecting; open() opens it (a real socket throws on send before that).
 */
export class FakeSocket implements SocketLike {
  readyState = 0
  sent: Sent[] = []
  closed: { code?: number; reason?: string } | null = null
  onopen: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  onclose: ((ev: { code: number; reason: string }) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null

  constructor(readonly url = 'wss://hms.test/ws?ticket=t') {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: the socket is not open')
    this.sent.push(JSON.parse(data) as Sent)
  }

  close(code?: number, reason?: string): void {
    this.closed = { code, reason }
    this.readyState = 3
  }

  open(): void {
    this.readyState = 1
    act(() => this.onopen?.({}))
  }

  /** A frame from the server (inside act, so screens render what it changed). */
  deliver(frame: object): void {
    act(() => this.onmessage?.({ data: JSON.stringify(frame) }))
  }

  /** The connection ends from the other side (or the network). */
  drop(code = 1006, reason = ''): void {
    this.readyState = 3
    act(() => this.onclose?.({ code, reason }))
  }

  /** The frames sent with an op, e.g. the subscribes. */
  frames(op: string): Sent[] {
    return this.sent.filter((f) => f.op === op)
  }

  /** The channels of the frames sent with an op. */
  channels(op: string): string[] {
    return this.frames(op).flatMap((f) => (f.channels ?? []).map((c) => c.channel))
  }

  /** The since values of the URL, as "channel:seq". */
  since(): string[] {
    return new URL(this.url).searchParams.getAll('since')
  }
}

/** A real LiveConnection whose sockets are FakeSockets, kept in `sockets` (newest last). */
export function fakeConnection(over: Partial<LiveOptions> = {}): {
  conn: LiveConnection
  sockets: FakeSocket[]
  /** The newest socket. */
  newest: () => FakeSocket
} {
  const sockets: FakeSocket[] = []
  const conn = new LiveConnection({
    url: async () => 'wss://hms.test/ws?ticket=t',
    createSocket: (u) => {
      const s = new FakeSocket(u)
      sockets.push(s)
      return s
    },
    ...over,
  })
  const newest = () => {
    const s = sockets.at(-1)
    if (!s) throw new Error('no socket yet')
    return s
  }
  return { conn, sockets, newest }
}

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

  /** The server says to reload a channel's snapshot (too many events were missed). */
  resync(channel: string): void {
    act(() => {
      for (const h of this.handlers.get(channel) ?? []) h.onSync?.()
    })
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

/**
 * Renders a screen inside a LiveProvider whose connection is the fake one, with a query cache of its own
 * (so one test's answers never reach another).
 */
export function renderLive(live: FakeLive, ui: ReactNode) {
  return render(
    <QueryClientProvider client={newQueryClient()}>
      <LiveProvider connection={live.asConnection()}>{ui}</LiveProvider>
    </QueryClientProvider>,
  )
}
