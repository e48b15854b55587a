// An appointment that a doctor's new leave touches, and what the admin does about it: move it to a free
// slot (PATCH /api/appointments/{id}; the same doctor another day, or another doctor of the department),
// or cancel it with a reason (POST /api/appointments/{id}/cancel). The row then says what became of it.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { ApiError, messageOf, today } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatDateTime, formatTime } from '../../api/time'
import type { Appointment, Doctor } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'

type Mode = '' | 'move' | 'cancel'

export function MoveAppointment({
  appointment: a,
  doctors,
  firstDay,
}: {
  appointment: Appointment
  /** The doctors who may take it: the department's. */
  doctors: Doctor[]
  /** The day offered first (the day the leave ends). */
  firstDay: string
}) {
  const [mode, setMode] = useState<Mode>('')
  const [outcome, setOutcome] = useState('')
  const who = a.patient_name ?? 'A patient'

  return (
    <li className="adm-conflict stack" data-testid="conflict">
      <div className="row">
        <span>
          <strong>{who}</strong>, {formatDateTime(a.start, 'auto')}
          {a.reason && <span className="muted"> ({a.reason})</span>}
        </span>
        <span className="spacer" />
        {outcome ? (
          <span className="ok-text" role="status">
            {outcome}
          </span>
        ) : (
          <span className="row">
            <button type="button" className="btn btn-small" aria-expanded={mode === 'move'} onClick={() => setMode(mode === 'move' ? '' : 'move')}>
              Move…
            </button>
            <button type="button" className="btn btn-small" aria-expanded={mode === 'cancel'} onClick={() => setMode(mode === 'cancel' ? '' : 'cancel')}>
              Cancel…
            </button>
          </span>
        )}
      </div>
      {!outcome && mode === 'move' && (
        <Move a={a} who={who} doctors={doctors} firstDay={firstDay} done={(t) => (setOutcome(t), setMode(''))} />
      )}
      {!outcome && mode === 'cancel' && <Cancel a={a} who={who} done={(t) => (setOutcome(t), setMode(''))} />}
    </li>
  )
}

function Move({ a, who, doctors, firstDay, done }: { a: Appointment; who: string; doctors: Doctor[]; firstDay: string; done: (t: string) => void }) {
  const client = useQueryClient()
  const move = $api.useMutation('patch', '/api/appointments/{id}')
  const [date, setDate] = useState(firstDay)
  const [doctor, setDoctor] = useState(a.doctor_id ?? doctors[0]?.id ?? '')
  const [start, setStart] = useState('')
  const [error, setError] = useState('')
  const slots = $api.useQuery(
    'get',
    '/api/doctors/{id}/slots',
    { params: { path: { id: doctor }, query: { date } } },
    { enabled: doctor !== '' && date !== '' },
  )
  const free = slots.data?.slots ?? []

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError('')
    if (!free.some((s) => s.start === start)) {
      setError('Choose a free time.')
      return
    }
    try {
      const moved = await move.mutateAsync({
        params: { path: { id: a.id } },
        body: { start, ...(doctor !== a.doctor_id ? { doctor_id: doctor } : {}), reason: 'The doctor is on leave' },
      })
      await Promise.all([
        client.invalidateQueries({ queryKey: keyOf('/api/doctors/{id}/slots') }),
        client.invalidateQueries({ queryKey: keyOf('/api/appointments') }),
      ])
      done(`Moved to ${formatDateTime(moved.start, 'auto')} with ${moved.doctor_name ?? 'the doctor'}.`)
    } catch (err) {
      setError(messageOf(err))
      if (err instanceof ApiError && err.status === 409) {
        setStart('')
        void slots.refetch()
      }
    }
  }

  return (
    <form className="adm-inline row" onSubmit={(e) => void submit(e)} aria-label={`Move the appointment of ${who}`} noValidate>
      <label>
        Day
        <input
          type="date"
          value={date}
          min={today()}
          onChange={(e) => {
            setDate(e.target.value)
            setStart('')
          }}
        />
      </label>
      <label>
        Doctor
        <select
          value={doctor}
          onChange={(e) => {
            setDoctor(e.target.value)
            setStart('')
          }}
        >
          {doctors.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Free time
        <select value={start} onChange={(e) => setStart(e.target.value)} disabled={!slots.data}>
          <option value="">{slots.isFetching ? 'Loading…' : free.length ? 'Choose…' : 'None that day'}</option>
          {free.map((s) => (
            <option key={s.start} value={s.start}>
              {formatTime(s.start)}
            </option>
          ))}
        </select>
      </label>
      <SubmitButton busy={move.isPending} busyText="Moving…">
        Move
      </SubmitButton>
      <ErrorText error={slots.error ? `Could not load the free times: ${messageOf(slots.error)}` : error} />
    </form>
  )
}

function Cancel({ a, who, done }: { a: Appointment; who: string; done: (t: string) => void }) {
  const client = useQueryClient()
  const cancel = $api.useMutation('post', '/api/appointments/{id}/cancel')
  const [reason, setReason] = useState('The doctor is on leave')
  const [error, setError] = useState('')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError('')
    try {
      await cancel.mutateAsync({ params: { path: { id: a.id } }, body: { reason: reason.trim() } })
      await client.invalidateQueries({ queryKey: keyOf('/api/appointments') })
      done('Cancelled; the patient is told.')
    } catch (err) {
      setError(messageOf(err))
    }
  }

  return (
    <form className="adm-inline row" onSubmit={(e) => void submit(e)} aria-label={`Cancel the appointment of ${who}`} noValidate>
      <label className="adm-grow">
        Reason, for the patient
        <input value={reason} onChange={(e) => setReason(e.target.value)} required />
      </label>
      <SubmitButton busy={cancel.isPending} busyText="Cancelling…" className="btn-danger">
        Cancel appointment
      </SubmitButton>
      <ErrorText error={error} />
    </form>
  )
}
