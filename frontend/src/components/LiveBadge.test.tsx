// The live badge inside a LiveProvider whose connection runs on a fake socket: the test drives the
// connection through live, reconnecting and stale, and reads what the badge says.
import { act, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { LiveConnection, type SocketLike } from '../live/connection'
import { LiveProvider } from '../live/LiveProvider'
import { LiveBadge } from './LiveBadge'

/** Just enough of a websocket to be welcomed and dropped. */
function fakeSocket(): SocketLike {
  return {
    readyState: 1,
    send: () => undefined,
    close: () => undefined,
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  }
}

let sockets: SocketLike[]
let conn: LiveConnection

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(new Date(2026, 10, 27, 14, 5, 30))
  sockets = []
  conn = new LiveConnection({
    url: async () => 'wss://hms.test/ws?ticket=t',
    createSocket: () => {
      const s = fakeSocket()
      sockets.push(s)
      return s
    },
    // The next attempt comes 30 s after a loss, long after the badge says stale.
    staleAfter: 10000,
    backoffBase: 60000,
    backoffMax: 60000,
    random: () => 0,
  })
})

afterEach(() => {
  vi.useRealTimers()
})

function newest(): SocketLike {
  const s = sockets.at(-1)
  if (!s) throw new Error('no socket yet')
  return s
}

async function welcome(): Promise<void> {
  await act(() => vi.advanceTimersByTimeAsync(0))
  act(() => newest().onmessage?.({ data: JSON.stringify({ op: 'welcome', channels: [] }) }))
}

function badge(): HTMLElement {
  return screen.getByTestId('live-status')
}

it('says Connecting…, Live, Reconnecting… and Stale since hh:mm as the connection goes', async () => {
  render(
    <LiveProvider connection={conn}>
      <LiveBadge />
    </LiveProvider>,
  )
  expect(badge()).toHaveProperty('textContent', 'Connecting…')
  expect(badge().getAttribute('role')).toBe('status')

  await welcome()
  expect(badge()).toHaveProperty('textContent', 'Live')
  expect(badge().dataset.status).toBe('live')
  expect(badge().title).toBe('Live')

  act(() => newest().onclose?.({ code: 1006, reason: '' }))
  expect(badge()).toHaveProperty('textContent', 'Reconnecting…')
  expect(badge().className).toContain('live-reconnecting')
  expect(badge().title).toBe('Reconnecting… (connection lost, attempt 1)')

  await act(() => vi.advanceTimersByTimeAsync(10000))
  expect(badge()).toHaveProperty('textContent', 'Stale since 14:05')
  expect(badge().dataset.status).toBe('stale')

  await act(() => vi.advanceTimersByTimeAsync(20000))
  expect(sockets).toHaveLength(2)
  await welcome()
  expect(badge()).toHaveProperty('textContent', 'Live')
})

it('says Offline once the connection is stopped, and can be large', async () => {
  render(
    <LiveProvider connection={conn}>
      <LiveBadge large />
    </LiveProvider>,
  )
  await welcome()
  act(() => conn.stop())
  expect(badge()).toHaveProperty('textContent', 'Offline')
  expect(badge().className).toContain('live-large')
})
