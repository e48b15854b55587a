// The header's bell against canned REST answers and a fake hub: the count from the list, live created
// and read events, mark read / mark all read, the panel's keyboard use and its empty and error states.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { hhmm } from '../api/client'
import type { Notification } from '../api/types'
import type { ChannelHandlers, LiveState } from '../live/connection'
import { apiError, fakeServer, type Call, type Route } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { InboxProvider } from './InboxProvider'
import { NotificationBell } from './NotificationBell'

const me = 'u0000000000000000000000a'
const minute = 60_000

function note(id: string, over: Partial<Notification> = {}): Notification {
  return {
    id,
    recipient_id: me,
    sender_id: '',
    kind: 'message',
    message: `Message ${id}`,
    created_at: new Date(Date.now() - 5 * minute).toISOString(),
    ...over,
  }
}

const down = new Date(Date.now() - 10 * minute)

/** A connection that stays down: its channels never go live, so nothing asks for a snapshot. */
class DownLive extends FakeLive {
  override readonly current: LiveState = { status: 'stale', since: down, attempt: 3, error: 'connection lost' }
  override subscribe(channel: string, h: ChannelHandlers): () => void {
    return super.subscribe(channel, { onEvent: h.onEvent })
  }
}

let items: Notification[]
let unread: number
let calls: Call[]
let routes: Record<string, Route>
let live: FakeLive

beforeEach(() => {
  items = [
    note('n3', {
      kind: 'appointment.reminder',
      subject: 'Your appointment tomorrow',
      message: 'Dr. Chen at 09:00',
      deliveries: [
        { channel: 'email', status: 'sent', attempts: 1 },
        { channel: 'sms', status: 'dead', attempts: 5, error: 'number unreachable' },
      ],
    }),
    note('n2', {
      kind: 'prescription.refill_due',
      message: 'Time to refill',
      // Never attempted (the patient has SMS off): no "SMS not sent" chip.
      deliveries: [{ channel: 'sms', status: 'skipped', attempts: 0 }],
    }),
    note('n1', { read_at: new Date().toISOString(), message: 'Old and read' }),
  ]
  unread = 5 // more unread than the bell shows: the count is the server's, over all of them
  routes = {
    'GET /api/notifications': () => ({ body: { items, page: 1, limit: 20, unread } }),
    'POST /api/notifications/n3/read': () => ({ body: { ...items[0]!, read_at: new Date().toISOString() } }),
    'POST /api/notifications/read-all': () => ({ body: { ids: ['n2', 'n9'], unread: 0 } }),
  }
  calls = fakeServer(routes)
  live = new FakeLive()
})

afterEach(() => vi.restoreAllMocks())

function renderBell() {
  return renderLive(
    live,
    <InboxProvider userID={me}>
      <NotificationBell />
      <button type="button">Elsewhere</button>
    </InboxProvider>,
  )
}

const bell = () => screen.getByTestId('notifications-bell')
const label = () => bell().getAttribute('aria-label')

describe('NotificationBell', () => {
  it('shows the unread count from the list, loaded when the user channel is live', async () => {
    renderBell()
    await waitFor(() => expect(label()).toBe('Notifications, 5 unread'))
    expect(screen.getByTestId('notifications-count').textContent).toBe('5')
    expect(live.channels()).toEqual([`user:${me}`, 'broadcast'])
    const list = calls.filter((c) => c.path === '/api/notifications')
    expect(list).toHaveLength(1)
    expect(list[0]!.query.get('limit')).toBe('20')
  })

  it('lists the newest in words, unread ones marked, with delivery chips, and links to the screen', async () => {
    renderBell()
    await waitFor(() => expect(label()).toBe('Notifications, 5 unread'))
    await userEvent.click(bell())
    const panel = screen.getByRole('dialog', { name: 'Notifications' })
    const shown = within(panel).getAllByTestId('notification')
    expect(shown).toHaveLength(3)
    expect(shown[0]!.textContent).toContain('Unread: Appointment reminder')
    expect(shown[0]!.textContent).toContain('Your appointment tomorrow')
    expect(shown[0]!.textContent).toContain('Dr. Chen at 09:00')
    expect(shown[0]!.textContent).toContain('5 min ago')
    expect(within(shown[0]!).getAllByTestId('delivery').map((c) => c.textContent)).toEqual(['Email sent', 'SMS failed'])
    expect(shown[1]!.textContent).toContain('Refill due')
    expect(within(shown[1]!).queryAllByTestId('delivery')).toHaveLength(0)
    expect(shown.map((n) => n.getAttribute('data-unread'))).toEqual(['true', 'true', 'false'])
    expect(within(shown[2]!).queryByRole('button', { name: 'Mark read' })).toBeNull()
    expect(within(panel).getByRole('link', { name: 'All notifications & preferences' }).getAttribute('href')).toBe(
      '/notifications',
    )
  })

  it('follows notification.created and notification.read on the user channel', async () => {
    renderBell()
    await waitFor(() => expect(label()).toBe('Notifications, 5 unread'))

    live.emit(`user:${me}`, 'notification.created', note('n4', { kind: 'alert.page', message: 'Code blue, ward 3' }))
    expect(label()).toBe('Notifications, 6 unread')
    // The same one again (a replay) is not counted twice.
    live.emit(`user:${me}`, 'notification.created', note('n4', { kind: 'alert.page', message: 'Code blue, ward 3' }))
    expect(label()).toBe('Notifications, 6 unread')

    await userEvent.click(bell())
    const shown = within(screen.getByRole('dialog')).getAllByTestId('notification')
    expect(shown[0]!.textContent).toContain('Emergency page')
    expect(shown[0]!.textContent).toContain('Code blue, ward 3')

    // Read on another screen: the server's count wins, and those shown are marked read.
    live.emit(`user:${me}`, 'notification.read', { ids: ['n4', 'n3'], unread: 2 })
    expect(label()).toBe('Notifications, 2 unread')
    const after = within(screen.getByRole('dialog')).getAllByTestId('notification')
    expect(after.map((n) => n.getAttribute('data-unread'))).toEqual(['false', 'false', 'true', 'false'])
  })

  it('marks one read, and all read, through the server, and the count follows once', async () => {
    renderBell()
    await waitFor(() => expect(label()).toBe('Notifications, 5 unread'))
    await userEvent.click(bell())
    const panel = screen.getByRole('dialog')
    const first = within(panel).getAllByTestId('notification')[0]!
    await userEvent.click(within(first).getByRole('button', { name: 'Mark read' }))
    await waitFor(() => expect(label()).toBe('Notifications, 4 unread'))
    expect(first.getAttribute('data-unread')).toBe('false')
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/notifications/n3/read'])
    // The server also tells every screen of the user, this one too: that is not counted again.
    live.emit(`user:${me}`, 'notification.read', { ids: ['n3'], unread: 4 })
    expect(label()).toBe('Notifications, 4 unread')

    await userEvent.click(within(panel).getByRole('button', { name: 'Mark all read' }))
    await waitFor(() => expect(label()).toBe('Notifications, 0 unread'))
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/api/notifications/n3/read',
      '/api/notifications/read-all',
    ])
    expect(within(panel).getAllByTestId('notification').map((n) => n.getAttribute('data-unread'))).toEqual([
      'false',
      'false',
      'false',
    ])
    expect(screen.queryByTestId('notifications-count')).toBeNull()
    expect((within(panel).getByRole('button', { name: 'Mark all read' }) as HTMLButtonElement).disabled).toBe(true)
  })

  it('counts a read whose event came before the answer once', async () => {
    let answer: () => void = () => undefined
    routes['POST /api/notifications/n2/read'] = () =>
      new Promise((resolve) => {
        answer = () => resolve({ body: { ...items[1]!, read_at: new Date().toISOString() } })
      })
    renderBell()
    await waitFor(() => expect(label()).toBe('Notifications, 5 unread'))
    await userEvent.click(bell())
    const second = within(screen.getByRole('dialog')).getAllByTestId('notification')[1]!
    await userEvent.click(within(second).getByRole('button', { name: 'Mark read' }))
    live.emit(`user:${me}`, 'notification.read', { ids: ['n2'], unread: 4 })
    expect(label()).toBe('Notifications, 4 unread')
    answer()
    await waitFor(() => expect(within(second).queryByRole('button', { name: 'Mark read' })).toBeNull())
    expect(label()).toBe('Notifications, 4 unread')
  })

  it('keeps what arrived live while the list was loading', async () => {
    let answer: () => void = () => undefined
    routes['GET /api/notifications'] = () =>
      new Promise((resolve) => {
        answer = () => resolve({ body: { items, page: 1, limit: 20, unread } })
      })
    renderBell()
    await waitFor(() => expect(calls).toHaveLength(1))
    // Newer than the list the server is answering with.
    live.emit(`user:${me}`, 'notification.created', note('n4', { message: 'Newest' }))
    live.emit(`user:${me}`, 'notification.read', { ids: ['n2'], unread: 5 })
    answer()
    await waitFor(() => expect(label()).toBe('Notifications, 5 unread'))
    await userEvent.click(bell())
    const shown = within(screen.getByRole('dialog')).getAllByTestId('notification')
    expect(shown.map((n) => n.textContent?.includes('Newest'))).toEqual([true, false, false, false])
    expect(shown.map((n) => n.getAttribute('data-unread'))).toEqual(['true', 'true', 'false', 'false'])
  })

  it('shows the server’s message when marking read fails', async () => {
    routes['POST /api/notifications/n3/read'] = apiError(404, 'not_found', 'notification not found')
    renderBell()
    await waitFor(() => expect(label()).toBe('Notifications, 5 unread'))
    await userEvent.click(bell())
    const panel = screen.getByRole('dialog')
    await userEvent.click(within(panel).getAllByRole('button', { name: 'Mark read' })[0]!)
    expect((await within(panel).findByRole('alert')).textContent).toBe('notification not found')
    expect(label()).toBe('Notifications, 5 unread')
  })

  it('opens with the keyboard, moves focus in; Escape, Tab past the end or a click elsewhere closes it', async () => {
    const user = userEvent.setup()
    renderBell()
    await waitFor(() => expect(label()).toBe('Notifications, 5 unread'))
    await user.tab()
    expect(document.activeElement).toBe(bell())
    await user.keyboard('{Enter}')
    const panel = screen.getByRole('dialog')
    expect(bell().getAttribute('aria-expanded')).toBe('true')
    expect(panel.contains(document.activeElement)).toBe(true)
    await user.tab()
    expect(document.activeElement?.textContent).toBe('Mark all read')
    await user.keyboard('{Escape}')
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(document.activeElement).toBe(bell())
    expect(bell().getAttribute('aria-expanded')).toBe('false')

    // Tabbing out past its end closes it too.
    await user.keyboard(' ')
    expect(screen.getByRole('dialog')).toBeTruthy()
    screen.getByRole('link', { name: 'All notifications & preferences' }).focus()
    await user.tab()
    expect(document.activeElement?.textContent).toBe('Elsewhere')
    expect(screen.queryByRole('dialog')).toBeNull()

    // A click elsewhere on the page closes it.
    await user.click(bell())
    expect(screen.getByRole('dialog')).toBeTruthy()
    await user.click(document.body)
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('loads over REST when the connection is down, and says the list may be behind', async () => {
    live = new DownLive()
    renderBell()
    await waitFor(() => expect(label()).toBe('Notifications, 5 unread'))
    await userEvent.click(bell())
    const panel = screen.getByRole('dialog')
    expect(within(panel).getByTestId('not-live').textContent).toBe(
      `Not live since ${hhmm(down)} — new ones may be missing`,
    )
    expect(within(panel).getAllByTestId('notification')).toHaveLength(3)
    expect(calls.filter((c) => c.path === '/api/notifications')).toHaveLength(1)
  })

  it('says when there are none yet', async () => {
    items = []
    unread = 0
    renderBell()
    await waitFor(() => expect(label()).toBe('Notifications, 0 unread'))
    await userEvent.click(bell())
    expect(within(screen.getByRole('dialog')).getByText('No notifications yet')).toBeTruthy()
  })

  it('shows a load failure with a retry that loads again', async () => {
    let fail = true
    routes['GET /api/notifications'] = () =>
      fail ? apiError(503, 'unavailable', 'try again shortly') : { body: { items, page: 1, limit: 20, unread } }
    renderBell()
    await userEvent.click(bell())
    const panel = screen.getByRole('dialog')
    expect((await within(panel).findByRole('alert')).textContent).toContain(
      'Could not load your notifications: try again shortly',
    )
    expect(label()).toBe('Notifications')
    fail = false
    await userEvent.click(within(panel).getByRole('button', { name: 'Retry' }))
    await waitFor(() => expect(label()).toBe('Notifications, 5 unread'))
    expect(within(panel).getAllByTestId('notification')).toHaveLength(3)
  })
})
