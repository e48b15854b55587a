// Form pieces shared by the reception forms: a text field, the department and triage selects and the
// free-slot picker; the labelled field and the patient finder are the screens' shared ones
// (components/fields), re-exported here.
import { useId, type ReactNode, type Ref } from 'react'
import { hhmm } from '../../api/client'
import type { Department, Slot } from '../../api/types'
import { Field } from '../../components/fields'
import { esiLevels } from './format'

export { Field, PatientField, type FieldIDs } from '../../components/fields'

/**
 * Moves the focus to the first field marked invalid, once the form has rendered its complaints, so a
 * keyboard user lands where the fix is.
 */
export function focusFirstInvalid(form: Element): void {
  setTimeout(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus())
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
