// Form pieces shared by the reception forms: a labelled field with its hint and error, a text field, the department
// and triage selects, the patient finder, and the free-slot picker.
import { useEffect, useId, useState, type ReactNode, type Ref } from 'react'
import { api, hhmm, must } from '../../api/client'
import type { Department, PatientSummary, Slot } from '../../api/types'
import { esiLevels } from './format'
import { useResource } from './hooks'

/**
 * Moves the focus to the first field marked invalid, once the form has rendered its complaints, so a
 * keyboard user lands where the fix is.
 */
export function focusFirstInvalid(form: Element): void {
  setTimeout(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus())
}

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

/**
 * A one-line text field with its label, hint and error: a name, a reason, a complaint. Text beyond the
 * limit is kept and said to be too long (never cut silently); the server refuses it with a 400 too.
 */
export function TextField({
  label,
  value,
  onChange,
  limit,
  hint,
  error,
  className,
  inputRef,
}: {
  label: string
  value: string
  onChange: (v: string) => void
  limit: number
  hint?: ReactNode
  error?: string
  className?: string
  inputRef?: Ref<HTMLInputElement>
}) {
  const length = [...value].length
  const tooLong = length > limit ? `${label} is ${length} characters long; at most ${limit} fit.` : ''
  return (
    <Field label={label} hint={hint} error={error || tooLong} className={className}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          ref={inputRef}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete="off"
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
        />
      )}
    </Field>
  )
}

export function DepartmentSelect({
  label = 'Department',
  departments,
  value,
  onChange,
  error,
  anyLabel,
  selectRef,
}: {
  label?: string
  departments: Department[] | undefined
  value: string
  onChange: (id: string) => void
  error?: string
  /** When given, an empty choice with this text ("Any department"); else "Choose…" that must be changed. */
  anyLabel?: string
  selectRef?: Ref<HTMLSelectElement>
}) {
  return (
    <Field label={label} error={error}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          ref={selectRef}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          disabled={!departments}
        >
          <option value="">{departments ? (anyLabel ?? 'Choose…') : 'Loading…'}</option>
          {departments?.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  )
}

export function TriageSelect({
  value,
  onChange,
  error,
  placeholder,
}: {
  value: string
  onChange: (level: string) => void
  error?: string
  /** When given, an empty first choice with this text that must be changed. */
  placeholder?: string
}) {
  return (
    <Field label="Triage (ESI)" error={error}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
        >
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {esiLevels.map((l) => (
            <option key={l.level} value={String(l.level)}>
              {l.level} — {l.meaning}
            </option>
          ))}
        </select>
      )}
    </Field>
  )
}

/** Waits until value has stopped changing for ms, then returns it. */
function useSettled<T>(value: T, ms: number): T {
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
}: {
  value: string
  onChange: (id: string) => void
  error?: string
  inputRef?: Ref<HTMLInputElement>
}) {
  const [text, setText] = useState('')
  const [chosen, setChosen] = useState<PatientSummary | null>(null)
  const listID = useId()
  const query = useSettled(text.trim(), 250)
  const searching = value === '' && query.length >= 2
  const found = useResource(searching ? query : null, () =>
    must(api.GET('/api/patients', { params: { query: { q: query, limit: 8 } } })),
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
  }
  let hint: ReactNode = 'Name, MRN or patient ID'
  if (chosen && value === chosen.id) hint = <span className="ok-text">{describe(chosen)}</span>
  else if (searching && found.loading) hint = 'Searching…'
  else if (searching && found.error) hint = <span className="error-text">{found.error}</span>
  else if (searching && found.data?.items.length === 0) hint = 'No patient matches'
  const matches = value === '' && searching ? (found.data?.items ?? []) : []
  return (
    <Field label="Patient" hint={hint} error={error}>
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
                    <strong>{p.name}</strong> <span className="muted">{describe(p, false)}</span>
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
function describe(p: PatientSummary, withName = true): string {
  const parts = [withName ? p.name : '', p.mrn ? `MRN ${p.mrn}` : '', p.date_of_birth ? `born ${p.date_of_birth}` : '']
  if (p.unidentified) parts.push('unidentified')
  return parts.filter(Boolean).join(' · ')
}

/**
 * The free slots of a day as a radio group: one tab stop, arrow keys move between slots, Enter submits
 * the form it is in.
 */
export function SlotPicker({
  legend,
  slots,
  loading,
  error,
  value,
  onChange,
  invalid,
}: {
  legend: string
  slots: Slot[] | undefined
  loading: boolean
  error: string
  value: string
  onChange: (start: string) => void
  invalid?: string
}) {
  const name = useId()
  return (
    <fieldset className="rc-slots" aria-busy={loading || undefined}>
      <legend>{legend}</legend>
      {error && <p className="error-text">Could not load the slots: {error}</p>}
      {!slots ? (
        loading && <p className="muted">Loading slots…</p>
      ) : slots.length === 0 ? (
        <p className="muted">No free slots that day.</p>
      ) : (
        <div className="rc-chips">
          {slots.map((s) => (
            <label key={s.start} className="rc-chip">
              <input
                type="radio"
                name={name}
                value={s.start}
                checked={value === s.start}
                onChange={() => onChange(s.start)}
                aria-invalid={invalid ? true : undefined}
              />
              <span>{hhmm(s.start)}</span>
            </label>
          ))}
        </div>
      )}
      {invalid && <p className="error-text">{invalid}</p>}
    </fieldset>
  )
}
