import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
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
const acked = () => calls.filter((c) => c.method === 'POST').map((c) => c.path.split('/')[3])

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
  })
})

afterEach(() => vi.restoreAllMocks())

async function mount(canAck: boolean): Promise<FakeSocket> {
  const { conn, sockets } = fakeConnection()
  render(
    <LiveProvider connection={conn}>
      <AlertBanner canAck={canAck} />
    </LiveProvider>,
  )
  await waitFor(() => expect(sockets).toHaveLength(1))
  const s = sockets[0]!
  s.open()
  s.deliver({ op: 'welcome', user_id: 'me', role: 'staff', channels: ['alerts'] })
  s.deliver({ op: 'subscribed', channel: 'alerts', seq: 4 })
  return s
}

describe('AlertBanner', () => {
  it('shows recent alerts I have not acknowledged, live ones too, and acknowledges them', async () => {
    const s = await mount(true)
    await screen.findByText(/Cardiac arrest — Ward 3/)
    expect(screen.queryByText(/Already handled by me/)).toBeNull()
    expect(screen.queryByText(/From yesterday/)).toBeNull()

    s.deliver({ op: 'event', channel: 'alerts', seq: 5, type: 'alert.raised', at: '', data: alert('a9', 'Code blue') })
    await screen.findByText(/Code blue — Ward 3/)
    expect(screen.getAllByTestId('alert')).toHaveLength(2)

    // Someone else's acknowledgement does not clear my banner…
    s.deliver({ op: 'event', channel: 'alerts', seq: 6, type: 'alert.acked', at: '', data: { alert_id: 'a9', ack: { user_id: 'other' } } })
    expect(screen.getAllByTestId('alert')).toHaveLength(2)
    // …mine does.
    const buttons = screen.getAllByRole('button', { name: 'Acknowledge' })
    await userEvent.click(buttons[0]!)
    await waitFor(() => expect(screen.getAllByTestId('alert')).toHaveLength(1))
    expect(acked()).toEqual(['a9'])
  })

  it('on a display, without acknowledge buttons, clears an alert once anyone acknowledged it', async () => {
    stored[1] = alert('a2', 'Acked by a nurse', { acks: [{ user_id: 'nurse', role: 'staff', at: '' }] })
    const s = await mount(false)
    await screen.findByText(/Cardiac arrest/)
    expect(screen.queryByText(/Acked by a nurse/)).toBeNull()
    expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull()

    s.deliver({ op: 'event', channel: 'alerts', seq: 5, type: 'alert.acked', at: '', data: { alert_id: 'a1', ack: { user_id: 'nurse' } } })
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
