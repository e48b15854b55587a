// Form pieces of the patient register and the bed board: a labelled field with its hint and the server's
// complaint about it, the reading of a 400 — which field it names, in people's words — and a typed
// value once the typing has paused (to search as someone types).
import { useEffect, useId, useState, type ReactNode } from 'react'
import { messageOf } from '../../api/client'
import './fields.css'

/** The ids a control needs to be labelled and described. */
export interface FieldIDs {
  id: string
  describedBy: string | undefined
  invalid: boolean
}

/** A label above its control, an optional hint and an error below it. */
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
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
  return (
    <div className={`sd-field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: !!error })}
      {hint && (
        <span id={`${id}-hint`} className="sd-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="error-text">
          {error}
        </span>
      )}
    </div>
  )
}

/** A failure in words: the field it is about (one of the keys of `words`, or '') and the message. */
export interface Problem {
  field: string
  message: string
}

/**
 * Reads an error: the server's 400 names the field it refuses by its wire name ("date_of_birth must be
 * in the past"); the field is the wire name the message mentions first, and every wire name in the
 * message is replaced by the words of `words` ("Date of birth must be in the past").
 */
export function problemOf(e: unknown, words: Record<string, string>): Problem {
  const raw = messageOf(e)
  // Longest names first, so "emergency_contacts.phone" wins over "phone"; one pass, so words put in are
  // never replaced again.
  const keys = Object.keys(words)
    .sort((a, b) => b.length - a.length)
    .map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  let field = ''
  const message = keys.length
    ? raw.replace(new RegExp(`(?<![\\w.])(${keys.join('|')})(?!\\w)`, 'g'), (k) => {
        field ||= k
        return words[k] ?? k
      })
    : raw
  return { field, message: message.charAt(0).toUpperCase() + message.slice(1) }
}

/** The value, once it has not changed for ms. */
export function useSettled(value: string, ms: number): string {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(t)
  }, [value, ms])
  return settled
}
