// "Forgot password?": the email to send a link to. The server answers the same whether or not the
// address has an account; so does this screen.
import { useState, type FormEvent } from 'react'
import { Link } from 'wouter'
import { api, messageOf, must } from '../api/client'
import { ErrorText, SubmitButton } from '../components/forms'
import { FieldError } from './passwords'

export function ForgotPasswordScreen() {
  const [email, setEmail] = useState('')
  const [problem, setProblem] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [sent, setSent] = useState(false)

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      setProblem('Enter the email address of your account.')
      return
    }
    setProblem('')
    setBusy(true)
    setError('')
    try {
      await must(api.POST('/api/auth/password/forgot', { body: { email: email.trim() } }))
      setSent(true)
    } catch (e) {
      setError(messageOf(e))
    } finally {
      setBusy(false)
    }
  }

  if (sent) {
    return (
      <main className="center-page">
        <section className="panel signin" aria-labelledby="forgot-sent">
          <h1 id="forgot-sent">Check your email</h1>
          <p>If an account exists for that email, we sent a link to choose a new password. It works once, within an hour.</p>
          <Link href="/" className="btn">
            Back to sign in
          </Link>
        </section>
      </main>
    )
  }
  return (
    <main className="center-page">
      <form className="panel signin" onSubmit={(e) => void submit(e)} aria-labelledby="forgot-title" noValidate>
        <h1 id="forgot-title">Forgot your password?</h1>
        <p className="muted">Enter your account's email address and we will send you a link to choose a new password.</p>
        <label>
          Email
          <input
            type="email"
            name="email"
            autoComplete="username"
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'forgot-email-error' : undefined}
          />
        </label>
        <FieldError id="forgot-email-error" text={problem} />
        <ErrorText error={error} block />
        <SubmitButton busy={busy} busyText="Sending…">
          Send link
        </SubmitButton>
        <p className="muted">
          <Link href="/">Back to sign in</Link>
        </p>
      </form>
    </main>
  )
}
