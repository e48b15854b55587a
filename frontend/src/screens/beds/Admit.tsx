// Admit a patient to a free bed (POST /api/admissions): the patient found by name or MRN, why they are
// admitted, where from, and the attending doctor. Admitting needs clinical access to the patient; where
// the reader has no care relationship the server says so and the dialog offers to break the glass (a
// stated reason, audited, admins alerted) and admit.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { ApiError, messageOf } from '../../api/client'
import { $api } from '../../api/query'
import { formatDate } from '../../api/time'
import type { PatientSummary } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'
import { Field, problemOf, useSettled } from '../patients/fields'
import { boardChanged } from './invalidate'
import type { Bed, Ward } from './types'

type Source = 'emergency' | 'planned'
const sourceWords: Record<Source, string> = { emergency: 'Emergency', planned: 'Planned admission' }
const admitWords: Record<string, string> = { reason: 'reason', doctor_id: 'attending doctor', patient_id: 'patient' }

export function AdmitDialog({ ward, bed, onClose }: { ward: Ward; bed: Bed; onClose: () => void }) {
  const [find, setFind] = useState('')
  const [patient, setPatient] = useState<PatientSummary | null>(null)
  const [reason, setReason] = useState('')
  const [source, setSource] = useState<Source>('emergency')
  const [doctor, setDoctor] = useState('')
  const [errors, setErrors] = useState<{ patient?: string; reason?: string; doctor?: string }>({})
  const [error, setError] = useState('')
  const [glass, setGlass] = useState(false)
  const [why, setWhy] = useState('')
  const client = useQueryClient()

  const q = useSettled(find.trim(), 300)
  const found = $api.useQuery('get', '/api/patients', { params: { query: { q, limit: 8 } } }, { enabled: q.length >= 2 })
  const doctors = $api.useQuery('get', '/api/doctors')
  const admit = $api.useMutation('post', '/api/admissions')
  const grant = $api.useMutation('post', '/api/patients/{id}/access')

  const send = (p: PatientSummary) =>
    admit.mutate(
      { body: { patient_id: p.id, ward_id: ward.id, bed_id: bed.id, doctor_id: doctor, source, reason: reason.trim() } },
      {
        onSuccess: () => {
          boardChanged(client)
          onClose()
        },
        onError: (e) => {
          if (e instanceof ApiError && e.code === 'break_glass_required') {
            setGlass(true)
            return
          }
          const pr = problemOf(e, admitWords)
          if (pr.field === 'reason') setErrors({ reason: pr.message })
          else if (pr.field === 'doctor_id') setErrors({ doctor: pr.message })
          else setError(pr.message)
        },
      },
    )

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const missing = {
      ...(!patient && { patient: 'Choose the patient.' }),
      ...(!reason.trim() && { reason: 'Say why the patient is admitted.' }),
      ...(!doctor && { doctor: 'Choose the attending doctor.' }),
    }
    setErrors(missing)
    setError('')
    if (!patient || Object.keys(missing).length > 0) return
    if (glass) {
      if (why.trim().length < 10) {
        setError('Say why you need this patient’s record (at least 10 characters).')
        return
      }
      grant.mutate(
        { params: { path: { id: patient.id } }, body: { reason: why.trim() } },
        { onSuccess: () => send(patient), onError: (err) => setError(messageOf(err)) },
      )
      return
    }
    send(patient)
  }

  const results = q.length >= 2 ? (found.data?.items ?? []) : []
  return (
    <ModalDialog isOpen onClose={onClose} title={`Admit to ${ward.name}, bed ${bed.label}`}>
      <form className="stack" onSubmit={submit} noValidate aria-label={`Admit to bed ${bed.label}`}>
        <Field label="Patient (name or MRN)" error={errors.patient} hint={patient ? `Chosen: ${patient.name} (${patient.mrn})` : undefined}>
          {(ids) => (
            <input
              id={ids.id}
              aria-describedby={ids.describedBy}
              aria-invalid={ids.invalid || undefined}
              value={find}
              onChange={(e) => setFind(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        {q.length >= 2 && found.data && results.length === 0 && <p className="muted">No patient matches “{q}”.</p>}
        {results.length > 0 && (
          <fieldset className="beds-choices">
            <legend>Which patient?</legend>
            {results.map((p) => (
              <label key={p.id} className="check">
                <input
                  type="radio"
                  name="patient"
                  checked={patient?.id === p.id}
                  onChange={() => {
                    setPatient(p)
                    setGlass(false)
                  }}
                />
                <span>
                  {p.name} <span className="muted">{p.mrn}</span>
                  {p.date_of_birth && <span className="muted"> · born {formatDate(p.date_of_birth)}</span>}
                </span>
              </label>
            ))}
          </fieldset>
        )}
        <Field label="Reason for admission" error={errors.reason}>
          {(ids) => (
            <textarea
              id={ids.id}
              aria-describedby={ids.describedBy}
              aria-invalid={ids.invalid || undefined}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              rows={2}
            />
          )}
        </Field>
        <div className="beds-two">
          <Field label="Admitted from">
            {(ids) => (
              <select id={ids.id} value={source} onChange={(e) => setSource(e.target.value as Source)}>
                {(Object.keys(sourceWords) as Source[]).map((s) => (
                  <option key={s} value={s}>
                    {sourceWords[s]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Attending doctor" error={errors.doctor || (doctors.error ? messageOf(doctors.error) : '')}>
            {(ids) => (
              <select
                id={ids.id}
                aria-describedby={ids.describedBy}
                aria-invalid={ids.invalid || undefined}
                value={doctor}
                onChange={(e) => setDoctor(e.target.value)}
              >
                <option value="">{doctors.isPending ? 'Loading the doctors…' : 'Choose…'}</option>
                {doctors.data?.items.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                    {d.specialty ? ` — ${d.specialty}` : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {glass && patient && (
          <div className="pts-glass stack" role="alert">
            <p>
              <strong>You have no care relationship with {patient.name}.</strong> You may still admit them if you state
              why: you get the record for 60 minutes, the access is audited and the administrators are told at once.
            </p>
            <Field label="Why you need the record">
              {(ids) => <textarea id={ids.id} value={why} onChange={(e) => setWhy(e.target.value)} rows={2} />}
            </Field>
          </div>
        )}
        <div className="row">
          <SubmitButton busy={admit.isPending || grant.isPending} busyText="Admitting…" className={glass ? 'btn-danger' : 'btn-primary'}>
            {glass ? 'Break the glass and admit' : 'Admit'}
          </SubmitButton>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
        <ErrorText error={error} block />
      </form>
    </ModalDialog>
  )
}
