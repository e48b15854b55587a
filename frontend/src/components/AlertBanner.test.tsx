import { act, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { session } from '../api/client'
import type { Alert } from '../api/types'
import { LiveConnection, type SocketLike } from '../live/connection'
import { LiveProvider } from '../live/LiveProvider'
import { AlertBanner } from './AlertBanner'

class FakeSocket implements SocketLike {
  readyState = 1
  sent: { op: string; id?: string; channels?: { channel: string }[] }[] = []
  onopen: SocketLike['onopen'] = null
  onmessage: SocketLike['onmessage'] = null
  onclose: SocketLike['onclose'] = null
  onerror: SocketLike['onerror'] = null
  send(data: string) {
    this.sent.push(JSON.parse(data) as FakeSocket['sent'][number])
  }
  close() {
    this.readyState = 3
  }
  frame(f: object) {
    act(() => this.onmessage?.({ data: JSON.stringify(f) }))
  }
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

const alert = (id: string, message: string, extra: Partial<Alert> = {}): Alert => ({
  id,
  message,
  location: 'Ward 3',
  severity: 'critical',
  raised_by: 'admin1',
  at: new Date().toISOString(),
  acks: [],
  escalated: false,
  ...extra,
})

let sockets: FakeSocket[]
let stored: Alert[]
let acked: string[]

beforeEach(() => {
  sockets = []
  acked = []
  stored = [
    alert('a1', 'Cardiac arrest'),
    alert('a2', 'Already handled by me', { acks: [{ user_id: 'me', role: 'staff', at: new Date().toISOString() }] }),
    alert('a3', 'From yesterday', { at: new Date(Date.now() - 24 * 3600e3).toISOString() }),
  ]
  // The banner reads who is signed in to tell its own acknowledgements from others'.
  vi.spyOn(session, 'current', 'get').mockReturnValue({
    token: 't',
    refreshToken: 'r',
    user: { id: 'me', name: 'Rita', email: 'r@h.org', role: 'staff', disabled: false, created_at: '' },
  })
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    const req = input as Request
    const url = new URL(req.url)
    if (url.pathname === '/api/alerts') return json({ items: stored, limit: 50 })
    const m = /^\/api\/alerts\/(\w+)\/ack$/.exec(url.pathname)
    if (m && req.method === 'POST') {
      acked.push(m[1]!)
      return json({ ...stored[0], acks: [{ user_id: 'me', role: 'staff', at: '' }] })
    }
    return json({ error: { code: 'not_found', message: 'no' }, request_id: '' }, 404)
  })
})

afterEach(() => vi.restoreAllMocks())

async function mount(canAck: boolean) {
  const conn = new LiveConnection({
    url: async () => 'ws://hms.test/ws',
    createSocket: () => {
      const s = new FakeSocket()
      sockets.push(s)
      return s
    },
  })
  render(
    <LiveProvider connection={conn}>
      <AlertBanner canAck={canAck} />
    </LiveProvider>,
  )
  await waitFor(() => expect(sockets).toHaveLength(1))
  const s = sockets[0]!
  s.frame({ op: 'welcome', user_id: 'me', role: 'staff', channels: ['alerts'] })
  s.frame({ op: 'subscribed', channel: 'alerts', seq: 4 })
  return s
}

describe('AlertBanner', () => {
  it('shows recent alerts I have not acknowledged, live ones too, and acknowledges them', async () => {
    const s = await mount(true)
    await screen.findByText(/Cardiac arrest — Ward 3/)
    expect(screen.queryByText(/Already handled by me/)).toBeNull()
    expect(screen.queryByText(/From yesterday/)).toBeNull()

    s.frame({ op: 'event', channel: 'alerts', seq: 5, type: 'alert.raised', at: '', data: alert('a9', 'Code blue') })
    await screen.findByText(/Code blue — Ward 3/)
    expect(screen.getAllByTestId('alert')).toHaveLength(2)

    // Someone else's acknowledgement does not clear my banner…
    s.frame({ op: 'event', channel: 'alerts', seq: 6, type: 'alert.acked', at: '', data: { alert_id: 'a9', ack: { user_id: 'other' } } })
    expect(screen.getAllByTestId('alert')).toHaveLength(2)
    // …mine does.
    const buttons = screen.getAllByRole('button', { name: 'Acknowledge' })
    await userEvent.click(buttons[0]!)
    await waitFor(() => expect(screen.getAllByTestId('alert')).toHaveLength(1))
    expect(acked).toEqual(['a9'])
  })

  it('on a display, without acknowledge buttons, clears an alert once anyone acknowledged it', async () => {
    stored[1] = alert('a2', 'Acked by a nurse', { acks: [{ user_id: 'nurse', role: 'staff', at: '' }] })
    const s = await mount(false)
    await screen.findByText(/Cardiac arrest/)
    expect(screen.queryByText(/Acked by a nurse/)).toBeNull()
    expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull()

    s.frame({ op: 'event', channel: 'alerts', seq: 5, type: 'alert.acked', at: '', data: { alert_id: 'a1', ack: { user_id: 'nurse' } } })
    await waitFor(() => expect(screen.queryByTestId('alert-banner')).toBeNull())
  })

  it('does not repeat a location the message already names', async () => {
    stored = [alert('e1', 'Emergency: ticket 43 in cardiology, ESI 1', { location: 'cardiology' })]
    await mount(true)
    const item = await screen.findByTestId('alert')
    expect(item.textContent).toContain('ticket 43 in cardiology, ESI 1')
    expect(item.textContent).not.toContain('— cardiology')
  })
})
