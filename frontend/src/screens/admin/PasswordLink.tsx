// "Email a set-password link" on an account row (POST /api/users/{id}/password-link): a confirmation of
// what will happen, then the server's answer in words, when the link stops working, or its refusal
// (a disabled account is 409) in the dialog.
import { useState } from 'react'
import { messageOf } from '../../api/client'
import { $api } from '../../api/query'
import { formatDateTime } from '../../api/time'
import type { User } from '../../api/types'
import { ErrorText } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'

export function PasswordLink({ user: u }: { user: User }) {
  const send = $api.useMutation('post', '/api/users/{id}/password-link')
  const [open, setOpen] = useState(false)
  const [error, setError] = useState('')
  const [sentUntil, setSentUntil] = useState('')

  const close = () => {
    setOpen(false)
    setError('')
  }
  const confirm = async () => {
    setError('')
    try {
      const sent = await send.mutateAsync({ params: { path: { id: u.id } } })
      setSentUntil(sent.expires_at)
      setOpen(false)
    } catch (e) {
      setError(messageOf(e))
    }
  }

  return (
    <>
      <button
        type="button"
        className="btn btn-small adm-pwlink"
        aria-label={`Email a set-password link to ${u.name}`}
        onClick={() => {
          setSentUntil('')
          setOpen(true)
        }}
      >
        Email a set-password link
      </button>
      {sentUntil && (
        <span className="adm-sent" role="status">
          Sent to {u.email}; the link works until {formatDateTime(sentUntil, 'auto')}.
        </span>
      )}
      <ModalDialog role="alertdialog" isOpen={open} onClose={close} title={`Email ${u.name} a set-password link?`}>
        <p>
          {u.name} gets an email at <strong>{u.email}</strong> with a link to set a new password; it works once, for
          72 hours.
        </p>
        <div className="row">
          <button type="button" className="btn btn-primary" disabled={send.isPending} onClick={() => void confirm()}>
            {send.isPending ? 'Sending…' : 'Send the link'}
          </button>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
        </div>
        <ErrorText error={error} block />
      </ModalDialog>
    </>
  )
}
