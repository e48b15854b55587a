// Emergency admission (POST /api/queue/emergency): a patient admitted now with minimal data; without a
// name the server records an unidentified patient. ESI 1–2 go to the front of the queue and raise an
// emergency alert, so the level must be chosen on purpose rather than left at a default.
import { useRef, useState, type FormEvent } from 'react'
import { api, messageOf, must } from '../../api/client'
import type { Appointment, Department, EmergencyRequest } from '../../api/types'
import { DepartmentSelect, Field, focusFirstInvalid, TriageSelect } from './fields'
import { ticketText } from './format'
import { useDraft } from './hooks'

interface Form {
  department: string
  triage: string
  name: string
  complaint: string
}

const emptyForm: Form = { department: '', triage: '', name: '', complaint: '' }

export function Emergency({ departments }: { departments: Department[] | undefined }) {
  const [form, setForm] = useDraft<Form>('emergency.form', emptyForm)
  const [result, setResult] = useDraft<Appointment | null>('emergency.result', null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [problems, setProblems] = useState<{ department?: string; triage?: string }>({})
  const first = useRef<HTMLSelectElement>(null)
  const set = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }))
    // A field's complaint goes once it is changed.
    setProblems((p) => Object.fromEntries(Object.entries(p).filter(([k]) => !(k in patch))))
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    const p = {
      ...(form.department ? {} : { department: 'Choose the department.' }),
      ...(form.triage ? {} : { triage: 'Choose the ESI level.' }),
    }
    setProblems(p)
    if (Object.keys(p).length > 0) {
      focusFirstInvalid(e.currentTarget)
      return
    }
    const body: EmergencyRequest = {
      department: form.department,
      triage: Number(form.triage),
      ...(form.name.trim() ? { name: form.name.trim() } : {}),
      ...(form.complaint.trim() ? { complaint: form.complaint.trim() } : {}),
    }
    setBusy(true)
    setError('')
    try {
      setResult(await must(api.POST('/api/queue/emergency', { body })))
      setForm(emptyForm)
      first.current?.focus()
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="rc-stack">
      <div className="rc-live" role="status">
        {result && (
          <div className="rc-ticket rc-ticket-urgent" data-testid="emergency-result">
            <span className="rc-ticket-main">{ticketText(result, departments)}</span>
            <span className="rc-ticket-who">
              {result.patient_name}
              {result.ticket && ` · ESI ${result.ticket.triage}`}
              {result.ticket && result.ticket.triage <= 2 && ' · emergency alert raised'}
            </span>
          </div>
        )}
      </div>
      <form className="rc-form" onSubmit={(e) => void submit(e)} noValidate aria-label="Emergency admission">
        <p className="muted rc-note">
          Admits the patient now, at the front of the queue for ESI 1–2 (which also alerts all staff). No
          patient record is needed.
        </p>
        <div className="rc-form-grid">
          <DepartmentSelect
            departments={departments}
            value={form.department}
            onChange={(department) => set({ department })}
            error={problems.department}
            selectRef={first}
          />
          <TriageSelect
            value={form.triage}
            onChange={(triage) => set({ triage })}
            error={problems.triage}
            placeholder="Choose…"
          />
          <Field label="Name (optional)" hint="For example “Unknown, male, ~40”">
            {({ id, describedBy }) => (
              <input
                id={id}
                value={form.name}
                onChange={(e) => set({ name: e.target.value })}
                maxLength={200}
                autoComplete="off"
                aria-describedby={describedBy}
              />
            )}
          </Field>
          <Field label="Complaint (optional)">
            {({ id }) => (
              <input
                id={id}
                value={form.complaint}
                onChange={(e) => set({ complaint: e.target.value })}
                maxLength={500}
                autoComplete="off"
              />
            )}
          </Field>
        </div>
        <div className="row">
          <button type="submit" className="btn btn-danger rc-submit" disabled={busy}>
            {busy ? 'Admitting…' : 'Admit now'}
          </button>
          {error && (
            <span className="error-text" role="alert">
              {error}
            </span>
          )}
        </div>
      </form>
    </div>
  )
}
