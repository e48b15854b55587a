// The portal's sub-navigation: the section at the address is shown and marked as the current page,
// and a link opens another section.
import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Route, Router } from 'wouter'
import { memoryLocation } from 'wouter/memory-location'
import { fakeServer } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { PatientScreen } from '../Patient'
import { patientID, userID } from './fixtures'

beforeEach(() => {
  signIn({ id: userID, role: 'patient', name: 'Ann Lee', patient_id: patientID })
  fakeServer({
    'GET /api/doctors': { body: { items: [], time_zone: 'UTC' } },
    [`GET /api/patients/${patientID}/prescriptions`]: { body: { items: [], total: 0, page: 1, limit: 100 } },
    [`GET /api/patients/${patientID}/admissions`]: { body: { items: [], total: 0, page: 1, limit: 100 } },
    'GET /api/invoices': { body: { items: [], total: 0, page: 1, limit: 100 } },
  })
})

afterEach(() => vi.restoreAllMocks())

describe('the portal', () => {
  it('shows the section at the address, and another when its link is chosen', async () => {
    const user = userEvent.setup()
    const { hook } = memoryLocation({ path: '/patient/prescriptions' })
    renderLive(
      new FakeLive(),
      <Router hook={hook}>
        <Route path="/patient" nest>
          <PatientScreen />
        </Route>
      </Router>,
    )
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('My prescriptions')
    const nav = screen.getByRole('navigation', { name: 'My health' })
    expect(screen.getByRole('link', { name: 'Prescriptions' }).getAttribute('aria-current')).toBe('page')
    expect(nav.querySelectorAll('a')).toHaveLength(10)
    expect(await screen.findByText('You have no prescriptions.')).toBeTruthy()

    await user.click(screen.getByRole('link', { name: 'Hospital stays' }))
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('My hospital stays')
    expect(screen.getByRole('link', { name: 'Hospital stays' }).getAttribute('aria-current')).toBe('page')
    expect(await screen.findByText('You have not stayed in the hospital.')).toBeTruthy()
  })

  it('opens the bills where the online payment page sends the patient back', async () => {
    const { hook, searchHook } = memoryLocation({ path: '/patient?section=bills&invoice=i1&paid=1' })
    renderLive(
      new FakeLive(),
      <Router hook={hook} searchHook={searchHook}>
        <Route path="/patient" nest>
          <PatientScreen />
        </Route>
      </Router>,
    )
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('My bills')
    expect(screen.getByRole('link', { name: 'Bills' }).getAttribute('aria-current')).toBe('page')
  })
})
