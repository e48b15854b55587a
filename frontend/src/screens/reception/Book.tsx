// Booking: find doctors with a free slot by specialty, department and day (GET /api/doctors), pick one
// and a slot (GET /api/doctors/{id}/slots), find the patient (name, MRN or ID) and give a reason, book (POST
// /api/appointments with an Idempotency-Key, so a retried submission books once). When someone else
// took the slot meanwhile the server answers 409: its message is shown and the slots are read again.
import { useState, type FormEvent } from 'react'
import { ApiError, api, hhmm, messageOf, must, today } from '../../api/client'
import { $api } from '../../api/query'
import { useIdempotencyKey } from '../../api/idempotency'
import type { Appointment, BookRequest, Department, Doctor } from '../../api/types'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { DepartmentSelect, Field, focusFirstInvalid, PatientField, SlotPicker, TextField } from './fields'
import { cleanID, dayText, departmentName, isID, whenText } from './format'
import { resourceOf, useDraft } from './hooks'

interface Form {
  specialty: string
  department: string
  date: string
  doctorID: string
  slot: string
  patientID: string
  reason: string
}

type Problems = Partial<Record<'doctorID' | 'slot' | 'patientID', string>>

export function Book({
  departments,
  doctors,
}: {
  departments: Department[] | undefined
  doctors: Doctor[] | undefined
}) {
  const [form, setForm] = useDraft<Form>('book.form', {
    specialty: '',
    department: '',
    date: today(),
    doctorID: '',
    slot: '',
    patientID: '',
    reason: '',
  })
  const [result, setResult] = useDraft<Appointment | null>('book.result', null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [problems, setProblems] = useState<Problems>({})
  const idem = useIdempotencyKey()
  const set = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }))
    // A field's complaint goes once it is changed.
    setProblems((p) => Object.fromEntries(Object.entries(p).filter(([k]) => !(k in patch))))
  }

  const specialties = [...new Set((doctors ?? []).map((d) => d.specialty).filter(Boolean))].sort()
  const { specialty, department, date } = form
  // Both lists are read again when bookings change anywhere (the screen's live events).
  const found = resourceOf(
    $api.useQuery(
      'get',
      '/api/doctors',
      { params: { query: { specialty: specialty || undefined, department: department || undefined, date } } },
      { enabled: Boolean(date) },
    ),
    Boolean(date),
  )
  const doctor = found.data?.items.find((d) => d.id === form.doctorID)
  const slots = resourceOf(
    $api.useQuery(
      'get',
      '/api/doctors/{id}/slots',
      { params: { path: { id: form.doctorID }, query: { date } } },
      { enabled: Boolean(doctor) },
    ),
    Boolean(doctor),
  )
  const slot = slots.data?.slots.find((s) => s.start === form.slot)
  const patientID = cleanID(form.patientID)
  const body: BookRequest = {
    doctor_id: form.doctorID,
    start: form.slot,
    patient_id: patientID,
    ...(form.reason.trim() ? { reason: form.reason.trim() } : {}),
  }
  // A chosen slot that is no longer listed went while the form was filled (another desk, a patient
  // online) — or to this very form, when a booking went through but its answer was lost. Sending the
  // same form again then reuses the Idempotency-Key and gets that booking back rather than a second.
  const retrying = idem.pending(body)
  const gone =
    form.slot && slots.data && !slot
      ? retrying
        ? `${hhmm(form.slot)} is no longer listed, perhaps booked by the last try: ` +
          'press Book appointment again to check.'
        : `${hhmm(form.slot)} is no longer free: choose another slot.`
      : undefined

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    const p: Problems = {}
    if (!form.doctorID || (!doctor && !retrying)) p.doctorID = 'Choose a doctor.'
    else if (!form.slot || (!slot && !retrying)) p.slot = gone ?? 'Choose a free slot.'
    if (!isID(patientID)) p.patientID = 'Find the patient by name, MRN or ID and pick them from the matches.'
    setProblems(p)
    if (Object.keys(p).length > 0) {
      focusFirstInvalid(e.currentTarget)
      return
    }
    setBusy(true)
    setError('')
    setResult(null)
    try {
      const a = await must(
        api.POST('/api/appointments', { params: { header: { 'Idempotency-Key': idem.keyFor(body) } }, body }),
      )
      idem.done()
      setResult(a)
      set({ slot: '', patientID: '', reason: '' })
      slots.reload()
      found.reload()
    } catch (err) {
      const taken = err instanceof ApiError && err.status === 409
      setError(taken ? `${messageOf(err)} — the free slots are shown again.` : messageOf(err))
      if (taken) {
        // Taken meanwhile: show what is still free.
        set({ slot: '' })
        slots.reload()
        found.reload()
      }
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="rc-form rc-stack" onSubmit={(e) => void submit(e)} noValidate aria-label="Book an appointment">
      <div className="rc-form-grid">
        <Field label="Specialty">
          {({ id }) => (
            <select
              id={id}
              value={specialty}
              onChange={(e) => set({ specialty: e.target.value, doctorID: '', slot: '' })}
            >
              <option value="">Any specialty</option>
              {specialties.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <DepartmentSelect
          departments={departments}
          value={department}
          onChange={(d) => set({ department: d, doctorID: '', slot: '' })}
          anyLabel="Any department"
        />
        <Field label="Day">
          {({ id }) => (
            <input
              id={id}
              type="date"
              value={date}
              min={today()}
              onChange={(e) => set({ date: e.target.value, slot: '' })}
              required
            />
          )}
        </Field>
      </div>

      <div className="rc-book-pick">
        <fieldset className="rc-doctors" aria-busy={found.loading || undefined}>
          <legend>Doctors with a free slot {date ? dayText(date) : ''}</legend>
          <LoadError error={found.error} retry={found.reload}>
            Could not find doctors
          </LoadError>
          {!found.data ? (
            found.loading && <p className="muted">Looking for doctors…</p>
          ) : found.data.items.length === 0 ? (
            <p className="muted">No doctor has a free slot that day. Try another day or specialty.</p>
          ) : (
            <div className="rc-doctor-list">
              {found.data.items.map((d) => (
                <label key={d.id} className="rc-doctor">
                  <input
                    type="radio"
                    name="rc-book-doctor"
                    value={d.id}
                    checked={form.doctorID === d.id}
                    onChange={() => set({ doctorID: d.id, slot: '' })}
                    aria-invalid={problems.doctorID ? true : undefined}
                  />
                  <span className="rc-doctor-text">
                    <strong>{d.name}</strong>
                    <span className="muted">
                      {d.specialty || 'No specialty'} · {departmentName(departments, d.department)}
                    </span>
                    <span>
                      {d.free_slots ?? 0} free{d.next_free && ` · first ${hhmm(d.next_free)}`}
                    </span>
                  </span>
                </label>
              ))}
            </div>
          )}
          {problems.doctorID && <p className="error-text">{problems.doctorID}</p>}
        </fieldset>

        {doctor ? (
          <SlotPicker
            legend={`Free slots of ${doctor.name}`}
            slots={slots.data?.slots}
            loading={slots.loading}
            error={slots.error}
            value={form.slot}
            onChange={(s) => set({ slot: s })}
            invalid={problems.slot ?? gone}
          />
        ) : (
          <p className="muted rc-slots-hint">Choose a doctor to see the free slots.</p>
        )}
      </div>

      <div className="rc-form-grid">
        <PatientField value={form.patientID} onChange={(patientID) => set({ patientID })} error={problems.patientID} />
        <TextField
          label="Reason (optional)"
          value={form.reason}
          onChange={(reason) => set({ reason })}
          limit={500}
          className="rc-span-2"
        />
      </div>
      <div className="row">
        <SubmitButton busy={busy} busyText="Booking…" className="btn-primary rc-submit">
          Book appointment
        </SubmitButton>
        {doctor && slot && (
          <span className="muted">
            {doctor.name}, {hhmm(slot.start)} {dayText(date)}
          </span>
        )}
        <ErrorText error={error} />
      </div>
      <div className="rc-live" role="status">
        {result && (
          <p className="rc-done" data-testid="book-result">
            Booked <strong>{result.patient_name}</strong> with {result.doctor_name} at{' '}
            <strong>{whenText(result.start)}</strong>.
          </p>
        )}
      </div>
    </form>
  )
}
