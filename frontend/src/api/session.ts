// The signed-in session: the access token, the refresh token and the user. In a browser the session is
// one for all tabs: the refresh token is kept in sessionStorage (each tab's own copy, gone when it closes;
// never in localStorage), and the tabs tell each other over a BroadcastChannel ('hms.session'): a new tab
// asks and a signed-in tab answers with the current session, every new session (sign-in, refresh) is
// announced and adopted, and a sign-out in one tab signs out all. Refreshes are serialised across tabs
// with a Web Lock: the refresh token rotates, so a tab that gets the lock after another refreshed adopts
// that session instead of spending the old token. Within a tab refreshes are single-flight too: many
// requests that meet an expired token share one refresh. The desktop app keeps the refresh token on disk
// instead (a ward kiosk comes back signed in after a power cut) and has one window.
import type { TokenResponse, User } from './types'
import { forgetSession, isDesktop, rememberSession, rememberedSession } from '../desktop'

export interface SessionState {
  token: string
  refreshToken: string
  user: User
}

const storageKey = 'hms.session'

/** The channel's and the refresh lock's name. */
export const sessionChannelName = 'hms.session'

/** What the tabs say to each other on the channel. */
export type SessionMessage = { type: 'ask' } | { type: 'session'; state: SessionState } | { type: 'signout' }

/** The part of BroadcastChannel the session uses (a fake in tests). */
export interface SessionChannel {
  postMessage(m: SessionMessage): void
  onmessage: ((e: { data: SessionMessage }) => void) | null
}

/** The part of the Web Locks API the session uses (navigator.locks; a fake in tests). */
export interface SessionLocks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>
}

export interface SessionOptions {
  /** The channel to the other tabs; null: none (the desktop app, a browser without BroadcastChannel). */
  channel?: SessionChannel | null
  /** Cross-tab locks; null: none (refreshes are then single-flight within the tab only). */
  locks?: SessionLocks | null
  /** How long a new tab waits for another tab's answer before it uses its own refresh token. */
  askMs?: number
  /** How long the refresh lock is held after a new session was announced. */
  settleMs?: number
}

function browserChannel(): SessionChannel | null {
  if (isDesktop() || typeof BroadcastChannel === 'undefined') return null
  const c = new BroadcastChannel(sessionChannelName)
  // Node's BroadcastChannel (under the tests) would otherwise keep the process alive.
  ;(c as unknown as { unref?: () => void }).unref?.()
  return c as unknown as SessionChannel
}

function browserLocks(): SessionLocks | null {
  const l = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { locks?: LockManager }).locks
  return l ? { request: <T,>(name: string, cb: () => Promise<T>) => l.request(name, cb) as Promise<T> } : null
}

type Listener = (s: SessionState | null) => void

export class Session {
  private state: SessionState | null = null
  private listeners = new Set<Listener>()
  private refreshing: Promise<SessionState | null> | null = null
  private readonly channel: SessionChannel | null
  private readonly locks: SessionLocks | null
  private readonly askMs: number
  private readonly settleMs: number
  /** Called when another tab answers this tab's question. */
  private answered: (() => void) | null = null

  constructor(
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
    opts: SessionOptions = {},
  ) {
    this.channel = opts.channel === undefined ? browserChannel() : opts.channel
    this.locks = opts.locks === undefined ? browserLocks() : opts.locks
    this.askMs = opts.askMs ?? 300
    this.settleMs = opts.settleMs ?? 100
    if (this.channel) this.channel.onmessage = (e) => void this.heard(e.data)
  }

  get current(): SessionState | null {
    return this.state
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  /** Signs in; throws ApiError-shaped errors from the server (see client.ts). */
  async signIn(email: string, password: string): Promise<SessionState> {
    const res = await this.fetchFn('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    const body: unknown = await res.json().catch(() => null)
    if (!res.ok) throw errorFrom(res.status, body)
    return this.set(body as TokenResponse)
  }

  /** Takes the session another answer opened (a confirmed registration signs its account in). */
  adopt(t: TokenResponse): Promise<SessionState> {
    return this.set(t)
  }

  /**
   * Restores the session after a reload, a restart or in a new tab: another signed-in tab's session
   * when one answers, else this tab's remembered refresh token; null when there is neither.
   */
  async restore(): Promise<SessionState | null> {
    if (this.channel) {
      const adopted = await this.ask()
      if (adopted) return this.withPermissions()
    }
    const refreshToken = isDesktop() ? await rememberedSession() : sessionStorage.getItem(storageKey) ?? ''
    if (!refreshToken) return null
    await this.refresh(refreshToken)
    return this.withPermissions()
  }

  /**
   * The session with what the user's role grants. A session kept from before roles had grants (another
   * tab's, running an older version) carries none: they are read from GET /api/me rather than guessed
   * from the kind; with force, they are read again (the live connection heard that the role changed).
   * Should that fail, the session is kept as it is (the screens then offer less).
   */
  async withPermissions(force = false): Promise<SessionState | null> {
    const s = this.state
    if (!s || (s.user.permissions && !force)) return s
    try {
      const res = await this.fetchFn('/api/me', { headers: { Authorization: `Bearer ${s.token}` } })
      if (!res.ok) return s
      const me = (await res.json()) as User
      if (this.state !== s || !Array.isArray(me?.permissions)) return this.state
      return await this.keep({ ...s, user: { ...s.user, ...me } })
    } catch {
      return this.state
    }
  }

  /** Asks the other tabs for their session; the answer is adopted (see heard). */
  private ask(): Promise<SessionState | null> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.answered = null
        resolve(this.state)
      }
      const timer = setTimeout(done, this.askMs)
      this.answered = done
      this.channel?.postMessage({ type: 'ask' })
    })
  }

  /** What another tab said. */
  private async heard(m: SessionMessage): Promise<void> {
    switch (m.type) {
      case 'ask':
        if (this.state) this.channel?.postMessage({ type: 'session', state: this.state })
        return
      case 'session':
        if (m.state.token !== this.state?.token) await this.keep(m.state)
        this.answered?.()
        return
      case 'signout':
        if (this.state) await this.clear()
        return
    }
  }

  /**
   * Gets a new access token with the refresh token (rotated by the server). Across tabs one refresh runs
   * at a time; a tab that waited for another's adopts the session it announced instead of refreshing.
   */
  refresh(refreshToken = this.state?.refreshToken ?? ''): Promise<SessionState | null> {
    if (!refreshToken) return Promise.resolve(null)
    this.refreshing ??= this.underLock(refreshToken).finally(() => {
      this.refreshing = null
    })
    return this.refreshing
  }

  private underLock(refreshToken: string): Promise<SessionState | null> {
    if (!this.locks) return this.doRefresh(refreshToken)
    return this.locks.request(sessionChannelName + '.refresh', async () => {
      const now = this.state
      if (now && now.refreshToken !== refreshToken) return now
      const fresh = await this.doRefresh(refreshToken)
      // The lock is held a moment after the announcement, so the next tab to take it has heard it.
      if (this.channel) await new Promise((r) => setTimeout(r, this.settleMs))
      return fresh
    })
  }

  private async doRefresh(refreshToken: string): Promise<SessionState | null> {
    let res: Response
    try {
      res = await this.fetchFn('/api/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      })
    } catch (e) {
      throw errorFrom(0, null, e)
    }
    if (res.status === 401 || res.status === 403) {
      await this.clear()
      return null
    }
    const body: unknown = await res.json().catch(() => null)
    if (!res.ok) throw errorFrom(res.status, body)
    return this.set(body as TokenResponse)
  }

  /** Signs out on the server and in every tab. */
  async signOut(): Promise<void> {
    const s = this.state
    if (s) {
      await this.fetchFn('/api/auth/logout', {
        method: 'POST',
        headers: { Authorization: `Bearer ${s.token}` },
      }).catch(() => undefined)
    }
    this.channel?.postMessage({ type: 'signout' })
    await this.clear()
  }

  /** A new session of this tab's own: kept, and announced to the other tabs. */
  private async set(t: TokenResponse): Promise<SessionState> {
    const s = await this.keep({ token: t.token, refreshToken: t.refresh_token, user: t.user })
    this.channel?.postMessage({ type: 'session', state: s })
    return s
  }

  private async keep(s: SessionState): Promise<SessionState> {
    this.state = s
    if (isDesktop()) await rememberSession(s.refreshToken).catch(() => undefined)
    else sessionStorage.setItem(storageKey, s.refreshToken)
    this.emit()
    return s
  }

  private async clear(): Promise<void> {
    this.state = null
    if (isDesktop()) await forgetSession().catch(() => undefined)
    else sessionStorage.removeItem(storageKey)
    this.emit()
  }

  private emit(): void {
    for (const l of this.listeners) l(this.state)
  }
}

/** An error from the API, with the server's stable code and message (never a raw response). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId = '',
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export function errorFrom(status: number, body: unknown, cause?: unknown): ApiError {
  if (status === 0) {
    const why = cause instanceof Error ? cause.message : 'network error'
    return new ApiError(0, 'network', `Cannot reach the server (${why}). Check the connection and try again.`)
  }
  const b = body as { error?: { code?: string; message?: string }; request_id?: string } | null
  if (b?.error?.message) return new ApiError(status, b.error.code ?? 'error', b.error.message, b.request_id ?? '')
  return new ApiError(status, 'http_' + status, `The server answered ${status}.`)
}
