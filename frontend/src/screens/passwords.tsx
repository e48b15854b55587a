// What the sign-up and reset forms share: the password rules the server applies (checked here first so
// that the person hears at once), and an error under a field.
import './account.css'

/** Why a new password would be refused, or '' (the server checks again, with its common-password list). */
export function passwordProblem(password: string, email = ''): string {
  const n = [...password].length
  if (n < 8) return 'At least 8 characters.'
  if (n > 128) return 'At most 128 characters.'
  if (email && password.toLowerCase() === email.trim().toLowerCase()) return 'Must not be your email address.'
  return ''
}

/** A field's problem, under it; nothing when there is none. */
export function FieldError({ id, text }: { id: string; text?: string }) {
  if (!text) return null
  return (
    <span id={id} className="field-error" role="alert">
      {text}
    </span>
  )
}
