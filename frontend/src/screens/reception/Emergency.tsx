// Emergency admission (POST /api/queue/emergency): a patient admitted now with minimal data; without a
// name the server records an unidentified patient. ESI 1–2 go to the front of the queue and raise an
// emergency alert, so the level must be chosen on purpose rather than left at a default.
import { useRef, useState, type FormEvent } from 'react'
import { api, messageOf, must } from '../../api/client'
import { useIdempotencyKey } from '../../api/idempotency'
import type { Appointment, Department, EmergencyRequest } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'
import { DepartmentSelect, focusFirstInvalid, TextField, TriageSelect } from './fields'
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
  const idem = useIdempotencyKey()
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
      // A retry of the same request after a lost answer reuses the key: the server gives the first
      // ticket back instead of a second one.
      setResult(
        await must(api.POST('/api/queue/emergency', { params: { header: { 'Idempotency-Key': idem.keyFor(body) } }, body })),
      )
      idem.done()
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
          <TextField
            label="Name (optional)"
            value={form.name}
            onChange={(name) => set({ name })}
            limit={200}
            hint="For example “Unknown, male, ~40”"
          />
          <TextField
            label="Complaint (optional)"
            value={form.complaint}
            onChange={(complaint) => set({ complaint })}
            limit={500}
          />
        </div>
        <div className="row">
          <SubmitButton busy={busy} busyText="Admitting…" className="btn-danger rc-submit">
            Admit now
          </SubmitButton>
          <ErrorText error={error} />
        </div>
      </form>
    </div>
  )
}
