// The "my data" section against canned answers: the export saved as a dated file, and erasure, which
// needs the dialog's typed word, sends {confirm: true}, shows the server's refusal in its words, and
// signs out once done.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { session, today } from '../../api/client'
import { apiError, fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { patientID, userID } from './fixtures'
import { MyData } from './MyData'

let routes: Record<string, Route>
let calls: Call[]
let saved: string[]

beforeEach(() => {
  signIn({ id: userID, role: 'patient', name: 'Ann Lee', patient_id: patientID })
  routes = { 'GET /api/me/export': { body: { format: 'hms-patient-export/1' } } }
  calls = fakeServer(routes)
  saved = []
  URL.createObjectURL = vi.fn(() => 'blob:export')
  URL.revokeObjectURL = vi.fn()
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push(this.download)
  })
})

afterEach(() => vi.restoreAllMocks())

describe('MyData', () => {
  it('downloads my data as a file named with the date', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <MyData />)
    await user.click(screen.getByRole('button', { name: 'Download my data' }))
    const name = `hms-my-data-${today()}.json`
    await waitFor(() => expect(saved).toEqual([name]))
    expect(screen.getByRole('status').textContent).toBe(`Saved as ${name}.`)
    expect(calls.find((c) => c.path === '/api/me/export')?.headers.get('Authorization')).toBe('Bearer token')
  })

  it('erases only after the word is typed, shows a refusal, then signs out', async () => {
    const user = userEvent.setup()
    const signOut = vi.spyOn(session, 'signOut').mockResolvedValue()
    routes['POST /api/me/erasure'] = apiError(503, 'unavailable', 'the database is busy; try again')
    renderLive(new FakeLive(), <MyData />)
    await user.click(screen.getByRole('button', { name: 'Erase my personal data…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Erase your personal data?' })
    expect(dialog.textContent).toContain('the law requires the hospital to keep clinical records')
    const erase = within(dialog).getByRole('button', { name: 'Erase my data' }) as HTMLButtonElement
    expect(erase.disabled).toBe(true)
    await user.type(within(dialog).getByLabelText('Type ERASE to confirm'), 'ERAS')
    expect(erase.disabled).toBe(true)
    await user.type(within(dialog).getByLabelText('Type ERASE to confirm'), 'E')
    expect(erase.disabled).toBe(false)
    await user.click(erase)
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toBe('the database is busy; try again'))
    expect(signOut).not.toHaveBeenCalled()
    expect(calls.find((c) => c.path === '/api/me/erasure')?.body).toEqual({ confirm: true })

    routes['POST /api/me/erasure'] = {
      body: { patient_id: patientID, pseudonym: 'Erased patient 3f9a0c1d', erased_at: '2026-12-07T15:00:00Z' },
    }
    await user.click(erase)
    await waitFor(() => expect(signOut).toHaveBeenCalled())
  }, 30_000)

  it('keeps everything when the dialog is left', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <MyData />)
    await user.click(screen.getByRole('button', { name: 'Erase my personal data…' }))
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Keep my data' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(calls.some((c) => c.path === '/api/me/erasure')).toBe(false)
  })
})
