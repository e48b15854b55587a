// Create an account (a patient): name, email, password twice. The server answers the same whether or
// not the email already has an account, and emails a link to confirm it; so does this screen.
import { useState, type FormEvent } from 'react'
import { Link } from 'wouter'
import { api, messageOf, must } from '../api/client'
import { ErrorText, SubmitButton } from '../components/forms'
import { FieldError, passwordProblem } from './passwords'

type Fields = { name: string; email: string; password: string; confirm: string }
type Problems = Partial<Record<keyof Fields, string>>

function check(f: Fields): Problems {
  const p: Problems = {}
  if (!f.name.trim()) p.name = 'Enter your name.'
  else if (f.name.trim().length > 200) p.name = 'At most 200 characters.'
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(f.email.trim())) p.email = 'Enter an email address such as name@example.org.'
  const pw = passwordProblem(f.password, f.email)
  if (pw) p.password = pw
  if (f.confirm !== f.password) p.confirm = 'The two passwords differ.'
  return p
}

export function SignUpScreen() {
  const [f, setF] = useState<Fields>({ name: '', email: '', password: '', confirm: '' })
  const [problems, setProblems] = useState<Problems>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [sentTo, setSentTo] = useState('')
  const set = (k: keyof Fields) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value })

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    const p = check(f)
    setProblems(p)
    if (Object.keys(p).length > 0) return
    setBusy(true)
    setError('')
    try {
      const email = f.email.trim()
      await must(api.POST('/api/auth/register', { body: { name: f.name.trim(), email, password: f.password, role: 'patient' } }))
      setSentTo(email)
    } catch (e) {
      setError(messageOf(e))
    } finally {
      setBusy(false)
    }
  }

  if (sentTo) {
    return (
      <main className="center-page">
        <section className="panel signin" aria-labelledby="signup-sent">
          <h1 id="signup-sent">Check your email</h1>
          <p>
            We sent a link to confirm your address to <strong>{sentTo}</strong>. Follow it to finish creating your
            account; it works once, within a day.
          </p>
          <p className="muted">
            Nothing arrived? Look in your spam folder, or <Link href="/signup" onClick={() => setSentTo('')}>try again</Link>.
          </p>
          <Link href="/" className="btn">
            Back to sign in
          </Link>
        </section>
      </main>
    )
  }

  const field = (k: keyof Fields) => ({
    value: f[k],
    onChange: set(k),
    'aria-invalid': problems[k] ? true : undefined,
    'aria-describedby': problems[k] ? `signup-${k}-error` : undefined,
  })
  return (
    <main className="center-page">
      <form className="panel signin" onSubmit={(e) => void submit(e)} aria-labelledby="signup-title" noValidate>
        <h1 id="signup-title">Create an account</h1>
        <p className="muted">For patients. Staff accounts are made by an administrator.</p>
        <label>
          Full name
          <input name="name" autoComplete="name" autoFocus {...field('name')} />
        </label>
        <FieldError id="signup-name-error" text={problems.name} />
        <label>
          Email
          <input type="email" name="email" autoComplete="email" {...field('email')} />
        </label>
        <FieldError id="signup-email-error" text={problems.email} />
        <label>
          Password
          <input type="password" name="password" autoComplete="new-password" {...field('password')} />
        </label>
        <FieldError id="signup-password-error" text={problems.password} />
        <label>
          Confirm password
          <input type="password" name="confirm" autoComplete="new-password" {...field('confirm')} />
        </label>
        <FieldError id="signup-confirm-error" text={problems.confirm} />
        <p className="muted hint">At least 8 characters; not a common password or your email address.</p>
        <ErrorText error={error} block />
        <SubmitButton busy={busy} busyText="Creating…">
          Create account
        </SubmitButton>
        <p className="muted">
          Already have an account? <Link href="/">Sign in</Link>
        </p>
      </form>
    </main>
  )
}
