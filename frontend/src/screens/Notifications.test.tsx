// The /notifications screen against canned REST answers and a fake hub: the full list a page at a time
// and unread only, live events and mark read; the preferences form (load, save, the server's 400, on call
// only for doctors and staff).
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Notification, NotificationPreferences, Role } from '../api/types'
import { InboxProvider } from '../notifications/InboxProvider'
import { NotificationBell } from '../notifications/NotificationBell'
import { apiError, fakeServer, type Call, type Route } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { signIn } from '../test/session'
import { NotificationsScreen } from './Notifications'

const me = 'u0000000000000000000000a'

function note(i: number, over: Partial<Notification> = {}): Notification {
  return {
    id: `n${i}`,
    recipient_id: me,
    sender_id: '',
    kind: 'message',
    message: `Message ${i}`,
    created_at: new Date(Date.now() - i * 3_600_000).toISOString(),
    ...over,
  }
}

/** 25 notifications, newest first; the even ones are read. */
let all: Notification[]
let prefs: NotificationPreferences
let routes: Record<string, Route>
let calls: Call[]
let live: FakeLive

/** GET /api/notifications on the fake server: a page of `all`, or of its unread ones. */
function listNotifications({ query }: Call) {
  const page = Number(query.get('page') ?? 1)
  const limit = Number(query.get('limit') ?? 20)
  const mine = query.get('unread') === 'true' ? all.filter((n) => !n.read_at) : all
  return {
    body: {
      items: mine.slice((page - 1) * limit, page * limit),
      page,
      limit,
      unread: all.filter((n) => !n.read_at).length,
    },
  }
}

beforeEach(() => {
  all = Array.from({ length: 25 }, (_, i) => note(i + 1, i % 2 ? { read_at: new Date().toISOString() } : {}))
  prefs = {
    email: true,
    sms: false,
    phone: '',
    quiet_hours: { start: '', end: '' },
    on_call: false,
    email_address: 'ann@hms.test',
  }
  routes = {
    'GET /api/notifications': listNotifications,
    'GET /api/me/notification-preferences': () => ({ body: prefs }),
    'PUT /api/me/notification-preferences': ({ body }) => ({ body: { ...(body as object), email_address: 'ann@hms.test' } }),
    'POST /api/notifications/n1/read': () => ({ body: { ...all[0]!, read_at: new Date().toISOString() } }),
    'POST /api/notifications/read-all': () => ({
      body: { ids: all.filter((n) => !n.read_at).map((n) => n.id), unread: 0 },
    }),
  }
  calls = fakeServer(routes)
  live = new FakeLive()
})

afterEach(() => vi.restoreAllMocks())

function renderScreen(role: Role) {
  signIn({ id: me, role, name: 'Ann Lee' })
  return renderLive(
    live,
    <InboxProvider userID={me}>
      <NotificationsScreen />
    </InboxProvider>,
  )
}

const list = () => screen.getByTestId('notifications-list')
const shown = () => within(list()).queryAllByTestId('notification')
const texts = () => shown().map((n) => n.querySelector('.nt-message')?.textContent)

describe('NotificationsScreen: the list', () => {
  it('shows all notifications a page at a time, and only the unread ones when asked', async () => {
    renderScreen('patient')
    await waitFor(() => expect(shown()).toHaveLength(20))
    // The count comes with the bell's load, which may answer after the list's.
    await waitFor(() => expect(within(list()).getByTestId('notifications-unread').textContent).toBe('13 unread'))
    expect(texts()[0]).toBe('Message 1')

    const pager = screen.getByRole('navigation', { name: 'Notification pages' })
    await userEvent.click(within(pager).getByRole('button', { name: 'Next' }))
    await waitFor(() => expect(texts()).toEqual(['Message 21', 'Message 22', 'Message 23', 'Message 24', 'Message 25']))
    expect((within(pager).getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true)

    await userEvent.click(within(list()).getByRole('checkbox', { name: 'Unread only' }))
    await waitFor(() => expect(shown()).toHaveLength(13))
    expect(shown().every((n) => n.getAttribute('data-unread') === 'true')).toBe(true)
    const last = calls.filter((c) => c.path === '/api/notifications').at(-1)!
    expect([last.query.get('page'), last.query.get('unread'), last.query.get('limit')]).toEqual(['1', 'true', '20'])
  })

  it('shares one read of the first page with the bell, and reads it again when the channel resyncs', async () => {
    signIn({ id: me, role: 'patient', name: 'Ann Lee' })
    renderLive(
      live,
      <InboxProvider userID={me}>
        <NotificationBell />
        <NotificationsScreen />
      </InboxProvider>,
    )
    await waitFor(() => expect(shown()).toHaveLength(20))
    await waitFor(() => expect(screen.getByTestId('notifications-bell').getAttribute('aria-label')).toBe('Notifications, 13 unread'))
    await new Promise((r) => setTimeout(r, 300))
    const firstPage = () => calls.filter((c) => c.path === '/api/notifications' && c.query.get('page') === '1')
    expect(firstPage()).toHaveLength(1)

    // The server says too much was missed: both are read again, once.
    all = [note(0, { message: 'Missed while away' }), ...all]
    live.resync(`user:${me}`)
    await waitFor(() => expect(texts()[0]).toBe('Missed while away'))
    expect(screen.getByTestId('notifications-bell').getAttribute('aria-label')).toBe('Notifications, 14 unread')
    await new Promise((r) => setTimeout(r, 300))
    expect(firstPage()).toHaveLength(2)
  })

  it('puts a new one on top of the first page, and marks read what is read elsewhere', async () => {
    renderScreen('patient')
    await waitFor(() => expect(shown()).toHaveLength(20))
    await waitFor(() => expect(within(list()).getByTestId('notifications-unread').textContent).toBe('13 unread'))
    live.emit(`user:${me}`, 'notification.created', note(0, { kind: 'broadcast', message: 'Fire drill at 14:00' }))
    expect(texts()[0]).toBe('Fire drill at 14:00')
    expect(shown()[0]!.textContent).toContain('Broadcast')
    expect(within(list()).getByTestId('notifications-unread').textContent).toBe('14 unread')

    live.emit(`user:${me}`, 'notification.read', { ids: ['n0', 'n1'], unread: 12 })
    expect(shown().slice(0, 2).map((n) => n.getAttribute('data-unread'))).toEqual(['false', 'false'])
    expect(within(list()).getByTestId('notifications-unread').textContent).toBe('12 unread')
  })

  it('marks one read and all read through the server', async () => {
    renderScreen('patient')
    await waitFor(() => expect(shown()).toHaveLength(20))
    await waitFor(() => expect(within(list()).getByTestId('notifications-unread').textContent).toBe('13 unread'))
    await userEvent.click(within(shown()[0]!).getByRole('button', { name: 'Mark read' }))
    await waitFor(() => expect(shown()[0]!.getAttribute('data-unread')).toBe('false'))
    expect(within(list()).getByTestId('notifications-unread').textContent).toBe('12 unread')

    await userEvent.click(within(list()).getByRole('button', { name: 'Mark all read' }))
    await waitFor(() => expect(within(list()).getByTestId('notifications-unread').textContent).toBe('0 unread'))
    // n1 is still unread on the fake server, so read-all names it too; every one on the page is shown read.
    expect(shown().every((n) => n.getAttribute('data-unread') === 'false')).toBe(true)
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/api/notifications/n1/read',
      '/api/notifications/read-all',
    ])
  })

  it('says when there are none yet, and when a load fails, with a retry', async () => {
    all = []
    let fail = true
    // The lists fail (the bell's list is the screen's first page).
    routes['GET /api/notifications'] = (c) =>
      fail && c.query.has('page') ? apiError(503, 'unavailable', 'down for a moment') : listNotifications(c)
    renderScreen('patient')
    expect((await within(list()).findByRole('alert')).textContent).toContain(
      'Could not load your notifications: down for a moment',
    )
    fail = false
    await userEvent.click(within(list()).getByRole('button', { name: 'Retry' }))
    expect(await within(list()).findByText('No notifications yet')).toBeTruthy()
  })
})

describe('NotificationsScreen: preferences', () => {
  const form = () => within(screen.getByTestId('notification-preferences'))

  it('loads them, saves what was changed, and says it was saved', async () => {
    renderScreen('doctor')
    await waitFor(() => expect((form().getByLabelText('Account email') as HTMLInputElement).value).toBe('ann@hms.test'))
    expect((form().getByLabelText('Account email') as HTMLInputElement).readOnly).toBe(true)
    expect((form().getByRole('checkbox', { name: 'Email' }) as HTMLInputElement).checked).toBe(true)
    expect((form().getByRole('checkbox', { name: 'SMS' }) as HTMLInputElement).checked).toBe(false)
    expect(screen.getByText(/still sends what it must/).textContent).toContain('quiet hours delay email and SMS')

    await userEvent.click(form().getByRole('checkbox', { name: 'SMS' }))
    await userEvent.type(form().getByLabelText('SMS phone'), ' +447911123456 ')
    await userEvent.type(form().getByLabelText('From'), '22:00')
    await userEvent.type(form().getByLabelText('Until'), '07:00')
    await userEvent.click(form().getByRole('checkbox', { name: /On call/ }))
    await userEvent.click(form().getByRole('button', { name: 'Save' }))

    expect((await form().findByTestId('preferences-saved')).textContent).toBe('Saved')
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      email: true,
      sms: true,
      phone: '+447911123456',
      quiet_hours: { start: '22:00', end: '07:00' },
      on_call: true,
    })
    // Changing anything again takes the "Saved" away.
    await userEvent.click(form().getByRole('checkbox', { name: 'Email' }))
    expect(form().queryByTestId('preferences-saved')).toBeNull()
  })

  it('shows the server’s 400 next to the form and keeps what was typed', async () => {
    routes['PUT /api/me/notification-preferences'] = apiError(400, 'invalid', 'phone: not in E.164 (+447911123456)')
    renderScreen('staff')
    await waitFor(() => expect(form().getByLabelText('SMS phone')).toBeTruthy())
    await userEvent.type(form().getByLabelText('SMS phone'), '07911 123456')
    await userEvent.click(form().getByRole('button', { name: 'Save' }))
    expect((await form().findByRole('alert')).textContent).toBe('phone: not in E.164 (+447911123456)')
    expect((form().getByLabelText('SMS phone') as HTMLInputElement).value).toBe('07911 123456')
    expect(form().queryByTestId('preferences-saved')).toBeNull()
  })

  it('offers on call to doctors and staff only', async () => {
    renderScreen('patient')
    await waitFor(() => expect(form().getByLabelText('SMS phone')).toBeTruthy())
    expect(form().queryByRole('checkbox', { name: /On call/ })).toBeNull()
    await userEvent.click(form().getByRole('button', { name: 'Save' }))
    await form().findByTestId('preferences-saved')
    expect((calls.find((c) => c.method === 'PUT')?.body as NotificationPreferences).on_call).toBe(false)
  })

  it('shows a load failure with a retry', async () => {
    let fail = true
    routes['GET /api/me/notification-preferences'] = () => (fail ? apiError(503, 'unavailable', 'down') : { body: prefs })
    renderScreen('admin')
    expect((await form().findByRole('alert')).textContent).toContain('Could not load your preferences: down')
    fail = false
    await userEvent.click(form().getByRole('button', { name: 'Retry' }))
    await waitFor(() => expect(form().getByLabelText('SMS phone')).toBeTruthy())
    expect(form().queryByRole('checkbox', { name: /On call/ })).toBeNull()
  })
})
