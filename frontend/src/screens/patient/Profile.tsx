// The portal's profile section: the name the hospital calls the patient (PATCH /api/me), the contact
// details and emergency contacts on their record (read-only: reception keeps them), and a password
// change (POST /api/auth/password), which ends every session of the account.
import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useState, type FormEvent } from 'react'
import { ApiError, messageOf, session } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatDate } from '../../api/time'
import type { Patient } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'
import { Pending } from './Pending'

export function Profile({ patientID }: { patientID: string }) {
  const record = $api.useQuery('get', '/api/patient/{id}', { params: { path: { id: patientID } } })
  return (
    <>
      <h1>My profile</h1>
      <div className="pt-layout">
        <div className="pt-col">
          <NameForm />
          <section className="panel" aria-labelledby="pt-contact-title">
            <h2 id="pt-contact-title">Contact details</h2>
            {record.data ? <Contact p={record.data} /> : <Pending read={record} what="your contact details" />}
          </section>
        </div>
        <div className="pt-col">
          <PasswordForm />
        </div>
      </div>
    </>
  )
}

function NameForm() {
  const client = useQueryClient()
  const me = $api.useQuery('get', '/api/me')
  const save = $api.useMutation('patch', '/api/me')
  const [name, setName] = useState('')
  const [saved, setSaved] = useState(false)
  const loaded = me.data?.name
  useEffect(() => {
    if (loaded !== undefined) setName(loaded)
  }, [loaded])

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSaved(false)
    save.mutate(
      { body: { name } },
      {
        onSuccess: () => {
          setSaved(true)
          void client.invalidateQueries({ queryKey: keyOf('/api/me') })
        },
      },
    )
  }

  return (
    <section className="panel" aria-labelledby="pt-name-title">
      <h2 id="pt-name-title">Your name</h2>
      {me.data ? (
        <form className="stack" onSubmit={submit}>
          <label>
            Name
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={save.error ? true : undefined}
              aria-describedby={save.error ? 'pt-name-error' : undefined}
              autoComplete="name"
            />
          </label>
          <p className="muted pt-small pt-tight">Signed in as {me.data.email}.</p>
          <div className="row">
            <SubmitButton busy={save.isPending} busyText="Saving…">
              Save name
            </SubmitButton>
            {saved && (
              <span className="ok-text" role="status">
                Saved.
              </span>
            )}
            <span id="pt-name-error">
              <ErrorText error={save.error ? messageOf(save.error) : ''} />
            </span>
          </div>
        </form>
      ) : (
        <Pending read={me} what="your profile" />
      )}
    </section>
  )
}

function Contact({ p }: { p: Patient }) {
  const contacts = p.emergency_contacts ?? []
  return (
    <>
      <dl className="pt-facts">
        {p.mrn && (
          <>
            <dt>Hospital number</dt>
            <dd>{p.mrn}</dd>
          </>
        )}
        <dt>Date of birth</dt>
        <dd>{p.date_of_birth ? formatDate(p.date_of_birth) : 'Not recorded'}</dd>
        <dt>Phone</dt>
        <dd>{p.phone || 'Not recorded'}</dd>
        <dt>Email</dt>
        <dd>{p.email || 'Not recorded'}</dd>
        <dt>Address</dt>
        <dd className="pt-pre">{p.address || 'Not recorded'}</dd>
      </dl>
      <h3>Emergency contacts</h3>
      {contacts.length === 0 ? (
        <p className="muted">None recorded.</p>
      ) : (
        <ul className="pt-plain">
          {contacts.map((c, i) => (
            <li key={i}>
              <strong>{c.name}</strong>
              {c.relation && ` (${c.relation})`} · {c.phone}
            </li>
          ))}
        </ul>
      )}
      <p className="muted pt-small">To change these details, please ask reception at your next visit.</p>
    </>
  )
}

/** Which field a password-change refusal belongs to: a wrong current password, or the new one. */
function fieldOf(e: unknown): 'current' | 'new' | '' {
  if (!(e instanceof ApiError)) return ''
  if (e.status === 403) return 'current'
  if (e.status === 400) return 'new'
  return ''
}

function PasswordForm() {
  const change = $api.useMutation('post', '/api/auth/password')
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [again, setAgain] = useState('')
  const [mismatch, setMismatch] = useState(false)
  const field = fieldOf(change.error)
  const message = change.error ? messageOf(change.error) : ''

  const submit = (e: FormEvent) => {
    e.preventDefault()
    change.reset()
    if (next !== again) {
      setMismatch(true)
      return
    }
    setMismatch(false)
    change.mutate({ body: { current_password: current, new_password: next } })
  }

  if (change.isSuccess) {
    return (
      <section className="panel" aria-labelledby="pt-password-title">
        <h2 id="pt-password-title">Password</h2>
        <p className="ok-text" role="status">
          Your password is changed. For your safety every session has ended, here and on your other devices.
        </p>
        <button type="button" className="btn btn-primary" onClick={() => void session.signOut()}>
          Sign in with the new password
        </button>
      </section>
    )
  }

  return (
    <section className="panel" aria-labelledby="pt-password-title">
      <h2 id="pt-password-title">Change password</h2>
      <form className="stack" onSubmit={submit}>
        <label>
          Current password
          <input
            type="password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            autoComplete="current-password"
            required
            aria-invalid={field === 'current' ? true : undefined}
            aria-describedby={field === 'current' ? 'pt-pw-current-error' : undefined}
          />
        </label>
        {field === 'current' && (
          <p id="pt-pw-current-error" className="error-text pt-tight" role="alert">
            {message}
          </p>
        )}
        <label>
          New password
          <input
            type="password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            autoComplete="new-password"
            required
            aria-invalid={field === 'new' ? true : undefined}
            aria-describedby="pt-pw-rule"
          />
        </label>
        <p id="pt-pw-rule" className={field === 'new' ? 'error-text pt-tight' : 'muted pt-small pt-tight'} role={field === 'new' ? 'alert' : undefined}>
          {field === 'new' ? message : 'At least 8 characters; not a common password and not your email address.'}
        </p>
        <label>
          New password again
          <input
            type="password"
            value={again}
            onChange={(e) => setAgain(e.target.value)}
            autoComplete="new-password"
            required
            aria-invalid={mismatch ? true : undefined}
            aria-describedby={mismatch ? 'pt-pw-again-error' : undefined}
          />
        </label>
        {mismatch && (
          <p id="pt-pw-again-error" className="error-text pt-tight" role="alert">
            The two new passwords are not the same.
          </p>
        )}
        <div className="row">
          <SubmitButton busy={change.isPending} busyText="Changing…">
            Change password
          </SubmitButton>
          {!field && <ErrorText error={message} />}
        </div>
        <p className="muted pt-small pt-tight">Changing it signs you out everywhere; then sign in with the new one.</p>
      </form>
    </section>
  )
}
