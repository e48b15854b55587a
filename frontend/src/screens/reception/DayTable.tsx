// A day's appointments (GET /api/appointments?date=&status=), paged, as a table whose rows the caller
// gives actions and, under one row, an open editor. The check-in list and the appointments list both
// use it; the screen keeps it current from the live events.
import type { ReactNode } from 'react'
import { hhmm } from '../../api/client'
import { $api } from '../../api/query'
import type { Appointment, AppointmentList, AppointmentStatus, Department } from '../../api/types'
import { StatusTag } from '../../components/labels'
import { departmentName, statusWords } from './format'
import { resourceOf, type Resource } from './hooks'

/** Rows per page: the server's most, so one page usually holds a whole day. */
export const pageSize = 100

/**
 * One page of a day's appointments, a query in the shared cache: the screen's live events put changed
 * appointments into it or read it again (api/appointments.ts).
 */
export function useDay(date: string, status: AppointmentStatus | '', page: number): Resource<AppointmentList> {
  return resourceOf(
    $api.useQuery('get', '/api/appointments', {
      params: { query: { date, status: status || undefined, page, limit: pageSize } },
    }),
  )
}

export function DayTable({
  caption,
  idPrefix,
  rows,
  departments,
  showStatus,
  actions,
  below,
}: {
  caption: string
  /** The patient cell of a row gets the id `<idPrefix>-<appointment id>`, for aria-describedby. */
  idPrefix: string
  rows: Appointment[]
  departments: Department[] | undefined
  showStatus: boolean
  actions: (a: Appointment) => ReactNode
  /** What to show in a full-width row under an appointment (an open editor), if anything. */
  below?: (a: Appointment) => ReactNode
}) {
  const cols = showStatus ? 6 : 5
  return (
    <div className="rc-table-wrap">
      <table className="table rc-day">
        <caption className="rc-sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Patient</th>
            <th scope="col">Doctor, department</th>
            <th scope="col">Reason</th>
            {showStatus && <th scope="col">Status</th>}
            <th scope="col">
              <span className="rc-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => {
            const extra = below?.(a)
            return (
              <DayRow key={a.id} a={a} cols={cols} extra={extra} selected={!!extra}>
                <td className="rc-time">{hhmm(a.start)}</td>
                <td id={`${idPrefix}-${a.id}`}>
                  <strong>{a.patient_name ?? '—'}</strong>
                  {a.emergency && <span className="tag tag-urgent rc-flag">Emergency</span>}
                  {a.walk_in && !a.emergency && <span className="muted rc-flag">walk-in</span>}
                </td>
                <td>
                  {a.doctor_name ?? 'Any doctor'}
                  <span className="rc-sub">{departmentName(departments, a.department)}</span>
                </td>
                <td className="rc-reason">{a.reason}</td>
                {showStatus && (
                  <td>
                    <StatusTag status={a.status} words={statusWords} />
                    {a.ticket && <span className="muted"> #{a.ticket.number}</span>}
                  </td>
                )}
                <td className="rc-actions">{actions(a)}</td>
              </DayRow>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

function DayRow({
  a,
  cols,
  extra,
  selected,
  children,
}: {
  a: Appointment
  cols: number
  extra: ReactNode
  selected: boolean
  children: ReactNode
}) {
  return (
    <>
      <tr className={selected ? 'selected' : undefined} data-testid={`appt-${a.id}`}>
        {children}
      </tr>
      {extra && (
        <tr className="selected rc-below">
          <td colSpan={cols}>{extra}</td>
        </tr>
      )}
    </>
  )
}

/** Previous / next under a table that has more than one page. */
export function Pager({
  page,
  total,
  busy,
  go,
  label,
}: {
  page: number
  total: number
  busy: boolean
  go: (page: number) => void
  label: string
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize))
  if (pages <= 1 && page <= 1) return null
  return (
    <nav className="row" aria-label={label}>
      <button type="button" className="btn btn-small" disabled={busy || page <= 1} onClick={() => go(page - 1)}>
        Previous
      </button>
      <span className="muted">
        Page {page} of {pages}
      </span>
      <button type="button" className="btn btn-small" disabled={busy || page >= pages} onClick={() => go(page + 1)}>
        Next
      </button>
    </nav>
  )
}
