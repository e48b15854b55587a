// The live badge inside a LiveProvider whose connection runs on a fake socket: the test drives the
// connection through live, reconnecting and stale, and reads what the badge says.
import { act, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import type { LiveConnection } from '../live/connection'
import { LiveProvider } from '../live/LiveProvider'
import { fakeConnection, type FakeSocket } from '../test/live'
import { LiveBadge } from './LiveBadge'

let sockets: FakeSocket[]
let conn: LiveConnection
let newest: () => FakeSocket

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(new Date(Date.UTC(2026, 10, 27, 14, 5, 30))) // the hospital is on UTC here
  const fake = fakeConnection({
    // The next attempt comes 30 s after a loss, long after the badge says stale.
    staleAfter: 10000,
    backoffBase: 60000,
    backoffMax: 60000,
    random: () => 0,
  })
  conn = fake.conn
  sockets = fake.sockets
  newest = fake.newest
})

afterEach(() => {
  vi.useRealTimers()
})

async function welcome(): Promise<void> {
  await act(() => vi.advanceTimersByTimeAsync(0))
  newest().open()
  newest().deliver({ op: 'welcome', channels: [] })
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

  newest().drop()
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
