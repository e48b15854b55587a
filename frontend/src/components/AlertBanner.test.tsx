import { QueryClientProvider } from '@tanstack/react-query'
import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { newQueryClient } from '../api/query'
import type { Alert } from '../api/types'
import { LiveProvider } from '../live/LiveProvider'
import { fakeServer, type Call } from '../test/http'
import { fakeConnection, type FakeSocket } from '../test/live'
import { signIn } from '../test/session'
import { AlertBanner } from './AlertBanner'

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

let stored: Alert[]
let calls: Call[]

/** The alerts acknowledged through the server. */
const acked = () => calls.filter((c) => c.method === 'POST' && c.path.endsWith('/ack')).map((c) => c.path.split('/')[3])

beforeEach(() => {
  stored = [
    alert('a1', 'Cardiac arrest'),
    alert('a2', 'Already handled by me', { acks: [{ user_id: 'me', role: 'staff', at: new Date().toISOString() }] }),
    alert('a3', 'From yesterday', { at: new Date(Date.now() - 24 * 3600e3).toISOString() }),
  ]
  // The banner reads who is signed in to tell its own acknowledgements from others'.
  signIn({ id: 'me', name: 'Rita', role: 'staff' })
  calls = fakeServer({
    'GET /api/alerts': () => ({ body: { items: stored, limit: 50 } }),
    'POST /api/alerts/a9/ack': () => ({ body: { ...stored[0], acks: [{ user_id: 'me', role: 'staff', at: '' }] } }),
    'POST /api/alerts/a1/resolve': () => ({ body: { ...stored[0], resolved: { at: '', by: 'me', how: 'responder' } } }),
    'GET /api/departments': { body: { items: [{ id: 'general-medicine', name: 'General medicine' }] } },
  })
})

afterEach(() => vi.restoreAllMocks())

async function mount(canAck: boolean): Promise<FakeSocket> {
  const { conn, sockets } = fakeConnection()
  render(
    <QueryClientProvider client={newQueryClient()}>
      <LiveProvider connection={conn}>
        <AlertBanner canAck={canAck} />
      </LiveProvider>
    </QueryClientProvider>,
  )
  await waitFor(() => expect(sockets).toHaveLength(1))
  const s = sockets[0]!
  s.open()
  s.deliver({ op: 'welcome', user_id: 'me', role: 'staff', channels: ['alerts'] })
  s.deliver({ op: 'subscribed', channel: 'alerts', seq: 4 })
  return s
}

describe('AlertBanner', () => {
  it('shows recent alerts I have not acknowledged, live ones too, as one banner with a count, and acknowledges them', async () => {
    const s = await mount(true)
    await screen.findByText(/Cardiac arrest — Ward 3/)
    expect(screen.queryByText(/Already handled by me/)).toBeNull()
    expect(screen.queryByText(/From yesterday/)).toBeNull()

    s.deliver({ op: 'event', channel: 'alerts', seq: 5, type: 'alert.raised', at: '', data: alert('a9', 'Code blue') })
    await screen.findByText(/Code blue — Ward 3/)
    // One banner, the newest first, and a count that opens the others.
    expect(screen.getAllByTestId('alert')).toHaveLength(1)
    const count = screen.getByTestId('alert-count')
    expect(count.textContent).toBe('+1 more')
    await userEvent.click(count)
    expect(screen.getAllByTestId('alert-other')[0]!.textContent).toContain('Cardiac arrest — Ward 3')

    // Someone else's acknowledgement does not clear my banner…
    s.deliver({ op: 'event', channel: 'alerts', seq: 6, type: 'alert.acked', at: '', data: { alert_id: 'a9', ack: { user_id: 'other' } } })
    expect(screen.getByTestId('alert').textContent).toContain('Code blue')
    // …mine does.
    await userEvent.click(within(screen.getByTestId('alert')).getByRole('button', { name: 'Acknowledge' }))
    await waitFor(() => expect(screen.getByTestId('alert').textContent).toContain('Cardiac arrest'))
    expect(screen.queryByTestId('alert-count')).toBeNull()
    expect(acked()).toEqual(['a9'])
  })

  it('resolves an alert for everyone, and clears one resolved elsewhere', async () => {
    const s = await mount(true)
    await screen.findByText(/Cardiac arrest/)
    s.deliver({ op: 'event', channel: 'alerts', seq: 5, type: 'alert.raised', at: '', data: alert('a9', 'Code blue') })
    s.deliver({ op: 'event', channel: 'alerts', seq: 6, type: 'alert.resolved', at: '', data: alert('a9', 'Code blue', { resolved: { at: '', how: 'finished' } }) })
    await waitFor(() => expect(screen.getByTestId('alert').textContent).toContain('Cardiac arrest'))
    await userEvent.click(screen.getByRole('button', { name: 'Resolve' }))
    await waitFor(() => expect(screen.queryByTestId('alert-banner')).toBeNull())
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/alerts/a1/resolve')).toBe(true)
  })

  it('names an emergency admission’s department by name, its ticket and complaint', async () => {
    stored = [
      alert('e1', 'Emergency, ESI 1: ticket 9 in general-medicine', {
        location: 'general-medicine',
        department: 'general-medicine',
        ticket: 9,
        complaint: 'chest pain',
      }),
    ]
    await mount(true)
    await waitFor(() => expect(screen.getByTestId('alert').textContent).toContain('Critical: Ticket 9, General medicine — chest pain'))
    expect(screen.getByTestId('alert').textContent).not.toContain('general-medicine')
  })

  it('on a public display says an emergency is being handled, never which ticket', async () => {
    stored = [alert('e1', 'Emergency, ESI 1: ticket 9 in general-medicine', { department: 'general-medicine', ticket: 9, complaint: 'chest pain' })]
    await mount(false)
    const item = await screen.findByTestId('alert')
    expect(item.textContent).toContain('An emergency is being handled')
    expect(item.textContent).not.toMatch(/9|ticket|chest|medicine/i)
  })

  it('on a display, without acknowledge buttons, clears an alert once anyone acknowledged it', async () => {
    stored[1] = alert('a2', 'Acked by a nurse', { acks: [{ user_id: 'nurse', role: 'staff', at: '' }] })
    const s = await mount(false)
    await screen.findByText(/An emergency is being handled/)
    expect(screen.getAllByTestId('alert')).toHaveLength(1)
    expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull()

    s.deliver({ op: 'event', channel: 'alerts', seq: 5, type: 'alert.acked', at: '', data: { alert_id: 'a1', ack: { user_id: 'nurse' } } })
    await waitFor(() => expect(screen.queryByTestId('alert-banner')).toBeNull())
  })

  it('does not repeat a location the message already names', async () => {
    stored = [alert('e1', 'Fire in cardiology', { location: 'cardiology' })]
    await mount(true)
    const item = await screen.findByTestId('alert')
    expect(item.textContent).toContain('Fire in cardiology')
    expect(item.textContent).not.toContain('— cardiology')
  })
})
