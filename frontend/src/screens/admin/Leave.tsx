// A doctor's leave: the periods from today on, each removable (DELETE /api/doctors/{id}/leave/{leave_id}),
// and a form to add one (POST /api/doctors/{id}/leave) by days in the hospital's zone, with optional
// times. The answer lists the appointments already booked inside the leave; each is shown to be moved or
// cancelled on the spot (MoveAppointment).
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf, today } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { dayOf, formatDate, formatDateTime, formatTime } from '../../api/time'
import type { components } from '../../api/schema'
import type { Doctor } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'
import { hospitalMoment, nextDay } from './hospitalTime'
import { MoveAppointment } from './MoveAppointment'

type LeaveResponse = components['schemas']['LeaveResponse']

/** A leave period: by days when it runs midnight to midnight, else by day and time. */
function leaveText(from: string, to: string): string {
  if (formatTime(from) !== '00:00' || formatTime(to) !== '00:00') return `${formatDateTime(from, 'auto')} until ${formatDateTime(to, 'auto')}`
  const last = dayOf(Date.parse(to) - 1)
  return last === dayOf(from) ? `${formatDate(from, 'auto')}, all day` : `${formatDate(from, 'auto')} to ${formatDate(last, 'auto')}, whole days`
}

export function Leave({ doctor, colleagues }: { doctor: Doctor; colleagues: Doctor[] }) {
  const client = useQueryClient()
  const add = $api.useMutation('post', '/api/doctors/{id}/leave')
  const remove = $api.useMutation('delete', '/api/doctors/{id}/leave/{leave_id}')
  const [first, setFirst] = useState(today())
  const [fromTime, setFromTime] = useState('')
  const [last, setLast] = useState(today())
  const [untilTime, setUntilTime] = useState('')
  const [reason, setReason] = useState('')
  const [error, setError] = useState('')
  const [removeError, setRemoveError] = useState('')
  const [added, setAdded] = useState<LeaveResponse | null>(null)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError('')
    setAdded(null)
    if (!first || !last) {
      setError('Give the first and the last day of the leave.')
      return
    }
    const from = hospitalMoment(first, fromTime || '00:00')
    const to = untilTime ? hospitalMoment(last, untilTime) : hospitalMoment(nextDay(last), '00:00')
    try {
      const res = await add.mutateAsync({
        params: { path: { id: doctor.id } },
        body: { from, to, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      })
      setAdded(res)
      setReason('')
      await Promise.all([
        client.invalidateQueries({ queryKey: keyOf('/api/doctors') }),
        client.invalidateQueries({ queryKey: keyOf('/api/doctors/{id}/slots') }),
      ])
    } catch (err) {
      setError(messageOf(err))
    }
  }

  const drop = async (leaveID: string) => {
    setRemoveError('')
    try {
      await remove.mutateAsync({ params: { path: { id: doctor.id, leave_id: leaveID } } })
      if (added?.leave.id === leaveID) setAdded(null)
      await Promise.all([
        client.invalidateQueries({ queryKey: keyOf('/api/doctors') }),
        client.invalidateQueries({ queryKey: keyOf('/api/doctors/{id}/slots') }),
      ])
    } catch (err) {
      setRemoveError(messageOf(err))
    }
  }

  // Those who may take over a booking: the doctors of the same department (this one included).
  const department = colleagues.filter((d) => d.department === doctor.department)

  return (
    <section className="stack" aria-labelledby="adm-leave-h">
      <h3 id="adm-leave-h">Leave</h3>
      {doctor.leave.length === 0 ? (
        <p className="muted adm-hint">No leave from today on.</p>
      ) : (
        <ul className="adm-leave-list" aria-label="Leave from today on">
          {doctor.leave.map((l) => (
            <li key={l.id} className="row">
              <span>
                {leaveText(l.from, l.to)}
                {l.reason && <span className="muted"> — {l.reason}</span>}
              </span>
              <button
                type="button"
                className="btn btn-small"
                disabled={remove.isPending}
                aria-label={`Remove the leave from ${formatDateTime(l.from, 'auto')}`}
                onClick={() => void drop(l.id)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorText error={removeError} block />

      <form className="stack" onSubmit={(e) => void submit(e)} aria-labelledby="adm-leave-form-h" noValidate>
        <h4 id="adm-leave-form-h" className="adm-h4">
          Add leave
        </h4>
        <div className="adm-fields-4">
          <label>
            First day
            <input type="date" value={first} min={today()} onChange={(e) => setFirst(e.target.value)} required />
          </label>
          <label>
            Starting at
            <input type="time" value={fromTime} onChange={(e) => setFromTime(e.target.value)} />
          </label>
          <label>
            Last day
            <input type="date" value={last} min={first || today()} onChange={(e) => setLast(e.target.value)} required />
          </label>
          <label>
            Ending at
            <input type="time" value={untilTime} onChange={(e) => setUntilTime(e.target.value)} />
          </label>
        </div>
        <p className="muted adm-hint">Leave the times empty for whole days. Times are the hospital’s.</p>
        <label>
          Reason (optional, shown to staff)
          <input value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <div className="row">
          <SubmitButton busy={add.isPending} busyText="Adding…">
            Add leave
          </SubmitButton>
          <ErrorText error={error} />
        </div>
      </form>

      {added && (
        <div className="stack adm-made" data-testid="leave-added">
          <p role="status">
            Leave added: {leaveText(added.leave.from, added.leave.to)}.{' '}
            {added.conflicts.length === 0
              ? 'No booked appointments fall inside it.'
              : `${added.conflicts.length} booked ${added.conflicts.length === 1 ? 'appointment falls' : 'appointments fall'} inside it: move or cancel ${added.conflicts.length === 1 ? 'it' : 'each'}.`}
          </p>
          {added.conflicts.length > 0 && (
            <ul className="adm-conflicts" aria-label="Appointments inside the leave">
              {added.conflicts.map((a) => (
                <MoveAppointment key={a.id} appointment={a} doctors={department} firstDay={dayOf(added.leave.to)} />
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  )
}
