// The integration clients tab against canned answers: the list (created, last used, revoked), a
// registration sent with the ticked scopes and its secret shown once with the warning, rotation and
// revocation each only after confirming.
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { IntegrationClient } from '../../api/types'
import { fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { IntegrationClients } from './IntegrationClients'

const ID = 'c00000000000000000000001'

function client(over: Partial<IntegrationClient> = {}): IntegrationClient {
  return {
    id: ID, name: 'Lab gateway', scopes: ['system/Patient.read'], created_by: 'a0000000000000000000000a',
    created_at: '2026-12-01T09:00:00Z', last_used_at: '2026-12-02T10:30:00Z', ...over,
  }
}

let routes: Record<string, Route>
let calls: Call[]

beforeEach(() => {
  signIn({ id: 'a0000000000000000000000a', role: 'admin', name: 'Ada Admin' })
  routes = {
    'GET /api/integration-clients': {
      body: {
        items: [client(), client({ id: 'c00000000000000000000002', name: 'Old feed', last_used_at: undefined, revoked_at: '2026-12-03T08:00:00Z' })],
        total: 2, page: 1, limit: 100, resource_types: ['Patient', 'Appointment'],
      },
    },
    'POST /api/integration-clients': (c) => ({
      status: 201,
      body: { client: client({ id: 'c00000000000000000000003', ...(c.body as object), last_used_at: undefined }), client_secret: 'hmscs_new-secret' },
    }),
    [`POST /api/integration-clients/${ID}/rotate`]: { body: { client: client({ rotated_at: '2026-12-04T08:00:00Z' }), client_secret: 'hmscs_rotated' } },
    [`POST /api/integration-clients/${ID}/revoke`]: { body: client({ revoked_at: '2026-12-04T09:00:00Z' }) },
  }
  calls = fakeServer(routes)
})

afterEach(() => vi.restoreAllMocks())

describe('IntegrationClients', () => {
  it('lists the clients: scopes, last use, revoked ones without actions', async () => {
    renderLive(new FakeLive(), <IntegrationClients />)
    const row = await screen.findByTestId(`client-${ID}`)
    expect(row.textContent).toContain('system/Patient.read')
    expect(within(row).getByRole('button', { name: 'Revoke Lab gateway' })).toBeTruthy()
    const old = screen.getByTestId('client-c00000000000000000000002')
    expect(old.textContent).toContain('revoked')
    expect(old.textContent).toContain('never')
    expect(within(old).queryByRole('button')).toBeNull()
  })

  it('registers with the ticked scopes and shows the secret once, with the warning', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <IntegrationClients />)
    const form = await screen.findByRole('form', { name: 'Register a client' })
    await user.click(within(form).getByRole('button', { name: 'Register the client' }))
    expect(within(form).getByRole('alert').textContent).toBe('Give the client a name, e.g. the system it is.')
    await user.type(within(form).getByLabelText('Name'), ' Scheduler ')
    await user.click(within(form).getByRole('checkbox', { name: 'Patient: read' }))
    await user.click(within(form).getByRole('checkbox', { name: 'Appointment: write' }))
    await user.click(within(form).getByRole('button', { name: 'Register the client' }))
    const shown = await screen.findByTestId('client-secret')
    expect(within(shown).getByTestId('client-secret-value').textContent).toBe('hmscs_new-secret')
    expect(within(shown).getByRole('status').textContent).toContain('you will not see it again')
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ name: 'Scheduler', scopes: ['system/Patient.read', 'system/Appointment.write'] })
    await user.click(within(shown).getByRole('button', { name: 'I have stored it' }))
    expect(screen.queryByTestId('client-secret')).toBeNull()
  })

  it('rotates only after confirming, and shows the new secret', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <IntegrationClients />)
    await user.click(await screen.findByRole('button', { name: 'Rotate secret of Lab gateway' }))
    const dialog = await screen.findByRole('alertdialog')
    expect(calls.some((c) => c.path.endsWith('/rotate'))).toBe(false)
    await user.click(within(dialog).getByRole('button', { name: 'Rotate secret' }))
    expect(within(await screen.findByTestId('client-secret')).getByTestId('client-secret-value').textContent).toBe('hmscs_rotated')
  })

  it('revokes only after confirming; cancel sends nothing', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <IntegrationClients />)
    await user.click(await screen.findByRole('button', { name: 'Revoke Lab gateway' }))
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Cancel' }))
    expect(calls.some((c) => c.path.endsWith('/revoke'))).toBe(false)
    await user.click(screen.getByRole('button', { name: 'Revoke Lab gateway' }))
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Revoke client' }))
    expect(calls.filter((c) => c.path === `/api/integration-clients/${ID}/revoke`)).toHaveLength(1)
  })
})
