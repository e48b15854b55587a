// Refunds (part of) a payment, admins only (POST /api/payments/{id}/refund): the amount (what is left
// of the payment unless changed) and a reason. One Idempotency-Key per submission. An online payment's
// refund goes back to the card through the payment provider (the server asks it first; its refusal is
// shown in its words); a cash or card payment's is handed back at the desk.
import { useMutation } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { billingError, refundPayment, type Payment } from '../../api/billing'
import { useIdempotencyKey } from '../../api/idempotency'
import { amountText, formatMoney, parseMoney } from '../../api/money'
import { ApiError } from '../../api/session'
import { ErrorText, SubmitButton } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'

export function Refund({ payment, close, onRefunded }: { payment: Payment; close: () => void; onRefunded: () => void }) {
  const left = payment.amount - payment.refunded
  const currency = payment.currency
  const idem = useIdempotencyKey()
  const [amount, setAmount] = useState(() => amountText(left, currency))
  const [reason, setReason] = useState('')
  const [problem, setProblem] = useState('')
  const refund = useMutation({
    mutationFn: (v: { body: { amount: number; reason: string }; key: string }) => refundPayment(payment.id, v.body, v.key),
    onSuccess: () => {
      idem.done()
      onRefunded()
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status > 0) idem.done()
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const parsed = parseMoney(amount, currency)
    if (!parsed.ok) return setProblem(parsed.error)
    if (parsed.minor <= 0) return setProblem('Enter an amount above zero.')
    if (parsed.minor > left) return setProblem(`That is more than can be refunded on this payment (${formatMoney(left, currency)} left).`)
    if (!reason.trim()) return setProblem('Say why the money is refunded.')
    setProblem('')
    const body = { amount: parsed.minor, reason: reason.trim() }
    refund.mutate({ body, key: idem.keyFor({ payment: payment.id, ...body }) })
  }
  return (
    <ModalDialog title={`Refund ${payment.receipt_number}`} isOpen onClose={close}>
      <form className="stack" onSubmit={submit} noValidate>
        <p>
          {formatMoney(payment.amount, currency)} taken
          {payment.refunded > 0 && `, ${formatMoney(payment.refunded, currency)} already refunded`}.{' '}
          {payment.method === 'online'
            ? 'Paid online: the money goes back to the card it was paid with, through the payment provider.'
            : 'Hand the money back at the desk.'}
        </p>
        <label className="bl-field">
          Amount to refund ({currency})
          <input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} autoComplete="off" />
        </label>
        <label className="bl-field">
          Reason
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} />
        </label>
        <div className="row">
          <SubmitButton busy={refund.isPending} busyText="Refunding…">
            Refund
          </SubmitButton>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <ErrorText error={problem || (refund.error ? billingError(refund.error, { currency, left }) : '')} />
        </div>
      </form>
    </ModalDialog>
  )
}
