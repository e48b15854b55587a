import { screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { session } from '../api/client'
import type { TokenResponse } from '../api/types'
import { apiError, fakeServer } from '../test/http'
import { renderAt } from '../test/router'
import { ConfirmScreen } from './Confirm'

const signedIn: TokenResponse = {
  token: 'access',
  token_type: 'Bearer',
  expires_in: 900,
  refresh_token: 'refresh',
  user: { id: 'u'.repeat(24), name: 'Ann Lee', email: 'ann@example.org', role: 'patient', role_id: 'patient', patient_id: 'p'.repeat(24), disabled: false, created_at: '2026-12-07T10:00:00Z' },
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('ConfirmScreen', () => {
  it('confirms the link once and signs the new account in', async () => {
    const calls = fakeServer({ 'POST /api/auth/confirm': { status: 201, body: signedIn } })
    const adopt = vi.spyOn(session, 'adopt').mockResolvedValue({ token: 'access', refreshToken: 'refresh', user: signedIn.user })
    renderAt(<ConfirmScreen />, '/confirm?token=tok-1')
    expect(screen.getByRole('heading', { name: 'Confirming your email…' })).toBeTruthy()
    await waitFor(() => expect(adopt).toHaveBeenCalledWith(signedIn))
    expect(calls.filter((c) => c.path === '/api/auth/confirm')).toHaveLength(1)
    expect(calls[0]!.body).toEqual({ token: 'tok-1' })
  })

  it('says a used or expired link is invalid, with a way to sign up again', async () => {
    fakeServer({ 'POST /api/auth/confirm': apiError(400, 'invalid_or_expired_token', 'this link is invalid or has expired') })
    const adopt = vi.spyOn(session, 'adopt')
    renderAt(<ConfirmScreen />, '/confirm?token=tok-2')
    expect(await screen.findByRole('heading', { name: 'This link is invalid or has expired' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Sign up again' }).getAttribute('href')).toBe('/signup')
    expect(adopt).not.toHaveBeenCalled()
  })

  it('without a token, says so and asks nothing of the server', () => {
    const calls = fakeServer({})
    renderAt(<ConfirmScreen />, '/confirm')
    expect(screen.getByRole('heading', { name: 'This link is invalid or has expired' })).toBeTruthy()
    expect(calls).toHaveLength(0)
  })

  it('offers to try again when the server cannot be reached', async () => {
    fakeServer({ 'POST /api/auth/confirm': apiError(503, 'unavailable', 'storage is unavailable') })
    renderAt(<ConfirmScreen />, '/confirm?token=tok-3')
    expect(await screen.findByText('storage is unavailable')).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy()
  })
})
