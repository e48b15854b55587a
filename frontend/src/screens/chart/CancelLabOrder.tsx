// Cancelling a lab order from the chart (doctors; POST /api/lab-orders/{id}/cancel), offered while no
// results are in: a confirmation saying what cancelling means, and the server's refusal in words. The
// server takes no reason for a cancellation, so none is asked.
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { ErrorText } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'
import type { LabOrder } from './model'

export function CancelLabOrder({ order, tests }: { order: LabOrder; tests: string }) {
  const [open, setOpen] = useState(false)
  const [error, setError] = useState('')
  const client = useQueryClient()
  const cancel = $api.useMutation('post', '/api/lab-orders/{id}/cancel')

  const close = () => {
    setOpen(false)
    setError('')
  }
  const confirm = () => {
    setError('')
    cancel.mutate(
      { params: { path: { id: order.id } } },
      {
        onSuccess: () => {
          close()
          void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/lab-orders') })
        },
        onError: (e) => setError(messageOf(e)),
      },
    )
  }

  return (
    <>
      <button type="button" className="btn btn-small btn-quiet" onClick={() => setOpen(true)}>
        Cancel the order…
      </button>
      <ModalDialog role="alertdialog" isOpen={open} onClose={close} title="Cancel this lab order?">
        <p>
          <strong>{tests}</strong>
        </p>
        <p>The laboratory stops: no results or files can be added, and the patient never sees the order. This cannot be undone.</p>
        <div className="row">
          <button type="button" className="btn btn-danger" disabled={cancel.isPending} onClick={confirm}>
            {cancel.isPending ? 'Cancelling…' : 'Cancel the order'}
          </button>
          <button type="button" className="btn" onClick={close}>
            Keep it
          </button>
        </div>
        <ErrorText error={error} block />
      </ModalDialog>
    </>
  )
}
