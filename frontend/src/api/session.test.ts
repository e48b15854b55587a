// The session shared between the tabs of one browser: two Session instances on one fake BroadcastChannel
// and one fake lock manager stand for two tabs.
import { afterEach, describe, expect, it } from 'vitest'
import { Session, type SessionChannel, type SessionLocks, type SessionMessage } from './session'
import type { TokenResponse } from './types'

/** A BroadcastChannel between tabs: a message reaches every other member, later (as in a browser). */
class FakeBus {
  members: FakeChannel[] = []
  join(): FakeChannel {
    const c = new FakeChannel(this)
    this.members.push(c)
    return c
  }
}

class FakeChannel implements SessionChannel {
  onmessage: ((e: { data: SessionMessage }) => void) | null = null
  constructor(private bus: FakeBus) {}
  postMessage(m: SessionMessage): void {
    const data = structuredClone(m)
    for (const c of this.bus.members) if (c !== this) setTimeout(() => c.onmessage?.({ data }), 1)
  }
}

/** navigator.locks: one holder of a name at a time, in order of asking. */
function fakeLocks(): SessionLocks {
  const tails = new Map<string, Promise<unknown>>()
  return {
    request<T>(name: string, cb: () => Promise<T>): Promise<T> {
      const before = tails.get(name) ?? Promise.resolve()
      const run = before.then(cb, cb)
      tails.set(
        name,
        run.catch(() => undefined),
      )
      return run
    },
  }
}

const user = { id: 'u1', name: 'Ada Admin', email: 'ada@example.org', role: 'admin' } as TokenResponse['user']

/**
 * The server's auth routes: a refresh token is spent once (rotated); spending it again is refused, as
 * the real server does (it also ends the session).
 */
function fakeAuth() {
  let live = 'r1'
  let n = 1
  const calls: string[] = []
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input)
    calls.push(url)
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
    if (url.endsWith('/login')) return json(200, { token: 't1', refresh_token: 'r1', user })
    if (url.endsWith('/refresh')) {
      const sent = (JSON.parse(String(init?.body)) as { refresh_token: string }).refresh_token
      await new Promise((r) => setTimeout(r, 5))
      if (sent !== live) return json(401, { error: { code: 'unauthorized', message: 'Sign in again.' } })
      n++
      live = `r${n}`
      return json(200, { token: `t${n}`, refresh_token: live, user })
    }
    return json(204, null)
  }) as typeof fetch
  return { fetchFn, calls, refreshes: () => calls.filter((c) => c.endsWith('/refresh')).length }
}

function twoTabs() {
  const bus = new FakeBus()
  const locks = fakeLocks()
  const auth = fakeAuth()
  const a = new Session(auth.fetchFn, { channel: bus.join(), locks, askMs: 50, settleMs: 20 })
  const b = new Session(auth.fetchFn, { channel: bus.join(), locks, askMs: 50, settleMs: 20 })
  return { a, b, auth }
}

afterEach(() => sessionStorage.clear())

describe('the session across tabs', () => {
  it('a new tab takes the signed-in tab’s session without asking for the password or refreshing', async () => {
    const { a, b, auth } = twoTabs()
    await a.signIn('ada@example.org', 'pw')
    sessionStorage.clear() // the new tab has no token of its own
    const s = await b.restore()
    expect(s?.user.name).toBe('Ada Admin')
    expect(b.current?.token).toBe('t1')
    expect(auth.refreshes()).toBe(0)
  })

  it('a new tab with no signed-in tab and no token of its own is signed out', async () => {
    const { b } = twoTabs()
    expect(await b.restore()).toBeNull()
  })

  it('two tabs refreshing at once spend the refresh token once and both keep the new session', async () => {
    const { a, b, auth } = twoTabs()
    await a.signIn('ada@example.org', 'pw')
    await b.restore()
    const [sa, sb] = await Promise.all([a.refresh(), b.refresh()])
    expect(auth.refreshes()).toBe(1)
    expect(sa?.token).toBe('t2')
    expect(sb?.token).toBe('t2')
    expect(a.current?.refreshToken).toBe('r2')
    expect(b.current?.refreshToken).toBe('r2')
  })

  it('a refresh in one tab is adopted by the other, which then refreshes with the new token', async () => {
    const { a, b, auth } = twoTabs()
    await a.signIn('ada@example.org', 'pw')
    await b.restore()
    await a.refresh()
    await new Promise((r) => setTimeout(r, 10))
    expect(b.current?.token).toBe('t2')
    const s = await b.refresh()
    expect(s?.token).toBe('t3')
    expect(auth.refreshes()).toBe(2)
  })

  it('signing out in one tab signs out every tab', async () => {
    const { a, b } = twoTabs()
    await a.signIn('ada@example.org', 'pw')
    await b.restore()
    const seen: (string | null)[] = []
    b.subscribe((s) => seen.push(s?.user.id ?? null))
    await a.signOut()
    await new Promise((r) => setTimeout(r, 10))
    expect(b.current).toBeNull()
    expect(seen).toEqual([null])
  })

  it('signing in in one tab signs in the tab waiting at the sign-in screen', async () => {
    const { a, b } = twoTabs()
    await a.signIn('ada@example.org', 'pw')
    await new Promise((r) => setTimeout(r, 10))
    expect(b.current?.user.id).toBe('u1')
  })
})

describe('the grants of a kept session', () => {
  it('reads them from GET /api/me when the session adopted has none, and keeps a session that has them', async () => {
    const calls: string[] = []
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
    const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input)
      calls.push(url)
      if (url.endsWith('/refresh')) return json({ token: 't2', refresh_token: 'r2', user })
      if (url.endsWith('/api/me')) {
        expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer t2')
        return json({ ...user, role_id: 'admin', permissions: ['users.manage', 'roles.manage'] })
      }
      return json(null)
    }) as typeof fetch
    sessionStorage.setItem('hms.session', 'r1')
    const s = new Session(fetchFn, { channel: null, locks: null })
    const restored = await s.restore()
    expect(restored?.user.permissions).toEqual(['users.manage', 'roles.manage'])
    expect(s.current?.user.name).toBe('Ada Admin')
    expect(calls.filter((c) => c.endsWith('/api/me'))).toHaveLength(1)
    // Held already: not asked again.
    await s.withPermissions()
    expect(calls.filter((c) => c.endsWith('/api/me'))).toHaveLength(1)
    // Unless the role changed (the live connection heard it): read again.
    await s.withPermissions(true)
    expect(calls.filter((c) => c.endsWith('/api/me'))).toHaveLength(2)
  })
})
