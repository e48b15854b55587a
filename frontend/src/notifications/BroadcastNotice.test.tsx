// An admin's broadcast heard live: a dismissible notice on the screen, and in the bell with the unread
// count following at once (the inbox reloads: the server stored it before sending it live).
import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Broadcast, Notification } from '../api/types'
import { fakeServer, type Call } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { BroadcastNotice } from './BroadcastNotice'
import { InboxProvider } from './InboxProvider'
import { NotificationBell } from './NotificationBell'

const me = 'u0000000000000000000000a'
const at = '2026-12-07T14:05:00Z'

function broadcast(id: string, message: string): Broadcast {
  return { id, message, sent_by: 'u0000000000000000000000f', at }
}

let items: Notification[]
let calls: Call[]
let live: FakeLive

beforeEach(() => {
  items = []
  calls = fakeServer({
    'GET /api/notifications': () => ({
      body: { items, page: 1, limit: 20, unread: items.filter((n) => !n.read_at).length },
    }),
  })
  live = new FakeLive()
})

afterEach(() => vi.restoreAllMocks())

function stored(b: Broadcast): void {
  items = [{ id: 'n-' + b.id, recipient_id: me, sender_id: b.sent_by, kind: 'broadcast', message: b.message, created_at: b.at }, ...items]
}

const bellLabel = () => screen.getByTestId('notifications-bell').getAttribute('aria-label')

describe('BroadcastNotice', () => {
  it('shows a broadcast heard live, puts it in the bell unread, and hides it when dismissed', async () => {
    renderLive(
      live,
      <InboxProvider userID={me}>
        <NotificationBell />
        <BroadcastNotice />
      </InboxProvider>,
    )
    await waitFor(() => expect(bellLabel()).toBe('Notifications, 0 unread'))
    expect(screen.queryByTestId('broadcast')).toBeNull()

    const b = broadcast('b1', 'Lifts out of order, use the east stairs')
    stored(b)
    live.emit('broadcast', 'broadcast.sent', b)
    const notice = screen.getByTestId('broadcast')
    expect(notice.textContent).toContain('Announcement')
    expect(notice.textContent).toContain('Lifts out of order, use the east stairs')
    expect(notice.textContent).toContain('14:05')
    await waitFor(() => expect(bellLabel()).toBe('Notifications, 1 unread'))
    expect(calls.filter((c) => c.path === '/api/notifications')).toHaveLength(2)

    await userEvent.click(screen.getByRole('button', { name: 'Dismiss' }))
    expect(screen.queryByTestId('broadcast')).toBeNull()
    expect(bellLabel()).toBe('Notifications, 1 unread')
  })

  it('shows the newest of several with how many more, and the next one after a dismiss', async () => {
    renderLive(
      live,
      <InboxProvider userID={me}>
        <BroadcastNotice />
      </InboxProvider>,
    )
    await waitFor(() => expect(calls).toHaveLength(1))
    live.emit('broadcast', 'broadcast.sent', broadcast('b1', 'First'))
    live.emit('broadcast', 'broadcast.sent', broadcast('b2', 'Second'))
    // The same one again (a replay) is one notice.
    live.emit('broadcast', 'broadcast.sent', broadcast('b2', 'Second'))
    expect(screen.getByTestId('broadcast').textContent).toContain('Second')
    expect(screen.getByRole('link', { name: '1 more' })).toBeTruthy()
    await userEvent.click(screen.getByRole('button', { name: 'Dismiss' }))
    expect(screen.getByTestId('broadcast').textContent).toContain('First')
    expect(screen.queryByRole('link', { name: /more/ })).toBeNull()
  })
})
