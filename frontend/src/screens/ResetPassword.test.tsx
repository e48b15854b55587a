import { fireEvent, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeServer } from '../test/http'
import { renderAt } from '../test/router'
import { ResetPasswordScreen } from './ResetPassword'

afterEach(() => {
  vi.restoreAllMocks()
})

async function choose(password: string, confirm: string) {
  const u = userEvent.setup()
  fireEvent.change(screen.getByLabelText('New password'), { target: { value: password } })
  fireEvent.change(screen.getByLabelText('Confirm new password'), { target: { value: confirm } })
  await u.click(screen.getByRole('button', { name: 'Set new password' }))
}

describe('ResetPasswordScreen', () => {
  it('sets the new password with the token and sends the person to sign in', async () => {
    const calls = fakeServer({ 'POST /api/auth/password/reset': { body: { message: 'changed' } } })
    renderAt(<ResetPasswordScreen />, '/reset-password?token=tok-9')
    await choose('a brand new passphrase', 'a brand new passphrase')
    expect(await screen.findByRole('heading', { name: 'Password changed' })).toBeTruthy()
    expect(screen.getByText(/signed out everywhere/)).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/')
    expect(calls[0]!.body).toEqual({ token: 'tok-9', password: 'a brand new passphrase' })
  })

  it('checks the two passwords before sending', async () => {
    const calls = fakeServer({})
    renderAt(<ResetPasswordScreen />, '/reset-password?token=tok-9')
    await choose('a brand new passphrase', 'a different one')
    expect(screen.getByText('The two passwords differ.')).toBeTruthy()
    expect(calls).toHaveLength(0)
  })

  it("shows a weak password's refusal at the field, and a spent link as invalid", async () => {
    let answer = apiError(400, 'invalid_request', 'password is too common; choose another')
    fakeServer({ 'POST /api/auth/password/reset': () => answer })
    renderAt(<ResetPasswordScreen />, '/reset-password?token=tok-9')
    await choose('password123', 'password123')
    expect(await screen.findByText('password is too common; choose another')).toBeTruthy()
    answer = apiError(400, 'invalid_or_expired_token', 'this link is invalid or has expired')
    await userEvent.setup().click(screen.getByRole('button', { name: 'Set new password' }))
    expect(await screen.findByRole('heading', { name: 'This link is invalid or has expired' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Send a new link' }).getAttribute('href')).toBe('/forgot-password')
  })
})
