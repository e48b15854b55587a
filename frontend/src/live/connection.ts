// The live connection: one websocket to the hub (docs/websocket.md) shared by every screen.
//
// It authenticates with a fresh single-use ticket on every connect, subscribes to the channels the
// screens ask for, and tracks the last seq seen on each channel. After a reconnect it resumes each
// channel from that seq, so the server replays what was missed; a gap seen live (seq jumps) resubscribes
// from the last seq; when the server says too much was missed (`reload`) the screen reloads its snapshot.
// Reconnects back off exponentially with jitter. Browsers cannot see websocket pings, so it pings at
// the application level (at once when its timers show the machine slept) and treats a missing pong as
// a dead socket. It has no React in it: the hook in LiveProvider.tsx wraps it, and tests drive it with
// a fake socket and fake timers.
import type { LiveEvent } from '../api/types'

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'stale' | 'stopped'

export interface LiveState {
  status: LiveStatus
  /** When the connection stopped being live (null while live or before the first connect). */
  since: Date | null
  /** Reconnect attempts since the last successful connect. */
  attempt: number
  /** Why the last attempt failed, for the person at the screen. */
  error: string
}

export interface ChannelHandlers {
  onEvent(e: LiveEvent): void
  /**
   * Load the channel's state over REST: called once the subscription is live (so no event between the
   * snapshot and the stream is lost), and again whenever the server says to reload.
   */
  onSync?(): void
  /** The server refused the subscription (forbidden, unknown_channel). */
  onError?(code: string, message: string): void
}

/** The part of WebSocket the connection uses, so tests can pass a fake. */
export interface SocketLike {
  readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onclose: ((ev: { code: number; reason: string }) => void) | null
  onerror: ((ev: unknown) => void) | null
}

export interface LiveOptions {
  /** Resolves the websocket URL with a fresh ticket (the desktop and the browser differ). */
  url(): Promise<string>
  createSocket?: (url: string) => SocketLike
  now?: () => number
  random?: () => number
  backoffBase?: number
  backoffMax?: number
  /** How long the status says "reconnecting" before it says "stale". */
  staleAfter?: number
  pingEvery?: number
  pongTimeout?: number
  /** How long a new socket may take to be welcomed before it is given up on. */
  connectTimeout?: number
  /** The ticket could not be had because the session ended: the app signs out. */
  onAuthFailed?(): void
  /** Every event delivered, after the channel's handlers (the desktop reports them). */
  onAnyEvent?(e: LiveEvent): void
  /** The server said the role's permissions changed (it reconnects under the new ones): the app reads them again. */
  onRightsChanged?(): void
}

interface Frame {
  op: string
  id?: string
  channel?: string
  seq?: number
  type?: string
  at?: string
  data?: unknown
  code?: string
  message?: string
  channels?: string[]
}

interface ChannelState {
  /** Last seq delivered; null until the channel's first subscribed frame or event. */
  last: number | null
  /** A resubscribe with since is in flight: only the next seq is accepted until it is answered. */
  resyncing: boolean
  /** The screen's snapshot has been asked for since the last (re)subscribe. */
  synced: boolean
}

const OPEN = 1
/** The hub closes with 4001 when the access token a connection was opened with expires. */
export const CloseTokenExpired = 4001
const tickEvery = 5000

export class LiveConnection {
  private readonly o: Required<Omit<LiveOptions, 'onAuthFailed' | 'onAnyEvent' | 'onRightsChanged'>> &
    Pick<LiveOptions, 'onAuthFailed' | 'onAnyEvent' | 'onRightsChanged'>
  private ws: SocketLike | null = null
  private welcomed = false
  private stopped = true
  /** A ticket is being fetched for the next socket. */
  private dialing = false
  /** Bumped by every connect and by stop: a connect whose ticket arrives after that is dropped. */
  private generation = 0
  private state: LiveState = { status: 'stopped', since: null, attempt: 0, error: '' }
  private readonly stateListeners = new Set<(s: LiveState) => void>()
  private readonly handlers = new Map<string, Set<ChannelHandlers>>()
  private readonly channels = new Map<string, ChannelState>()
  private autoChannels = new Set<string>()
  private nextID = 1
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private staleTimer: ReturnType<typeof setTimeout> | null = null
  private tickTimer: ReturnType<typeof setInterval> | null = null
  /** Drops the socket when the server does not answer in time: the welcome, or a pong. */
  private deadline: ReturnType<typeof setTimeout> | null = null
  private lastTick = 0
  private lastPing = 0
  /** The id of the ping awaiting its pong. */
  private pingID: string | null = null

  constructor(opts: LiveOptions) {
    this.o = {
      createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
      now: () => Date.now(),
      random: Math.random,
      backoffBase: 500,
      backoffMax: 30000,
      staleAfter: 10000,
      pingEvery: 20000,
      pongTimeout: 10000,
      connectTimeout: 20000,
      ...opts,
    }
  }

  get current(): LiveState {
    return this.state
  }

  onState(l: (s: LiveState) => void): () => void {
    this.stateListeners.add(l)
    l(this.state)
    return () => this.stateListeners.delete(l)
  }

  /** The last seq seen on a channel, or null. */
  lastSeq(channel: string): number | null {
    return this.channels.get(channel)?.last ?? null
  }

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.setState({ status: 'connecting', since: null, attempt: 0, error: '' })
    this.tickTimer = setInterval(() => this.tick(), tickEvery)
    this.lastTick = this.o.now()
    void this.connect()
  }

  stop(): void {
    this.stopped = true
    this.dialing = false
    this.generation++
    this.clearTimers()
    if (this.tickTimer) clearInterval(this.tickTimer)
    this.tickTimer = null
    const ws = this.detach()
    if (ws) ws.close(1000, 'signed out')
    this.setState({ status: 'stopped', since: this.state.since, attempt: 0, error: '' })
  }

  /** Reconnect now, e.g. when the browser says it is back online. */
  reconnectNow(): void {
    if (this.stopped || (this.ws && this.welcomed)) return
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.setState({ ...this.state, attempt: 0 })
    if (!this.ws && !this.dialing) void this.connect()
  }

  /** Check the socket now (the page became visible again, or the network changed). */
  check(): void {
    if (this.ws && this.welcomed) this.ping()
    else this.reconnectNow()
  }

  subscribe(channel: string, h: ChannelHandlers): () => void {
    let set = this.handlers.get(channel)
    const first = !set
    if (!set) {
      set = new Set()
      this.handlers.set(channel, set)
    }
    set.add(h)
    if (first && !this.autoChannels.has(channel)) {
      this.join(channel)
    } else if (this.channels.get(channel)?.synced) {
      h.onSync?.()
    }
    return () => {
      const s = this.handlers.get(channel)
      if (!s) return
      s.delete(h)
      if (s.size > 0) return
      this.handlers.delete(channel)
      if (this.autoChannels.has(channel)) return
      this.channels.delete(channel)
      this.send({ op: 'unsubscribe', id: this.id(), channels: [{ channel }] })
    }
  }

  /** The channel's state, created empty when the channel is new. */
  private channel(channel: string): ChannelState {
    let st = this.channels.get(channel)
    if (!st) {
      st = { last: null, resyncing: false, synced: false }
      this.channels.set(channel, st)
    }
    return st
  }

  private join(channel: string): void {
    const st = this.channel(channel)
    const cursor: { channel: string; since?: number } = { channel }
    if (st.last !== null) {
      cursor.since = st.last
      st.resyncing = true
    }
    this.send({ op: 'subscribe', id: this.id(), channels: [cursor] })
  }

  private async connect(): Promise<void> {
    if (this.stopped) return
    const generation = ++this.generation
    this.welcomed = false
    this.dialing = true
    let url: string
    try {
      url = await this.o.url()
    } catch (e) {
      if (generation !== this.generation) return
      this.dialing = false
      const status = (e as { status?: number }).status
      if (status === 401 || status === 403) {
        this.stop()
        this.o.onAuthFailed?.()
        return
      }
      this.retry(e instanceof Error ? e.message : String(e))
      return
    }
    // Stopped, or superseded by another connect, while the ticket was on its way.
    if (generation !== this.generation) return
    this.dialing = false
    // Resume the channels the server joins on connect from the last seq seen on each.
    const since = [...this.autoChannels]
      .map((c) => [c, this.channels.get(c)?.last] as const)
      .filter(([, s]) => s !== null && s !== undefined)
      .map(([c, s]) => `&since=${encodeURIComponent(`${c}:${s}`)}`)
      .join('')
    let ws: SocketLike
    try {
      ws = this.o.createSocket(url + since)
    } catch (e) {
      this.retry(e instanceof Error ? e.message : String(e))
      return
    }
    this.ws = ws
    // A socket that neither opens nor fails (a network that swallows packets) is given up on.
    this.setDeadline(this.o.connectTimeout)
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return
      let f: Frame
      try {
        f = JSON.parse(String(ev.data)) as Frame
      } catch {
        return
      }
      this.handle(f)
    }
    ws.onclose = (ev) => {
      if (this.ws !== ws) return
      this.detach()
      if (ev.code === CloseTokenExpired) {
        // A fresh ticket (the client refreshes the token) and straight back.
        this.setState({ ...this.state, attempt: 0 })
        this.retry('session renewed', 0)
        return
      }
      this.retry(ev.reason || (ev.code === 1006 ? 'connection lost' : `closed (${ev.code})`))
    }
    ws.onerror = () => undefined
  }

  private handle(f: Frame): void {
    switch (f.op) {
      case 'welcome':
        this.welcomed = true
        this.clearDeadline()
        this.autoChannels = new Set(f.channels ?? [])
        // The server joins these now, from the since the URL carried (replaying what was missed), and
        // answers `subscribed` for each: only then is a snapshot loaded, so nothing falls between the two.
        for (const c of this.autoChannels) {
          const st = this.channel(c)
          st.resyncing = st.last !== null
        }
        this.clearTimers()
        this.setState({ status: 'live', since: null, attempt: 0, error: '' })
        this.lastPing = this.o.now()
        for (const channel of this.handlers.keys()) {
          if (!this.autoChannels.has(channel)) this.join(channel)
        }
        return
      case 'event':
        this.event(f as Frame & LiveEvent)
        return
      case 'subscribed': {
        if (!f.channel || f.code === 'unsubscribed') return
        const st = this.channels.get(f.channel)
        if (!st) return
        st.resyncing = false
        if (st.last === null && typeof f.seq === 'number') st.last = f.seq
        if (!st.synced) {
          st.synced = true
          this.notify(f.channel, (h) => h.onSync?.())
        }
        return
      }
      case 'reload': {
        if (!f.channel) return
        const st = this.channels.get(f.channel)
        if (!st) return
        st.last = typeof f.seq === 'number' ? f.seq : st.last
        st.resyncing = false
        st.synced = true
        this.notify(f.channel, (h) => h.onSync?.())
        return
      }
      case 'error': {
        if (!f.channel) return
        if (f.code === 'unavailable') {
          // The server could not read the channel's history and dropped the subscription; ask again
          // shortly on this socket (a new socket joins every channel anyway). Channels joined on
          // connect are asked for too, whether or not a screen listens: the desktop reports them all.
          const channel = f.channel
          const ws = this.ws
          setTimeout(() => {
            if (this.ws === ws && this.welcomed && this.channels.has(channel)) this.join(channel)
          }, 1000 + this.o.random() * 1000)
          return
        }
        const code = f.code ?? 'error'
        this.notify(f.channel, (h) => h.onError?.(code, f.message ?? ''))
        return
      }
      case 'pong':
        if (this.pingID !== null && f.id === this.pingID) {
          this.pingID = null
          this.clearDeadline()
        }
        return
      case 'reconnect':
        if (f.code === 'rights_changed') {
          // The role's permissions changed: connect again under them (the channels they no longer
          // allow are refused), and let the screens follow.
          this.o.onRightsChanged?.()
          this.dead('your role’s permissions changed')
          return
        }
        // The server is going away: reconnect now, not when the closing handshake ends, with the
        // backoff's jitter so a ward of screens does not come back at once.
        this.dead('the server is restarting')
        return
    }
  }

  private event(e: LiveEvent): void {
    // A channel just left (the server had not yet read the unsubscribe): nobody wants it.
    const st = this.channels.get(e.channel)
    if (!st) return
    if (st.last !== null && e.seq <= st.last) return // already seen (replay overlap)
    if (st.last !== null && e.seq > st.last + 1) {
      // A gap: events were lost on the way (e.g. between servers). Ask for them from the last seen;
      // the replay brings this one again, in order.
      if (!st.resyncing) this.join(e.channel)
      return
    }
    st.last = e.seq
    const event: LiveEvent = { channel: e.channel, seq: e.seq, type: e.type, at: e.at, data: e.data }
    this.notify(e.channel, (h) => h.onEvent(event))
    this.o.onAnyEvent?.(event)
  }

  /**
   * Calls each handler of a channel. One screen's failing handler must not keep the event from the
   * others (the alert banner shares channels with screens), so its error is rethrown on its own.
   */
  private notify(channel: string, call: (h: ChannelHandlers) => void): void {
    for (const h of [...(this.handlers.get(channel) ?? [])]) {
      try {
        call(h)
      } catch (err) {
        queueMicrotask(() => {
          throw err
        })
      }
    }
  }

  private retry(reason: string, delay?: number): void {
    if (this.stopped) return
    const attempt = this.state.attempt + 1
    const wait =
      delay ??
      Math.min(this.o.backoffMax, this.o.backoffBase * 2 ** (attempt - 1)) * (0.5 + this.o.random() * 0.5)
    const wasLive = this.state.status === 'live' || this.state.status === 'connecting'
    const since = this.state.since ?? new Date(this.o.now())
    const status: LiveStatus = this.state.status === 'stale' ? 'stale' : 'reconnecting'
    this.setState({ status, since, attempt, error: reason })
    if (wasLive && !this.staleTimer) {
      this.staleTimer = setTimeout(() => {
        this.staleTimer = null
        if (this.state.status === 'reconnecting') this.setState({ ...this.state, status: 'stale' })
      }, this.o.staleAfter)
    }
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      void this.connect()
    }, wait)
  }

  private tick(): void {
    const now = this.o.now()
    // Timers that fired far later than asked for mean the machine slept: the socket may be dead.
    const slept = now - this.lastTick > tickEvery * 3
    this.lastTick = now
    if (this.ws && this.welcomed && (slept || now - this.lastPing >= this.o.pingEvery)) this.ping()
  }

  /** Pings the server; no pong within pongTimeout means the socket is dead. */
  private ping(): void {
    if (!this.ws || !this.welcomed || this.pingID !== null) return
    const id = 'ping-' + this.id()
    this.lastPing = this.o.now()
    this.pingID = id
    this.send({ op: 'ping', id })
    this.setDeadline(this.o.pongTimeout)
  }

  private setDeadline(ms: number): void {
    this.clearDeadline()
    this.deadline = setTimeout(() => this.dead('no answer from the server'), ms)
  }

  private clearDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline)
    this.deadline = null
  }

  /** The socket looks open but is not, or the server is going away: drop it and reconnect. */
  private dead(reason: string): void {
    const ws = this.detach()
    if (ws) {
      try {
        ws.close(4000, reason)
      } catch {
        /* already gone */
      }
    }
    this.retry(reason)
  }

  /** Lets go of the socket (its handlers are unhooked) and of its ping; returns it for closing. */
  private detach(): SocketLike | null {
    const ws = this.ws
    this.ws = null
    this.welcomed = false
    this.pingID = null
    this.clearDeadline()
    if (ws) {
      ws.onclose = null
      ws.onmessage = null
    }
    return ws
  }

  private send(f: object): void {
    if (this.ws && this.welcomed && this.ws.readyState === OPEN) this.ws.send(JSON.stringify(f))
  }

  private id(): string {
    return String(this.nextID++)
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer)
    if (this.staleTimer) clearTimeout(this.staleTimer)
    this.retryTimer = null
    this.staleTimer = null
  }

  private setState(s: LiveState): void {
    this.state = s
    for (const l of this.stateListeners) l(s)
  }
}
