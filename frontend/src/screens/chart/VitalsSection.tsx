// Vitals of the visit's encounter: a form with each measurement's normal adult range beside it, saying
// at once when a value is outside it (POST /api/encounters/{id}/vitals; the server refuses only values
// that cannot be real, and says which), and the readings recorded so far, out-of-range values marked.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatTime, formatDate } from '../../api/time'
import { ErrorText, SubmitButton } from '../../components/forms'
import { numberOf, outOfRange, vitalFields, type Vitals, type VitalKey } from './model'
import type { VisitEncounter } from './useVisitEncounter'

type Typed = Partial<Record<VitalKey, string>>

const field = (k: VitalKey) => vitalFields.find((f) => f.key === k)!

/** The columns of the readings table: blood pressure as one "systolic/diastolic" column. */
const columns = [
  { title: 'Pulse', unit: 'bpm', fields: [field('pulse_bpm')] },
  { title: 'BP', unit: 'mmHg', fields: [field('systolic_mmhg'), field('diastolic_mmhg')] },
  { title: 'Temp.', unit: '°C', fields: [field('temperature_c')] },
  { title: 'SpO₂', unit: '%', fields: [field('spo2_percent')] },
  { title: 'Resp.', unit: '/min', fields: [field('respiratory_rate')] },
  { title: 'Weight', unit: 'kg', fields: [field('weight_kg')] },
  { title: 'Height', unit: 'cm', fields: [field('height_cm')] },
]

export function VitalsSection({ visit }: { visit: VisitEncounter }) {
  const client = useQueryClient()
  const record = $api.useMutation('post', '/api/encounters/{id}/vitals')
  const [typed, setTyped] = useState<Typed>({})
  const [error, setError] = useState('')
  const [saved, setSaved] = useState('')
  const encounter = visit.encounter

  if (!encounter) {
    return <p className="muted ch-section">Open the encounter first (Encounter tab): vitals are recorded on it.</p>
  }

  const submit = (ev: FormEvent) => {
    ev.preventDefault()
    setError('')
    setSaved('')
    const body: Vitals = {}
    for (const f of vitalFields) {
      const v = numberOf(typed[f.key] ?? '')
      if (v !== undefined) body[f.key] = v
    }
    if (Object.keys(body).length === 0) {
      setError('Enter at least one measurement.')
      return
    }
    record.mutate(
      { params: { path: { id: encounter.id } }, body },
      {
        onSuccess: (r) => {
          setTyped({})
          setSaved(`Recorded at ${formatTime(r.recorded_at)}.`)
          void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/encounters') })
        },
        onError: (e) => setError(messageOf(e)),
      },
    )
  }

  const readings = [...encounter.vitals].reverse()
  return (
    <div className="ch-section">
      <form className="ch-vitals-form" onSubmit={submit} aria-label="Vitals">
        <div className="ch-vitals-grid">
          {vitalFields.map((f) => {
            const hint = outOfRange(f, numberOf(typed[f.key] ?? ''))
            const id = `ch-vital-${f.key}`
            return (
              <div key={f.key} className={hint ? 'ch-vital ch-vital-out' : 'ch-vital'}>
                <label htmlFor={id}>{f.label}</label>
                <input
                  id={id}
                  type="number"
                  inputMode="decimal"
                  step="any"
                  value={typed[f.key] ?? ''}
                  aria-describedby={`${id}-hint`}
                  onChange={(e) => setTyped((t) => ({ ...t, [f.key]: e.target.value }))}
                />
                <span id={`${id}-hint`} className={hint ? 'ch-hint ch-hint-out' : 'ch-hint'}>
                  {f.unit}
                  {f.normal ? ` · normal ${f.normal[0]}–${f.normal[1]}` : ''}
                  {hint && ` · ${hint}`}
                </span>
              </div>
            )
          })}
        </div>
        <div className="row">
          <SubmitButton busy={record.isPending} busyText="Recording…">
            Record vitals
          </SubmitButton>
          <ErrorText error={error} />
          {saved && (
            <span className="ok-text" role="status">
              {saved}
            </span>
          )}
        </div>
      </form>
      {readings.length === 0 ? (
        <p className="muted">No vitals recorded in this encounter yet.</p>
      ) : (
        <div className="ch-scroll">
          <table className="table ch-table" aria-label="Vitals recorded">
            <thead>
              <tr>
                <th scope="col">When</th>
                {columns.map((c) => (
                  <th scope="col" key={c.title}>
                    {c.title} <span className="ch-unit">{c.unit}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {readings.map((r) => (
                <tr key={r.id}>
                  <td className="ch-when">
                    {formatDate(r.recorded_at, 'auto')}, {formatTime(r.recorded_at)}
                  </td>
                  {columns.map((c) => (
                    <td key={c.title}>
                      {c.fields.map((f, i) => {
                        const v = r.vitals[f.key]
                        const hint = outOfRange(f, v)
                        return (
                          <span key={f.key} className={hint ? 'ch-out' : undefined} title={hint || undefined}>
                            {i > 0 && '/'}
                            {v === undefined ? '–' : v}
                            {hint && <span className="sr-only"> ({hint})</span>}
                          </span>
                        )
                      })}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
