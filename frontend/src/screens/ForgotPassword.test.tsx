import { fireEvent, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeServer } from '../test/http'
import { renderAt } from '../test/router'
import { ForgotPasswordScreen } from './ForgotPassword'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('ForgotPasswordScreen', () => {
  it('asks for a link and answers the same whether or not the account exists', async () => {
    const calls = fakeServer({ 'POST /api/auth/password/forgot': { status: 202, body: { message: 'If an account exists…' } } })
    renderAt(<ForgotPasswordScreen />, '/forgot-password')
    const u = userEvent.setup()
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: ' ann@example.org ' } })
    await u.click(screen.getByRole('button', { name: 'Send link' }))
    expect(await screen.findByText(/If an account exists for that email, we sent a link/)).toBeTruthy()
    expect(calls[0]!.body).toEqual({ email: 'ann@example.org' })
  })

  it('says when the email is not an address, and sends nothing', async () => {
    const calls = fakeServer({})
    renderAt(<ForgotPasswordScreen />, '/forgot-password')
    const u = userEvent.setup()
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ann' } })
    await u.click(screen.getByRole('button', { name: 'Send link' }))
    expect(screen.getByText('Enter the email address of your account.')).toBeTruthy()
    expect(calls).toHaveLength(0)
  })
})
