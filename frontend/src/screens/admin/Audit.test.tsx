// The admin's audit log against canned REST answers: the actor by name and role in words, the patient
// as a labelled link to their record (never a bare id), an entry naming no valid record said so, and
// the server's refusal shown in words.
import { screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { components } from '../../api/schema'
import type { User } from '../../api/types'
import { apiError, fakeServer, type Answer } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { Audit } from './Audit'

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

const users: User[] = [{ id: 'd1', name: 'Dr Dee', email: 'dee@hms.test', role: 'doctor', disabled: false, created_at: '2026-11-01T09:00:00Z' }]

let audit: Answer

beforeEach(() => {
  signIn({ id: 'me', role: 'admin' })
  audit = {
    body: {
      items: [
        entry('a1', { patient_id: '64b000000000000000000001' }),
        entry('a3', { actor_id: 'd1', action: 'user.password_link:d1' }),
        entry('a2', { actor_id: 'gone', actor_role: 'staff', patient_id: 'malformed', outcome: 'invalid' }),
      ],
      page: 1,
      limit: 20,
    },
  }
  fakeServer({
    'GET /api/users': { body: { items: users, total: users.length, page: 1, limit: 100 } },
    'GET /api/audit': () => audit,
  })
})

afterEach(() => vi.restoreAllMocks())

describe('Audit log', () => {
  it('names the actor and the account an action names, and labels the patient record as a link, with no raw ids', async () => {
    renderLive(new FakeLive(), <Audit />)
    const table = await screen.findByTestId('audit-table')
    await waitFor(() => expect(within(table).getAllByText('Dr Dee')).toHaveLength(2))
    const rows = within(table).getAllByRole('row')
    const first = rows[1]!
    const second = rows[3]!
    expect(rows[2]!.textContent).toContain('user.password_link for Dr Dee')
    expect(first.textContent).toContain('Dr Dee (Doctor)')
    expect(within(first).getByRole('link', { name: 'Patient record' }).getAttribute('href')).toBe('/patients?q=64b000000000000000000001')
    expect(second.textContent).toContain('An account not listed (Staff)')
    expect(second.textContent).toContain('No valid record named')
    expect(table.textContent).not.toContain('64b000000000000000000001')
    expect(table.textContent).not.toContain('gone')
  })

  it('shows the server’s refusal in words', async () => {
    audit = apiError(403, 'forbidden', 'only admins read the audit log')
    renderLive(new FakeLive(), <Audit />)
    expect((await screen.findByRole('alert')).textContent).toBe('Could not load the audit log: only admins read the audit log')
  })
})
