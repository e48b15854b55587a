// /reset-password?token=…: the new password, twice. Every session of the account ends (on every device);
// then the person signs in with the new password.
import { useState, type FormEvent } from 'react'
import { Link, useSearch } from 'wouter'
import { api, ApiError, messageOf, must } from '../api/client'
import { ErrorText, SubmitButton } from '../components/forms'
import { FieldError, passwordProblem } from './passwords'

type Phase = 'form' | 'done' | 'invalid'

export function ResetPasswordScreen() {
  const token = new URLSearchParams(useSearch()).get('token') ?? ''
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [problems, setProblems] = useState<{ password?: string; confirm?: string }>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [phase, setPhase] = useState<Phase>(token ? 'form' : 'invalid')

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    const p = { password: passwordProblem(password) || undefined, confirm: confirm !== password ? 'The two passwords differ.' : undefined }
    setProblems(p)
    if (p.password || p.confirm) return
    setBusy(true)
    setError('')
    try {
      await must(api.POST('/api/auth/password/reset', { body: { token, password } }))
      setPhase('done')
    } catch (e) {
      if (e instanceof ApiError && e.code === 'invalid_or_expired_token') setPhase('invalid')
      else if (e instanceof ApiError && e.code === 'invalid_request') setProblems({ password: e.message })
      else setError(messageOf(e))
    } finally {
      setBusy(false)
    }
  }

  if (phase === 'done') {
    return (
      <main className="center-page">
        <section className="panel signin" aria-labelledby="reset-done">
          <h1 id="reset-done">Password changed</h1>
          <p>Your account was signed out everywhere. Sign in with your new password.</p>
          <Link href="/" className="btn btn-primary">
            Sign in
          </Link>
        </section>
      </main>
    )
  }
  if (phase === 'invalid') {
    return (
      <main className="center-page">
        <section className="panel signin" aria-labelledby="reset-invalid">
          <h1 id="reset-invalid">This link is invalid or has expired</h1>
          <p>A password link works once, and only for a while. Ask for a new one.</p>
          <p className="links">
            <Link href="/forgot-password">Send a new link</Link>
            <Link href="/">Sign in</Link>
          </p>
        </section>
      </main>
    )
  }
  return (
    <main className="center-page">
      <form className="panel signin" onSubmit={(e) => void submit(e)} aria-labelledby="reset-title" noValidate>
        <h1 id="reset-title">Choose a new password</h1>
        <label>
          New password
          <input
            type="password"
            name="password"
            autoComplete="new-password"
            autoFocus
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={problems.password ? true : undefined}
            aria-describedby={problems.password ? 'reset-password-error' : undefined}
          />
        </label>
        <FieldError id="reset-password-error" text={problems.password} />
        <label>
          Confirm new password
          <input
            type="password"
            name="confirm"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            aria-invalid={problems.confirm ? true : undefined}
            aria-describedby={problems.confirm ? 'reset-confirm-error' : undefined}
          />
        </label>
        <FieldError id="reset-confirm-error" text={problems.confirm} />
        <p className="muted hint">At least 8 characters; not a common password or your email address.</p>
        <ErrorText error={error} block />
        <SubmitButton busy={busy} busyText="Saving…">
          Set new password
        </SubmitButton>
      </form>
    </main>
  )
}
