// Takes a payment on an issued invoice at the desk (POST /api/invoices/{id}/payments): cash or card,
// the amount (the balance unless changed), an optional reference (a card slip's number). The amount is
// read exactly from what was typed; one Idempotency-Key per submission, reused only to resend the same
// payment after its answer was lost, so a retry never takes the money twice.
import { useMutation } from '@tanstack/react-query'
import { useEffect, useState, type FormEvent } from 'react'
import { balanceOf, billingError, takePayment, type Invoice } from '../../api/billing'
import { useIdempotencyKey } from '../../api/idempotency'
import { amountText, formatMoney, parseMoney } from '../../api/money'
import { ApiError } from '../../api/session'
import { Field } from '../../components/fields'
import { ErrorText, SubmitButton } from '../../components/forms'

export function TakePayment({ invoice, onChanged }: { invoice: Invoice; onChanged: () => void }) {
  const balance = balanceOf(invoice)
  const currency = invoice.currency
  const idem = useIdempotencyKey()
  const [method, setMethod] = useState<'cash' | 'card'>('cash')
  const [amount, setAmount] = useState(() => amountText(balance, currency))
  const [reference, setReference] = useState('')
  const [problem, setProblem] = useState('')
  const [done, setDone] = useState('')
  // The amount follows the balance when it changes (a payment taken here or at another desk).
  useEffect(() => setAmount(amountText(balance, currency)), [balance, currency])
  const pay = useMutation({
    mutationFn: (v: { body: Parameters<typeof takePayment>[1]; key: string }) => takePayment(invoice.id, v.body, v.key),
    onSuccess: (p) => {
      idem.done()
      setReference('')
      setDone(`Took ${formatMoney(p.amount, p.currency)} (${p.receipt_number}).`)
      onChanged()
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status > 0) idem.done()
      // Someone else took a payment meanwhile: read the invoice again, so the words name today's balance.
      if (e instanceof ApiError && e.status === 409) onChanged()
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setDone('')
    const parsed = parseMoney(amount, currency)
    if (!parsed.ok) return setProblem(parsed.error)
    if (parsed.minor <= 0) return setProblem('Enter an amount above zero.')
    if (parsed.minor > balance) {
      return setProblem(`That is more than the balance of ${formatMoney(balance, currency)}. Take at most the balance.`)
    }
    setProblem('')
    const body = { method, amount: parsed.minor, ...(reference.trim() && { reference: reference.trim() }) }
    pay.mutate({ body, key: idem.keyFor({ invoice: invoice.id, ...body }) })
  }
  const error = problem || (pay.error ? billingError(pay.error, { currency, balance }) : '')
  return (
    <form className="bl-pay" onSubmit={submit} noValidate aria-label="Take a payment">
      <h3>Take a payment</h3>
      <div className="bl-form">
        <fieldset className="bl-field bl-methods">
          <legend>Method</legend>
          {(['cash', 'card'] as const).map((m) => (
            <label key={m} className="bl-radio">
              <input type="radio" name="method" value={m} checked={method === m} onChange={() => setMethod(m)} />
              {m === 'cash' ? 'Cash' : 'Card'}
            </label>
          ))}
        </fieldset>
        <Field label={`Amount (${currency})`} hint={`Balance ${formatMoney(balance, currency)}`} className="bl-amount">
          {({ id, describedBy }) => (
            <input
              id={id}
              inputMode="decimal"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={!!problem || undefined}
              autoComplete="off"
            />
          )}
        </Field>
        <label className="bl-field bl-wide">
          Reference (optional)
          <input value={reference} onChange={(e) => setReference(e.target.value)} autoComplete="off" />
        </label>
      </div>
      <div className="row bl-actions">
        <SubmitButton busy={pay.isPending} busyText="Taking payment…">
          Take payment
        </SubmitButton>
        <ErrorText error={error} />
        {done && (
          <span className="ok-text" role="status">
            {done}
          </span>
        )}
      </div>
    </form>
  )
}
