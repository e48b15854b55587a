// A message to everyone signed in right now (the broadcast channel), and with "Also email everyone" to
// every account that accepts email: a form that says when it was sent and to how many it was emailed.
import { useState, type FormEvent } from 'react'
import { api, hhmm, messageOf, must } from '../../api/client'
import { ErrorText, SubmitButton } from '../../components/forms'

export function Broadcast() {
  const [message, setMessage] = useState('')
  const [email, setEmail] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [sent, setSent] = useState('')

  const send = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError('')
    setSent('')
    try {
      const body = email ? { message: message.trim(), email: true } : { message: message.trim() }
      const b = await must(api.POST('/api/broadcasts', { body }))
      setMessage('')
      setEmail(false)
      if (email) {
        const n = b.recipients ?? 0
        setSent(`Sent at ${hhmm(b.at)}, emailed to ${n} ${n === 1 ? 'account' : 'accounts'}.`)
      } else {
        setSent(`Sent at ${hhmm(b.at)}.`)
      }
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="panel" id="adm-broadcast" aria-labelledby="adm-broadcast-h">
      <form className="stack" onSubmit={(e) => void send(e)}>
        <h2 id="adm-broadcast-h">Broadcast</h2>
        <label>
          Message to everyone signed in now
          <textarea
            name="message"
            rows={3}
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault()
                e.currentTarget.form?.requestSubmit()
              }
            }}
            required
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={email} onChange={(e) => setEmail(e.target.checked)} />
          Also email everyone
        </label>
        <p className="muted adm-hint">
          It appears live on every screen that is open now; with email, also in the inbox of every account that
          accepts email. Ctrl+Enter sends.
        </p>
        <div className="row">
          <SubmitButton busy={busy} busyText="Sending…">
            Send
          </SubmitButton>
          {sent && (
            <span className="ok-text" role="status" data-testid="broadcast-sent">
              {sent}
            </span>
          )}
        </div>
        <ErrorText error={error} block />
      </form>
    </section>
  )
}
