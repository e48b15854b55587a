import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeServer } from '../test/http'
import { PatientsScreen } from './Patients'

const ada = { id: 'a'.repeat(24), name: 'Ada Álvarez', mrn: 'H12345674', date_of_birth: '1980-04-02', sex: 'female' as const }
const record = {
  ...ada,
  medical_history: 'asthma since 2010',
  revision: 3,
  allergies: ['penicillin'],
  conditions: ['asthma'],
  created_at: '2026-11-01T09:00:00Z',
  updated_at: '2026-11-20T09:00:00Z',
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('PatientsScreen', () => {
  it('finds a patient, asks for a reason without a care relationship, breaks the glass and opens the record', async () => {
    let granted = false
    const calls = fakeServer({
      'GET /api/patients': { body: { items: [ada], total: 1, page: 1, limit: 20 } },
      [`GET /api/patient/${ada.id}`]: () =>
        granted ? { body: record } : apiError(403, 'break_glass_required', 'no care relationship with this patient'),
      [`POST /api/patients/${ada.id}/access`]: () => {
        granted = true
        return { status: 201, body: { id: 'g'.repeat(24), patient_id: ada.id, user_id: 'u1', expires_at: '2026-11-27T11:00:00Z' } }
      },
    })
    const user = userEvent.setup()
    render(<PatientsScreen />)
    await user.type(screen.getByLabelText('Name, MRN or ID'), 'alv')
    await user.type(screen.getByLabelText('Condition (a whole word)'), 'asthma')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    const search = calls.find((c) => c.path === '/api/patients')
    expect(search?.query.get('q')).toBe('alv')
    expect(search?.query.get('condition')).toBe('asthma')
    const row = (await screen.findByText('Ada Álvarez')).closest('tr')!
    expect(within(row).getByText('H12345674')).toBeTruthy()

    await user.click(within(row).getByRole('button', { name: 'Open record' }))
    const rec = await screen.findByTestId('patient-record')
    expect(await within(rec).findByText(/no care relationship with this patient/i)).toBeTruthy()
    expect(within(rec).queryByTestId('history')).toBeNull()

    await user.click(within(rec).getByRole('button', { name: 'Break the glass and open' }))
    expect(await within(rec).findByText(/at least 10 characters/)).toBeTruthy()
    await user.type(within(rec).getByLabelText('Reason'), 'covering the ward tonight')
    await user.click(within(rec).getByRole('button', { name: 'Break the glass and open' }))
    expect((await within(rec).findByTestId('history')).textContent).toContain('asthma since 2010')
    expect(within(rec).getByTestId('allergies').textContent).toBe('penicillin')
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ reason: 'covering the ward tonight' }])
  })

  it('asks for something to search for, and says when nothing matches', async () => {
    fakeServer({ 'GET /api/patients': { body: { items: [], total: 0, page: 1, limit: 20 } } })
    const user = userEvent.setup()
    render(<PatientsScreen />)
    await user.click(screen.getByRole('button', { name: 'Search' }))
    expect(screen.getByRole('alert').textContent).toContain('Type a name, MRN or ID')
    await user.type(screen.getByLabelText('Name, MRN or ID'), 'zz')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    expect(await screen.findByText('No patient matches')).toBeTruthy()
  })
})
