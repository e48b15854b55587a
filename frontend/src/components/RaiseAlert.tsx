// "Raise alert" in the header of every staff-side screen: a dialog (react-aria) for a free-form emergency
// alert — what, where, how severe — sent with POST /api/alerts/emergency. Every staff-side screen then
// shows it in the alert banner. The server's refusal (a 400 naming the field) is shown under that field.
import { useState, type FormEvent } from 'react'
import { Button, Dialog, DialogTrigger, Heading, Modal } from 'react-aria-components'
import { messageOf } from '../api/client'
import { $api, keyOf } from '../api/query'
import { useQueryClient } from '@tanstack/react-query'
import { ErrorText, SubmitButton } from './forms'

type Severity = 'critical' | 'high' | 'moderate'

const severities: { value: Severity; label: string }[] = [
  { value: 'critical', label: 'Critical — life at risk now' },
  { value: 'high', label: 'High — needs help within minutes' },
  { value: 'moderate', label: 'Moderate' },
]

export function RaiseAlert() {
  return (
    <DialogTrigger>
      <Button className="btn btn-danger btn-small raise-alert" data-testid="raise-alert">
        Raise alert
      </Button>
      <Modal className="modal" isDismissable>
        <Dialog className="dialog" aria-labelledby="raise-alert-h">
          {({ close }) => <RaiseAlertForm close={close} />}
        </Dialog>
      </Modal>
    </DialogTrigger>
  )
}

function RaiseAlertForm({ close }: { close: () => void }) {
  const [message, setMessage] = useState('')
  const [location, setLocation] = useState('')
  const [severity, setSeverity] = useState<Severity>('critical')
  const raise = $api.useMutation('post', '/api/alerts/emergency')
  const client = useQueryClient()
  const error = raise.error ? messageOf(raise.error) : ''
  // The server names the field it refused first ("location is longer than 200 characters").
  const on = (field: string) => (error.toLowerCase().startsWith(field) ? error : '')
  const elsewhere = error && !on('message') && !on('location') && !on('severity') ? error : ''

  const submit = (e: FormEvent) => {
    e.preventDefault()
    raise.mutate(
      { body: { message, location, severity } },
      {
        onSuccess: () => {
          void client.invalidateQueries({ queryKey: keyOf('/api/alerts') })
          close()
        },
      },
    )
  }

  return (
    <form className="stack" onSubmit={submit} noValidate>
      <Heading slot="title" id="raise-alert-h">
        Raise an emergency alert
      </Heading>
      <p className="muted">Every doctor, nurse and admin signed in now sees it at once, with an alarm.</p>
      <label>
        What is happening
        <textarea
          value={message}
          rows={3}
          autoFocus
          aria-invalid={Boolean(on('message'))}
          onChange={(e) => setMessage(e.target.value)}
        />
        <ErrorText error={on('message')} />
      </label>
      <label>
        Where
        <input
          value={location}
          placeholder="e.g. Ward 3, bed 12"
          aria-invalid={Boolean(on('location'))}
          onChange={(e) => setLocation(e.target.value)}
        />
        <ErrorText error={on('location')} />
      </label>
      <label>
        Severity
        <select value={severity} onChange={(e) => setSeverity(e.target.value as Severity)}>
          {severities.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <ErrorText error={on('severity')} />
      </label>
      <ErrorText error={elsewhere} block />
      <div className="row">
        <SubmitButton busy={raise.isPending} busyText="Raising…" className="btn-danger">
          Raise alert
        </SubmitButton>
        <button type="button" className="btn" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  )
}
