// "Raise alert" from the header: the dialog sends what, where and how severe; the server's 400 is shown
// under the field it names, and the dialog stays open to correct it.
import { fireEvent, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeServer, type Route } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { RaiseAlert } from './RaiseAlert'

afterEach(() => vi.restoreAllMocks())

const raised = { id: 'a1', message: 'Fire', location: 'Ward 3', severity: 'high', raised_by: 'u1', at: '2026-12-07T14:00:00Z', acks: [], escalated: false }

function setup(answer: Route) {
  const calls = fakeServer({ 'POST /api/alerts/emergency': answer, 'GET /api/alerts': { body: { items: [], limit: 50 } } })
  renderLive(new FakeLive(), <RaiseAlert />)
  return calls
}

describe('RaiseAlert', () => {
  it('raises an alert with message, location and severity, then closes', async () => {
    const calls = setup({ status: 201, body: raised })
    await userEvent.click(screen.getByRole('button', { name: 'Raise alert' }))
    const dialog = screen.getByRole('dialog', { name: 'Raise an emergency alert' })
    expect(dialog).toBeTruthy()
    fireEvent.change(screen.getByLabelText('What is happening'), { target: { value: 'Fire in the linen room' } })
    fireEvent.change(screen.getByLabelText('Where'), { target: { value: 'Ward 3' } })
    fireEvent.change(screen.getByLabelText('Severity'), { target: { value: 'high' } })
    await userEvent.click(screen.getAllByRole('button', { name: 'Raise alert' }).at(-1)!)
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.body).toEqual({ message: 'Fire in the linen room', location: 'Ward 3', severity: 'high' })
  }, 20_000)

  it('shows the server’s refusal under the field it names and stays open', async () => {
    setup(apiError(400, 'invalid', 'location is longer than 200 characters'))
    await userEvent.click(screen.getByRole('button', { name: 'Raise alert' }))
    fireEvent.change(screen.getByLabelText('What is happening'), { target: { value: 'Fire' } })
    await userEvent.click(screen.getAllByRole('button', { name: 'Raise alert' }).at(-1)!)
    const err = await screen.findByRole('alert')
    expect(err.textContent).toBe('location is longer than 200 characters')
    expect(screen.getByLabelText(/^Where/).getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByRole('dialog')).toBeTruthy()
  }, 20_000)
})
