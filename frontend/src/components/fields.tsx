// Form pieces shared by the screens' forms: a labelled field with its hint and error, and the patient
// finder (reception's check-in and booking, the billing desk).
import { useEffect, useId, useState, type ReactNode, type Ref } from 'react'
import { messageOf } from '../api/client'
import { $api } from '../api/query'
import type { PatientSummary } from '../api/types'
import './fields.css'

/** The ids a control needs to be labelled and described. */
export interface FieldIDs {
  id: string
  /** For aria-describedby: the hint and the error, when shown. */
  describedBy: string | undefined
  invalid: boolean
}

/**
 * A label above its control, with an optional hint and an error below it. The label points at the
 * control by id (a label wrapping a select would read the options into its name).
 */
export function Field({
  label,
  hint,
  error,
  className,
  children,
}: {
  label: string
  hint?: ReactNode
  error?: string
  className?: string
  children: (ids: FieldIDs) => ReactNode
}) {
  const id = useId()
  const hintID = `${id}-hint`
  const errorID = `${id}-error`
  const describedBy = [hint ? hintID : '', error ? errorID : ''].filter(Boolean).join(' ') || undefined
  return (
    <div className={`rc-field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: !!error })}
      {hint && (
        <span id={hintID} className="rc-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={errorID} className="error-text">
          {error}
        </span>
      )}
    </div>
  )
}

/** Waits until value has stopped changing for ms, then returns it. */
export function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(t)
  }, [value, ms])
  return settled
}

/**
 * The patient finder: type a name (any word's beginning, accents and case ignored), an MRN or a
 * patient ID, and pick the person from the matches. It searches the register (GET /api/patients,
 * demographics only), so the desk sees whom it is about to check in or book before sending. value is
 * the chosen patient's id, or '' while none is chosen.
 */
export function PatientField({
  value,
  onChange,
  error,
  inputRef,
  onPick,
  label = 'Patient',
}: {
  value: string
  onChange: (id: string) => void
  error?: string
  inputRef?: Ref<HTMLInputElement>
  /** Told the whole summary of the patient picked (the name, MRN, date of birth), not only the id. */
  onPick?: (p: PatientSummary) => void
  label?: string
}) {
  const [text, setText] = useState('')
  const [chosen, setChosen] = useState<PatientSummary | null>(null)
  const listID = useId()
  const query = useSettled(text.trim(), 250)
  const searching = value === '' && query.length >= 2
  const found = $api.useQuery(
    'get',
    '/api/patients',
    { params: { query: { q: query, limit: 8 } } },
    { enabled: searching, retry: false },
  )
  // A form reset (value back to '' while a choice is shown) forgets the choice and clears the text.
  if (value === '' && chosen) {
    setChosen(null)
    setText('')
  }
  const pick = (p: PatientSummary) => {
    setChosen(p)
    setText(p.name)
    onChange(p.id)
    onPick?.(p)
  }
  let hint: ReactNode = 'Name, MRN or patient ID'
  if (chosen && value === chosen.id) hint = <span className="ok-text">{describePatient(chosen)}</span>
  else if (searching && found.isFetching) hint = 'Searching…'
  else if (searching && found.error) hint = <span className="error-text">{messageOf(found.error)}</span>
  else if (searching && found.data?.items.length === 0) hint = 'No patient matches'
  const matches = value === '' && searching ? (found.data?.items ?? []) : []
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id: fid, describedBy, invalid }) => (
        <>
          <input
            id={fid}
            ref={inputRef}
            value={text}
            onChange={(e) => {
              setText(e.target.value)
              setChosen(null)
              if (value !== '') onChange('')
            }}
            onKeyDown={(e) => {
              const first = matches[0]
              if (e.key === 'Enter' && value === '' && first && matches.length === 1) {
                e.preventDefault()
                pick(first)
              }
            }}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            aria-controls={matches.length > 0 ? listID : undefined}
          />
          {matches.length > 0 && (
            <ul id={listID} className="rc-matches" aria-label="Matching patients">
              {matches.map((p) => (
                <li key={p.id}>
                  <button type="button" className="rc-match" onClick={() => pick(p)}>
                    <strong>{p.name}</strong> <span className="muted">{describePatient(p, false)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Field>
  )
}

/** "Ann Lee · MRN H12345674 · born 1980-04-02", for telling namesakes apart. */
export function describePatient(p: PatientSummary, withName = true): string {
  const parts = [withName ? p.name : '', p.mrn ? `MRN ${p.mrn}` : '', p.date_of_birth ? `born ${p.date_of_birth}` : '']
  if (p.unidentified) parts.push('unidentified')
  return parts.filter(Boolean).join(' · ')
}
