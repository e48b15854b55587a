// The record section against canned answers: allergies, conditions and the history split into the
// doctors' part and what the patient reported, the earlier versions, and writing the patient's part
// (the form starts from what they wrote before; the server's 400 shown in its words).
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { patientID, record, userID } from './fixtures'
import { Record as MyRecord, splitHistory } from './Record'

const clinical = 'Asthma since childhood.'
const history = `${clinical}\n\nReported by the patient:\nI take vitamin D.`

let routes: Record<string, Route>
let calls: Call[]

beforeEach(() => {
  signIn({ id: userID, role: 'patient', name: 'Ann Lee', patient_id: patientID })
  routes = {
    [`GET /api/patient/${patientID}`]: {
      body: record({ medical_history: history, revision: 2, allergies: ['Penicillin'], conditions: ['Asthma'] }),
    },
    [`GET /api/patients/${patientID}/history`]: {
      body: {
        items: [
          { rev: 2, medical_history: history, author_role: 'patient', at: '2026-11-02T09:30:00Z' },
          { rev: 1, medical_history: clinical, author_role: 'doctor', at: '2026-10-01T14:00:00Z' },
        ],
        total: 2,
        page: 1,
        limit: 20,
      },
    },
  }
  calls = fakeServer(routes)
})

afterEach(() => vi.restoreAllMocks())

describe('splitHistory', () => {
  it('separates the doctors\' text from the patient\'s part', () => {
    expect(splitHistory(history, true)).toEqual({ clinical, reported: 'I take vitamin D.' })
    expect(splitHistory('only mine', true)).toEqual({ clinical: '', reported: 'only mine' })
    expect(splitHistory(clinical, false)).toEqual({ clinical, reported: '' })
  })
})

describe('Record', () => {
  it('shows allergies, conditions, the history in two parts and the earlier versions', async () => {
    renderLive(new FakeLive(), <MyRecord patientID={patientID} />)
    expect((await screen.findByTestId('clinical-history')).textContent).toBe(clinical)
    expect(screen.getByTestId('reported-history').textContent).toBe('I take vitamin D.')
    const allergies = screen.getByRole('region', { name: 'Allergies and conditions' })
    expect(within(allergies).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Penicillin', 'Asthma'])
    const versions = screen.getByRole('region', { name: 'Earlier versions' })
    await waitFor(() => expect(within(versions).getAllByRole('listitem')).toHaveLength(2))
    expect(versions.textContent).toContain('Mon 2 Nov, 09:30 · You')
    expect(versions.textContent).toContain('Thu 1 Oct, 14:00 · A doctor')
  })

  it('writes my part, starting from what I wrote before, and shows the server\'s 400', async () => {
    const user = userEvent.setup()
    routes[`PUT /api/patient/${patientID}`] = apiError(400, 'invalid', 'medical_history would be longer than 100000 characters')
    renderLive(new FakeLive(), <MyRecord patientID={patientID} />)
    const box = (await screen.findByLabelText(/In your own words/)) as HTMLTextAreaElement
    await waitFor(() => expect(box.value).toBe('I take vitamin D.'))
    await user.type(box, ' And iron.')
    await user.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('medical_history would be longer than 100000 characters'),
    )
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ medical_history: 'I take vitamin D. And iron.' })

    routes[`PUT /api/patient/${patientID}`] = { body: record({ medical_history: `${history} And iron.`, revision: 3 }) }
    const reads = () => calls.filter((c) => c.path === `/api/patient/${patientID}`).length
    const before = reads()
    await user.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Saved to your record.'))
    await waitFor(() => expect(reads()).toBeGreaterThan(before))
  }, 30_000)
})
