import { fireEvent, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeServer } from '../test/http'
import { renderAt } from '../test/router'
import { SignUpScreen } from './SignUp'

const accepted = { status: 202, body: { message: 'Check your email' } }

afterEach(() => {
  vi.restoreAllMocks()
})

async function fill(name: string, email: string, password: string, confirm: string) {
  const u = userEvent.setup()
  if (name) fireEvent.change(screen.getByLabelText('Full name'), { target: { value: name } })
  if (email) fireEvent.change(screen.getByLabelText('Email'), { target: { value: email } })
  if (password) fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } })
  if (confirm) fireEvent.change(screen.getByLabelText('Confirm password'), { target: { value: confirm } })
  await u.click(screen.getByRole('button', { name: 'Create account' }))
}

describe('SignUpScreen', () => {
  it('says what is wrong with each field, and sends nothing', async () => {
    const calls = fakeServer({ 'POST /api/auth/register': accepted })
    renderAt(<SignUpScreen />, '/signup')
    await fill('', 'not-an-email', 'short', 'other')
    expect(screen.getByText('Enter your name.')).toBeTruthy()
    expect(screen.getByText('Enter an email address such as name@example.org.')).toBeTruthy()
    expect(screen.getByText('At least 8 characters.')).toBeTruthy()
    expect(screen.getByText('The two passwords differ.')).toBeTruthy()
    expect(screen.getByLabelText('Full name').getAttribute('aria-invalid')).toBe('true')
    expect(calls).toHaveLength(0)
  })

  it('registers a patient and asks them to check their email', async () => {
    const calls = fakeServer({ 'POST /api/auth/register': accepted })
    renderAt(<SignUpScreen />, '/signup')
    await fill('Ann Lee', 'ann@example.org', 'correct horse battery', 'correct horse battery')
    expect(await screen.findByRole('heading', { name: 'Check your email' })).toBeTruthy()
    expect(screen.getByText('ann@example.org')).toBeTruthy()
    expect(calls).toHaveLength(1)
    expect(calls[0]!.body).toEqual({ name: 'Ann Lee', email: 'ann@example.org', password: 'correct horse battery', role: 'patient' })
  })

  it("shows the server's refusal", async () => {
    fakeServer({ 'POST /api/auth/register': apiError(400, 'invalid_request', 'password is too common; choose another') })
    renderAt(<SignUpScreen />, '/signup')
    await fill('Ann Lee', 'ann@example.org', 'password123', 'password123')
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('password is too common; choose another'))
    expect(screen.queryByRole('heading', { name: 'Check your email' })).toBeNull()
  })
})
