// Booking: choose a department or specialty and a date, then a doctor with free times that day, then a
// time and, if wished, the reason. The booking carries an Idempotency-Key, kept while the same booking is
// retried after a lost answer, so a retry never books twice. When the time was taken meanwhile (409), the
// server's message is shown and the free times are loaded again.
import { useEffect, useMemo, useState, type FormEvent } from 'react'
import { ApiError, api, hhmm, messageOf, must, today } from '../../api/client'
import { useIdempotencyKey } from '../../api/idempotency'
import { $api } from '../../api/query'
import type { Appointment, BookRequest, Department } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'
import { dayLabel } from './format'
import { SlotPicker, useSlots } from './SlotPicker'

interface Props {
  departments: Department[]
  onBooked: (a: Appointment) => void
}

export function BookPanel({ departments, onBooked }: Props) {
  const [department, setDepartment] = useState('')
  const [specialty, setSpecialty] = useState('')
  const [date, setDate] = useState(() => today())
  const [doctorID, setDoctorID] = useState('')
  const [start, setStart] = useState('')
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null)
  // The Idempotency-Key of the booking being tried: a retry of the same booking reuses it.
  const idem = useIdempotencyKey()
  const slots = useSlots(doctorID, doctorID ? date : '')

  // Every specialty there is, to choose from (with its department, to narrow the list). The doctors'
  // list is the one the portal names doctors from (one read, cached); when it fails, the search below
  // says what is wrong.
  const everyDoctor = $api.useQuery('get', '/api/doctors', undefined, { staleTime: 5 * 60_000 })
  const specialties = useMemo(() => {
    const seen = new Map<string, string>()
    for (const d of everyDoctor.data?.items ?? []) {
      if (d.specialty && !seen.has(d.specialty)) seen.set(d.specialty, d.department)
    }
    const list = [...seen].map(([name, dept]) => ({ name, department: dept }))
    return list.sort((a, b) => a.name.localeCompare(b.name))
  }, [everyDoctor.data])

  // The doctors with free times, whenever the choice changes; Find doctors reads them again.
  const query: { date: string; department?: string; specialty?: string } = { date }
  if (department) query.department = department
  if (specialty) query.specialty = specialty
  const search = $api.useQuery('get', '/api/doctors', { params: { query } }, { enabled: Boolean(date), staleTime: 0 })
  const searching = search.isFetching
  const searchError = search.error ? `Could not find doctors: ${messageOf(search.error)}` : ''
  const doctors = useMemo(() => search.data?.items.filter((d) => (d.free_slots ?? 0) > 0) ?? null, [search.data])
  useEffect(() => {
    if (!doctors) return
    setDoctorID((id) => (doctors.some((d) => d.id === id) ? id : doctors.length === 1 ? (doctors[0]?.id ?? '') : ''))
  }, [doctors])
  const findAgain = () => void search.refetch()
  const doctor = doctors?.find((d) => d.id === doctorID)

  useEffect(() => setStart(''), [doctorID, date])

  const shownSpecialties = specialties.filter((s) => !department || s.department === department)

  const book = async (e: FormEvent) => {
    e.preventDefault()
    if (!doctorID || !start) {
      setResult({ tone: 'error', text: 'Choose a doctor and a time first.' })
      return
    }
    const body: BookRequest = { doctor_id: doctorID, start }
    if (reason.trim()) body.reason = reason.trim()
    const key = idem.keyFor(body)
    setBusy(true)
    setResult(null)
    try {
      const a = await must(api.POST('/api/appointments', { params: { header: { 'Idempotency-Key': key } }, body }))
      idem.done()
      onBooked(a)
      setResult({
        tone: 'ok',
        text: `Booked: ${dayLabel(a.start)} at ${hhmm(a.start)} with ${a.doctor_name ?? doctor?.name ?? 'the doctor'}.`,
      })
      setStart('')
      setReason('')
      slots.refresh()
      findAgain()
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0
      // An answer is final for its key; only a booking whose answer was lost (or failed) is retried with it.
      if (status > 0 && status < 500) idem.done()
      setResult({ tone: 'error', text: messageOf(err) })
      if (status === 409) {
        setStart('')
        slots.refresh()
      }
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="panel pt-book" aria-labelledby="pt-book-title">
      <h2 id="pt-book-title">Book an appointment</h2>
      <form
        className="pt-filters"
        onSubmit={(e) => {
          e.preventDefault()
          findAgain()
        }}
      >
        <label>
          Department
          <select
            value={department}
            onChange={(e) => {
              setDepartment(e.target.value)
              setSpecialty('')
            }}
          >
            <option value="">Any department</option>
            {departments.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Specialty
          <select value={specialty} onChange={(e) => setSpecialty(e.target.value)}>
            <option value="">Any specialty</option>
            {shownSpecialties.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Date
          <input type="date" value={date} min={today()} required onChange={(e) => setDate(e.target.value)} />
        </label>
        <SubmitButton busy={searching} busyText="Searching…" className="">
          Find doctors
        </SubmitButton>
      </form>
      <ErrorText error={searchError} block />

      <form className="stack pt-book-form" onSubmit={(e) => void book(e)} aria-label="Choose a doctor and time">
        <fieldset className="pt-doctors" aria-busy={searching}>
          <legend>Doctors with free times on {date ? dayLabel(`${date}T12:00:00`) : '…'}</legend>
          {doctors && doctors.length === 0 && !searching && (
            <p className="muted">Nobody has a free time that day. Try another date or department.</p>
          )}
          {doctors?.map((d) => (
            <label key={d.id} className={`pt-doctor${doctorID === d.id ? ' pt-doctor-on' : ''}`}>
              <input
                type="radio"
                name="pt-doctor"
                value={d.id}
                checked={doctorID === d.id}
                onChange={() => setDoctorID(d.id)}
              />
              <span className="pt-doctor-text">
                <span className="pt-doctor-name">{d.name}</span>
                <span className="muted">
                  {d.specialty || 'General'} · {departments.find((x) => x.id === d.department)?.name ?? d.department}
                </span>
              </span>
              <span className="pt-doctor-free">
                {d.free_slots} free{d.next_free && `, from ${hhmm(d.next_free)}`}
              </span>
            </label>
          ))}
        </fieldset>

        {doctorID && (
          <SlotPicker
            name="pt-book-slot"
            legend={`Free times with ${doctor?.name ?? 'the doctor'}`}
            state={slots}
            value={start}
            onChange={setStart}
          />
        )}

        <label>
          Reason for the visit (optional)
          <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <div className="row">
          <SubmitButton busy={busy} busyText="Booking…">
            {start ? `Book ${hhmm(start)}` : 'Book'}
          </SubmitButton>
          <span
            className={result?.tone === 'error' ? 'error-text' : 'ok-text'}
            role="status"
            aria-live="polite"
            data-testid="book-result"
          >
            {result?.text}
          </span>
        </div>
      </form>
    </section>
  )
}
