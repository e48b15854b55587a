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
                <label htmlFor={id}>
                  {f.label} ({f.unit})
                </label>
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
                  {f.normal ? `normal ${f.normal[0]}–${f.normal[1]}` : 'no normal range'}
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
                {vitalFields.map((f) => (
                  <th scope="col" key={f.key}>
                    {f.label}
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
                  {vitalFields.map((f) => {
                    const v = r.vitals[f.key]
                    const hint = outOfRange(f, v)
                    return (
                      <td key={f.key} className={hint ? 'ch-out' : undefined} title={hint || undefined}>
                        {v === undefined ? '–' : `${v} ${f.unit}`}
                        {hint && <span className="sr-only"> ({hint})</span>}
                      </td>
                    )
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
