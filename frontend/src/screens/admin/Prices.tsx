// The price list (admins): every entry with its code, name, kind, what it prices (ref), amount in the
// hospital's currency, tax rate and version (GET /api/billing/prices), and a form to add an entry or
// edit one (PUT /api/billing/prices/{code}), which stores a new version. The amount is typed in the
// currency ("12.50") and sent in minor units, read exactly from the text; the tax is typed as a
// percentage and sent in basis points. Two admins saving one code at once: the second is told to reload.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { billingError, useBillingConfig, type Price } from '../../api/billing'
import { amountText, formatMoney, formatPercent, parseMoney, parsePercent, percentText } from '../../api/money'
import { $api, keyOf } from '../../api/query'
import { ApiError } from '../../api/session'
import { formatDateTime } from '../../api/time'
import { Field } from '../../components/fields'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { kindWords } from '../billing/words'

type Kind = Price['kind']

const kinds = Object.keys(kindWords) as Kind[]

/** What each kind's ref names, as a hint under the field. */
const refHint: Record<Kind, string> = {
  consultation: 'The specialty it prices, in lower case (e.g. cardiology); empty for the general consultation.',
  procedure: 'Optional.',
  treatment: 'Optional.',
  lab_test: 'The lab test code.',
  medication: 'The medication’s id.',
  bed_day: 'The ward’s id.',
}

interface Form {
  code: string
  name: string
  kind: Kind
  ref: string
  amount: string
  tax: string
  retired: boolean
}

const empty: Form = { code: '', name: '', kind: 'consultation', ref: '', amount: '', tax: '0', retired: false }

export function Prices() {
  const prices = $api.useQuery('get', '/api/billing/prices')
  const config = useBillingConfig()
  const currency = config.data?.currency || prices.data?.currency || ''
  const [editing, setEditing] = useState<Price | null>(null)
  const items = prices.data?.items ?? []
  return (
    <div className="stack">
      <section className="panel stack" aria-labelledby="adm-prices-h">
        <h2 id="adm-prices-h">
          Price list {currency && <span className="muted">({currency})</span>}
        </h2>
        <LoadError error={prices.error ? billingError(prices.error) : ''} retry={() => void prices.refetch()} retryText="Try again">
          Could not load the price list
        </LoadError>
        {prices.isPending && <p className="muted">Loading the price list…</p>}
        {prices.data && items.length === 0 && <p className="muted">The price list is empty: add the first entry below.</p>}
        {items.length > 0 && (
          <div className="adm-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Prices</th>
                  <th scope="col" className="adm-num">
                    Amount
                  </th>
                  <th scope="col" className="adm-num">
                    Tax
                  </th>
                  <th scope="col">Version</th>
                  <th scope="col">
                    <span className="sr-only">Edit</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((p) => (
                  <tr key={p.code} className={editing?.code === p.code ? 'selected' : undefined} data-testid={`price-${p.code}`}>
                    <td className="adm-nowrap">{p.code}</td>
                    <td>
                      {p.name}
                      {p.retired && <span className="tag adm-tag-retired">retired</span>}
                    </td>
                    <td>{kindWords[p.kind] ?? p.kind}</td>
                    <td>{p.ref || '—'}</td>
                    <td className="adm-num">{formatMoney(p.amount, prices.data?.currency ?? currency)}</td>
                    <td className="adm-num">{formatPercent(p.tax_bp)}</td>
                    <td className="adm-nowrap" title={`Set ${formatDateTime(p.at)}`}>
                      v{p.version}
                    </td>
                    <td>
                      <button type="button" className="btn btn-small" onClick={() => setEditing(p)} aria-label={`Edit ${p.code}`}>
                        Edit
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {currency && (
        <PriceForm
          key={editing ? `${editing.code}@${editing.version}` : 'new'}
          editing={editing}
          currency={currency}
          done={() => setEditing(null)}
          reload={async () => {
            const fresh = await prices.refetch()
            const now = fresh.data?.items.find((p) => p.code === editing?.code)
            if (now) setEditing(now)
          }}
        />
      )}
    </div>
  )
}

function formOf(p: Price | null, currency: string): Form {
  if (!p) return empty
  return {
    code: p.code,
    name: p.name,
    kind: p.kind,
    ref: p.ref ?? '',
    amount: amountText(p.amount, currency),
    tax: percentText(p.tax_bp),
    retired: p.retired ?? false,
  }
}

function PriceForm({
  editing,
  currency,
  done,
  reload,
}: {
  editing: Price | null
  currency: string
  done: () => void
  reload: () => Promise<void>
}) {
  const client = useQueryClient()
  const [f, setF] = useState<Form>(() => formOf(editing, currency))
  const [problems, setProblems] = useState<Partial<Record<keyof Form, string>>>({})
  const [saved, setSaved] = useState('')
  const save = $api.useMutation('put', '/api/billing/prices/{code}', {
    onSuccess: (p) => {
      setSaved(`Saved ${p.code}, version ${p.version}.`)
      void client.invalidateQueries({ queryKey: keyOf('/api/billing/prices') })
      if (!editing) setF(empty)
    },
  })
  const stale = save.error instanceof ApiError && save.error.code === 'price_changed'
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF({ ...f, [k]: v })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSaved('')
    const found: typeof problems = {}
    const code = f.code.trim()
    if (!code) found.code = 'Give the entry a code, e.g. CONS-CARDIOLOGY.'
    else if (!editing && /\s/.test(code)) found.code = 'A code has no spaces.'
    if (!f.name.trim()) found.name = 'Give the entry a name.'
    const amount = parseMoney(f.amount, currency)
    if (!amount.ok) found.amount = amount.error
    const tax = parsePercent(f.tax)
    if (!tax.ok) found.tax = tax.error
    setProblems(found)
    if (Object.keys(found).length > 0 || !amount.ok || !tax.ok) return
    save.mutate({
      params: { path: { code } },
      body: {
        name: f.name.trim(),
        kind: f.kind,
        ...(f.ref.trim() && { ref: f.ref.trim() }),
        amount: amount.minor,
        tax_bp: tax.minor,
        ...(editing && { retired: f.retired }),
      },
    })
  }
  return (
    <section className="panel" aria-labelledby="adm-price-form-h">
      <form className="stack" onSubmit={submit} noValidate aria-labelledby="adm-price-form-h">
        <div className="row">
          <h3 id="adm-price-form-h">{editing ? `Edit ${editing.code} (version ${editing.version})` : 'Add a price'}</h3>
          <span className="spacer" />
          {editing && (
            <button type="button" className="btn btn-small" onClick={done}>
              Add a new entry instead
            </button>
          )}
        </div>
        <div className="adm-price-fields">
          <Field label="Code" error={problems.code} hint={editing ? 'A code never changes.' : undefined}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                value={f.code}
                readOnly={!!editing}
                onChange={(e) => set('code', e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
          <Field label="Name" error={problems.name}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                value={f.name}
                onChange={(e) => set('name', e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                autoComplete="off"
              />
            )}
          </Field>
          <Field label="Kind" hint={editing ? 'The kind of an entry never changes.' : undefined}>
            {({ id, describedBy }) => (
              <select
                id={id}
                value={f.kind}
                disabled={!!editing}
                onChange={(e) => set('kind', e.target.value as Kind)}
                aria-describedby={describedBy}
              >
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {kindWords[k]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Prices (ref)" hint={refHint[f.kind]}>
            {({ id, describedBy }) => (
              <input id={id} value={f.ref} onChange={(e) => set('ref', e.target.value)} aria-describedby={describedBy} autoComplete="off" />
            )}
          </Field>
          <Field label={`Amount (${currency})`} error={problems.amount} hint="Before tax, e.g. 12.50">
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                inputMode="decimal"
                value={f.amount}
                onChange={(e) => set('amount', e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                autoComplete="off"
              />
            )}
          </Field>
          <Field label="Tax (%)" error={problems.tax} hint="e.g. 20 or 7.5">
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                inputMode="decimal"
                value={f.tax}
                onChange={(e) => set('tax', e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                autoComplete="off"
              />
            )}
          </Field>
        </div>
        {editing && (
          <label className="check">
            <input type="checkbox" checked={f.retired} onChange={(e) => set('retired', e.target.checked)} />
            Retired (no longer charged; kept for the invoices that name it)
          </label>
        )}
        <div className="row">
          <SubmitButton busy={save.isPending} busyText="Saving…">
            {editing ? 'Save a new version' : 'Add the price'}
          </SubmitButton>
          {stale && (
            <button type="button" className="btn" onClick={() => void reload().then(() => save.reset())}>
              Reload
            </button>
          )}
          <ErrorText error={save.error ? billingError(save.error) : ''} />
          {saved && (
            <span className="ok-text" role="status">
              {saved}
            </span>
          )}
        </div>
      </form>
    </section>
  )
}
