// Feedback pieces shared by the forms and lists: the server's error next to the action that failed, a
// submit button that says it is busy, and a "could not load" line with its retry button.
import type { ReactNode } from 'react'

/**
 * The server's error (messageOf), read out as it appears; nothing while it is empty. Inline next to a
 * form's buttons, or as a paragraph of its own with `block`.
 */
export function ErrorText({ error, block }: { error: string; block?: boolean }) {
  if (!error) return null
  return block ? (
    <p className="error-text" role="alert">
      {error}
    </p>
  ) : (
    <span className="error-text" role="alert">
      {error}
    </span>
  )
}

/** A form's submit button: disabled while busy, and then saying what it does ("Booking…"). */
export function SubmitButton({
  busy,
  busyText,
  className = 'btn-primary',
  disabled = false,
  children,
}: {
  busy: boolean
  /** Not offered (besides while busy). */
  disabled?: boolean
  busyText: string
  /** The button's classes besides .btn ('' for a plain button). */
  className?: string
  children: ReactNode
}) {
  return (
    <button type="submit" className={className ? `btn ${className}` : 'btn'} disabled={busy || disabled}>
      {busy ? busyText : children}
    </button>
  )
}

/** "Could not load the doctors: <error> [Retry]" where a list failed to load; nothing without an error. */
export function LoadError({
  error,
  retry,
  retryText = 'Retry',
  children,
}: {
  error: string
  /** Loads again; without it there is no button. */
  retry?: () => void
  retryText?: string
  /** What failed, e.g. "Could not load the doctors". */
  children: ReactNode
}) {
  if (!error) return null
  return (
    <p className="error-text" role="alert">
      {children}: {error}
      {retry && (
        <>
          {' '}
          <button type="button" className="btn btn-small" onClick={retry}>
            {retryText}
          </button>
        </>
      )}
    </p>
  )
}
