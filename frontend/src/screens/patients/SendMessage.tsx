// Sending a message to a patient from their record (POST /api/notifications/send with the patient's id):
// always in the app, and by email and/or text message where the patient accepts them. Email and text
// messages are limited per sender and hour; that refusal (429) is said in words.
import { useState, type FormEvent } from 'react'
import { ApiError, messageOf } from '../../api/client'
import { $api } from '../../api/query'
import { ErrorText, SubmitButton } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'

type Channel = 'email' | 'sms'

const tooMany =
  'You have sent as many email and text messages as one person may in an hour. Send it in the app only (untick email and text message), or try again next hour.'

export function SendMessage({ patient }: { patient: { id: string; name: string } }) {
  const [open, setOpen] = useState(false)
  const [message, setMessage] = useState('')
  const [channels, setChannels] = useState<Channel[]>([])
  const [problem, setProblem] = useState('')
  const [sent, setSent] = useState('')
  const send = $api.useMutation('post', '/api/notifications/send')

  const close = () => {
    setOpen(false)
    setProblem('')
  }
  const toggle = (c: Channel, on: boolean) => setChannels((list) => (on ? [...list, c] : list.filter((x) => x !== c)))

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const text = message.trim()
    if (!text) {
      setProblem('Write the message.')
      return
    }
    if (text.length > 2000) {
      setProblem(`The message is ${text.length} characters; at most 2000 may be sent.`)
      return
    }
    setProblem('')
    send.mutate(
      { body: { recipient_id: patient.id, message: text, ...(channels.length > 0 && { channels }) } },
      {
        onSuccess: () => {
          const how = channels.map((c) => (c === 'email' ? 'email' : 'text message'))
          setSent(`Message sent to ${patient.name} in the app${how.length ? ` and by ${how.join(' and ')} where they accept it` : ''}.`)
          setMessage('')
          setChannels([])
          setOpen(false)
        },
        onError: (err) => setProblem(err instanceof ApiError && err.status === 429 ? tooMany : messageOf(err)),
      },
    )
  }

  return (
    <>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => {
          setSent('')
          setOpen(true)
        }}
      >
        Send a message
      </button>
      {sent && (
        <span className="ok-text" role="status">
          {sent}
        </span>
      )}
      <ModalDialog isOpen={open} onClose={close} title={`Message to ${patient.name}`}>
        <form className="stack" onSubmit={submit} aria-label="Write a message" noValidate>
          <label className="pts-field">
            Message
            <textarea
              rows={5}
              value={message}
              onChange={(e) => setMessage(e.target.value)}
              aria-invalid={problem ? true : undefined}
            />
          </label>
          <fieldset className="pts-channels">
            <legend>The patient sees it in the app. Also send it by</legend>
            <label>
              <input type="checkbox" checked={channels.includes('email')} onChange={(e) => toggle('email', e.target.checked)} />{' '}
              Email
            </label>
            <label>
              <input type="checkbox" checked={channels.includes('sms')} onChange={(e) => toggle('sms', e.target.checked)} /> Text
              message
            </label>
            <p className="muted">Only where the patient accepts it, and not in their quiet hours.</p>
          </fieldset>
          <div className="row">
            <SubmitButton busy={send.isPending} busyText="Sending…">
              Send
            </SubmitButton>
            <button type="button" className="btn" onClick={close}>
              Cancel
            </button>
          </div>
          <ErrorText error={problem} block />
        </form>
      </ModalDialog>
    </>
  )
}
