import { useState, type FormEvent } from 'react'
import { Link, useLocation } from 'wouter'
import { messageOf, session } from '../api/client'
import { ErrorText, SubmitButton } from '../components/forms'
import { cachedDesktopConfig, isDesktop } from '../desktop'
import { homeOf } from '../roles'
import './account.css'

export function SignInScreen() {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [location, navigate] = useLocation()

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    if (!email.trim() || !password) {
      setError('Enter your email and password.')
      return
    }
    setBusy(true)
    setError('')
    try {
      const s = await session.signIn(email.trim(), password)
      // Stay on a deep link (e.g. /display/cardiology); otherwise go to the role's start screen.
      if (location === '/' || location === '/signin') navigate(homeOf(s.user), { replace: true })
    } catch (e) {
      setError(messageOf(e))
    } finally {
      setBusy(false)
    }
  }

  const server = cachedDesktopConfig()?.server_url
  return (
    <main className="center-page">
      <form className="panel signin" onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <h1 id="signin-title">HMS sign in</h1>
        <label>
          Email
          <input
            type="email"
            name="email"
            autoComplete="username"
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <ErrorText error={error} block />
        <SubmitButton busy={busy} busyText="Signing in…">
          Sign in
        </SubmitButton>
        <p className="signin-links">
          <Link href="/signup">Create an account</Link>
          <Link href="/forgot-password">Forgot password?</Link>
        </p>
        {isDesktop() && (
          <p className="muted">
            Server: {server} · <Link href="/settings">Change</Link>
          </p>
        )}
      </form>
    </main>
  )
}
