// The signed-in session: the access token, the refresh token and the user. The refresh token is kept
// in sessionStorage in a browser (this tab only, gone when it closes) and by the desktop app on disk (a
// ward kiosk comes back signed in after a power cut). Refreshes are single-flight: many requests that
// meet an expired token share one refresh.
import type { TokenResponse, User } from './types'
import { forgetSession, isDesktop, rememberSession, rememberedSession } from '../desktop'

export interface SessionState {
  token: string
  refreshToken: string
  user: User
}

const storageKey = 'hms.session'

type Listener = (s: SessionState | null) => void

export class Session {
  private state: SessionState | null = null
  private listeners = new Set<Listener>()
  private refreshing: Promise<SessionState | null> | null = null

  constructor(private readonly fetchFn: typeof fetch = (...a) => fetch(...a)) {}

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

  /** Restores a remembered session (after a reload or a restart); null when there is none. */
  async restore(): Promise<SessionState | null> {
    const refreshToken = isDesktop() ? await rememberedSession() : sessionStorage.getItem(storageKey) ?? ''
    if (!refreshToken) return null
    return this.refresh(refreshToken)
  }

  /** Gets a new access token with the refresh token (rotated by the server). */
  refresh(refreshToken = this.state?.refreshToken ?? ''): Promise<SessionState | null> {
    if (!refreshToken) return Promise.resolve(null)
    this.refreshing ??= this.doRefresh(refreshToken).finally(() => {
      this.refreshing = null
    })
    return this.refreshing
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

  async signOut(): Promise<void> {
    const s = this.state
    if (s) {
      await this.fetchFn('/api/auth/logout', {
        method: 'POST',
        headers: { Authorization: `Bearer ${s.token}` },
      }).catch(() => undefined)
    }
    await this.clear()
  }

  private async set(t: TokenResponse): Promise<SessionState> {
    const s: SessionState = { token: t.token, refreshToken: t.refresh_token, user: t.user }
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
