// The admin's reports (/reports, loaded only when opened): a range of days and a department, then one
// tab per report — operations, admissions, doctor performance, billing — each with its charts (every
// chart has the table of its figures beside it, which is also what prints), "Print" (a print style
// lays the report out on paper) and "Download CSV". Today's figures follow the admins' live channel
// `reports`: a `report.changed` event for a day in the range reloads the report.
import { useState } from 'react'
import { Tab, TabList, TabPanel, Tabs, type Key } from 'react-aria-components'
import { Link } from 'wouter'
import { useDepartments } from '../api/departments'
import { fetchBlob, saveBlob } from '../api/download'
import { formatMoney } from '../api/money'
import { $api } from '../api/query'
import type { components } from '../api/schema'
import { messageOf } from '../api/client'
import { dayOf } from '../api/time'
import { ErrorText, LoadError } from '../components/forms'
import { useLiveQueries } from '../live/useLiveQuery'
import { BarChart } from './reports/BarChart'
import './reports.css'

type S = components['schemas']
type ReportName = 'operations' | 'admissions' | 'doctors' | 'billing'

const reports: { id: ReportName; label: string }[] = [
  { id: 'operations', label: 'Operations' },
  { id: 'admissions', label: 'Admissions' },
  { id: 'doctors', label: 'Doctors' },
  { id: 'billing', label: 'Billing' },
]

/** The day n days before day (YYYY-MM-DD). */
function daysBefore(day: string, n: number): string {
  return new Date(Date.parse(`${day}T12:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10)
}

/** Every day from from to to, both included (YYYY-MM-DD). */
function rangeDays(from: string, to: string): string[] {
  const out: string[] = []
  for (let t = Date.parse(`${from}T12:00:00Z`), end = Date.parse(`${to}T12:00:00Z`); t <= end && out.length < 800; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10))
  }
  return out
}

interface Filter {
  from: string
  to: string
  department: string
}

export function ReportsScreen() {
  const today = dayOf()
  const [filter, setFilter] = useState<Filter>({ from: daysBefore(today, 29), to: today, department: '' })
  const [tab, setTab] = useState<ReportName>('operations')
  const departments = useDepartments()
  useLiveQueries(
    'reports',
    ['/api/reports/operations', '/api/reports/admissions', '/api/reports/doctors', '/api/reports/billing'],
    (e) => {
      const day = (e.data as { day?: string } | null)?.day ?? ''
      return e.type === 'report.changed' && day >= filter.from && day <= filter.to
    },
  )
  const deptName = (id: string) => departments.items?.find((d) => d.id === id)?.name ?? id
  return (
    <div className="stack rp">
      <div className="rp-head">
        <h1>Reports</h1>
        <Link href="/admin" className="rp-noprint">
          Back to administration
        </Link>
      </div>
      <form className="panel rp-filters rp-noprint" aria-label="Report range" onSubmit={(e) => e.preventDefault()}>
        <label>
          From
          <input type="date" value={filter.from} max={filter.to} onChange={(e) => setFilter({ ...filter, from: e.target.value })} required />
        </label>
        <label>
          To
          <input type="date" value={filter.to} min={filter.from} onChange={(e) => setFilter({ ...filter, to: e.target.value })} required />
        </label>
        <label>
          Department
          <select value={filter.department} onChange={(e) => setFilter({ ...filter, department: e.target.value })}>
            <option value="">Every department</option>
            {departments.items?.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn" onClick={() => window.print()}>
          Print
        </button>
        <DownloadCSV report={tab} filter={filter} />
      </form>
      <p className="rp-printonly">
        {reports.find((r) => r.id === tab)?.label} report, {filter.from} to {filter.to}
        {filter.department ? `, ${deptName(filter.department)}` : ', every department'}
      </p>
      <Tabs selectedKey={tab} onSelectionChange={(k: Key) => setTab(k as ReportName)}>
        <TabList aria-label="Reports" className="adm-tabs rp-noprint">
          {reports.map((r) => (
            <Tab key={r.id} id={r.id} className="adm-tab">
              {r.label}
            </Tab>
          ))}
        </TabList>
        <TabPanel id="operations" className="rp-panel">
          <Operations filter={filter} deptName={deptName} />
        </TabPanel>
        <TabPanel id="admissions" className="rp-panel">
          <Admissions filter={filter} />
        </TabPanel>
        <TabPanel id="doctors" className="rp-panel">
          <Doctors filter={filter} deptName={deptName} />
        </TabPanel>
        <TabPanel id="billing" className="rp-panel">
          <Billing filter={filter} />
        </TabPanel>
      </Tabs>
    </div>
  )
}

function query(f: Filter) {
  return { params: { query: { from: f.from, to: f.to, ...(f.department ? { department: f.department } : {}) } } }
}

function DownloadCSV({ report, filter }: { report: ReportName; filter: Filter }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const name = `${report}-${filter.from}-to-${filter.to}${filter.department ? '-' + filter.department : ''}.csv`
  const download = async () => {
    setBusy(true)
    setError('')
    try {
      const q = new URLSearchParams({ from: filter.from, to: filter.to, format: 'csv' })
      if (filter.department) q.set('department', filter.department)
      saveBlob(await fetchBlob(`/api/reports/${report}?${q.toString()}`), name)
    } catch (e) {
      setError(`Could not download the CSV: ${messageOf(e)}`)
    } finally {
      setBusy(false)
    }
  }
  return (
    <span className="rp-download">
      <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void download()}>
        {busy ? 'Downloading…' : 'Download CSV'}
      </button>
      <ErrorText error={error} />
    </span>
  )
}

/** A figure with its label, as the summary at the top of each report lists them. */
function Figure({ label, value }: { label: string; value: string | number }) {
  return (
    <div className="rp-figure">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  )
}

function num(v: number | null | undefined, suffix = ''): string {
  return v === null || v === undefined ? '—' : `${v}${suffix}`
}

/** Loading, error and empty states around a report's body. */
function Shell({ q, what, children }: { q: { isPending: boolean; error: unknown; refetch: () => unknown }; what: string; children: () => React.ReactNode }) {
  if (q.error) {
    return (
      <LoadError error={messageOf(q.error)} retry={() => void q.refetch()}>
        Could not load the {what} report
      </LoadError>
    )
  }
  if (q.isPending) return <p className="muted">Loading the {what} report…</p>
  return <>{children()}</>
}

function Operations({ filter, deptName }: { filter: Filter; deptName: (id: string) => string }) {
  const q = $api.useQuery('get', '/api/reports/operations', query(filter))
  return (
    <Shell q={q} what="operations">
      {() => {
        const r = q.data as S['OperationsReport']
        const byDay = new Map<string, { booked: number; completed: number; cancelled: number; no_show: number }>()
        for (const d of r.days) {
          const x = byDay.get(d.day) ?? { booked: 0, completed: 0, cancelled: 0, no_show: 0 }
          x.booked += d.booked
          x.completed += d.completed
          x.cancelled += d.cancelled
          x.no_show += d.no_show
          byDay.set(d.day, x)
        }
        // Every day of the range on the chart, the quiet ones as zero, so it reads as a time line.
        const days = rangeDays(r.from, r.to)
        const none = { booked: 0, completed: 0, cancelled: 0, no_show: 0 }
        const t = r.totals
        return (
          <div className="stack">
            <dl className="rp-figures" aria-label="Operations totals">
              <Figure label="Booked" value={t.booked} />
              <Figure label="Completed" value={t.completed} />
              <Figure label="Cancelled" value={t.cancelled} />
              <Figure label="No-show" value={t.no_show} />
              <Figure label="Wait p50" value={num(t.wait_p50, ' min')} />
              <Figure label="Wait p90" value={num(t.wait_p90, ' min')} />
            </dl>
            {r.days.length === 0 && <p className="muted">No appointments in this range.</p>}
            <BarChart
              title="Appointments per day"
              testId="chart-appointments"
              labels={days.map((d) => d.slice(5))}
              describedBy="rp-ops-days"
              series={[
                { name: 'Booked', tone: 'rp-s1', values: days.map((d) => (byDay.get(d) ?? none).booked) },
                { name: 'Completed', tone: 'rp-s2', values: days.map((d) => (byDay.get(d) ?? none).completed) },
                { name: 'Cancelled', tone: 'rp-s3', values: days.map((d) => (byDay.get(d) ?? none).cancelled) },
                { name: 'No-show', tone: 'rp-s4', values: days.map((d) => (byDay.get(d) ?? none).no_show) },
              ]}
            />
            <BarChart
              title="Waiting time by hour of check-in (minutes)"
              testId="chart-waits"
              labels={r.hours.map((h) => `${h.hour}h`)}
              describedBy="rp-ops-hours"
              unit=" min"
              series={[
                { name: 'p50', tone: 'rp-s1', values: r.hours.map((h) => h.wait_p50 ?? null) },
                { name: 'p90', tone: 'rp-s3', values: r.hours.map((h) => h.wait_p90 ?? null) },
              ]}
            />
            <table className="table" id="rp-ops-days" data-testid="ops-table">
              <caption>Appointments per day and department</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Department</th>
                  <th scope="col">Booked</th>
                  <th scope="col">Completed</th>
                  <th scope="col">Cancelled</th>
                  <th scope="col">No-show</th>
                  <th scope="col">Wait p50</th>
                  <th scope="col">Wait p90</th>
                </tr>
              </thead>
              <tbody>
                {r.days.map((d) => (
                  <tr key={d.day + d.department}>
                    <td>{d.day}</td>
                    <td>{deptName(d.department)}</td>
                    <td>{d.booked}</td>
                    <td>{d.completed}</td>
                    <td>{d.cancelled}</td>
                    <td>{d.no_show}</td>
                    <td>{num(d.wait_p50, ' min')}</td>
                    <td>{num(d.wait_p90, ' min')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table className="table" id="rp-ops-hours">
              <caption>Waits and patients seen by hour of day</caption>
              <thead>
                <tr>
                  <th scope="col">Hour</th>
                  <th scope="col">Tickets called</th>
                  <th scope="col">Wait p50</th>
                  <th scope="col">Wait p90</th>
                  <th scope="col">Patients seen</th>
                </tr>
              </thead>
              <tbody>
                {r.hours
                  .filter((h) => h.waits > 0 || h.seen > 0)
                  .map((h) => (
                    <tr key={h.hour}>
                      <td>{`${String(h.hour).padStart(2, '0')}:00`}</td>
                      <td>{h.waits}</td>
                      <td>{num(h.wait_p50, ' min')}</td>
                      <td>{num(h.wait_p90, ' min')}</td>
                      <td>{h.seen}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        )
      }}
    </Shell>
  )
}

function Admissions({ filter }: { filter: Filter }) {
  const q = $api.useQuery('get', '/api/reports/admissions', query(filter))
  return (
    <Shell q={q} what="admissions">
      {() => {
        const r = q.data as S['AdmissionsReport']
        const t = r.totals
        const active = r.days.filter((d) => d.admitted || d.discharged || d.beds !== null)
        return (
          <div className="stack">
            <dl className="rp-figures" aria-label="Admissions totals">
              <Figure label="Admissions" value={t.admitted} />
              <Figure label="Discharges" value={t.discharged} />
              <Figure label="Bed occupancy" value={num(t.occupancy_pct, ' %')} />
              <Figure label="Average stay" value={num(t.average_stay_days, ' days')} />
              <Figure label="Bed turnover" value={num(t.bed_turnover)} />
            </dl>
            <BarChart
              title="Admissions and discharges per day"
              testId="chart-admissions"
              labels={r.days.map((d) => d.day.slice(5))}
              describedBy="rp-adm-days"
              series={[
                { name: 'Admissions', tone: 'rp-s1', values: r.days.map((d) => d.admitted) },
                { name: 'Discharges', tone: 'rp-s2', values: r.days.map((d) => d.discharged) },
              ]}
            />
            <table className="table" id="rp-adm-days">
              <caption>Admissions, discharges and the midnight census per day (days with figures)</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Admissions</th>
                  <th scope="col">Discharges</th>
                  <th scope="col">Occupied beds</th>
                  <th scope="col">Beds</th>
                  <th scope="col">Occupancy</th>
                </tr>
              </thead>
              <tbody>
                {active.map((d) => (
                  <tr key={d.day}>
                    <td>{d.day}</td>
                    <td>{d.admitted}</td>
                    <td>{d.discharged}</td>
                    <td>{num(d.occupied)}</td>
                    <td>{num(d.beds)}</td>
                    <td>{num(d.occupancy_pct, ' %')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      }}
    </Shell>
  )
}

function Doctors({ filter, deptName }: { filter: Filter; deptName: (id: string) => string }) {
  const q = $api.useQuery('get', '/api/reports/doctors', query(filter))
  return (
    <Shell q={q} what="doctors">
      {() => {
        const r = q.data as S['DoctorsReport']
        if (r.doctors.length === 0) return <p className="muted">No doctor saw or missed a patient in this range.</p>
        return (
          <div className="stack">
            <BarChart
              title="Patients seen per doctor"
              testId="chart-doctors"
              labels={r.doctors.map((d) => d.name || 'Unnamed')}
              describedBy="rp-doc-table"
              series={[
                { name: 'Seen', tone: 'rp-s2', values: r.doctors.map((d) => d.seen) },
                { name: 'No-show', tone: 'rp-s4', values: r.doctors.map((d) => d.no_show) },
              ]}
            />
            <table className="table" id="rp-doc-table">
              <caption>Doctor performance</caption>
              <thead>
                <tr>
                  <th scope="col">Doctor</th>
                  <th scope="col">Department</th>
                  <th scope="col">Seen</th>
                  <th scope="col">Average consultation</th>
                  <th scope="col">Patients’ average wait</th>
                  <th scope="col">No-show rate</th>
                  <th scope="col">Revenue</th>
                </tr>
              </thead>
              <tbody>
                {r.doctors.map((d) => (
                  <tr key={d.doctor_id}>
                    <td>{d.name || 'Unnamed doctor'}</td>
                    <td>{deptName(d.department)}</td>
                    <td>{d.seen}</td>
                    <td>{num(d.average_consult_minutes, ' min')}</td>
                    <td>{num(d.average_wait_minutes, ' min')}</td>
                    <td>{d.no_show_rate === null || d.no_show_rate === undefined ? '—' : `${Math.round(d.no_show_rate * 100)} %`}</td>
                    <td>{formatMoney(d.revenue, r.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      }}
    </Shell>
  )
}

const claimStatusLabel: Record<string, string> = {
  draft: 'Made (draft)',
  submitted: 'Submitted',
  in_review: 'In review',
  approved: 'Approved',
  partially_approved: 'Partially approved',
  denied: 'Denied',
  paid: 'Paid',
}

function Billing({ filter }: { filter: Filter }) {
  const q = $api.useQuery('get', '/api/reports/billing', query(filter))
  return (
    <Shell q={q} what="billing">
      {() => {
        const r = q.data as S['BillingReport']
        const t = r.totals
        const money = (v: number) => formatMoney(v, r.currency)
        const active = r.days.filter((d) => d.invoiced || d.paid || d.credited || d.refunded)
        return (
          <div className="stack">
            {filter.department && <p className="muted">Money is not split by department: these are the hospital’s figures.</p>}
            <dl className="rp-figures" aria-label="Billing totals">
              <Figure label="Revenue (invoiced less credited)" value={money(t.revenue)} />
              <Figure label="Received (paid less refunded)" value={money(t.received)} />
              <Figure label="Outstanding at the end" value={money(t.outstanding)} />
              <Figure label="Invoices paid in full" value={t.settled} />
              <Figure label="Average days to payment" value={num(t.average_days_to_payment)} />
            </dl>
            <BarChart
              title={`Invoiced and received per day (${r.currency}, minor units)`}
              testId="chart-billing"
              labels={r.days.map((d) => d.day.slice(5))}
              describedBy="rp-bill-days"
              series={[
                { name: 'Invoiced', tone: 'rp-s1', values: r.days.map((d) => d.invoiced) },
                { name: 'Paid', tone: 'rp-s2', values: r.days.map((d) => d.paid) },
              ]}
            />
            <table className="table" id="rp-bill-days">
              <caption>Money per day (days with figures)</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Invoiced</th>
                  <th scope="col">Credited</th>
                  <th scope="col">Paid</th>
                  <th scope="col">Refunded</th>
                  <th scope="col">Outstanding</th>
                </tr>
              </thead>
              <tbody>
                {active.map((d) => (
                  <tr key={d.day}>
                    <td>{d.day}</td>
                    <td>{money(d.invoiced)}</td>
                    <td>{money(d.credited)}</td>
                    <td>{money(d.paid)}</td>
                    <td>{money(d.refunded)}</td>
                    <td>{money(d.outstanding)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {(r.claims ?? []).length === 0 ? (
              <p className="muted">No insurance claim was made or moved in this range.</p>
            ) : (
              <table className="table" data-testid="rp-claims">
                <caption>Insurance claims by the status they moved to in the range</caption>
                <thead>
                  <tr>
                    <th scope="col">Status</th>
                    <th scope="col">Claims</th>
                    <th scope="col">Claimed</th>
                    <th scope="col">Approved</th>
                    <th scope="col">Paid</th>
                  </tr>
                </thead>
                <tbody>
                  {r.claims.map((c) => (
                    <tr key={c.status}>
                      <td>{claimStatusLabel[c.status] ?? c.status}</td>
                      <td>{c.claims}</td>
                      <td>{money(c.claimed)}</td>
                      <td>{money(c.approved)}</td>
                      <td>{money(c.paid)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        )
      }}
    </Shell>
  )
}
