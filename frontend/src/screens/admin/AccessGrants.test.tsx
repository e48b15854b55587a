// The admin's access grants tab against canned REST answers: each grant in words (who by name, role,
// a labelled link to the patient's record, the reason, when and until when in the hospital's time),
// "Active only" sending active=true and then false, paging, and the server's refusal shown.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { formatDateTime } from '../../api/time'
import type { components } from '../../api/schema'
import type { User } from '../../api/types'
import { apiError, fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { AccessGrants } from './AccessGrants'

type AccessGrant = components['schemas']['AccessGrant']

const grant = (id: string, over: Partial<AccessGrant> = {}): AccessGrant => ({
  id,
  user_id: 'd1',
  role: 'doctor',
  patient_id: '64b000000000000000000001',
  reason: 'Unconscious in the emergency department, no history',
  created_at: '2026-12-07T14:00:00Z',
  expires_at: '2026-12-07T15:00:00Z',
  ...over,
})

const users: User[] = [
  { id: 'me', name: 'Ada Admin', email: 'ada@hms.test', role: 'admin', role_id: 'admin', disabled: false, created_at: '2026-11-01T09:00:00Z' },
  { id: 'd1', name: 'Dr Dee', email: 'dee@hms.test', role: 'doctor', role_id: 'doctor', disabled: false, created_at: '2026-11-01T09:00:00Z' },
]

let calls: Call[]
let grants: Route

beforeEach(() => {
  signIn({ id: 'me', role: 'admin' })
  grants = ({ query }) => ({
    body: {
      items: query.get('active') === 'true' ? [grant('g1')] : [grant('g1'), grant('g2', { user_id: 'gone', role: 'staff' })],
      total: query.get('active') === 'true' ? 1 : 45,
      page: Number(query.get('page')),
      limit: 20,
    },
  })
  calls = fakeServer({
    'GET /api/users': { body: { items: users, total: users.length, page: 1, limit: 100 } },
    'GET /api/access/grants': (c) => (typeof grants === 'function' ? grants(c) : grants),
  })
})

afterEach(() => vi.restoreAllMocks())

const grantCalls = () => calls.filter((c) => c.path === '/api/access/grants').map((c) => `${c.query.get('active')} ${c.query.get('page')}`)

describe('Access grants', () => {
  it('lists the active grants in words, then all of them when "Active only" is cleared, a page at a time', async () => {
    renderLive(new FakeLive(), <AccessGrants />)
    const table = await screen.findByTestId('grants-table')
    await waitFor(() => expect(within(table).getByText('Dr Dee')).toBeTruthy())
    const row = within(table).getByText('Dr Dee').closest('tr')!
    expect(row.textContent).toContain('Doctor')
    expect(row.textContent).toContain('Unconscious in the emergency department, no history')
    expect(row.textContent).toContain(formatDateTime('2026-12-07T14:00:00Z', 'auto'))
    expect(row.textContent).toContain(formatDateTime('2026-12-07T15:00:00Z', 'auto'))
    expect(row.textContent).not.toContain('64b000000000000000000001')
    expect(within(row).getByRole('link', { name: 'Patient record' }).getAttribute('href')).toBe('/patients?q=64b000000000000000000001')
    expect(grantCalls()).toEqual(['true 1'])

    const toggle = screen.getByRole('checkbox', { name: 'Active only' })
    expect((toggle as HTMLInputElement).checked).toBe(true)
    await userEvent.click(toggle)
    await waitFor(() => expect(screen.getByText('An account not listed')).toBeTruthy())
    expect(screen.getByText('45 in all')).toBeTruthy()
    expect(grantCalls()).toEqual(['true 1', 'false 1'])

    await userEvent.click(within(screen.getByRole('navigation', { name: 'Access grants pages' })).getByRole('button', { name: 'Next' }))
    await waitFor(() => expect(grantCalls()).toEqual(['true 1', 'false 1', 'false 2']))
    expect(screen.getByText('Page 2 of 3')).toBeTruthy()
  })

  it('says when nobody holds a grant, and shows the server’s refusal in words', async () => {
    grants = { body: { items: [], total: 0, page: 1, limit: 20 } }
    renderLive(new FakeLive(), <AccessGrants />)
    expect(await screen.findByText('No active grants: nobody has broken the glass in the last hour.')).toBeTruthy()

    grants = apiError(403, 'forbidden', 'only admins review access grants')
    await userEvent.click(screen.getByRole('checkbox', { name: 'Active only' }))
    expect((await screen.findByRole('alert')).textContent).toContain('Could not load the access grants: only admins review access grants')
  })
})
