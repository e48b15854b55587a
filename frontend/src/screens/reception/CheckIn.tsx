// Check-in (POST /api/queue/checkin), three ways: a patient booked for today arrived (pick the booking
// from today's list), a walk-in with a patient record (found by name, MRN or ID), or a walk-in new to the hospital
// (by name; the server makes the record). The ticket number it gives is shown large until the next one.
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { api, messageOf, must, today } from '../../api/client'
import { useIdempotencyKey } from '../../api/idempotency'
import type { Appointment, CheckInRequest, Department } from '../../api/types'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { DayTable, Pager, useDay } from './DayTable'
import { DepartmentSelect, Field, focusFirstInvalid, PatientField, TextField, TriageSelect } from './fields'
import { cleanID, defaultTriage, isID, ticketText } from './format'
import { useDraft } from './hooks'

type Mode = 'booked' | 'known' | 'new'

const modes: { mode: Mode; label: string }[] = [
  { mode: 'booked', label: 'Booked for today' },
  { mode: 'known', label: 'Walk-in, registered patient' },
  { mode: 'new', label: 'Walk-in, new patient' },
]

interface Form {
  department: string
  patientID: string
  name: string
  reason: string
  triage: string
}

const emptyForm: Form = { department: '', patientID: '', name: '', reason: '', triage: String(defaultTriage) }

type Problems = Partial<Record<'department' | 'patientID' | 'name', string>>

export function CheckIn({
  departments,
}: {
  departments: Department[] | undefined
}) {
  const [mode, setMode] = useDraft<Mode>('checkin.mode', 'booked')
  const [form, setForm] = useDraft<Form>('checkin.form', emptyForm)
  const [result, setResult] = useDraft<Appointment | null>('checkin.result', null)
  const [busy, setBusy] = useState(false)
  const idem = useIdempotencyKey()
  const [error, setError] = useState('')
  const [problems, setProblems] = useState<Problems>({})
  const first = useRef<HTMLInputElement>(null)
  const ticket = useRef<HTMLDivElement>(null)
  // After a check-in from the list the row (and its focused button) is gone: the ticket takes the focus,
  // which also scrolls it into view.
  const [focusTicket, setFocusTicket] = useState(false)
  useEffect(() => {
    if (!focusTicket) return
    ticket.current?.focus()
    setFocusTicket(false)
  }, [focusTicket])

  const set = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }))
    // A field's complaint goes once it is changed.
    setProblems((p) => Object.fromEntries(Object.entries(p).filter(([k]) => !(k in patch))))
  }

  /** Sends a check-in; true when it worked. The form is cleared by the caller. */
  const send = async (body: CheckInRequest): Promise<boolean> => {
    setBusy(true)
    setError('')
    try {
      // A retry of the same request after a lost answer reuses the key: the server gives the first
      // ticket back instead of a second one.
      setResult(
        await must(api.POST('/api/queue/checkin', { params: { header: { 'Idempotency-Key': idem.keyFor(body) } }, body })),
      )
      idem.done()
      return true
    } catch (e) {
      setError(messageOf(e))
      return false
    } finally {
      setBusy(false)
    }
  }

  const submitWalkIn = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    const p: Problems = {}
    if (!form.department) p.department = 'Choose the department.'
    const patientID = cleanID(form.patientID)
    if (mode === 'known' && !isID(patientID)) p.patientID = 'Find the patient by name, MRN or ID and pick them from the matches.'
    if (mode === 'new' && !form.name.trim()) p.name = 'Enter the patient’s name.'
    setProblems(p)
    if (Object.keys(p).length > 0) {
      focusFirstInvalid(e.currentTarget)
      return
    }
    const body: CheckInRequest = {
      department: form.department,
      triage: Number(form.triage),
      ...(mode === 'known' ? { patient_id: patientID } : { name: form.name.trim() }),
      ...(form.reason.trim() ? { reason: form.reason.trim() } : {}),
    }
    if (await send(body)) {
      setForm(emptyForm)
      first.current?.focus()
    }
  }

  return (
    <div className="rc-stack">
      <div className="rc-live" role="status">
        {result && (
          <div className="rc-ticket" data-testid="checkin-result" ref={ticket} tabIndex={-1}>
            <span className="rc-ticket-main">{ticketText(result, departments)}</span>
            <span className="rc-ticket-who">
              {result.patient_name}
              {result.ticket && ` · ESI ${result.ticket.triage}`}
              {result.ticket?.position !== undefined && ` · position ${result.ticket.position}`}
            </span>
          </div>
        )}
      </div>

      <fieldset className="rc-modes">
        <legend>Who is checking in</legend>
        {modes.map((m) => (
          <label key={m.mode} className="rc-mode">
            <input
              type="radio"
              name="rc-checkin-mode"
              value={m.mode}
              checked={mode === m.mode}
              onChange={() => {
                setMode(m.mode)
                setError('')
                setProblems({})
              }}
            />
            <span>{m.label}</span>
          </label>
        ))}
      </fieldset>

      {mode === 'booked' ? (
        <Booked
          departments={departments}
          triage={form.triage}
          setTriage={(triage) => set({ triage })}
          checkIn={async (a) => {
            if (await send({ appointment_id: a.id, triage: Number(form.triage) })) {
              set({ triage: emptyForm.triage })
              setFocusTicket(true)
            }
          }}
          busy={busy}
          error={error}
        />
      ) : (
        <form className="rc-form" onSubmit={(e) => void submitWalkIn(e)} noValidate aria-label="Walk-in check-in">
          <div className="rc-form-grid">
            {mode === 'known' ? (
              <PatientField
                value={form.patientID}
                onChange={(patientID) => set({ patientID })}
                error={problems.patientID}
                inputRef={first}
              />
            ) : (
              <TextField
                label="Patient name"
                value={form.name}
                onChange={(name) => set({ name })}
                limit={200}
                inputRef={first}
                error={problems.name}
              />
            )}
            <DepartmentSelect
              departments={departments}
              value={form.department}
              onChange={(department) => set({ department })}
              error={problems.department}
            />
            <TriageSelect value={form.triage} onChange={(triage) => set({ triage })} />
            <TextField
              label="Reason (optional)"
              value={form.reason}
              onChange={(reason) => set({ reason })}
              limit={500}
            />
          </div>
          <div className="row">
            <SubmitButton busy={busy} busyText="Checking in…" className="btn-primary rc-submit">
              Check in
            </SubmitButton>
            <ErrorText error={error} />
          </div>
        </form>
      )}
    </div>
  )
}

/** Today's bookings not yet checked in, each with its Check in button. */
function Booked({
  departments,
  triage,
  setTriage,
  checkIn,
  busy,
  error,
}: {
  departments: Department[] | undefined
  triage: string
  setTriage: (t: string) => void
  checkIn: (a: Appointment) => Promise<void>
  busy: boolean
  error: string
}) {
  const [page, setPage] = useState(1)
  const [filter, setFilter] = useDraft('checkin.filter', '')
  const [tried, setTried] = useState('')
  const day = useDay(today(), 'scheduled', page)
  const f = filter.trim().toLowerCase()
  const rows = (day.data?.items ?? []).filter(
    (a) => !f || [a.patient_name, a.doctor_name, a.reason].some((s) => s?.toLowerCase().includes(f)),
  )

  return (
    <div className="rc-stack">
      <div className="rc-filters">
        <Field label="Find in today’s bookings" hint="Patient, doctor or reason">
          {({ id, describedBy }) => (
            <input
              id={id}
              type="search"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              autoComplete="off"
              aria-describedby={describedBy}
            />
          )}
        </Field>
        <TriageSelect value={triage} onChange={setTriage} />
      </div>
      <LoadError error={day.error} retry={day.reload}>
        Could not load today’s bookings
      </LoadError>
      {!day.data ? (
        day.loading && <p className="muted">Loading today’s bookings…</p>
      ) : rows.length === 0 ? (
        <p className="muted">{f ? 'No booking matches.' : 'No bookings left to check in today.'}</p>
      ) : (
        <DayTable
          caption="Today’s bookings not yet checked in"
          idPrefix="rc-ci"
          rows={rows}
          departments={departments}
          showStatus={false}
          actions={(a) => (
            <button
              type="button"
              className="btn btn-primary btn-small"
              disabled={busy}
              aria-describedby={`rc-ci-${a.id}`}
              onClick={() => {
                setTried(a.id)
                void checkIn(a).then(day.reload)
              }}
            >
              {busy && tried === a.id ? 'Checking in…' : 'Check in'}
            </button>
          )}
          below={(a) =>
            error && tried === a.id && !busy ? (
              <span className="error-text" role="alert">
                {error}
              </span>
            ) : null
          }
        />
      )}
      {day.data && (
        <Pager page={page} total={day.data.total} busy={day.loading} go={setPage} label="Bookings pages" />
      )}
    </div>
  )
}
