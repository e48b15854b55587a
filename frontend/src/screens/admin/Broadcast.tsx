// A message to everyone signed in right now (the broadcast channel): a form that says when it was sent.
import { useState, type FormEvent } from 'react'
import { api, hhmm, messageOf, must } from '../../api/client'
import { ErrorText, SubmitButton } from '../../components/forms'

export function Broadcast() {
  const [message, setMessage] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [sent, setSent] = useState('')

  const send = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError('')
    setSent('')
    try {
      const b = await must(api.POST('/api/broadcasts', { body: { message: message.trim() } }))
      setMessage('')
      setSent(`Sent at ${hhmm(b.at)}.`)
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
            maxLength={2000}
          />
        </label>
        <p className="muted adm-hint">It appears live on every screen that is open now. Ctrl+Enter sends.</p>
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
