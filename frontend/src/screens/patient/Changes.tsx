// Changing an upcoming appointment: move it to another free time with the same doctor, or cancel it
// with a reason. Each is a small form that opens under the appointment; what was typed stays on failure.
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { ApiError, api, hhmm, messageOf, must, today } from '../../api/client'
import type { Appointment } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'
import { SlotPicker, useSlots } from './SlotPicker'

interface Props {
  appointment: Appointment
  onDone: (a: Appointment | null) => void
}

export function RescheduleForm({ appointment: a, onDone }: Props) {
  const [date, setDate] = useState(() => today(new Date(a.start)))
  const [start, setStart] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const slots = useSlots(a.doctor_id ?? '', date)
  const first = useRef<HTMLInputElement>(null)
  useEffect(() => first.current?.focus(), [])
  useEffect(() => setStart(''), [date])

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!start) {
      setError('Choose a new time first.')
      return
    }
    setBusy(true)
    setError('')
    try {
      onDone(await must(api.PATCH('/api/appointments/{id}', { params: { path: { id: a.id } }, body: { start } })))
    } catch (err) {
      setError(messageOf(err))
      if (err instanceof ApiError && err.status === 409) {
        setStart('')
        slots.refresh()
      }
      setBusy(false)
    }
  }

  return (
    <form
      className="stack pt-change"
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => e.key === 'Escape' && onDone(null)}
      aria-label="Move the appointment"
    >
      <label className="pt-date">
        New date
        <input ref={first} type="date" value={date} min={today()} required onChange={(e) => setDate(e.target.value)} />
      </label>
      <SlotPicker
        name={`pt-move-${a.id}`}
        legend={`Free times with ${a.doctor_name ?? 'the doctor'}`}
        state={slots}
        value={start}
        onChange={setStart}
      />
      <div className="row">
        <SubmitButton busy={busy} busyText="Moving…">
          {start ? `Move to ${hhmm(start)}` : 'Move'}
        </SubmitButton>
        <button type="button" className="btn" onClick={() => onDone(null)}>
          Keep as it is
        </button>
        <ErrorText error={error} />
      </div>
    </form>
  )
}

export function CancelForm({ appointment: a, onDone }: Props) {
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const field = useRef<HTMLTextAreaElement>(null)
  useEffect(() => field.current?.focus(), [])

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!reason.trim()) {
      setError('Please say why you are cancelling.')
      field.current?.focus()
      return
    }
    setBusy(true)
    setError('')
    try {
      const body = { reason: reason.trim() }
      onDone(await must(api.POST('/api/appointments/{id}/cancel', { params: { path: { id: a.id } }, body })))
    } catch (err) {
      setError(messageOf(err))
      setBusy(false)
    }
  }

  return (
    <form
      className="stack pt-change"
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => e.key === 'Escape' && onDone(null)}
      aria-label="Cancel the appointment"
    >
      <label>
        Why are you cancelling?
        <textarea
          ref={field}
          rows={2}
          aria-required="true"
          aria-invalid={error !== '' && !reason.trim()}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </label>
      <div className="row">
        <SubmitButton busy={busy} busyText="Cancelling…" className="btn-danger">
          Cancel appointment
        </SubmitButton>
        <button type="button" className="btn" onClick={() => onDone(null)}>
          Keep it
        </button>
        <ErrorText error={error} />
      </div>
    </form>
  )
}
