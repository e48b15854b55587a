// The reports screen against canned REST answers: the operations totals, a chart drawn from the figures
// with its table named as its alternative, each tab's report read for the range and department chosen,
// a report.changed event for a day in the range reloading it (one outside it not), the CSV downloaded
// with the range, and the server's refusal of a bad range shown in words.
import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeServer, type Answer, type Call } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { signIn } from '../test/session'
import { dayOf } from '../api/time'
import { ReportsScreen } from './Reports'

const today = dayOf()
const hours = Array.from({ length: 24 }, (_, h) => ({ hour: h, waits: h === 9 ? 2 : 0, wait_p50: h === 9 ? 12 : null, wait_p90: h === 9 ? 30 : null, seen: h === 10 ? 2 : 0 }))
const figures = { booked: 3, completed: 2, cancelled: 1, no_show: 1, waits: 2, wait_p50: 12, wait_p90: 30 }

let calls: Call[]
let operations: Answer

beforeEach(() => {
  signIn({ id: 'a1', role: 'admin' })
  operations = {
    body: {
      from: today, to: today, totals: figures,
      days: [{ day: today, department: 'general', ...figures }],
      departments: [{ department: 'general', ...figures }],
      hours,
    },
  }
  calls = fakeServer({
    'GET /api/departments': { body: { items: [{ id: 'general', name: 'General medicine' }] } },
    'GET /api/reports/operations': () => operations,
    'GET /api/reports/admissions': {
      body: { from: today, to: today, totals: { admitted: 1, discharged: 1, average_stay_days: 0.5, occupancy_pct: 50, bed_turnover: 0.5, census_days: 1 },
        days: [{ day: today, admitted: 1, discharged: 1, beds: 2, occupied: 1, occupancy_pct: 50 }] },
    },
    'GET /api/reports/doctors': {
      body: { from: today, to: today, currency: 'GBP', doctors: [{ doctor_id: 'd1', name: 'Dr Dee', department: 'general', booked: 3, seen: 2, no_show: 1,
        cancelled: 0, no_show_rate: 0.33, average_consult_minutes: 15, average_wait_minutes: 12, revenue: 10000 }] },
    },
    'GET /api/reports/billing': {
      body: { from: today, to: today, currency: 'GBP', totals: { invoiced: 10000, invoices: 2, credited: 0, revenue: 10000, paid: 5000, refunded: 0,
        received: 5000, outstanding: 5000, settled: 1, average_days_to_payment: 2 }, days: [{ day: today, invoiced: 10000, credited: 0, paid: 5000, refunded: 0, outstanding: 5000, claims_submitted: 1, claims_paid: 0 }],
        claims: [{ status: 'submitted', claims: 1, claimed: 8000, approved: 0, paid: 0 }, { status: 'partially_approved', claims: 1, claimed: 8000, approved: 6000, paid: 0 }] },
    },
  })
})

afterEach(() => vi.restoreAllMocks())

const reads = (path: string) => calls.filter((c) => c.path === path)

describe('Reports', () => {
  it('shows the operations totals and a chart whose bars are the figures, with its table as the alternative', async () => {
    renderLive(new FakeLive(), <ReportsScreen />)
    const totals = await screen.findByRole('group', { name: 'Operations totals' }).catch(() => screen.findByLabelText('Operations totals'))
    expect(totals.textContent).toContain('Booked3')
    expect(totals.textContent).toContain('Wait p9030 min')
    const chart = screen.getByTestId('chart-appointments')
    const svg = within(chart).getByRole('img')
    expect(svg.getAttribute('aria-describedby')).toBe('rp-ops-days')
    expect(document.getElementById('rp-ops-days')?.tagName).toBe('TABLE')
    expect([...chart.querySelectorAll('rect')].map((r) => r.getAttribute('data-value'))).toEqual(['3', '2', '1', '1'])
    expect(svg.textContent).toContain('Booked 3, Completed 2, Cancelled 1, No-show 1')
    const row = within(screen.getByTestId('ops-table')).getAllByRole('row')[1]!
    expect(row.textContent).toBe(`${today}General medicine321112 min30 min`)
    const q = reads('/api/reports/operations')[0]!.query
    expect(q.get('to')).toBe(today)
  })

  it('reads each tab’s report for the department chosen', async () => {
    renderLive(new FakeLive(), <ReportsScreen />)
    await screen.findByTestId('chart-appointments')
    await waitFor(() => expect(screen.getByRole('option', { name: 'General medicine' })).toBeTruthy())
    fireEvent.change(screen.getByLabelText('Department'), { target: { value: 'general' } })
    await waitFor(() => expect(reads('/api/reports/operations').at(-1)?.query.get('department')).toBe('general'))
    fireEvent.click(screen.getByRole('tab', { name: 'Doctors' }))
    const docRow = await screen.findByRole('row', { name: /Dr Dee/ })
    expect(docRow.textContent).toContain('£100.00')
    expect(reads('/api/reports/doctors')[0]!.query.get('department')).toBe('general')
    fireEvent.click(screen.getByRole('tab', { name: 'Billing' }))
    expect(await screen.findByText('Money is not split by department: these are the hospital’s figures.')).toBeTruthy()
    const claimRows = within(screen.getByTestId('rp-claims')).getAllByRole('row')
    expect(claimRows.map((r) => r.textContent)).toEqual(['StatusClaimsClaimedApprovedPaid', 'Submitted1£80.00£0.00£0.00',
      'Partially approved1£80.00£60.00£0.00'])
    fireEvent.click(screen.getByRole('tab', { name: 'Admissions' }))
    expect((await screen.findByLabelText('Admissions totals')).textContent).toContain('Bed occupancy50 %')
  })

  it('reloads on report.changed for a day in the range, not for one outside it', async () => {
    const live = new FakeLive()
    renderLive(live, <ReportsScreen />)
    await screen.findByTestId('chart-appointments')
    await waitFor(() => expect(live.channels()).toContain('reports'))
    await new Promise((r) => setTimeout(r, 400)) // the channel's first sync reads once more
    const before = reads('/api/reports/operations').length
    live.emit('reports', 'report.changed', { day: '1999-01-01' })
    await new Promise((r) => setTimeout(r, 400))
    expect(reads('/api/reports/operations').length).toBe(before)
    operations = { body: { ...(operations.body as object), totals: { ...figures, booked: 4 } } }
    live.emit('reports', 'report.changed', { day: today })
    await waitFor(() => expect(screen.getByLabelText('Operations totals').textContent).toContain('Booked4'))
  })

  it('downloads the CSV of the report shown, for the range', async () => {
    const created = vi.fn(() => 'blob:csv')
    Object.assign(URL, { createObjectURL: created, revokeObjectURL: vi.fn() })
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined)
    renderLive(new FakeLive(), <ReportsScreen />)
    await screen.findByTestId('chart-appointments')
    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }))
    await waitFor(() => expect(created).toHaveBeenCalled())
    expect(click).toHaveBeenCalled()
    const csv = calls.find((c) => c.query.get('format') === 'csv')!
    expect(csv.path).toBe('/api/reports/operations')
    expect(csv.query.get('to')).toBe(today)
  })

  it('says in words why a report could not be read', async () => {
    operations = apiError(400, 'invalid_request', 'from (2031-01-01) is after to (2030-01-01)')
    renderLive(new FakeLive(), <ReportsScreen />)
    expect((await screen.findByRole('alert', {}, { timeout: 5000 })).textContent).toContain('Could not load the operations report: from (2031-01-01) is after to (2030-01-01)')
  })
})
