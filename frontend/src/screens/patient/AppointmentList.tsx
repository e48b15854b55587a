// The patient's appointments: today's visit in progress (with the ticket and place in the line), the
// upcoming ones (each can be moved or cancelled) and the past ones.
import { useRef, useState } from 'react'
import { hhmm, today } from '../../api/client'
import type { Appointment, Department } from '../../api/types'
import { Tag } from '../../components/labels'
import { CancelForm, RescheduleForm } from './Changes'
import { dayLabel, statusWords } from './format'
import { QueueSpot } from './QueueSpot'

/** How many past appointments show before "Show all". */
const pastShown = 10

interface Props {
  items: Appointment[]
  departments: Department[]
  onChanged: (a: Appointment) => void
}

type Open = { id: string; kind: 'move' | 'cancel' } | null

export function AppointmentList({ items, departments, onChanged }: Props) {
  const [open, setOpen] = useState<Open>(null)
  const [done, setDone] = useState<{ id: string; text: string } | null>(null)
  const [allPast, setAllPast] = useState(false)
  const toggles = useRef(new Map<string, HTMLButtonElement>())
  const heading = useRef<HTMLHeadingElement>(null)
  const now = Date.now()
  const deptName = (id: string) => departments.find((d) => d.id === id)?.name ?? id

  // In the queue today (a ticket left over from an earlier day is past).
  const day = today()
  const active = items.filter(
    (a) => ['checked-in', 'called', 'in-consultation'].includes(a.status) && (a.ticket?.day ?? day) === day,
  )
  const upcoming = items
    .filter((a) => a.status === 'scheduled' && Date.parse(a.end) > now)
    .sort((x, y) => Date.parse(x.start) - Date.parse(y.start))
  const past = items
    .filter((a) => !active.includes(a) && !upcoming.includes(a))
    .sort((x, y) => Date.parse(y.start) - Date.parse(x.start))

  const close = (a: Appointment, changed: Appointment | null, kind: 'move' | 'cancel') => {
    setOpen(null)
    if (changed) {
      onChanged(changed)
      setDone({
        id: changed.id,
        text:
          kind === 'move'
            ? `Moved to ${dayLabel(changed.start)} at ${hhmm(changed.start)}.`
            : `Cancelled your appointment of ${dayLabel(a.start)} at ${hhmm(a.start)}.`,
      })
    }
    // Back to the button that opened the form, or to the list when the appointment left it.
    requestAnimationFrame(() => (toggles.current.get(`${kind}:${a.id}`) ?? heading.current)?.focus())
  }

  const toggle = (a: Appointment, kind: 'move' | 'cancel', label: string) => {
    const isOpen = open?.id === a.id && open.kind === kind
    return (
      <button
        type="button"
        className="btn btn-small"
        aria-expanded={isOpen}
        ref={(el) => {
          if (el) toggles.current.set(`${kind}:${a.id}`, el)
          else toggles.current.delete(`${kind}:${a.id}`)
        }}
        onClick={() => {
          setDone(null)
          setOpen(isOpen ? null : { id: a.id, kind })
        }}
      >
        {label}
      </button>
    )
  }

  return (
    <>
      {active.length > 0 && (
        <section className="panel pt-today" aria-labelledby="pt-today-title">
          <h2 id="pt-today-title">Today’s visit</h2>
          {active.map((a) => (
            <div key={a.id} className="pt-visit" data-testid={`appointment-${a.id}`}>
              <QueueSpot appointment={a} />
              <div className="pt-visit-line">
                <AppointmentTag a={a} /> {visitDoctor(a)}
                {deptName(a.department)}
                {!a.walk_in && !a.emergency && ` · booked for ${hhmm(a.start)}`}
              </div>
            </div>
          ))}
        </section>
      )}

      <section className="panel" aria-labelledby="pt-upcoming-title">
        <h2 id="pt-upcoming-title" ref={heading} tabIndex={-1}>
          Upcoming
        </h2>
        {done && !upcoming.some((a) => a.id === done.id) && (
          <p className="ok-text" role="status">
            {done.text}
          </p>
        )}
        {upcoming.length === 0 ? (
          <p className="muted">No upcoming appointments. Book one below.</p>
        ) : (
          <ul className="pt-cards">
            {upcoming.map((a) => (
              <li key={a.id} className="pt-card" data-testid={`appointment-${a.id}`}>
                <div className="pt-when">
                  <span className="pt-day">{dayLabel(a.start)}</span>
                  <span className="pt-time">{hhmm(a.start)}</span>
                </div>
                <div className="pt-what">
                  <div className="pt-doctor-name">{a.doctor_name ?? 'A doctor'}</div>
                  <div className="muted">{deptName(a.department)}</div>
                  {a.reason && <div className="pt-reason">{a.reason}</div>}
                </div>
                <div className="pt-card-side">
                  <AppointmentTag a={a} />
                  <div className="row">
                    {toggle(a, 'move', 'Reschedule')}
                    {toggle(a, 'cancel', 'Cancel')}
                  </div>
                </div>
                {done?.id === a.id && (
                  <p className="ok-text pt-card-full" role="status">
                    {done.text}
                  </p>
                )}
                {open?.id === a.id && (
                  <div className="pt-card-full">
                    {open.kind === 'move' ? (
                      <RescheduleForm appointment={a} onDone={(c) => close(a, c, 'move')} />
                    ) : (
                      <CancelForm appointment={a} onDone={(c) => close(a, c, 'cancel')} />
                    )}
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="panel" aria-labelledby="pt-past-title">
        <h2 id="pt-past-title">Past</h2>
        {past.length === 0 ? (
          <p className="muted">No past appointments.</p>
        ) : (
          <>
            <table className="table pt-past">
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Doctor</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {(allPast ? past : past.slice(0, pastShown)).map((a) => (
                  <tr key={a.id} data-testid={`appointment-${a.id}`}>
                    <td className="pt-nowrap">
                      {dayLabel(a.start)}, {hhmm(a.start)}
                    </td>
                    <td>
                      {a.doctor_name ?? '—'}
                      <div className="muted pt-small">{deptName(a.department)}</div>
                    </td>
                    <td>
                      <AppointmentTag a={a} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {past.length > pastShown && (
              <button type="button" className="btn btn-small pt-more" onClick={() => setAllPast(!allPast)}>
                {allPast ? 'Show fewer' : `Show all ${past.length}`}
              </button>
            )}
          </>
        )}
      </section>
    </>
  )
}

function AppointmentTag({ a }: { a: Appointment }) {
  // A booking whose time has passed without a check-in.
  const missed = a.status === 'scheduled' && Date.parse(a.end) <= Date.now()
  const w = missed ? { text: 'Not attended', tone: 'pt-tag-off' } : statusWords[a.status]
  return (
    <Tag tone={w.tone} testId="status">
      {w.text}
    </Tag>
  )
}

/**
 * Who a visit of today is with, followed by " · ": its doctor; while the patient is being called (the
 * calling doctor is named above), nobody; a department ticket still waiting, the next free doctor.
 */
function visitDoctor(a: Appointment): string {
  if (a.doctor_name) return `${a.doctor_name} · `
  return a.status === 'called' ? '' : 'The next free doctor · '
}
