import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { hhmm } from '../api/client'
import type { User } from '../api/types'
import { apiError, fakeServer, type Answer, type Call } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { signIn } from '../test/session'
import { AdminScreen } from './Admin'

const user = (i: number, over: Partial<User> = {}): User => ({
  id: `u${i}`,
  name: `User ${i}`,
  email: `user${i}@hms.test`,
  role: 'staff',
  role_id: over.role ?? 'staff',
  disabled: false,
  created_at: '2026-11-01T09:00:00Z',
  ...over,
})

/** Every request the screen made. */
let calls: Call[]
/** What POST /api/departments answers. */
let createAnswer: () => Answer

/** The departments the server has. */
let departments: { id: string; name: string }[]

/** Renders the admin screen and opens a tab. */
async function open(tab: string) {
  renderLive(new FakeLive(), <AdminScreen />)
  await userEvent.click(screen.getByRole('tab', { name: tab }))
}

beforeEach(() => {
  signIn({ id: 'a'.repeat(24), role: 'admin' })
  window.history.replaceState(null, '', '/admin')
  departments = [{ id: 'er', name: 'Emergency' }]
  createAnswer = () => ({ status: 201, body: { id: 'cardiology', name: 'Cardiology' } })
  calls = fakeServer({
    'GET /api/users': ({ query }) => {
      const page = Number(query.get('page') ?? 1)
      const items =
        page === 1
          ? [user(1, { name: 'Ada Admin', role: 'admin' }), user(2, { name: 'Dan Doctor', role: 'doctor', disabled: true })]
          : [user(21, { name: 'Pat Page-Two', role: 'patient' })]
      return { body: { items, total: 21, page, limit: 20 } }
    },
    'GET /api/departments': () => ({ body: { items: departments } }),
    'POST /api/departments': ({ body }) => {
      const a = createAnswer()
      if (a.status === 201) departments = [...departments, body as { id: string; name: string }]
      return a
    },
    'GET /api/audit': { body: { items: [], page: 1, limit: 20 } },
    'GET /api/deliveries': { body: { items: [], total: 0, page: 1, limit: 20 } },
    'POST /api/broadcasts': ({ body }) => ({
      status: 201,
      body: {
        id: 'b1',
        message: 'Fire drill at 14:00',
        sent_by: 'u1',
        at: '2026-11-27T10:00:00Z',
        ...((body as { email?: boolean }).email ? { email: true, recipients: 42 } : {}),
      },
    }),
  })
})

afterEach(() => {
  vi.restoreAllMocks()
})

describe('AdminScreen', () => {
  it('lists users with role and disabled flag, a page at a time', async () => {
    await open('Accounts')
    const table = await screen.findByTestId('users-table')
    const rows = within(table).getAllByRole('row')
    expect(rows).toHaveLength(3) // header + 2
    expect(rows[1]!.textContent).toContain('Ada Admin')
    expect((within(rows[1]!).getByRole('combobox', { name: 'Role of Ada Admin' }) as HTMLSelectElement).value).toBe('admin')
    expect(rows[1]!.textContent).toContain('Active')
    expect(rows[2]!.textContent).toContain('Dan Doctor')
    expect(rows[2]!.textContent).toContain('Disabled')
    expect(screen.getByText('21 in all')).toBeTruthy()

    const pager = screen.getByRole('navigation', { name: 'Users pages' })
    expect(pager.textContent).toContain('Page 1 of 2')
    await userEvent.click(within(pager).getByRole('button', { name: 'Next' }))
    await waitFor(() => expect(screen.getByTestId('users-table').textContent).toContain('Pat Page-Two'))
    expect(
      calls.some((c) => c.path === '/api/users' && c.query.get('page') === '2' && c.query.get('limit') === '20'),
    ).toBe(true)
  })

  it('creates a department with the id and name typed, and shows the server’s 409 message', async () => {
    createAnswer = () => apiError(409, 'conflict', 'a department with this id exists already')
    await open('Departments')
    await screen.findByTestId('departments-table')
    const form = screen.getByRole('form', { name: 'Add a department' })
    await userEvent.type(within(form).getByLabelText('Id'), 'er')
    await userEvent.type(within(form).getByLabelText('Name'), 'Emergency room{Enter}')

    expect((await within(form).findByRole('alert')).textContent).toBe('a department with this id exists already')
    const posts = calls.filter((c) => c.method === 'POST' && c.path === '/api/departments')
    expect(posts.map((c) => c.body)).toEqual([{ id: 'er', name: 'Emergency room' }])
    // Nothing typed is lost on a failure.
    expect((within(form).getByLabelText('Id') as HTMLInputElement).value).toBe('er')
    expect((within(form).getByLabelText('Name') as HTMLInputElement).value).toBe('Emergency room')

    // With a free id it is added to the list and the form clears.
    createAnswer = () => ({ status: 201, body: { id: 'cardiology', name: 'Cardiology' } })
    await userEvent.clear(within(form).getByLabelText('Id'))
    await userEvent.clear(within(form).getByLabelText('Name'))
    await userEvent.type(within(form).getByLabelText('Id'), 'cardiology')
    await userEvent.type(within(form).getByLabelText('Name'), 'Cardiology')
    await userEvent.click(within(form).getByRole('button', { name: 'Add department' }))
    expect((await within(form).findByRole('status')).textContent).toBe('Created Cardiology (cardiology).')
    await waitFor(() => expect(screen.getByTestId('departments-table').textContent).toContain('Cardiology'))
    expect(within(form).queryByRole('alert')).toBeNull()
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/api/departments').at(-1)?.body).toEqual({
      id: 'cardiology',
      name: 'Cardiology',
    })
  })

  it('sends a broadcast and says it was sent', async () => {
    await open('Broadcast')
    await userEvent.type(screen.getByLabelText('Message to everyone signed in now'), 'Fire drill at 14:00')
    await userEvent.click(screen.getByRole('button', { name: 'Send' }))
    expect((await screen.findByTestId('broadcast-sent')).textContent).toMatch(/^Sent at \d\d:\d\d\.$/)
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/broadcasts')?.body).toEqual({
      message: 'Fire drill at 14:00',
    })
  })

  it('also emails a broadcast when asked, and says to how many accounts', async () => {
    await open('Broadcast')
    const email = screen.getByRole('checkbox', { name: 'Also email everyone' }) as HTMLInputElement
    expect(email.checked).toBe(false)
    await userEvent.type(screen.getByLabelText('Message to everyone signed in now'), 'Fire drill at 14:00')
    await userEvent.click(email)
    await userEvent.click(screen.getByRole('button', { name: 'Send' }))
    expect((await screen.findByTestId('broadcast-sent')).textContent).toBe(
      `Sent at ${hhmm('2026-11-27T10:00:00Z')}, emailed to 42 accounts.`,
    )
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/broadcasts')?.body).toEqual({
      message: 'Fire drill at 14:00',
      email: true,
    })
    // The next message is not emailed unless asked again.
    expect(email.checked).toBe(false)
  })

  it('has nothing left as not built; a card opens its tab', async () => {
    renderLive(new FakeLive(), <AdminScreen />)
    expect(screen.queryAllByTestId('coming-later')).toEqual([])
    expect(screen.getByRole('link', { name: /^Roles/ }).getAttribute('href')).toBe('#adm-roles')
    expect(screen.getByRole('link', { name: /Ward displays/ }).getAttribute('href')).toBe('/display')
    expect(screen.getByRole('link', { name: /Reception/ }).getAttribute('href')).toBe('/reception')
    expect(screen.getByRole('link', { name: /Patients/ }).getAttribute('href')).toBe('/patients')
    expect(screen.getByRole('link', { name: /Beds/ }).getAttribute('href')).toBe('/beds')
    expect(screen.getByRole('link', { name: /^Billing/ }).getAttribute('href')).toBe('/billing')
    expect(screen.getByRole('link', { name: /^Reports/ }).getAttribute('href')).toBe('/reports')
    expect(screen.getByRole('link', { name: /^Prices/ }).getAttribute('href')).toBe('#adm-prices')
    const deliveries = screen.getByRole('link', { name: /Deliveries/ })
    expect(deliveries.getAttribute('href')).toBe('#adm-deliveries')
    // Following the card's link selects its tab.
    window.location.hash = '#adm-deliveries'
    await waitFor(() => expect(screen.getByRole('tab', { name: 'Deliveries' }).getAttribute('aria-selected')).toBe('true'))
    expect(await screen.findByRole('heading', { name: 'Deliveries' })).toBeTruthy()
  })
})

describe('AdminScreen tabs', () => {
  it('shows only the tabs the role is granted', () => {
    signIn({ id: 'a'.repeat(24), role: 'admin', role_id: 'auditor', permissions: ['audit.read'] })
    renderLive(new FakeLive(), <AdminScreen />)
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['Overview', 'Activity log', 'Access grants'])
    expect(screen.queryByRole('link', { name: /^Roles/ })).toBeNull()
  })
})
