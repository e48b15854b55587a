// The payers tab against canned answers: each payer with its code, name and contact; a new one sent as
// typed (trimmed), a code with spaces refused before sending; an edit sent with the revision shown and,
// when someone changed the payer meanwhile, told to reload.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { payer } from '../billing/fixtures'
import { Payers } from './Payers'

let routes: Record<string, Route>
let calls: Call[]

beforeEach(() => {
  signIn({ id: 'a0000000000000000000000a', role: 'admin', name: 'Ada Admin' })
  routes = {
    'GET /api/billing/payers': { body: { items: [payer(), payer({ id: 'y2', code: 'OLD', name: 'Old Mutual', contact: undefined, retired: true })] } },
    'POST /api/billing/payers': (c) => ({ status: 201, body: payer({ id: 'y3', ...(c.body as object) }) }),
    'PUT /api/billing/payers/y00000000000000000000001': apiError(409, 'payer_changed', 'the payer was changed by someone else meanwhile'),
  }
  calls = fakeServer(routes)
})

afterEach(() => vi.restoreAllMocks())

describe('Payers', () => {
  it('lists the payers, retired ones marked', async () => {
    renderLive(new FakeLive(), <Payers />)
    expect((await screen.findByTestId('payer-ACME')).textContent).toBe('ACMEAcme Healthclaims@acme.exampleEdit')
    expect(screen.getByTestId('payer-OLD').textContent).toBe('OLDOld Mutualretired—Edit')
  })

  it('adds a payer as typed, a code with spaces refused first', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Payers />)
    const form = await screen.findByRole('form', { name: 'Add a payer' })
    await user.type(within(form).getByLabelText('Code'), 'BU PA')
    await user.type(within(form).getByLabelText('Name'), ' Bupa ')
    await user.click(within(form).getByRole('button', { name: 'Add the payer' }))
    expect(within(form).getByText('A code has no spaces.')).toBeTruthy()
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    await user.clear(within(form).getByLabelText('Code'))
    await user.type(within(form).getByLabelText('Code'), 'BUPA')
    await user.type(within(form).getByLabelText('Contact'), 'claims@bupa.example')
    await user.click(within(form).getByRole('button', { name: 'Add the payer' }))
    expect((await within(form).findByRole('status')).textContent).toBe('Saved Bupa.')
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ code: 'BUPA', name: 'Bupa', contact: 'claims@bupa.example' })
  })

  it('saves an edit from the revision shown, and offers to reload when it lost a race', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Payers />)
    await user.click(await screen.findByRole('button', { name: 'Edit Acme Health' }))
    const form = await screen.findByRole('form', { name: 'Edit Acme Health' })
    await user.click(within(form).getByRole('checkbox', { name: /Retired/ }))
    await user.click(within(form).getByRole('button', { name: 'Save' }))
    expect((await within(form).findByRole('alert')).textContent).toBe(
      'Someone changed this payer while you were editing; it has been reloaded. Make your change again.',
    )
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({
      code: 'ACME', name: 'Acme Health', contact: 'claims@acme.example', retired: true, rev: 1,
    })
    await waitFor(() => expect(within(form).getByRole('button', { name: 'Reload' })).toBeTruthy())
  })
})
