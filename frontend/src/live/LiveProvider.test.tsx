// LiveProvider and useChannel over a real LiveConnection with a fake socket: the provider starts and
// stops the connection, and useChannel subscribes while mounted and always calls the latest callbacks.
import { act, render, renderHook } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LiveEvent } from '../api/types'
import { fakeConnection, type FakeSocket } from '../test/live'
import type { LiveConnection } from './connection'
import { LiveProvider, useChannel, useLiveState } from './LiveProvider'

const queue = 'queue:dept:cardiology'

function ev(channel: string, seq: number): object {
  return { op: 'event', channel, seq, type: 'queue.changed', at: '2026-11-27T10:00:00Z', data: {} }
}

let sockets: FakeSocket[]
let conn: LiveConnection
/** The newest socket. */
let ws: () => FakeSocket

/** Lets the ticket arrive, then the server welcomes the socket. */
async function welcome(): Promise<FakeSocket> {
  await act(() => vi.advanceTimersByTimeAsync(0))
  const s = ws()
  s.open()
  s.deliver({ op: 'welcome', user_id: 'u1', role: 'doctor', channels: ['alerts'] })
  return s
}

beforeEach(() => {
  vi.useFakeTimers()
  const fake = fakeConnection({ random: () => 0 })
  conn = fake.conn
  sockets = fake.sockets
  ws = fake.newest
})

afterEach(() => {
  vi.useRealTimers()
})

interface Props {
  channel: string | null
  onEvent(e: LiveEvent): void
  onSync?(): void
  onError?(code: string, message: string): void
}

function Screen({ channel, onEvent, onSync, onError }: Props) {
  useChannel(channel, onEvent, onSync, onError)
  return null
}

function App({ show = true, ...p }: Props & { show?: boolean }) {
  return <LiveProvider connection={conn}>{show && <Screen {...p} />}</LiveProvider>
}

describe('LiveProvider', () => {
  it('starts the connection on mount and stops it on unmount', async () => {
    const view = render(<LiveProvider connection={conn}>screen</LiveProvider>)
    expect(conn.current.status).toBe('connecting')
    const s = await welcome()
    expect(conn.current.status).toBe('live')
    view.unmount()
    expect(s.closed).toEqual({ code: 1000, reason: 'signed out' })
    expect(conn.current.status).toBe('stopped')
  })

  it('opens one socket under StrictMode, which starts, stops and starts it again', async () => {
    render(
      <StrictMode>
        <App channel={queue} onEvent={() => undefined} />
      </StrictMode>,
    )
    const s = await welcome()
    expect(sockets).toHaveLength(1)
    expect(s.channels('subscribe')).toEqual([queue])
  })

  it('reconnects at once when the browser is back online, and pings when the page is shown again', async () => {
    render(<LiveProvider connection={conn}>screen</LiveProvider>)
    const s = await welcome()
    act(() => document.dispatchEvent(new Event('visibilitychange')))
    expect(s.sent.filter((f) => f.op === 'ping')).toHaveLength(1)

    s.drop()
    expect(conn.current.status).toBe('reconnecting')
    act(() => window.dispatchEvent(new Event('online')))
    await act(() => vi.advanceTimersByTimeAsync(0))
    expect(sockets).toHaveLength(2)
    expect(conn.current.attempt).toBe(0)
  })

  it('useLiveState follows the connection', async () => {
    const { result } = renderHook(() => useLiveState(), {
      wrapper: ({ children }) => <LiveProvider connection={conn}>{children}</LiveProvider>,
    })
    expect(result.current.status).toBe('connecting')
    await welcome()
    expect(result.current.status).toBe('live')
  })
})

describe('useChannel', () => {
  it('subscribes on mount and unsubscribes on unmount', async () => {
    const onEvent = vi.fn()
    const onSync = vi.fn()
    const view = render(<App channel={queue} onEvent={onEvent} onSync={onSync} />)
    const s = await welcome()
    expect(s.channels('subscribe')).toEqual([queue])
    s.deliver({ op: 'subscribed', channel: queue, seq: 12 })
    expect(onSync).toHaveBeenCalledTimes(1)
    s.deliver(ev(queue, 13))
    expect(onEvent).toHaveBeenCalledWith(expect.objectContaining({ channel: queue, seq: 13 }))

    view.rerender(<App show={false} channel={queue} onEvent={onEvent} onSync={onSync} />)
    expect(s.channels('unsubscribe')).toEqual([queue])
    s.deliver(ev(queue, 14))
    expect(onEvent).toHaveBeenCalledTimes(1)
  })

  it('calls the latest callbacks without subscribing again', async () => {
    const first = { onEvent: vi.fn(), onSync: vi.fn(), onError: vi.fn() }
    const latest = { onEvent: vi.fn(), onSync: vi.fn(), onError: vi.fn() }
    const view = render(<App channel={queue} {...first} />)
    const s = await welcome()
    view.rerender(<App channel={queue} {...latest} />)
    expect(s.channels('subscribe')).toEqual([queue])
    expect(s.channels('unsubscribe')).toEqual([])

    s.deliver({ op: 'subscribed', channel: queue, seq: 12 })
    s.deliver(ev(queue, 13))
    s.deliver({ op: 'error', channel: queue, code: 'forbidden', message: 'not yours' })
    expect(latest.onSync).toHaveBeenCalledTimes(1)
    expect(latest.onEvent).toHaveBeenCalledTimes(1)
    expect(latest.onError).toHaveBeenCalledWith('forbidden', 'not yours')
    expect(first.onSync).not.toHaveBeenCalled()
    expect(first.onEvent).not.toHaveBeenCalled()
    expect(first.onError).not.toHaveBeenCalled()
  })

  it('moves to a new channel when it changes, and does nothing for null', async () => {
    const onEvent = vi.fn()
    const view = render(<App channel={null} onEvent={onEvent} />)
    const s = await welcome()
    expect(s.channels('subscribe')).toEqual([])
    view.rerender(<App channel={queue} onEvent={onEvent} />)
    view.rerender(<App channel="display:cardiology" onEvent={onEvent} />)
    expect(s.channels('subscribe')).toEqual([queue, 'display:cardiology'])
    expect(s.channels('unsubscribe')).toEqual([queue])
  })

  it('throws outside a LiveProvider', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    expect(() => render(<Screen channel={queue} onEvent={() => undefined} />)).toThrow('useLive outside LiveProvider')
    vi.restoreAllMocks()
  })
})
