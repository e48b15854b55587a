// Form pieces of the patient register and the bed board: a labelled field with its hint and the server's
// complaint about it, the reading of a 400 — which field it names, in people's words — and a typed
// value once the typing has paused (to search as someone types).
import type { ComponentProps } from 'react'
import { messageOf } from '../../api/client'
import { Field as SharedField } from '../../components/fields'
import './fields.css'

export { useSettled } from '../../components/fields'

/** The shared labelled field, laid out for the register's and the bed board's forms. */
export function Field(props: ComponentProps<typeof SharedField>) {
  return <SharedField {...props} className={`sd-field${props.className ? ` ${props.className}` : ''}`} />
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
