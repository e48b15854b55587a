import { QueryClientProvider } from '@tanstack/react-query'
import { newQueryClient } from '../api/query'
import { act, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Router } from 'wouter'
import { memoryLocation } from 'wouter/memory-location'
import type { DisplayBoard } from '../api/types'
import { LiveProvider } from '../live/LiveProvider'
import { fakeServer } from '../test/http'
import { fakeConnection, type FakeSocket } from '../test/live'
import { DisplayScreen } from './Display'

const board1: DisplayBoard = {
  department: 'cardiology',
  day: '2026-11-27',
  at: '2026-11-27T10:31:05.415Z',
  now_serving: [
    { number: 7, doctor_name: 'Dr. David Novak', status: 'in-consultation' },
    { number: 9, doctor_name: 'Dr. Clara Chen', status: 'called' },
  ],
  next: [
    { number: 12, status: 'checked-in', estimated_wait_minutes: 8 },
    { number: 11, status: 'checked-in', estimated_wait_minutes: 16 },
  ],
  waiting: 2,
  average_wait_minutes: 14.2,
  longest_wait_minutes: 21.5,
}

const board2: DisplayBoard = {
  ...board1,
  at: '2026-11-27T10:40:00.000Z',
  now_serving: [
    { number: 7, doctor_name: 'Dr. David Novak', status: 'in-consultation' },
    { number: 12, doctor_name: 'Dr. Clara Chen', status: 'called' },
  ],
  next: [{ number: 11, status: 'checked-in', estimated_wait_minutes: 4 }],
  waiting: 1,
}

let sockets: FakeSocket[]
let departments: { id: string; name: string }[]

beforeEach(() => {
  departments = [{ id: 'cardiology', name: 'Cardiology' }]
  fakeServer({
    'GET /api/departments': () => ({ body: { items: departments } }),
    'GET /api/queues/cardiology/display': { body: board1 },
  })
})

afterEach(() => {
  vi.restoreAllMocks()
})

function renderDisplay(ui: React.ReactNode, path = '/display/cardiology') {
  const fake = fakeConnection({ url: async () => 'ws://hms.test/ws', backoffBase: 60_000, staleAfter: 10 })
  sockets = fake.sockets
  const conn = fake.conn
  const { hook, history } = memoryLocation({ path, record: true })
  render(
    <QueryClientProvider client={newQueryClient()}>
      <Router hook={hook}>
        <LiveProvider connection={conn}>{ui}</LiveProvider>
      </Router>
    </QueryClientProvider>,
  )
  return { conn, history }
}

/** Connects the fake socket and confirms the display channel's subscription, which loads the snapshot. */
async function goLive(channel = 'display:cardiology') {
  await waitFor(() => expect(sockets).toHaveLength(1))
  const s = sockets[0]!
  s.open()
  s.deliver({ op: 'welcome', user_id: 'u1', role: 'staff', channels: ['broadcast'] })
  const sub = s.sent.find((f) => f.op === 'subscribe' && f.channels?.some((c) => c.channel === channel))
  expect(sub).toBeDefined()
  s.deliver({ op: 'subscribed', id: sub!.id, channel, seq: 0 })
  return s
}

function displayEvent(s: FakeSocket, seq: number, data: unknown) {
  s.deliver({ op: 'event', channel: 'display:cardiology', seq, type: 'display.updated', at: new Date().toISOString(), data })
}

describe('DisplayScreen', () => {
  it('renders the board from the snapshot and replaces it on display.updated', async () => {
    renderDisplay(<DisplayScreen department="cardiology" />)
    const s = await goLive()

    const serving = await screen.findByTestId('now-serving')
    expect((await within(serving).findByTestId('display-ticket-9')).textContent).toContain('9Dr. Clara ChenPlease go in')
    expect(within(serving).getByTestId('display-ticket-7').textContent).toContain('In consultation')
    const next = screen.getByTestId('next-list')
    expect(within(next).getByTestId('display-ticket-12').textContent).toMatch(/12\s*~8 min/)
    expect(screen.getByRole('heading', { level: 1 }).textContent).toContain('Cardiology')
    expect(screen.getByTestId('waiting-count').textContent).toContain('2')

    displayEvent(s, 1, board2)
    await waitFor(() => expect(screen.queryByTestId('display-ticket-9')).toBeNull())
    expect(within(screen.getByTestId('now-serving')).getByTestId('display-ticket-12').textContent).toContain('Please go in')
    expect(within(screen.getByTestId('next-list')).queryByTestId('display-ticket-12')).toBeNull()
    expect(screen.getByTestId('waiting-count').textContent).toContain('1')
    // Ticket 12 was just called: it flashes.
    expect(screen.getByTestId('display-ticket-12').classList.contains('ds-flash')).toBe(true)
    expect(screen.getByTestId('display-ticket-7').classList.contains('ds-flash')).toBe(false)
  })

  it('never shows a patient name, even when an event carries one', async () => {
    renderDisplay(<DisplayScreen department="cardiology" />)
    const s = await goLive()
    await screen.findByTestId('display-ticket-9')

    // A malformed event with appointment-like objects that have names in them.
    displayEvent(s, 1, {
      ...board2,
      appointment: { patient_name: 'Ann Lee', doctor_name: 'Dr. Clara Chen' },
      now_serving: board2.now_serving.map((t) => ({ ...t, patient_name: 'Ann Lee', name: 'Ann Lee' })),
      next: board2.next.map((t) => ({ ...t, patient_name: 'Bob Marsh', reason: 'chest pain' })),
    })
    await waitFor(() => expect(screen.queryByTestId('display-ticket-9')).toBeNull())

    const text = screen.getByTestId('display').textContent ?? ''
    expect(text).not.toMatch(/Ann Lee|Bob Marsh|chest pain/)
    // Each ticket reads exactly its number, doctor and status from the board, nothing more.
    expect(screen.getByTestId('display-ticket-12').textContent).toBe('12Dr. Clara ChenPlease go in')
    expect(screen.getByTestId('display-ticket-7').textContent).toBe('7Dr. David NovakIn consultation')
    expect(screen.getByTestId('display-ticket-11').textContent).toBe('11~4 min')
  })

  it('sizes ticket numbers with a rule of at least 64 px that scales with the screen', async () => {
    renderDisplay(<DisplayScreen department="cardiology" />)
    await goLive()
    const serving = await screen.findByTestId('display-ticket-9')
    expect(within(serving).getByText('9').classList.contains('ds-number')).toBe(true)
    expect(within(screen.getByTestId('display-ticket-11')).getByText('11').classList.contains('ds-number')).toBe(true)
    // happy-dom does not lay out, and Vitest hands CSS imports over empty: read the stylesheet itself
    // (node:fs through an untyped import, since the app's types leave Node's out).
    const fs = (await import('node:' + 'fs')) as { readFileSync(path: string, encoding: 'utf8'): string }
    const css = fs.readFileSync(decodeURIComponent(import.meta.url.replace(/^file:\/\//, '').replace(/[^/]*$/, 'display.css')), 'utf8')
    for (const list of ['ds-serving-ticket', 'ds-next-ticket']) {
      const rule = new RegExp(`\\.${list} \\.ds-number \\{[^}]*font-size: clamp\\(64px, [^;]*\\d+vw[^;]*, \\d+px\\)`)
      expect(css).toMatch(rule)
    }
  })

  it('says the board may be out of date when the connection drops', async () => {
    renderDisplay(<DisplayScreen department="cardiology" />)
    const s = await goLive()
    await screen.findByTestId('display-ticket-9')
    expect(screen.queryByTestId('stale-note')).toBeNull()

    s.drop()
    expect((await screen.findByTestId('stale-note')).textContent).toMatch(/Stale since \d\d:\d\d/)
    expect(screen.getByTestId('display-board').classList.contains('ds-stale')).toBe(true)
    // The last board stays readable underneath.
    expect(screen.getByTestId('display-ticket-9').isConnected).toBe(true)
    await waitFor(() => expect(screen.getByTestId('live-status').textContent).toMatch(/Stale since \d\d:\d\d/))
  })

  it('without a department lists the departments as links to their boards', async () => {
    departments = [
      { id: 'cardiology', name: 'Cardiology' },
      { id: 'er', name: 'Emergency' },
    ]
    renderDisplay(<DisplayScreen />, '/display')
    expect((await screen.findByRole('link', { name: 'Emergency' })).getAttribute('href')).toBe('/display/er')
    expect(screen.getByRole('link', { name: 'Cardiology' }).getAttribute('href')).toBe('/display/cardiology')
    expect(screen.getByTestId('live-status').isConnected).toBe(true)
    expect(screen.getByRole('link', { name: 'Exit (Esc)' }).getAttribute('href')).toBe('/')
  })

  it('in kiosk mode shows the only department without asking, and offers no exit', async () => {
    renderDisplay(<DisplayScreen kiosk />, '/')
    await goLive()
    expect((await screen.findByTestId('display-ticket-9')).isConnected).toBe(true)
    expect(screen.queryByRole('link', { name: 'Exit (Esc)' })).toBeNull()
  })

  it('goes back to the app on Escape when not a kiosk', async () => {
    const { history } = renderDisplay(<DisplayScreen department="cardiology" />)
    await goLive()
    await screen.findByTestId('display-ticket-9')
    act(() => void window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' })))
    expect(history.at(-1)).toBe('/')
  })

  it('in kiosk mode hides the cursor once the mouse rests, and shows it when it moves', () => {
    vi.useFakeTimers()
    try {
      renderDisplay(<DisplayScreen kiosk />, '/')
      const root = screen.getByTestId('display')
      expect(root.classList.contains('ds-idle')).toBe(false)
      act(() => void vi.advanceTimersByTime(4000))
      expect(root.classList.contains('ds-idle')).toBe(true)
      act(() => void window.dispatchEvent(new Event('pointermove')))
      expect(root.classList.contains('ds-idle')).toBe(false)
    } finally {
      vi.useRealTimers()
    }
  })
})
