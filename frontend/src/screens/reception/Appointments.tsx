// The appointments of a day (today by default), to move or cancel: Reschedule opens the doctor's free
// slots under the row (PATCH /api/appointments/{id}); Cancel asks for the reason the server requires
// (POST /api/appointments/{id}/cancel). Only one editor is open at a time; Escape closes it.
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import { ApiError, api, hhmm, messageOf, must, today } from '../../api/client'
import { $api } from '../../api/query'
import type { Appointment, AppointmentStatus, Department, Doctor } from '../../api/types'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { DayTable, Pager, useDay } from './DayTable'
import { Field, SlotPicker, TextField } from './fields'
import { dayText, statuses, statusWords, whenText } from './format'
import { resourceOf, useDraft } from './hooks'

type Open = { id: string; kind: 'reschedule' | 'cancel' } | null

export function Appointments({
  departments,
  doctors,
}: {
  departments: Department[] | undefined
  doctors: Doctor[] | undefined
}) {
  const [date, setDate] = useDraft('appts.date', today())
  const [status, setStatus] = useDraft<AppointmentStatus | ''>('appts.status', '')
  const [page, setPage] = useState(1)
  const [open, setOpen] = useState<Open>(null)
  const [done, setDone] = useState('')
  const day = useDay(date, status, page)
  const openers = useRef(new Map<string, HTMLButtonElement | null>())
  // After a cancel or a move the editor (and its focused button) is gone: the message takes the focus.
  const doneRef = useRef<HTMLParagraphElement>(null)
  useEffect(() => {
    if (done) doneRef.current?.focus()
  }, [done])

  const close = () => {
    const back = open && openers.current.get(`${open.kind}:${open.id}`)
    setOpen(null)
    back?.focus()
  }
  const finished = (message: string) => {
    setOpen(null)
    setDone(message)
    day.reload()
  }
  const opener = (kind: 'reschedule' | 'cancel', a: Appointment, text: string, className: string) => (
    <button
      type="button"
      className={`btn btn-small ${className}`}
      ref={(el) => {
        openers.current.set(`${kind}:${a.id}`, el)
      }}
      aria-expanded={open?.id === a.id && open.kind === kind}
      aria-describedby={`rc-ap-${a.id}`}
      onClick={() => {
        setDone('')
        setOpen(open?.id === a.id && open.kind === kind ? null : { id: a.id, kind })
      }}
    >
      {text}
    </button>
  )

  return (
    <div className="rc-stack">
      <div className="rc-filters">
        <Field label="Day">
          {({ id }) => (
            <input
              id={id}
              type="date"
              value={date}
              onChange={(e) => {
                setDate(e.target.value)
                setPage(1)
                setOpen(null)
              }}
            />
          )}
        </Field>
        <Field label="Status">
          {({ id }) => (
            <select
              id={id}
              value={status}
              onChange={(e) => {
                setStatus(e.target.value as AppointmentStatus | '')
                setPage(1)
                setOpen(null)
              }}
            >
              <option value="">All</option>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {statusWords[s].text}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="button" className="btn" onClick={day.reload} disabled={day.loading}>
          {day.loading ? 'Loading…' : 'Refresh'}
        </button>
      </div>
      <div className="rc-live" role="status">
        {done && (
          <p className="ok-text rc-done-line" data-testid="appointments-done" ref={doneRef} tabIndex={-1}>
            {done}
          </p>
        )}
      </div>
      <LoadError error={day.error}>
        Could not load the appointments
      </LoadError>
      {!day.data ? (
        day.loading && <p className="muted">Loading appointments…</p>
      ) : day.data.items.length === 0 ? (
        <p className="muted">No appointments {date ? dayText(date) : ''}.</p>
      ) : (
        <DayTable
          caption={`Appointments ${dayText(date)}`}
          idPrefix="rc-ap"
          rows={day.data.items}
          departments={departments}
          showStatus
          actions={(a) => (
            <>
              {a.status === 'scheduled' && opener('reschedule', a, 'Reschedule', '')}
              {(a.status === 'scheduled' || a.status === 'checked-in') && opener('cancel', a, 'Cancel', 'rc-btn-warn')}
            </>
          )}
          below={(a) => {
            if (open?.id !== a.id) return null
            return open.kind === 'cancel' ? (
              <CancelEditor a={a} onDone={finished} onClose={close} />
            ) : (
              <RescheduleEditor a={a} doctors={doctors} onDone={finished} onClose={close} />
            )
          }}
        />
      )}
      {day.data && (
        <Pager page={page} total={day.data.total} busy={day.loading} go={setPage} label="Appointment pages" />
      )}
    </div>
  )
}

/** Escape closes an editor from anywhere inside it. */
function escapeTo(onClose: () => void) {
  return (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation()
      onClose()
    }
  }
}

function CancelEditor({
  a,
  onDone,
  onClose,
}: {
  a: Appointment
  onDone: (message: string) => void
  onClose: () => void
}) {
  const [reason, setReason] = useDraft(`cancel.${a.id}`, '')
  const [problem, setProblem] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => input.current?.focus(), [])

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    if (!reason.trim()) {
      setProblem('Give the reason for cancelling.')
      input.current?.focus()
      return
    }
    setProblem('')
    setBusy(true)
    setError('')
    try {
      await must(
        api.POST('/api/appointments/{id}/cancel', { params: { path: { id: a.id } }, body: { reason: reason.trim() } }),
      )
      onDone(`Cancelled the appointment of ${a.patient_name ?? 'the patient'} at ${whenText(a.start)}.`)
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="rc-editor"
      onSubmit={(e) => void submit(e)}
      onKeyDown={escapeTo(onClose)}
      noValidate
      aria-label={`Cancel the appointment of ${a.patient_name ?? 'the patient'}`}
    >
      <TextField
        label="Reason for cancelling"
        value={reason}
        onChange={setReason}
        limit={500}
        inputRef={input}
        error={problem}
        className="rc-grow"
      />
      <div className="row">
        <SubmitButton busy={busy} busyText="Cancelling…" className="btn-danger">
          Cancel appointment
        </SubmitButton>
        <button type="button" className="btn" onClick={onClose}>
          Keep it
        </button>
        <ErrorText error={error} />
      </div>
    </form>
  )
}

function RescheduleEditor({
  a,
  doctors,
  onDone,
  onClose,
}: {
  a: Appointment
  doctors: Doctor[] | undefined
  onDone: (message: string) => void
  onClose: () => void
}) {
  const booked = today(new Date(a.start))
  const [date, setDate] = useState(booked < today() ? today() : booked)
  const [doctorID, setDoctorID] = useState(a.doctor_id ?? '')
  const [slot, setSlot] = useState('')
  const [problem, setProblem] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const first = useRef<HTMLInputElement>(null)
  useEffect(() => first.current?.focus(), [])

  // Another doctor of the same department may take the appointment over.
  const choices = (doctors ?? []).filter((d) => d.department === a.department || d.id === a.doctor_id)
  // Read again when bookings change anywhere (the screen's live events).
  const slots = resourceOf(
    $api.useQuery(
      'get',
      '/api/doctors/{id}/slots',
      { params: { path: { id: doctorID }, query: { date } } },
      { enabled: Boolean(doctorID && date) },
    ),
    Boolean(doctorID && date),
  )

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    if (!slots.data?.slots.some((s) => s.start === slot)) {
      setProblem('Choose a free slot.')
      return
    }
    setProblem('')
    setBusy(true)
    setError('')
    try {
      const moved = await must(
        api.PATCH('/api/appointments/{id}', {
          params: { path: { id: a.id } },
          body: { start: slot, ...(doctorID && doctorID !== a.doctor_id ? { doctor_id: doctorID } : {}) },
        }),
      )
      const who = moved.patient_name ?? 'the appointment'
      onDone(`Moved ${who} to ${whenText(moved.start)} with ${moved.doctor_name ?? 'the doctor'}.`)
    } catch (err) {
      setError(messageOf(err))
      if (err instanceof ApiError && err.status === 409) {
        // The slot was taken, or the appointment moved on meanwhile: show what is free now.
        setSlot('')
        slots.reload()
      }
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="rc-stack"
      onSubmit={(e) => void submit(e)}
      onKeyDown={escapeTo(onClose)}
      noValidate
      aria-label={`Reschedule the appointment of ${a.patient_name ?? 'the patient'}`}
    >
      <p className="rc-note">
        Now: <strong>{whenText(a.start)}</strong> with {a.doctor_name ?? 'no doctor'}.
      </p>
      <div className="rc-form-grid">
        <Field label="New day">
          {({ id }) => (
            <input
              id={id}
              ref={first}
              type="date"
              value={date}
              min={today()}
              onChange={(e) => {
                setDate(e.target.value)
                setSlot('')
              }}
            />
          )}
        </Field>
        <Field label="Doctor">
          {({ id }) => (
            <select
              id={id}
              value={doctorID}
              onChange={(e) => {
                setDoctorID(e.target.value)
                setSlot('')
              }}
            >
              {!doctorID && <option value="">Choose…</option>}
              {choices.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                  {d.specialty ? ` — ${d.specialty}` : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <SlotPicker
        legend={`Free slots ${date ? dayText(date) : ''}`}
        slots={slots.data?.slots}
        loading={slots.loading}
        error={slots.error}
        value={slot}
        onChange={setSlot}
        invalid={problem}
      />
      <div className="row">
        <SubmitButton busy={busy} busyText="Moving…">
          Move appointment
        </SubmitButton>
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
        {slot && <span className="muted">New time {hhmm(slot)}</span>}
        <ErrorText error={error} />
      </div>
    </form>
  )
}
