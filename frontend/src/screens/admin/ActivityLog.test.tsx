// The activity log against canned REST answers: actors, accounts and records named (never raw ids), the
// filters sent as the list's and the CSV's query, the CSV downloaded, and the chain check's verdict.
import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { components } from '../../api/schema'
import type { User } from '../../api/types'
import { apiError, fakeServer, type Answer, type Call } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { ActivityLog } from './ActivityLog'

type AuditEntry = components['schemas']['AuditEntry']

const entry = (id: string, over: Partial<AuditEntry> = {}): AuditEntry => ({
  id,
  at: '2026-12-07T14:00:00Z',
  actor_id: 'd1',
  actor_role: 'doctor',
  action: 'patient.read',
  outcome: 'ok',
  ip: '10.0.0.7',
  request_id: `req-${id}`,
  ...over,
})

const users: User[] = [
  { id: 'd1', name: 'Dr Dee', email: 'dee@hms.test', role: 'doctor', role_id: 'doctor', disabled: false, created_at: '2026-11-01T09:00:00Z' },
  { id: 'a1', name: 'Ada Admin', email: 'ada@hms.test', role: 'admin', role_id: 'admin', disabled: false, created_at: '2026-11-01T09:00:00Z' },
]

let audit: Answer
let verify: Answer
let calls: Call[]

beforeEach(() => {
  signIn({ id: 'me', role: 'admin' })
  audit = {
    body: {
      items: [
        entry('e1', { patient_id: '64b000000000000000000001' }),
        entry('e2', { actor_id: '', actor_role: '', action: 'auth.login_failed', outcome: 'denied', target: 'email:0123456789abcdef', detail: 'no such account' }),
        entry('e3', { actor_id: 'a1', actor_role: 'admin', action: 'user.role_change', target: 'd1', detail: 'staff → doctor' }),
        entry('e4', { actor_id: 'gone', actor_role: 'staff', patient_id: 'malformed', outcome: 'invalid' }),
      ],
      page: 1,
      limit: 20,
    },
  }
  verify = { body: { ok: true, chains: 2, entries: 40, anchors: 3, legacy: 0, problems: [], checked_at: '2026-12-07T14:05:00Z' } }
  calls = fakeServer({
    'GET /api/users': { body: { items: users, total: users.length, page: 1, limit: 100 } },
    'GET /api/audit': () => audit,
    'GET /api/audit/export.csv': { body: 'at,actor_id\n' },
    'POST /api/audit/verify': () => verify,
  })
})

afterEach(() => vi.restoreAllMocks())

describe('Activity log', () => {
  it('names actors, accounts and records without raw ids, and says who acted when nobody was signed in', async () => {
    renderLive(new FakeLive(), <ActivityLog />)
    const table = await screen.findByTestId('audit-table')
    await waitFor(() => expect(table.textContent).toContain('Account: Dr Dee'))
    const rows = within(table).getAllByRole('row')
    expect(rows[1]!.textContent).toContain('Dr Dee (Doctor)')
    expect(within(rows[1]!).getByRole('link', { name: 'Patient record' }).getAttribute('href')).toBe('/patients?q=64b000000000000000000001')
    expect(rows[2]!.textContent).toContain('Someone not signed in')
    expect(rows[2]!.textContent).toContain('An email address (kept hashed)')
    expect(rows[2]!.textContent).toContain('no such account')
    expect(rows[3]!.textContent).toContain('Ada Admin (Admin)')
    expect(rows[3]!.textContent).toContain('Account: Dr Dee')
    expect(rows[3]!.textContent).toContain('staff → doctor')
    expect(rows[4]!.textContent).toContain('An account not listed (Staff)')
    expect(rows[4]!.textContent).toContain('No valid record named')
    expect(table.textContent).not.toContain('64b000000000000000000001')
    expect(table.textContent).not.toContain('0123456789abcdef')
  })

  it('sends the filters as the query of the list and of the CSV, and downloads the CSV', async () => {
    const created = vi.fn(() => 'blob:csv')
    URL.createObjectURL = created
    URL.revokeObjectURL = vi.fn()
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    renderLive(new FakeLive(), <ActivityLog />)
    await screen.findByTestId('audit-table')
    await waitFor(() => expect(screen.getByRole('option', { name: 'Dr Dee (Doctor)' })).toBeTruthy())
    fireEvent.change(screen.getByLabelText('Who'), { target: { value: 'd1' } })
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'auth.login_failed' } })
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'denied' } })
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-12-01' } })
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }))
    await waitFor(() => expect(calls.some((c) => c.path === '/api/audit' && c.query.get('action') === 'auth.login_failed')).toBe(true))
    const list = calls.filter((c) => c.path === '/api/audit').at(-1)!
    expect(list.query.get('actor_id')).toBe('d1')
    expect(list.query.get('outcome')).toBe('denied')
    expect(list.query.get('from')).toMatch(/^2026-1[12]-\d\dT\d\d:00:00\.000Z$/)
    expect(list.query.get('page')).toBe('1')

    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }))
    await waitFor(() => expect(click).toHaveBeenCalled())
    const csv = calls.find((c) => c.path === '/api/audit/export.csv')!
    expect(csv.query.get('action')).toBe('auth.login_failed')
    expect(csv.query.get('actor_id')).toBe('d1')
    expect(csv.query.get('page')).toBeNull()
    expect(created).toHaveBeenCalled()
  })

  it('refuses a malformed patient record id without asking the server', async () => {
    renderLive(new FakeLive(), <ActivityLog />)
    await screen.findByTestId('audit-table')
    const before = calls.length
    fireEvent.change(screen.getByLabelText('Patient record id'), { target: { value: 'nope' } })
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }))
    expect((await screen.findByRole('alert')).textContent).toContain('24 hexadecimal digits')
    expect(calls.slice(before).some((c) => c.path === '/api/audit')).toBe(false)
  })

  it('verifies the chain and shows a clean result, then the problems naming the entries', async () => {
    renderLive(new FakeLive(), <ActivityLog />)
    await screen.findByTestId('audit-table')
    fireEvent.click(screen.getByRole('button', { name: 'Verify chain' }))
    await waitFor(() => expect(screen.getByTestId('activity-verify-result').textContent).toContain('Chain verified: 40 entries in 2 chains'))
    verify = {
      body: {
        ok: false, chains: 2, entries: 40, anchors: 3, legacy: 0, checked_at: '2026-12-07T14:06:00Z',
        problems: [{ entry_id: 'e9', chain: 'c1', seq: 9, problem: 'its hash does not match its fields (edited, or moved to another place)' }],
      },
    }
    fireEvent.click(screen.getByRole('button', { name: 'Verify chain' }))
    await waitFor(() => expect(screen.getByTestId('activity-verify-result').textContent).toContain('1 problem in 40 entries'))
    expect(screen.getByTestId('activity-verify-result').textContent).toContain('Entry e9 (seq 9): its hash does not match')
  })

  it('shows the server’s refusal in words', async () => {
    audit = apiError(403, 'forbidden', 'only admins read the audit log')
    renderLive(new FakeLive(), <ActivityLog />)
    expect((await screen.findByRole('alert')).textContent).toContain('Could not load the activity log: only admins read the audit log')
  })
})
