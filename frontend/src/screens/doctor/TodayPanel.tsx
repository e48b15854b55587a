// The doctor's booked appointments of the day, by time, with where each one is: scheduled, checked in,
// called, being seen, seen, cancelled or no-show; the chart of each patient who came opens from their row.
import { hhmm } from '../../api/client'
import type { Appointment } from '../../api/types'
import { StatusTag } from '../../components/labels'
import { statusWords } from './tags'

interface Props {
  appointments: Appointment[]
  /** Opens the chart of a patient who is here or was seen. */
  onChart: (a: Appointment) => void
}

export function TodayPanel({ appointments, onChart }: Props) {
  const count = (...s: Appointment['status'][]) => appointments.filter((a) => s.includes(a.status)).length
  const upcoming = count('scheduled')
  const here = count('checked-in', 'called', 'in-consultation')
  const seen = count('completed')
  return (
    <section className="panel dd-today" aria-labelledby="dd-today-title">
      <div className="dd-panel-head">
        <h2 id="dd-today-title">Today’s appointments</h2>
        <span className="muted">
          {upcoming} to come · {here} here · {seen} seen
        </span>
      </div>
      {appointments.length === 0 ? (
        <p className="dd-empty">No appointments booked with you today.</p>
      ) : (
        <table className="table dd-table dd-today-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Patient</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {appointments.map((a) => (
              <tr key={a.id} data-testid={`today-${a.id}`} className={doneWith(a) ? 'dd-done' : undefined}>
                <td className="dd-time">{hhmm(a.start)}</td>
                <td>
                  <div className="dd-name-small">{a.patient_name || 'Unnamed patient'}</div>
                  {a.reason && <div className="dd-sub">{a.reason}</div>}
                  {chartable(a) && (
                    <button
                      type="button"
                      className="btn btn-small dd-chart-btn"
                      aria-label={`Open the chart of ${a.patient_name || 'this patient'}`}
                      onClick={() => onChart(a)}
                    >
                      Chart
                    </button>
                  )}
                </td>
                <td>
                  <StatusTag status={a.status} words={statusWords} />
                  {a.ticket && <div className="dd-sub">ticket {a.ticket.number}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** A patient who came (is here or was seen) has a visit to chart. */
function chartable(a: Appointment): boolean {
  return a.status === 'called' || a.status === 'in-consultation' || a.status === 'completed'
}

function doneWith(a: Appointment): boolean {
  return a.status === 'completed' || a.status === 'cancelled' || a.status === 'no-show'
}
