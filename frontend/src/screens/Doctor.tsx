// The doctor's desk: who they are seeing now and the steps of that consultation, the live queue of
// patients they may call (department tickets booked with them or with nobody), and their booked day.
// The queue follows queue:dept:<department> and the bookings queue:doctor:<me> (doctor/useDesk.ts).
// Emergency alerts come from the shell's banner; this screen shows how many urgent patients wait.
// The chart (chart/Chart.tsx) opens beside the queue for the ticket being seen, a patient of the day or
// one of the doctor's inpatients.
import { useState } from 'react'
import { session } from '../api/client'
import type { Appointment } from '../api/types'
import { Chart, type ChartProps } from './chart/Chart'
import { CurrentPanel } from './doctor/CurrentPanel'
import { isUrgent, mine, myServing } from './doctor/desk'
import { InpatientsPanel } from './doctor/InpatientsPanel'
import { QueuePanel } from './doctor/QueuePanel'
import { TodayPanel } from './doctor/TodayPanel'
import { useDesk } from './doctor/useDesk'
import './doctor.css'

export function DoctorScreen() {
  const me = session.current?.user.id ?? ''
  const { department, departmentName, desk, error, reload, applyResult } = useDesk(me)
  const [chart, setChart] = useState<Omit<ChartProps, 'onClose'> | null>(null)
  const chartOf = (a: Appointment) =>
    setChart({ patientId: a.patient_id, appointmentId: a.id, visitReason: a.reason || undefined })

  const queue = desk ? mine(desk, me) : []
  const serving = desk ? myServing(desk, me) : []
  const urgent = desk ? desk.waiting.filter(isUrgent).length : 0

  return (
    <div className="dd" data-testid="doctor-screen">
      <div className="dd-head">
        <h1>My live queue</h1>
        {department ? (
          <span className="dd-dept">{departmentName || department}</span>
        ) : (
          department === '' && <span className="tag tag-warn">No department set</span>
        )}
        {desk && department && (
          <span
            className={`tag ${urgent > 0 ? 'tag-urgent' : ''} dd-urgent-count`}
            data-testid="urgent-count"
            data-count={urgent}
          >
            {urgent > 0 ? `${urgent} urgent (ESI 1–2) waiting` : 'No urgent patients waiting'}
          </span>
        )}
        <span className="spacer" />
        {desk && (
          <span className="dd-figures muted">
            {desk.waiting.length} waiting in department · you have seen {desk.seen}
            {desk.averageConsultation > 0 && ` · about ${Math.round(desk.averageConsultation)} min each`}
          </span>
        )}
      </div>
      {error && (
        <div className="dd-error row" role="alert">
          <span className="error-text">{error}</span>
          <button type="button" className="btn btn-small" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {department === '' && (
        <p className="panel">
          An administrator has not given you a department yet, so you have no queue. Your booked
          appointments are below.
        </p>
      )}
      {!desk ? (
        !error && <p className="muted dd-loading">Loading your queue…</p>
      ) : (
        <div className={chart ? 'dd-layout dd-layout-chart' : 'dd-layout'}>
          <div className="dd-side">
            <CurrentPanel
              department={department ?? ''}
              serving={serving}
              waitingForMe={queue.length}
              onResult={applyResult}
              onStale={reload}
              onChart={chartOf}
            />
            <InpatientsPanel onOpen={(patientId) => setChart({ patientId })} />
            <TodayPanel appointments={desk.appointments} onChart={chartOf} />
          </div>
          <div className="dd-main">
            {chart && (
              <Chart
                key={`${chart.patientId}:${chart.appointmentId ?? ''}`}
                {...chart}
                onClose={() => setChart(null)}
              />
            )}
            {department && (
              <QueuePanel
                queue={queue}
                othersWaiting={desk.waiting.length - queue.length}
                hasCurrent={serving.length > 0}
                onResult={applyResult}
                onStale={reload}
              />
            )}
          </div>
        </div>
      )}
    </div>
  )
}
