// The lab reports section against canned answers: results with their reference ranges and flags in
// words, a report without results waiting, a file downloaded with the access token (not a bare link)
// and a refused download said in the server's words, and a released report reloading the list.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { components } from '../../api/schema'
import { apiError, fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { doctorID, patientID, userID } from './fixtures'
import { LabReports } from './LabReports'

type LabOrder = components['schemas']['LabOrder']

const fileID = 'f00000000000000000000001'

function order(id: string, over: Partial<LabOrder> = {}): LabOrder {
  return {
    id,
    patient_id: patientID,
    ordered_by: doctorID,
    tests: [
      { code: 'K', name: 'Potassium' },
      { code: 'HBA1C', name: 'Glycated haemoglobin' },
    ],
    priority: 'routine',
    status: 'released',
    ordered_at: '2026-11-20T08:00:00Z',
    revision: 1,
    results: [
      { code: 'K', value: 5.8, unit: 'mmol/L', range: { low: 3.5, high: 5.1 }, flag: 'H' },
      { code: 'HBA1C', value: 41, unit: 'mmol/mol', range: { high: 42 }, flag: 'N', comment: 'fasting' },
    ],
    interpretation: 'Potassium a little high; we will repeat it.',
    released_at: '2026-11-21T12:00:00Z',
    files: [
      {
        id: fileID,
        order_id: id,
        name: 'report.pdf',
        content_type: 'application/pdf',
        size: 348_160,
        sha256: 'ab',
        uploaded_by: userID,
        uploaded_at: '2026-11-21T11:00:00Z',
      },
    ],
    ...over,
  }
}

let live: FakeLive
let routes: Record<string, Route>
let calls: Call[]
let saved: string[]

beforeEach(() => {
  signIn({ id: userID, role: 'patient', name: 'Ann Lee', patient_id: patientID })
  live = new FakeLive()
  routes = {
    [`GET /api/patients/${patientID}/lab-orders`]: {
      body: {
        items: [order('l00000000000000000000002', { status: 'ordered', results: [], files: [] }), order('l00000000000000000000001')],
        total: 2,
        page: 1,
        limit: 100,
      },
    },
    [`GET /api/lab-files/${fileID}`]: { body: 'PDF' },
  }
  calls = fakeServer(routes)
  saved = []
  URL.createObjectURL = vi.fn(() => 'blob:report')
  URL.revokeObjectURL = vi.fn()
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push(this.download)
  })
})

afterEach(() => vi.restoreAllMocks())

describe('LabReports', () => {
  it('shows each result with its range and flag in words, and a report still waiting', async () => {
    renderLive(live, <LabReports patientID={patientID} />)
    const report = await screen.findByTestId('lab-l00000000000000000000001')
    const rows = within(report).getAllByRole('row').map((r) => r.textContent)
    expect(rows[1]).toBe('Potassium5.8 mmol/L3.5–5.1 mmol/LHigh')
    expect(rows[2]).toBe('Glycated haemoglobinfasting41 mmol/molup to 42 mmol/molNormal')
    expect(report.textContent).toContain('Your doctor’s note: Potassium a little high')
    expect(within(screen.getByTestId('lab-l00000000000000000000002')).getByTestId('waiting').textContent).toBe(
      'Waiting for results.',
    )
  })

  it('downloads a file with the access token, and says why one was refused', async () => {
    const user = userEvent.setup()
    renderLive(live, <LabReports patientID={patientID} />)
    await user.click(await screen.findByRole('button', { name: 'Download report.pdf' }))
    await waitFor(() => expect(saved).toEqual(['report.pdf']))
    const get = calls.find((c) => c.path === `/api/lab-files/${fileID}`)!
    expect(get.headers.get('Authorization')).toBe('Bearer token')

    routes[`GET /api/lab-files/${fileID}`] = apiError(404, 'not_found', 'lab file not found')
    await user.click(screen.getByRole('button', { name: 'Download report.pdf' }))
    expect((await screen.findByRole('alert')).textContent).toBe('Could not download report.pdf: lab file not found')
    expect(saved).toHaveLength(1)
  })

  it('reloads when a report is released', async () => {
    renderLive(live, <LabReports patientID={patientID} />)
    await screen.findByTestId('lab-l00000000000000000000001')
    const reads = () => calls.filter((c) => c.path === `/api/patients/${patientID}/lab-orders`).length
    const before = reads()
    live.emit(`patient:${patientID}`, 'lab.released', { order_id: 'l00000000000000000000002' })
    await waitFor(() => expect(reads()).toBeGreaterThan(before))
  })
})
