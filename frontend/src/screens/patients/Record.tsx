// One record: read as the access rule allows (GET /api/patient/{id}); without a care relationship the
// server answers break_glass_required and the person may state a reason, break the glass (a 60-minute
// grant, audited, admins alerted) and read it. Demographics are edited here, and an unidentified
// emergency record is merged into the patient's real record. A message may be sent to the patient, and
// an admin may erase the patient's personal data (both offered before the record is open: an admin reads
// it only by breaking the glass).
import { useState, type FormEvent } from 'react'
import { ApiError, messageOf } from '../../api/client'
import { $api } from '../../api/query'
import { formatDate } from '../../api/time'
import type { PatientSummary } from '../../api/types'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { sexWords, type Patient } from './demographics'
import { EditDemographics } from './EditDemographics'
import { ErasePatient, erasureWords } from './Erase'
import { MergeUnidentified } from './Merge'
import { can } from '../../roles'
import { SendMessage } from './SendMessage'

export function PatientRecord({ summary, onOpen }: { summary: PatientSummary; onOpen: (p: PatientSummary) => void }) {
  const record = $api.useQuery('get', '/api/patient/{id}', { params: { path: { id: summary.id } } }, { retry: false })
  const [editing, setEditing] = useState(false)
  const [erased, setErased] = useState('')
  const [pseudonym, setPseudonym] = useState('')
  const glass = record.error instanceof ApiError && record.error.code === 'break_glass_required'
  const p = record.data
  const who = { id: summary.id, name: p?.name ?? summary.name, mrn: p?.mrn ?? summary.mrn }

  return (
    <section className="panel pts-record" aria-labelledby="pts-record-h" data-testid="patient-record">
      <div className="pts-record-head">
        <h2 id="pts-record-h">
          {pseudonym || who.name} <span className="muted rc-mono">{p?.mrn ?? summary.mrn}</span>
          {p?.unidentified && <span className="tag tag-warn pts-tag">unidentified</span>}
          {p?.merged_into && <span className="tag pts-tag">merged</span>}
        </h2>
        {p && !p.merged_into && !editing && can('patient.register') && (
          <button type="button" className="btn btn-small" onClick={() => setEditing(true)}>
            Edit details
          </button>
        )}
      </div>
      {erased ? (
        <p className="ok-text" role="status">
          {erased}
        </p>
      ) : (
        !p?.merged_into && (
          <div className="row pts-actions">
            {can('notify.send') && <SendMessage patient={who} />}
            {can('patient.erase') && (
              <ErasePatient
                patient={who}
                onErased={(r) => {
                  setPseudonym(r.pseudonym)
                  setErased(erasureWords(r))
                }}
              />
            )}
          </div>
        )
      )}
      {record.isPending && <p className="muted">Opening the record…</p>}
      {record.error && !glass && (
        <LoadError error={messageOf(record.error)} retry={() => void record.refetch()}>
          Could not open the record
        </LoadError>
      )}
      {glass &&
        (can('patient.break_glass') ? (
          <BreakGlass id={summary.id} onOpened={() => void record.refetch()} />
        ) : (
          <p role="alert" data-testid="no-break-glass">
            <strong>You have no care relationship with this patient,</strong> and your role is not granted breaking the glass
            (patient.break_glass). Ask a colleague in the patient’s care, or an administrator.
          </p>
        ))}
      {p && editing && <EditDemographics patient={p} onDone={() => setEditing(false)} />}
      {p && !editing && <RecordDetails p={p} />}
      {p && !editing && p.unidentified && !p.merged_into && can('patient.merge') && <MergeUnidentified patient={p} onMerged={onOpen} />}
    </section>
  )
}

function BreakGlass({ id, onOpened }: { id: string; onOpened: () => void }) {
  const [reason, setReason] = useState('')
  const [problem, setProblem] = useState('')
  const grant = $api.useMutation('post', '/api/patients/{id}/access')

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const r = reason.trim()
    if (r.length < 10) {
      setProblem('Say why you need this record (at least 10 characters).')
      return
    }
    setProblem('')
    grant.mutate({ params: { path: { id } }, body: { reason: r } }, { onSuccess: onOpened, onError: (err) => setProblem(messageOf(err)) })
  }

  return (
    <form className="stack pts-glass" onSubmit={submit} aria-label="Break the glass" noValidate>
      <p role="alert">
        <strong>You have no care relationship with this patient.</strong> You may still open the record for 60 minutes
        if you state why. Your reason is kept, the access is audited and the administrators are told at once.
      </p>
      <label className="pts-field">
        Reason
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={3} aria-invalid={problem ? true : undefined} />
      </label>
      <div className="row">
        <SubmitButton busy={grant.isPending} busyText="Opening…" className="btn-danger">
          Break the glass and open
        </SubmitButton>
        <ErrorText error={problem} />
      </div>
    </form>
  )
}

function RecordDetails({ p }: { p: Patient }) {
  const list = (items: string[] | undefined) => (items && items.length > 0 ? items.join(', ') : 'none recorded')
  const c = p.emergency_contacts ?? []
  return (
    <dl className="pts-details">
      <dt>Born</dt>
      <dd>{p.date_of_birth ? formatDate(p.date_of_birth) : '—'}</dd>
      <dt>Sex</dt>
      <dd>{p.sex ? sexWords[p.sex] : '—'}</dd>
      <dt>Phone</dt>
      <dd>{p.phone ?? '—'}</dd>
      <dt>Address</dt>
      <dd>{p.address || '—'}</dd>
      <dt>Emergency contact</dt>
      <dd data-testid="contacts">
        {c.length === 0
          ? 'none recorded'
          : c.map((x) => `${x.name}${x.relation ? ` (${x.relation})` : ''}, ${x.phone}`).join('; ')}
      </dd>
      <dt>Allergies</dt>
      <dd data-testid="allergies">{list(p.allergies)}</dd>
      <dt>Conditions</dt>
      <dd>{list(p.conditions)}</dd>
      <dt>Medical history</dt>
      <dd className="pts-history" data-testid="history">
        {p.medical_history || 'none recorded'} <span className="muted">(revision {p.revision})</span>
      </dd>
      {p.merged_into && (
        <>
          <dt>Merged</dt>
          <dd>This record was merged into another; search the register for the patient’s record.</dd>
        </>
      )}
    </dl>
  )
}
