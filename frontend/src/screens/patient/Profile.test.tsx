// The profile section against canned answers: the name saved, the record's contact details shown,
// and the password change: the two new ones must match, the server's refusals shown by their field,
// and a changed password ends the session.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { session } from '../../api/client'
import { apiError, fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { patientID, record, userID } from './fixtures'
import { Profile } from './Profile'

let routes: Record<string, Route>
let calls: Call[]

const me = { id: userID, name: 'Ann Lee', email: 'ann@example.org', role: 'patient', patient_id: patientID, disabled: false, created_at: '2026-01-05T10:00:00Z' }

beforeEach(() => {
  signIn({ id: userID, role: 'patient', name: 'Ann Lee', patient_id: patientID })
  routes = {
    'GET /api/me': { body: me },
    [`GET /api/patient/${patientID}`]: {
      body: record({
        phone: '+44 20 7946 0000',
        date_of_birth: '1980-03-14',
        emergency_contacts: [{ name: 'Bo Lee', relation: 'husband', phone: '+44 7700 900000' }],
      }),
    },
  }
  calls = fakeServer(routes)
})

afterEach(() => vi.restoreAllMocks())

const section = (name: string) => screen.getByRole('region', { name })

describe('Profile', () => {
  it('shows my contact details and emergency contacts from my record', async () => {
    renderLive(new FakeLive(), <Profile patientID={patientID} />)
    const contact = await waitFor(() => {
      const s = section('Contact details')
      expect(s.textContent).toContain('+44 20 7946 0000')
      return s
    })
    expect(contact.textContent).toContain('H12345674')
    expect(contact.textContent).toContain('Fri 14 Mar 1980')
    expect(contact.textContent).toContain('Bo Lee (husband) · +44 7700 900000')
  })

  it('saves my name, and shows the server\'s 400 in its words', async () => {
    const user = userEvent.setup()
    routes['PATCH /api/me'] = apiError(400, 'invalid', 'name must be 1 to 200 characters')
    renderLive(new FakeLive(), <Profile patientID={patientID} />)
    const name = await screen.findByLabelText('Name')
    await waitFor(() => expect((name as HTMLInputElement).value).toBe('Ann Lee'))
    await user.clear(name)
    await user.type(name, 'Ann Lee-Smith')
    await user.click(screen.getByRole('button', { name: 'Save name' }))
    await waitFor(() => expect(within(section('Your name')).getByRole('alert').textContent).toBe('name must be 1 to 200 characters'))
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ name: 'Ann Lee-Smith' })

    routes['PATCH /api/me'] = { body: { ...me, name: 'Ann Lee-Smith' } }
    await user.click(screen.getByRole('button', { name: 'Save name' }))
    await waitFor(() => expect(within(section('Your name')).getByRole('status').textContent).toBe('Saved.'))
  })

  it('changes the password: the two must match, a wrong current one is said by its field, then signs out', async () => {
    const user = userEvent.setup()
    const signOut = vi.spyOn(session, 'signOut').mockResolvedValue()
    routes['POST /api/auth/password'] = apiError(403, 'forbidden', 'current password is incorrect')
    renderLive(new FakeLive(), <Profile patientID={patientID} />)
    await user.type(screen.getByLabelText('Current password'), 'old-secret')
    await user.type(screen.getByLabelText('New password'), 'a-new-long-secret')
    await user.type(screen.getByLabelText('New password again'), 'a-new-long-secrte')
    await user.click(screen.getByRole('button', { name: 'Change password' }))
    expect(screen.getByRole('alert').textContent).toBe('The two new passwords are not the same.')
    expect(calls.some((c) => c.path === '/api/auth/password')).toBe(false)

    await user.clear(screen.getByLabelText('New password again'))
    await user.type(screen.getByLabelText('New password again'), 'a-new-long-secret')
    await user.click(screen.getByRole('button', { name: 'Change password' }))
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('current password is incorrect'))
    expect(screen.getByLabelText('Current password').getAttribute('aria-invalid')).toBe('true')
    expect(calls.find((c) => c.path === '/api/auth/password')?.body).toEqual({
      current_password: 'old-secret',
      new_password: 'a-new-long-secret',
    })

    routes['POST /api/auth/password'] = apiError(400, 'invalid', 'password is too common; choose another')
    await user.click(screen.getByRole('button', { name: 'Change password' }))
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('password is too common; choose another'))
    expect(screen.getByLabelText('New password').getAttribute('aria-invalid')).toBe('true')

    routes['POST /api/auth/password'] = { status: 204, body: null }
    await user.click(screen.getByRole('button', { name: 'Change password' }))
    await user.click(await screen.findByRole('button', { name: 'Sign in with the new password' }))
    expect(signOut).toHaveBeenCalled()
  }, 30_000)
})
