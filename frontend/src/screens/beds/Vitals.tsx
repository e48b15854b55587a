// A nurse's round: record vitals for an admitted patient (POST /api/encounters/{id}/vitals). A reading
// belongs to an encounter; the stay's encounter is the newest one opened since the admission
// (GET /api/patients/{id}/encounters), and where there is none yet one is opened for the stay first
// (POST /api/patients/{id}/encounters, which staff may do with a reason only). Each field shows the
// adult normal range; the server refuses a value outside the plausible range, named in words here.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { $api, keyOf } from '../../api/query'
import { formatDateTime, formatTime } from '../../api/time'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'
import { messageOf } from '../../api/client'
import { can } from '../../roles'
import { Field, problemOf } from '../patients/fields'
import type { Admission, Encounter, Vitals } from './types'

type Key = keyof Vitals

interface Measure {
  key: Key
  label: string
  unit: string
  normal: string
  /** Whole numbers only. */
  whole: boolean
}

const measures: Measure[] = [
  { key: 'temperature_c', label: 'Temperature', unit: '°C', normal: '36.1–37.2', whole: false },
  { key: 'pulse_bpm', label: 'Pulse', unit: 'beats/min', normal: '60–100', whole: true },
  { key: 'systolic_mmhg', label: 'Blood pressure, systolic', unit: 'mmHg', normal: '90–120', whole: true },
  { key: 'diastolic_mmhg', label: 'Blood pressure, diastolic', unit: 'mmHg', normal: '60–80', whole: true },
  { key: 'respiratory_rate', label: 'Breathing rate', unit: 'breaths/min', normal: '12–20', whole: true },
  { key: 'spo2_percent', label: 'Oxygen saturation', unit: '%', normal: '95–100', whole: true },
  { key: 'weight_kg', label: 'Weight', unit: 'kg', normal: '', whole: false },
  { key: 'height_cm', label: 'Height', unit: 'cm', normal: '', whole: false },
]

/** The server's field names in words (lower case), for its 400s. */
const vitalWords: Record<string, string> = {
  temperature_c: 'temperature',
  pulse_bpm: 'pulse',
  systolic_mmhg: 'systolic pressure',
  diastolic_mmhg: 'diastolic pressure',
  respiratory_rate: 'breathing rate',
  spo2_percent: 'oxygen saturation',
  weight_kg: 'weight',
  height_cm: 'height',
}

/** The stay's encounter: the newest opened since the admission. */
function stayEncounter(items: Encounter[] | undefined, admittedAt: string): Encounter | undefined {
  const since = new Date(admittedAt).getTime()
  return items?.find((e) => new Date(e.created_at).getTime() >= since)
}

/** A reading in words: "37.1 °C · pulse 72 · 120/80 mmHg". */
function reading(v: Vitals): string {
  const parts: string[] = []
  if (v.temperature_c !== undefined) parts.push(`${v.temperature_c} °C`)
  if (v.pulse_bpm !== undefined) parts.push(`pulse ${v.pulse_bpm}`)
  if (v.systolic_mmhg !== undefined) parts.push(`${v.systolic_mmhg}/${v.diastolic_mmhg} mmHg`)
  if (v.respiratory_rate !== undefined) parts.push(`breathing ${v.respiratory_rate}/min`)
  if (v.spo2_percent !== undefined) parts.push(`SpO₂ ${v.spo2_percent} %`)
  if (v.weight_kg !== undefined) parts.push(`${v.weight_kg} kg`)
  if (v.height_cm !== undefined) parts.push(`${v.height_cm} cm`)
  return parts.join(' · ')
}

export function VitalsDialog({ admission, wardName, onClose }: { admission: Admission; wardName: string; onClose: () => void }) {
  const [values, setValues] = useState<Partial<Record<Key, string>>>({})
  const [errors, setErrors] = useState<Partial<Record<Key, string>>>({})
  const [error, setError] = useState('')
  const [saved, setSaved] = useState('')
  // The encounter opened here for the stay, before the list is read again.
  const [opened, setOpened] = useState('')
  const client = useQueryClient()
  const encounters = $api.useQuery('get', '/api/patients/{id}/encounters', {
    params: { path: { id: admission.patient_id }, query: { limit: 20 } },
  })
  const open = $api.useMutation('post', '/api/patients/{id}/encounters')
  const record = $api.useMutation('post', '/api/encounters/{id}/vitals')
  const encounter = stayEncounter(encounters.data?.items, admission.admitted_at)
  const last = encounter?.vitals.at(-1)
  const who = admission.patient_name ?? 'the patient'
  // With no encounter for the stay yet, recording opens one: that needs chart.encounter_open.
  const cannotOpen = encounters.isSuccess && !encounter && !opened && !can('chart.encounter_open')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError('')
    setSaved('')
    const body: Vitals = {}
    const wrong: Partial<Record<Key, string>> = {}
    for (const m of measures) {
      const raw = values[m.key]?.trim().replace(',', '.')
      if (!raw) continue
      const n = Number(raw)
      if (!Number.isFinite(n) || (m.whole && !Number.isInteger(n))) wrong[m.key] = m.whole ? 'Type a whole number.' : 'Type a number.'
      else body[m.key] = n
    }
    setErrors(wrong)
    if (Object.keys(wrong).length > 0) return
    if (Object.keys(body).length === 0) {
      setError('Fill in at least one measurement.')
      return
    }
    try {
      const id =
        encounter?.id ||
        opened ||
        (
          await open.mutateAsync({
            params: { path: { id: admission.patient_id } },
            body: { reason: `Inpatient stay: ${wardName}, bed ${admission.bed_label}` },
          })
        ).id
      setOpened(id)
      const r = await record.mutateAsync({ params: { path: { id } }, body })
      void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/encounters') })
      setValues({})
      setSaved(`Recorded at ${formatTime(r.recorded_at)}.`)
    } catch (err) {
      const pr = problemOf(err, vitalWords)
      const key = pr.field as Key
      if (pr.field && measures.some((m) => m.key === key)) setErrors({ [key]: pr.message })
      else setError(pr.message)
    }
  }

  return (
    <ModalDialog isOpen onClose={onClose} title={`Vitals for ${who}`}>
      <p className="muted">
        {wardName}, bed {admission.bed_label}
        {last && ` · last reading ${formatDateTime(last.recorded_at, 'auto')}: ${reading(last.vitals)}`}
      </p>
      <LoadError error={encounters.error ? messageOf(encounters.error) : ''} retry={() => void encounters.refetch()}>
        Could not read the patient’s encounters
      </LoadError>
      {cannotOpen && (
        <p className="error-text" role="note" data-testid="vitals-no-encounter">
          This stay has no encounter yet, and your role is not granted opening one (chart.encounter_open). Ask a
          colleague who may open encounters, or an administrator.
        </p>
      )}
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate aria-label={`Vitals for ${who}`}>
        <div className="beds-vitals">
          {measures.map((m) => (
            <Field key={m.key} label={`${m.label} (${m.unit})`} hint={m.normal ? `Normal ${m.normal}` : undefined} error={errors[m.key]}>
              {(ids) => (
                <input
                  id={ids.id}
                  inputMode={m.whole ? 'numeric' : 'decimal'}
                  aria-describedby={ids.describedBy}
                  aria-invalid={ids.invalid || undefined}
                  value={values[m.key] ?? ''}
                  onChange={(e) => setValues({ ...values, [m.key]: e.target.value })}
                  autoComplete="off"
                />
              )}
            </Field>
          ))}
        </div>
        <div className="row">
          <SubmitButton busy={open.isPending || record.isPending} busyText="Recording…" disabled={cannotOpen}>
            Record vitals
          </SubmitButton>
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
          {saved && (
            <span className="ok-text" role="status">
              {saved}
            </span>
          )}
        </div>
        <ErrorText error={error} block />
      </form>
    </ModalDialog>
  )
}
