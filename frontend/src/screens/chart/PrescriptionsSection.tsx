// Prescribing: pick a medication from the catalogue (GET /api/medications, searched as one types), write
// dose, frequency, duration and quantity, and send it (POST /api/patients/{id}/prescriptions). When it
// matches one of the patient's allergies the server refuses with 409; the warning is shown in words and
// the doctor may prescribe anyway with a reason (override_allergy + override_reason). Below, the patient's
// prescriptions, each of which can be cancelled with a reason.
import { keepPreviousData, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { ComboBox, Input, Label, ListBox, ListBoxItem, Popover } from 'react-aria-components'
import { ApiError, messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatDate } from '../../api/time'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { numberOf, type Medication, type Prescription } from './model'

interface Props {
  patientId: string
  encounterId?: string
}

export function PrescriptionsSection({ patientId, encounterId }: Props) {
  const list = $api.useQuery('get', '/api/patients/{id}/prescriptions', {
    params: { path: { id: patientId }, query: { limit: 50 } },
  })
  return (
    <div className="ch-section">
      <PrescribeForm patientId={patientId} encounterId={encounterId} />
      <h3>Prescriptions</h3>
      <LoadError error={list.error ? messageOf(list.error) : ''} retry={() => void list.refetch()}>
        Could not load the prescriptions
      </LoadError>
      {list.data &&
        (list.data.items.length === 0 ? (
          <p className="muted">No prescriptions yet.</p>
        ) : (
          <ul className="ch-cards">
            {list.data.items.map((p) => (
              <PrescriptionItem key={p.id} rx={p} />
            ))}
          </ul>
        ))}
    </div>
  )
}

/** "the patient is allergic to penicillin; …" → "penicillin"; the server's sentence otherwise. */
function allergyOf(message: string): string {
  return /allergic to (.+?);/.exec(message)?.[1] ?? ''
}

function PrescribeForm({ patientId, encounterId }: Props) {
  const client = useQueryClient()
  // The words in the field, and the words the catalogue is searched for (not changed by picking one).
  const [search, setSearch] = useState('')
  const [q, setQ] = useState('')
  const [med, setMed] = useState<Medication | null>(null)
  const [dose, setDose] = useState('')
  const [frequency, setFrequency] = useState('')
  const [days, setDays] = useState('')
  const [quantity, setQuantity] = useState('')
  const [refills, setRefills] = useState('0')
  const [instructions, setInstructions] = useState('')
  const [allergy, setAllergy] = useState('')
  const [override, setOverride] = useState(false)
  const [overrideReason, setOverrideReason] = useState('')
  const [error, setError] = useState('')
  const [saved, setSaved] = useState('')
  const meds = $api.useQuery(
    'get',
    '/api/medications',
    { params: { query: { q: q || undefined, limit: 20 } } },
    { placeholderData: keepPreviousData },
  )
  const prescribe = $api.useMutation('post', '/api/patients/{id}/prescriptions')

  const choose = (m: Medication | null) => {
    setMed(m)
    if (m) setSearch(label(m))
    setAllergy('')
    setOverride(false)
    if (m && !dose) setDose(m.strength)
  }

  const submit = (ev: FormEvent) => {
    ev.preventDefault()
    setError('')
    setSaved('')
    if (!med) {
      setError('Choose a medication from the list.')
      return
    }
    prescribe.mutate(
      {
        params: { path: { id: patientId } },
        body: {
          medication_id: med.id,
          dose,
          frequency,
          duration_days: numberOf(days) ?? 0,
          quantity: numberOf(quantity) ?? 0,
          refills: numberOf(refills) ?? 0,
          instructions: instructions || undefined,
          encounter_id: encounterId,
          ...(allergy && override ? { override_allergy: true, override_reason: overrideReason } : {}),
        },
      },
      {
        onSuccess: (rx) => {
          setSaved(`Prescribed ${rx.medication_name}.`)
          setMed(null)
          setSearch('')
          setQ('')
          setDose('')
          setFrequency('')
          setDays('')
          setQuantity('')
          setRefills('0')
          setInstructions('')
          setAllergy('')
          setOverride(false)
          setOverrideReason('')
          void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/prescriptions') })
        },
        onError: (e) => {
          const a = e instanceof ApiError && e.status === 409 ? allergyOf(e.message) : ''
          if (a) setAllergy(a)
          else setError(messageOf(e))
        },
      },
    )
  }

  return (
    <form className="ch-form" onSubmit={submit} aria-label="Prescribe">
      <div className="ch-fields">
        <ComboBox
          className="ch-combo"
          items={meds.data?.items ?? []}
          inputValue={search}
          onInputChange={(v) => {
            setSearch(v)
            if (med && v === label(med)) return
            setQ(v)
            if (med) choose(null)
          }}
          selectedKey={med?.id ?? null}
          onSelectionChange={(k) => choose(meds.data?.items.find((m) => m.id === k) ?? null)}
          menuTrigger="focus"
        >
          <Label>Medication</Label>
          <Input placeholder="Type a name or code" />
          <Popover className="ch-popover">
            <ListBox<Medication>
              className="ch-options"
              renderEmptyState={() => <div className="muted">No medication matches.</div>}
            >
              {(m) => (
                <ListBoxItem id={m.id} textValue={label(m)} className="ch-option">
                  {label(m)} <span className="muted">({m.form})</span>
                </ListBoxItem>
              )}
            </ListBox>
          </Popover>
        </ComboBox>
        <label>
          Dose
          <input value={dose} onChange={(e) => setDose(e.target.value)} placeholder="500 mg" />
        </label>
        <label>
          How often
          <input value={frequency} onChange={(e) => setFrequency(e.target.value)} placeholder="TID, every 8 hours" />
        </label>
        <label className="ch-narrow">
          Days
          <input type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} />
        </label>
        <label className="ch-narrow">
          Quantity
          <input type="number" min={1} value={quantity} onChange={(e) => setQuantity(e.target.value)} />
        </label>
        <label className="ch-narrow">
          Refills
          <input type="number" min={0} value={refills} onChange={(e) => setRefills(e.target.value)} />
        </label>
      </div>
      <label>
        Instructions for the patient
        <input value={instructions} onChange={(e) => setInstructions(e.target.value)} placeholder="Take with food" />
      </label>
      {allergy && (
        <div className="ch-warning" role="alert" data-testid="allergy-warning">
          <span>
            <strong>Allergy warning:</strong> the patient is allergic to {allergy}, which{' '}
            {med ? label(med) : 'this medication'} matches.
          </span>
          <label className="check">
            <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} />
            Prescribe anyway
          </label>
          {override && (
            <label>
              Why it is safe to prescribe
              <input value={overrideReason} onChange={(e) => setOverrideReason(e.target.value)} />
            </label>
          )}
        </div>
      )}
      <div className="row">
        <SubmitButton busy={prescribe.isPending} busyText="Prescribing…">
          {allergy && override ? 'Prescribe despite the allergy' : 'Prescribe'}
        </SubmitButton>
        <ErrorText error={error} />
        {saved && (
          <span className="ok-text" role="status">
            {saved}
          </span>
        )}
      </div>
    </form>
  )
}

function label(m: Medication): string {
  return `${m.name} ${m.strength}`.trim()
}

function PrescriptionItem({ rx }: { rx: Prescription }) {
  const client = useQueryClient()
  const cancel = $api.useMutation('post', '/api/prescriptions/{id}/cancel')
  const [asking, setAsking] = useState(false)
  const [reason, setReason] = useState('')
  const [error, setError] = useState('')

  const submit = (ev: FormEvent) => {
    ev.preventDefault()
    setError('')
    cancel.mutate(
      { params: { path: { id: rx.id } }, body: { reason: reason || undefined } },
      {
        onSuccess: () => {
          setAsking(false)
          void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/prescriptions') })
        },
        onError: (e) => setError(messageOf(e)),
      },
    )
  }

  const filled = rx.fills.filter((f) => f.status === 'dispensed').length
  return (
    <li className={rx.status === 'cancelled' ? 'ch-card ch-card-off' : 'ch-card'} data-testid={`rx-${rx.id}`}>
      <div className="row">
        <strong>{rx.medication_name}</strong>
        <span>
          {rx.dose}, {rx.frequency}, {rx.duration_days} {rx.duration_days === 1 ? 'day' : 'days'}
        </span>
        <span className="spacer" />
        {rx.status === 'cancelled' ? (
          <span className="tag ch-off">Cancelled</span>
        ) : (
          <span className="tag tag-ok">Active</span>
        )}
      </div>
      <div className="muted">
        Written {formatDate(rx.created_at, 'auto')} · {rx.quantity} per fill · dispensed {filled} of {1 + rx.refills}
        {rx.instructions && ` · ${rx.instructions}`}
      </div>
      {rx.allergy_warnings.length > 0 && (
        <div className="ch-warn-line">
          Prescribed despite an allergy to {rx.allergy_warnings.join(', ')}
          {rx.override_reason && `: ${rx.override_reason}`}
        </div>
      )}
      {rx.status === 'cancelled' && rx.cancel_reason && <div className="muted">Cancelled: {rx.cancel_reason}</div>}
      {rx.status === 'active' &&
        (asking ? (
          <form className="row" onSubmit={submit} aria-label={`Cancel ${rx.medication_name}`}>
            <label className="ch-inline">
              Why cancel (optional)
              <input value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
            <SubmitButton busy={cancel.isPending} busyText="Cancelling…" className="btn-danger">
              Cancel prescription
            </SubmitButton>
            <button type="button" className="btn" onClick={() => setAsking(false)}>
              Keep it
            </button>
            <ErrorText error={error} />
          </form>
        ) : (
          <button type="button" className="btn btn-small" onClick={() => setAsking(true)}>
            Cancel…
          </button>
        ))}
    </li>
  )
}
