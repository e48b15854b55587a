// The live connection against a fake socket, with fake timers. Each test plays the hub's part the way
// server/internal/hub does it: `welcome` first, then for each channel joined on connect (resumed from the
// URL's since) any replay and a `subscribed`; a subscribe with since replays the later events, then
// answers `subscribed` with the last seq delivered; too far behind, it answers `reload` instead.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../api/client'
import type { LiveEvent } from '../api/types'
import { fakeConnection, type FakeSocket } from '../test/live'
import { CloseTokenExpired, type LiveConnection, type LiveOptions } from './connection'

const auto = ['alerts', 'broadcast', 'user:u1']
const queue = 'queue:dept:cardiology'

function ev(channel: string, seq: number): object {
  return { op: 'event', channel, seq, type: 'queue.changed', at: '2026-11-27T10:00:00Z', data: { n: seq } }
}

/** Lets the ticket promise resolve and the socket be created. */
async function flush(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0)
}

/** Advances to just before ms, checks nothing happened, then to ms. */
async function exactly(ms: number, calls: () => number): Promise<void> {
  const before = calls()
  await vi.advanceTimersByTimeAsync(ms - 1)
  expect(calls()).toBe(before)
  await vi.advanceTimersByTimeAsync(1)
  expect(calls()).toBe(before + 1)
}

function setup(over: Partial<LiveOptions> = {}) {
  let tickets = 0
  const url = vi.fn(async () => `wss://hms.test/ws?ticket=t${++tickets}`)
  const clock = { skew: 0, random: 0.5 }
  const onAnyEvent = vi.fn<(e: LiveEvent) => void>()
  const { conn, sockets } = fakeConnection({
    url,
    now: () => Date.now() + clock.skew,
    random: () => clock.random,
    onAnyEvent,
    ...over,
  })
  const t = {
    conn,
    url,
    sockets,
    clock,
    onAnyEvent,
    /** The newest socket. */
    get ws(): FakeSocket {
      const s = sockets.at(-1)
      if (!s) throw new Error('no socket yet')
      return s
    },
    /** The socket opens and the server welcomes it, joining the channels of a signed-in doctor. */
    welcome(channels = auto): FakeSocket {
      const s = t.ws
      s.open()
      s.deliver({ op: 'welcome', user_id: 'u1', role: 'doctor', channels })
      return s
    },
    /** start(), welcome, and `subscribed` for each channel joined on connect, at the given seqs. */
    async live(seqs: Record<string, number> = { alerts: 41, broadcast: 3, 'user:u1': 0 }): Promise<FakeSocket> {
      conn.start()
      await flush()
      const s = t.welcome()
      for (const [channel, seq] of Object.entries(seqs)) s.deliver({ op: 'subscribed', channel, seq })
      return s
    },
  }
  return t
}

/** A screen's handlers on a channel, recording what they get. */
function listen(conn: LiveConnection, channel: string) {
  const seqs: number[] = []
  const h = {
    onEvent: vi.fn((e: LiveEvent) => void seqs.push(e.seq)),
    onSync: vi.fn(),
    onError: vi.fn<(code: string, message: string) => void>(),
  }
  const off = conn.subscribe(channel, h)
  return { ...h, seqs, off }
}

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(new Date(2026, 10, 27, 10, 0, 0))
})

afterEach(() => {
  vi.useRealTimers()
})

describe('connecting', () => {
  it('opens a socket with a fresh ticket, goes live on welcome and syncs the channels joined on connect', async () => {
    const t = setup()
    const alerts = listen(t.conn, 'alerts')
    t.conn.start()
    expect(t.conn.current.status).toBe('connecting')
    await flush()
    expect(t.url).toHaveBeenCalledTimes(1)
    expect(t.ws.url).toBe('wss://hms.test/ws?ticket=t1')

    const ws = t.welcome()
    expect(t.conn.current).toEqual({ status: 'live', since: null, attempt: 0, error: '' })
    // The server joins it: no subscribe frame, and no snapshot before the subscription is live.
    expect(ws.frames('subscribe')).toEqual([])
    expect(alerts.onSync).not.toHaveBeenCalled()

    ws.deliver({ op: 'subscribed', channel: 'alerts', seq: 41 })
    expect(alerts.onSync).toHaveBeenCalledTimes(1)
    expect(t.conn.lastSeq('alerts')).toBe(41)
    ws.deliver(ev('alerts', 42))
    expect(alerts.seqs).toEqual([42])

    // A screen that comes later on a synced channel loads its snapshot at once, without a frame.
    const late = listen(t.conn, 'alerts')
    expect(late.onSync).toHaveBeenCalledTimes(1)
    expect(ws.frames('subscribe')).toEqual([])
  })

  it('joins a channel subscribed before connecting once welcomed, and syncs it on its subscribed frame', async () => {
    const t = setup()
    const q = listen(t.conn, queue)
    t.conn.start()
    await flush()
    const ws = t.welcome()
    expect(ws.frames('subscribe')).toEqual([{ op: 'subscribe', id: expect.any(String), channels: [{ channel: queue }] }])
    expect(q.onSync).not.toHaveBeenCalled()

    const id = ws.frames('subscribe')[0]?.id
    ws.deliver({ op: 'subscribed', id, channel: queue, seq: 12 })
    ws.deliver({ op: 'subscribed', id, channel: queue, seq: 12 })
    expect(q.onSync).toHaveBeenCalledTimes(1)
    expect(t.conn.lastSeq(queue)).toBe(12)

    // A second screen on the channel shares the subscription.
    const other = listen(t.conn, queue)
    expect(other.onSync).toHaveBeenCalledTimes(1)
    expect(ws.frames('subscribe')).toHaveLength(1)
  })

  it('subscribes at once when already live', async () => {
    const t = setup()
    const ws = await t.live()
    listen(t.conn, 'display:cardiology')
    expect(ws.frames('subscribe')).toEqual([
      { op: 'subscribe', id: expect.any(String), channels: [{ channel: 'display:cardiology' }] },
    ])
  })

  it('does not open two sockets when asked to reconnect while a ticket is on its way', async () => {
    const pending: ((u: string) => void)[] = []
    const t = setup({ url: vi.fn(() => new Promise<string>((r) => pending.push(r))) })
    t.conn.start()
    t.conn.reconnectNow() // the browser says it is back online
    t.conn.check() // the page became visible
    pending.forEach((r, i) => r(`wss://hms.test/ws?ticket=${i}`))
    await flush()
    expect(pending).toHaveLength(1)
    expect(t.sockets).toHaveLength(1)
  })

  it('drops a ticket that arrives after stop, and a restart opens one socket', async () => {
    const pending: ((u: string) => void)[] = []
    const t = setup({ url: vi.fn(() => new Promise<string>((r) => pending.push(r))) })
    t.conn.start()
    t.conn.stop()
    t.conn.start()
    pending.forEach((r, i) => r(`wss://hms.test/ws?ticket=${i}`))
    await flush()
    expect(t.sockets.map((s) => s.url)).toEqual(['wss://hms.test/ws?ticket=1'])
  })

  it('gives up on a socket that is never welcomed', async () => {
    const t = setup({ connectTimeout: 15000 })
    t.conn.start()
    await flush()
    const first = t.ws
    await vi.advanceTimersByTimeAsync(14999)
    expect(first.closed).toBeNull()
    await vi.advanceTimersByTimeAsync(1)
    expect(first.closed?.code).toBe(4000)
    expect(t.conn.current.status).toBe('reconnecting')
    expect(t.conn.current.error).toBe('no answer from the server')
  })

  it('stop closes the socket and does not reconnect', async () => {
    const t = setup()
    const ws = await t.live()
    t.conn.stop()
    expect(ws.closed).toEqual({ code: 1000, reason: 'signed out' })
    expect(t.conn.current.status).toBe('stopped')
    await vi.advanceTimersByTimeAsync(120000)
    expect(t.url).toHaveBeenCalledTimes(1)
    expect(ws.frames('ping')).toEqual([])
  })
})

describe('delivery', () => {
  it('delivers events once and in order, dropping what was already seen', async () => {
    const t = setup()
    const q = listen(t.conn, queue)
    const ws = await t.live()
    ws.deliver({ op: 'subscribed', channel: queue, seq: 12 })
    for (const seq of [13, 14, 14, 13, 12, 15]) ws.deliver(ev(queue, seq))
    expect(q.seqs).toEqual([13, 14, 15])
    expect(q.onEvent).toHaveBeenCalledWith({
      channel: queue,
      seq: 13,
      type: 'queue.changed',
      at: '2026-11-27T10:00:00Z',
      data: { n: 13 },
    })
    expect(t.onAnyEvent.mock.calls.map(([e]) => e.seq)).toEqual([13, 14, 15])
    expect(ws.frames('subscribe')).toHaveLength(1)
  })

  it('resubscribes from the last seq on a gap, once, and delivers the replay in order', async () => {
    const t = setup()
    const q = listen(t.conn, queue)
    const ws = await t.live()
    ws.deliver({ op: 'subscribed', channel: queue, seq: 12 })
    ws.deliver(ev(queue, 13))
    ws.deliver(ev(queue, 16)) // 14 and 15 were lost on the way
    expect(ws.frames('subscribe').at(-1)?.channels).toEqual([{ channel: queue, since: 13 }])
    ws.deliver(ev(queue, 17)) // still live from before the server read the resubscribe
    expect(ws.frames('subscribe')).toHaveLength(2)
    expect(q.seqs).toEqual([13])

    // The server replays from 13, then goes live again.
    for (const seq of [14, 15, 16, 17]) ws.deliver(ev(queue, seq))
    ws.deliver({ op: 'subscribed', channel: queue, seq: 17 })
    ws.deliver(ev(queue, 18))
    expect(q.seqs).toEqual([13, 14, 15, 16, 17, 18])
    expect(q.onSync).toHaveBeenCalledTimes(1)

    // Answered: a new gap asks again.
    ws.deliver(ev(queue, 20))
    expect(ws.frames('subscribe').at(-1)?.channels).toEqual([{ channel: queue, since: 18 }])
    expect(ws.frames('subscribe')).toHaveLength(3)
  })

  it('a reload frame syncs the screen again and continues from its seq', async () => {
    const t = setup()
    const q = listen(t.conn, queue)
    const ws = await t.live()
    ws.deliver({ op: 'subscribed', channel: queue, seq: 12 })
    ws.deliver(ev(queue, 13))
    ws.deliver(ev(queue, 900))
    ws.deliver({ op: 'reload', channel: queue, seq: 899, code: 'too_far_behind', message: 'fetch a snapshot' })
    expect(q.onSync).toHaveBeenCalledTimes(2)
    expect(t.conn.lastSeq(queue)).toBe(899)
    ws.deliver(ev(queue, 899))
    ws.deliver(ev(queue, 900))
    expect(q.seqs).toEqual([13, 900])
    // No subscribed follows a reload; the next gap resubscribes again.
    ws.deliver(ev(queue, 902))
    expect(ws.frames('subscribe').at(-1)?.channels).toEqual([{ channel: queue, since: 900 }])
  })

  it('ignores events of a channel just left, and a new subscription starts afresh', async () => {
    const t = setup()
    const ws = await t.live()
    const q = listen(t.conn, queue)
    ws.deliver({ op: 'subscribed', channel: queue, seq: 12 })
    q.off()
    ws.deliver(ev(queue, 13)) // sent before the server read the unsubscribe
    expect(t.conn.lastSeq(queue)).toBeNull()
    expect(t.onAnyEvent).not.toHaveBeenCalled()
    listen(t.conn, queue)
    expect(ws.frames('subscribe').at(-1)?.channels).toEqual([{ channel: queue }])
  })

  it("one screen's failing handler does not keep the event from the others", async () => {
    const thrown: unknown[] = []
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((cb) => {
      try {
        cb()
      } catch (e) {
        thrown.push(e)
      }
    })
    const t = setup()
    t.conn.subscribe('alerts', {
      onEvent: () => {
        throw new Error('screen bug')
      },
    })
    const banner = listen(t.conn, 'alerts')
    const ws = await t.live()
    ws.deliver(ev('alerts', 42))
    expect(banner.seqs).toEqual([42])
    expect(t.onAnyEvent).toHaveBeenCalledTimes(1)
    expect(thrown).toEqual([new Error('screen bug')])
    vi.restoreAllMocks()
  })
})

describe('reconnecting', () => {
  it('says reconnecting, then stale since the moment it stopped being live', async () => {
    const t = setup({ staleAfter: 10000, pingEvery: 3600000 })
    const ws = await t.live()
    await vi.advanceTimersByTimeAsync(60000)
    const stoppedAt = new Date(Date.now())
    ws.drop()
    expect(t.conn.current).toEqual({ status: 'reconnecting', since: stoppedAt, attempt: 1, error: 'connection lost' })
    await vi.advanceTimersByTimeAsync(9999)
    expect(t.conn.current.status).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(1)
    expect(t.conn.current.status).toBe('stale')
    expect(t.conn.current.since).toEqual(stoppedAt)
    // Failed attempts keep it stale, since the same moment.
    t.ws.drop(1006)
    expect(t.conn.current.status).toBe('stale')
    expect(t.conn.current.since).toEqual(stoppedAt)

    await vi.advanceTimersByTimeAsync(60000)
    t.welcome()
    expect(t.conn.current).toEqual({ status: 'live', since: null, attempt: 0, error: '' })
  })

  for (const [random, delays] of [
    [0, [500, 1000, 2000, 4000, 4000]],
    [1, [1000, 2000, 4000, 8000, 8000]],
  ] as const) {
    it(`backs off exponentially with jitter, capped (random ${random})`, async () => {
      const t = setup({ backoffBase: 1000, backoffMax: 8000, connectTimeout: 600000 })
      t.clock.random = random
      await t.live()
      for (const [i, delay] of delays.entries()) {
        t.ws.drop()
        expect(t.conn.current.attempt).toBe(i + 1)
        await exactly(delay, () => t.url.mock.calls.length)
        await flush()
      }
      // A welcome resets the attempts: the next loss waits the first delay again.
      t.welcome()
      expect(t.conn.current.attempt).toBe(0)
      t.ws.drop()
      await exactly(delays[0], () => t.url.mock.calls.length)
    })
  }

  it('resumes from the last seqs: auto channels in the URL, the others by subscribe with since', async () => {
    const t = setup()
    const alerts = listen(t.conn, 'alerts')
    const q = listen(t.conn, queue)
    const ws = await t.live({ alerts: 41, broadcast: 3, 'user:u1': 0 })
    ws.deliver({ op: 'subscribed', channel: queue, seq: 12 })
    ws.deliver(ev('alerts', 42))
    ws.deliver(ev(queue, 13))
    ws.drop(1012, 'server restarting')
    expect(t.conn.current.error).toBe('server restarting')

    await vi.advanceTimersByTimeAsync(1000)
    expect(t.url).toHaveBeenCalledTimes(2)
    const next = t.ws
    expect(next).not.toBe(ws)
    expect(next.url.startsWith('wss://hms.test/ws?ticket=t2&')).toBe(true)
    expect(next.since()).toEqual(['alerts:42', 'broadcast:3', 'user:u1:0'])

    t.welcome()
    expect(next.frames('subscribe')).toEqual([
      { op: 'subscribe', id: expect.any(String), channels: [{ channel: queue, since: 13 }] },
    ])
    // The server replays what was missed on each, then says subscribed.
    next.deliver(ev('alerts', 43))
    next.deliver({ op: 'subscribed', channel: 'alerts', seq: 43 })
    next.deliver({ op: 'subscribed', channel: 'broadcast', seq: 3 })
    next.deliver({ op: 'subscribed', channel: 'user:u1', seq: 0 })
    for (const seq of [13, 14, 15]) next.deliver(ev(queue, seq))
    next.deliver({ op: 'subscribed', channel: queue, seq: 15 })
    next.deliver(ev(queue, 15))
    next.deliver(ev(queue, 16))

    expect(alerts.seqs).toEqual([42, 43])
    expect(q.seqs).toEqual([13, 14, 15, 16])
    // Resumed, not reloaded.
    expect(alerts.onSync).toHaveBeenCalledTimes(1)
    expect(q.onSync).toHaveBeenCalledTimes(1)
  })

  it('a reload after a reconnect syncs the screen again', async () => {
    const t = setup()
    const q = listen(t.conn, queue)
    const ws = await t.live()
    ws.deliver({ op: 'subscribed', channel: queue, seq: 12 })
    ws.drop()
    await vi.advanceTimersByTimeAsync(1000)
    const next = t.welcome()
    next.deliver({ op: 'reload', channel: queue, seq: 700 })
    next.deliver(ev(queue, 701))
    expect(q.onSync).toHaveBeenCalledTimes(2)
    expect(q.seqs).toEqual([701])
  })

  it('reconnects at once with a fresh ticket when the token expired (4001)', async () => {
    const t = setup()
    const ws = await t.live()
    ws.drop(CloseTokenExpired, 'token expired')
    expect(t.conn.current.status).toBe('reconnecting')
    await flush()
    expect(t.url).toHaveBeenCalledTimes(2)
    expect(t.sockets).toHaveLength(2)
    expect(t.ws.url).toContain('ticket=t2')
  })

  for (const status of [401, 403]) {
    it(`stops and signs out when the ticket is refused (${status})`, async () => {
      const onAuthFailed = vi.fn()
      const t = setup({ onAuthFailed, url: vi.fn(() => Promise.reject(new ApiError(status, 'unauthorized', 'Sign in'))) })
      t.conn.start()
      await flush()
      expect(onAuthFailed).toHaveBeenCalledTimes(1)
      expect(t.conn.current.status).toBe('stopped')
      await vi.advanceTimersByTimeAsync(120000)
      expect(t.sockets).toEqual([])
      expect(onAuthFailed).toHaveBeenCalledTimes(1)
    })
  }

  it('retries with backoff when the ticket cannot be had for a network error', async () => {
    const onAuthFailed = vi.fn()
    const url = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new ApiError(0, 'network', 'Cannot reach the server'))
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValue('wss://hms.test/ws?ticket=ok')
    const t = setup({ url, onAuthFailed, backoffBase: 1000 })
    t.clock.random = 0
    t.conn.start()
    await flush()
    expect(t.conn.current).toMatchObject({ status: 'reconnecting', attempt: 1, error: 'Cannot reach the server' })
    await exactly(500, () => url.mock.calls.length)
    expect(t.conn.current).toMatchObject({ attempt: 2, error: 'Failed to fetch' })
    await exactly(1000, () => url.mock.calls.length)
    t.welcome()
    expect(t.conn.current.status).toBe('live')
    expect(onAuthFailed).not.toHaveBeenCalled()
  })

  it('reconnectNow skips the backoff', async () => {
    const t = setup({ backoffBase: 30000, backoffMax: 30000 })
    const ws = await t.live()
    ws.drop()
    t.conn.reconnectNow()
    await flush()
    expect(t.url).toHaveBeenCalledTimes(2)
    expect(t.conn.current.attempt).toBe(0)
  })
})

describe('keepalive', () => {
  it('pings every pingEvery and keeps a socket that answers', async () => {
    const t = setup({ pingEvery: 20000, pongTimeout: 10000 })
    const ws = await t.live()
    await vi.advanceTimersByTimeAsync(19999)
    expect(ws.frames('ping')).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    const ping = ws.frames('ping')[0]
    expect(ping).toEqual({ op: 'ping', id: expect.any(String) })
    ws.deliver({ op: 'pong', id: ping?.id })
    await vi.advanceTimersByTimeAsync(20000)
    expect(ws.closed).toBeNull()
    expect(ws.frames('ping')).toHaveLength(2)
    expect(t.conn.current.status).toBe('live')
  })

  it('drops the socket when no pong comes within pongTimeout, and reconnects', async () => {
    const t = setup({ pingEvery: 20000, pongTimeout: 10000 })
    const ws = await t.live()
    await vi.advanceTimersByTimeAsync(20000)
    expect(ws.frames('ping')).toHaveLength(1)
    ws.deliver({ op: 'pong', id: 'not-this-one' })
    await vi.advanceTimersByTimeAsync(9999)
    expect(ws.closed).toBeNull()
    await vi.advanceTimersByTimeAsync(1)
    expect(ws.closed?.code).toBe(4000)
    expect(t.conn.current).toMatchObject({ status: 'reconnecting', error: 'no answer from the server' })
    await vi.advanceTimersByTimeAsync(500)
    expect(t.sockets).toHaveLength(2)
  })

  it('pings at once when the timers show the machine slept', async () => {
    const t = setup({ pingEvery: 600000 })
    const ws = await t.live()
    await vi.advanceTimersByTimeAsync(5000)
    expect(ws.frames('ping')).toEqual([])
    t.clock.skew += 3600000 // an hour asleep: the clock moved, the timers did not fire
    ws.deliver(ev('alerts', 42)) // received before the sleep, handled after: proves nothing
    await vi.advanceTimersByTimeAsync(5000)
    expect(ws.frames('ping')).toHaveLength(1)
  })

  it('check() pings a live socket', async () => {
    const t = setup()
    const ws = await t.live()
    t.conn.check()
    t.conn.check() // one ping at a time
    expect(ws.frames('ping')).toHaveLength(1)
  })

  it('reconnects with backoff when the server says it is going away', async () => {
    const t = setup({ backoffBase: 500 })
    t.clock.random = 1
    const ws = await t.live()
    ws.deliver({ op: 'reconnect', code: 'server_shutdown', message: 'the server is restarting; reconnect' })
    expect(ws.closed).not.toBeNull()
    expect(t.conn.current).toMatchObject({ status: 'reconnecting', attempt: 1 })
    ws.drop(1012, 'server restarting') // the server's close comes after: nothing more happens
    expect(t.conn.current.attempt).toBe(1)
    await exactly(500, () => t.url.mock.calls.length)
  })

  it('reconnects and tells the app when the role\'s permissions changed', async () => {
    const onRightsChanged = vi.fn()
    const t = setup({ backoffBase: 500, onRightsChanged })
    t.clock.random = 1
    const ws = await t.live()
    ws.deliver({ op: 'reconnect', code: 'rights_changed', message: "your role's permissions changed; reconnect" })
    expect(onRightsChanged).toHaveBeenCalledTimes(1)
    expect(ws.closed).not.toBeNull()
    expect(t.conn.current).toMatchObject({ status: 'reconnecting', attempt: 1 })
    await exactly(500, () => t.url.mock.calls.length)
  })
})

describe('subscriptions', () => {
  it('unsubscribes only when the last handler leaves, and never from channels joined on connect', async () => {
    const t = setup()
    const ws = await t.live()
    const a = listen(t.conn, queue)
    const b = listen(t.conn, queue)
    a.off()
    expect(ws.frames('unsubscribe')).toEqual([])
    b.off()
    b.off()
    expect(ws.frames('unsubscribe')).toEqual([
      { op: 'unsubscribe', id: expect.any(String), channels: [{ channel: queue }] },
    ])
    listen(t.conn, 'alerts').off()
    expect(ws.frames('unsubscribe')).toHaveLength(1)
  })

  it('subscribes again after a while when the server says unavailable', async () => {
    const t = setup()
    t.clock.random = 0
    const q = listen(t.conn, queue)
    const ws = await t.live()
    ws.deliver({ op: 'subscribed', channel: queue, seq: 12 })
    ws.deliver(ev(queue, 13))
    ws.deliver(ev(queue, 15))
    ws.deliver({ op: 'error', channel: queue, code: 'unavailable', message: 'try again' })
    await exactly(1000, () => ws.frames('subscribe').length)
    expect(ws.frames('subscribe').at(-1)?.channels).toEqual([{ channel: queue, since: 13 }])
    expect(q.onError).not.toHaveBeenCalled()
  })

  it('rejoins a channel joined on connect that was unavailable, even with no screen on it', async () => {
    const t = setup()
    t.clock.random = 0
    t.conn.start()
    await flush()
    const ws = t.welcome()
    ws.deliver({ op: 'error', channel: 'broadcast', code: 'unavailable', message: 'try again' })
    await vi.advanceTimersByTimeAsync(1000)
    expect(ws.frames('subscribe')).toEqual([
      { op: 'subscribe', id: expect.any(String), channels: [{ channel: 'broadcast' }] },
    ])
  })

  it('does not retry an unavailable channel on a socket that has since been replaced', async () => {
    const t = setup()
    t.clock.random = 0
    listen(t.conn, queue)
    const ws = await t.live()
    ws.deliver({ op: 'error', channel: queue, code: 'unavailable', message: 'try again' })
    ws.drop()
    await vi.advanceTimersByTimeAsync(250)
    const next = t.welcome()
    expect(next.frames('subscribe')).toHaveLength(1) // the welcome's
    await vi.advanceTimersByTimeAsync(2000)
    expect(next.frames('subscribe')).toHaveLength(1)
  })

  it('tells the screen when the server refuses the channel', async () => {
    const t = setup()
    const ws = await t.live()
    const q = listen(t.conn, 'patient:p2')
    ws.deliver({ op: 'error', channel: 'patient:p2', code: 'forbidden', message: 'not your channel' })
    expect(q.onError).toHaveBeenCalledWith('forbidden', 'not your channel')
    expect(q.onSync).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(10000)
    expect(ws.frames('subscribe')).toHaveLength(1)
  })
})
