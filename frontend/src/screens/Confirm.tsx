// /confirm?token=…: follows the link a registration emailed. The account is made and signed in (the
// app then shows the patient's screen); a used, unknown or expired link says so and offers to sign up
// again.
import { useEffect, useState } from 'react'
import { Link, useSearch } from 'wouter'
import { api, ApiError, messageOf, must, session } from '../api/client'
import type { TokenResponse } from '../api/types'
import './account.css'

// One confirmation per token, however often the screen mounts (React may run an effect twice): a link
// works once, and a second request would be told it is used.
const confirming = new Map<string, Promise<TokenResponse>>()

function confirm(token: string): Promise<TokenResponse> {
  let p = confirming.get(token)
  if (!p) {
    p = must(api.POST('/api/auth/confirm', { body: { token } }))
    confirming.set(token, p)
    p.catch(() => confirming.delete(token))
  }
  return p
}

type State = { phase: 'working' } | { phase: 'invalid' } | { phase: 'failed'; error: string }

export function ConfirmScreen() {
  const token = new URLSearchParams(useSearch()).get('token') ?? ''
  const [state, setState] = useState<State>(token ? { phase: 'working' } : { phase: 'invalid' })
  const [attempt, setAttempt] = useState(0)

  useEffect(() => {
    if (!token) return
    let gone = false
    setState({ phase: 'working' })
    confirm(token)
      .then((t) => session.adopt(t)) // signed in: the app shows the patient's screen
      .catch((e: unknown) => {
        if (gone) return
        if (e instanceof ApiError && e.status === 400) setState({ phase: 'invalid' })
        else setState({ phase: 'failed', error: messageOf(e) })
      })
    return () => {
      gone = true
    }
  }, [token, attempt])

  return (
    <main className="center-page">
      <section className="panel signin" aria-labelledby="confirm-title" aria-live="polite">
        {state.phase === 'working' && (
          <>
            <h1 id="confirm-title">Confirming your email…</h1>
            <p className="muted">Creating your account and signing you in.</p>
          </>
        )}
        {state.phase === 'invalid' && (
          <>
            <h1 id="confirm-title">This link is invalid or has expired</h1>
            <p>
              A confirmation link works once, within a day. If you already followed it, your account is ready: sign
              in. Otherwise, sign up again for a new link.
            </p>
            <p className="links">
              <Link href="/signup">Sign up again</Link>
              <Link href="/">Sign in</Link>
            </p>
          </>
        )}
        {state.phase === 'failed' && (
          <>
            <h1 id="confirm-title">Could not confirm your email</h1>
            <p className="error-text" role="alert">
              {state.error}
            </p>
            <button type="button" className="btn btn-primary" onClick={() => setAttempt((n) => n + 1)}>
              Try again
            </button>
          </>
        )}
      </section>
    </main>
  )
}
