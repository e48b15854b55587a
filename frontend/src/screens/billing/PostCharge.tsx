// Posts a charge by hand (POST /api/patients/{id}/charges): a price-list entry, a quantity and a reason.
// The server prices it from the list; the screen sends no amount. Each submission carries its own
// Idempotency-Key, reused only to resend the same charge after an answer was lost.
import { useQueryClient } from '@tanstack/react-query'
import { useId, useState, type FormEvent } from 'react'
import { ComboBox, Input, Label, ListBox, ListBoxItem, Popover } from 'react-aria-components'
import { billingError, type Price } from '../../api/billing'
import { useIdempotencyKey } from '../../api/idempotency'
import { formatMoney, formatPercent } from '../../api/money'
import { $api, keyOf } from '../../api/query'
import { ApiError } from '../../api/session'
import { Field } from '../../components/fields'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { kindWords } from './words'

const empty = { code: '', quantity: '1', reason: '' }

export function PostCharge({ patientID }: { patientID: string }) {
  const client = useQueryClient()
  const prices = $api.useQuery('get', '/api/billing/prices')
  const idem = useIdempotencyKey()
  const [f, setF] = useState(empty)
  const [problems, setProblems] = useState<Partial<Record<keyof typeof empty, string>>>({})
  const [posted, setPosted] = useState('')
  const post = $api.useMutation('post', '/api/patients/{id}/charges', {
    onSuccess: (c) => {
      idem.done()
      setF(empty)
      setPosted(`Posted ${c.description}, ${formatMoney(c.total, c.currency)}.`)
      void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/charges') })
    },
    onError: (e) => {
      // A refusal is final; a lost answer (no status) is resent with the same key.
      if (e instanceof ApiError && e.status > 0) idem.done()
    },
  })
  const list = (prices.data?.items ?? []).filter((p) => !p.retired)
  const price: Price | undefined = list.find((p) => p.code === f.code)
  const currency = prices.data?.currency ?? ''
  const ids = useId()
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setPosted('')
    const q = f.quantity.trim()
    const quantity = /^\d+$/.test(q) ? Number(q) : NaN
    const found: typeof problems = {}
    if (!f.code) found.code = 'Choose what to charge.'
    if (!(quantity >= 1 && quantity <= 10000)) found.quantity = 'A whole number from 1 to 10,000.'
    if (!f.reason.trim()) found.reason = 'Say why the charge is posted by hand.'
    setProblems(found)
    if (Object.keys(found).length > 0) return
    const body = { code: f.code, quantity, reason: f.reason.trim() }
    post.mutate({ params: { path: { id: patientID }, header: { 'Idempotency-Key': idem.keyFor(body) } }, body })
  }
  return (
    <section className="panel stack" aria-labelledby="bl-post-h">
      <h2 id="bl-post-h">Post a charge</h2>
      <LoadError error={prices.error ? billingError(prices.error) : ''} retry={() => void prices.refetch()}>
        Could not load the price list
      </LoadError>
      <form className="bl-form" onSubmit={submit} noValidate aria-label="Post a charge">
        <ComboBox
          className="bl-field bl-wide bl-combo"
          defaultItems={list}
          selectedKey={f.code || null}
          onSelectionChange={(k) => {
            setF({ ...f, code: k === null ? '' : String(k) })
            if (k !== null) setProblems({ ...problems, code: undefined })
          }}
          menuTrigger="focus"
          isInvalid={!!problems.code}
          // Nothing to choose from until the list is here (typing into it would find nothing, and the
          // list would not open when it arrived); then "No entry matches" says so while typing.
          isDisabled={prices.isPending}
          allowsEmptyCollection
        >
          <Label>Price-list item</Label>
          <Input
            placeholder={prices.isPending ? 'Loading the price list…' : undefined}
            aria-describedby={`${ids}-hint`}
          />
          <span id={`${ids}-hint`} className={problems.code ? 'error-text bl-small' : 'muted bl-small'}>
            {problems.code ??
              (price
                ? `${kindWords[price.kind] ?? price.kind}, ${formatMoney(price.amount, currency)}${price.tax_bp > 0 ? ` + tax ${formatPercent(price.tax_bp)}` : ''}`
                : 'Type a code or a name and choose from the list.')}
          </span>
          <Popover className="bl-popover">
            <ListBox<Price> className="bl-options" renderEmptyState={() => <div className="muted bl-option">No entry matches.</div>}>
              {(p) => (
                <ListBoxItem id={p.code} textValue={`${p.code} ${p.name}`} className="bl-option">
                  <span className="bl-mono">{p.code}</span> {p.name}{' '}
                  <span className="muted">{formatMoney(p.amount, currency)}</span>
                </ListBoxItem>
              )}
            </ListBox>
          </Popover>
        </ComboBox>
        <Field label="Quantity" className="bl-qty" error={problems.quantity}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              inputMode="numeric"
              value={f.quantity}
              onChange={(e) => setF({ ...f, quantity: e.target.value })}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
            />
          )}
        </Field>
        <Field label="Reason" className="bl-wide" error={problems.reason}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              value={f.reason}
              onChange={(e) => setF({ ...f, reason: e.target.value })}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              autoComplete="off"
            />
          )}
        </Field>
        <div className="row bl-actions">
          <SubmitButton busy={post.isPending} busyText="Posting…">
            Post charge
          </SubmitButton>
          <ErrorText error={post.error ? billingError(post.error) : ''} />
          {posted && (
            <span className="ok-text" role="status">
              {posted}
            </span>
          )}
        </div>
      </form>
    </section>
  )
}
