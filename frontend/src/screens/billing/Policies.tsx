// A patient's insurance policies at the billing desk (GET /api/patients/{id}/policies): the payer, the
// member id, the plan, the coverage and co-pay, the dates it is valid and whether it covers today. Staff
// add a policy (POST …/policies, a dialog) and end one (POST /api/policies/{id}/end, from a day on);
// a policy is never changed or deleted. An invoice issued on a day a policy covers is split by it.
import { can } from '../../roles'
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { billingError, type Policy } from '../../api/billing'
import { dayOf, formatDate } from '../../api/time'
import { parseMoney } from '../../api/money'
import { $api, keyOf } from '../../api/query'
import { Field } from '../../components/fields'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { Tag } from '../../components/labels'
import { ModalDialog } from '../../components/ModalDialog'
import { parseCoverage, policyState, termsText } from './insurance'

export function Policies({ patientID, currency }: { patientID: string; currency: string }) {
  const list = $api.useQuery('get', '/api/patients/{id}/policies', { params: { path: { id: patientID } } })
  const [adding, setAdding] = useState(false)
  const [ending, setEnding] = useState<Policy | null>(null)
  const today = dayOf()
  // Adding and ending policies needs billing.claims.
  const claims = can('billing.claims')
  const items = list.data?.items ?? []
  return (
    <section className="panel stack" aria-labelledby="bl-policies-h" data-testid="policies">
      <div className="row">
        <h2 id="bl-policies-h">Insurance</h2>
        <span className="spacer" />
        {claims && (
          <button type="button" className="btn btn-small" onClick={() => setAdding(true)} disabled={!currency}>
            Add policy
          </button>
        )}
      </div>
      <LoadError error={list.error ? billingError(list.error) : ''} retry={() => void list.refetch()}>
        Could not load the policies
      </LoadError>
      {list.isPending && <p className="muted">Loading the policies…</p>}
      {list.data && items.length === 0 && (
        <p className="muted">No policy: the patient pays their invoices in full.</p>
      )}
      {items.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Payer</th>
              <th scope="col">Member id</th>
              <th scope="col">Cover</th>
              <th scope="col">Valid</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="sr-only">End</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => {
              const state = policyState(p, today)
              return (
                <tr key={p.id} data-testid={`policy-${p.id}`}>
                  <td>
                    {p.payer_name}
                    {p.plan && <div className="muted bl-small">{p.plan}</div>}
                  </td>
                  <td className="bl-mono">{p.member_id}</td>
                  <td className="bl-nowrap">{termsText(p, currency)}</td>
                  <td className="bl-nowrap">
                    {formatDate(p.valid_from)} – {p.valid_to ? formatDate(p.valid_to) : 'open'}
                  </td>
                  <td>
                    <Tag tone={state.tone}>{state.text}</Tag>
                  </td>
                  <td>
                    {!p.ended && claims && (
                      <button
                        type="button"
                        className="btn btn-small"
                        onClick={() => setEnding(p)}
                        aria-label={`End the policy with ${p.payer_name} (${p.member_id})`}
                      >
                        End
                      </button>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      {adding && <AddPolicy patientID={patientID} currency={currency} close={() => setAdding(false)} />}
      {ending && <EndPolicy policy={ending} close={() => setEnding(null)} />}
    </section>
  )
}

const blank = { payer: '', member: '', plan: '', coverage: '', copay: '', from: '', to: '' }
type Form = typeof blank

function AddPolicy({ patientID, currency, close }: { patientID: string; currency: string; close: () => void }) {
  const client = useQueryClient()
  const payers = $api.useQuery('get', '/api/billing/payers')
  const [f, setF] = useState<Form>(() => ({ ...blank, from: dayOf() }))
  const [errors, setErrors] = useState<Partial<Record<keyof Form, string>>>({})
  const add = $api.useMutation('post', '/api/patients/{id}/policies', {
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/policies') })
      close()
    },
  })
  const open = (payers.data?.items ?? []).filter((p) => !p.retired)
  const set = (k: keyof Form) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const found: typeof errors = {}
    const cov = parseCoverage(f.coverage)
    const copay = f.copay.trim() ? parseMoney(f.copay, currency) : ({ ok: true, minor: 0 } as const)
    if (!f.payer) found.payer = 'Choose the payer.'
    if (!f.member.trim()) found.member = 'The patient’s member id with the payer.'
    if (!cov.ok) found.coverage = cov.error
    if (!copay.ok) found.copay = copay.error
    if (!f.from) found.from = 'The first day the policy covers.'
    if (f.to && f.from && f.to < f.from) found.to = 'The last day cannot be before the first.'
    setErrors(found)
    if (Object.keys(found).length > 0 || !cov.ok || !copay.ok) return
    add.mutate({
      params: { path: { id: patientID } },
      body: {
        payer_id: f.payer,
        member_id: f.member.trim(),
        coverage_bp: cov.bp,
        valid_from: f.from,
        ...(copay.minor > 0 && { copay: copay.minor }),
        ...(f.plan.trim() && { plan: f.plan.trim() }),
        ...(f.to && { valid_to: f.to }),
      },
    })
  }
  return (
    <ModalDialog title="Add an insurance policy" isOpen onClose={close}>
      <form className="stack" onSubmit={submit} noValidate aria-label="Add an insurance policy">
        <LoadError error={payers.error ? billingError(payers.error) : ''} retry={() => void payers.refetch()}>
          Could not load the payers
        </LoadError>
        {payers.data && open.length === 0 && <p className="muted">No payers yet: an admin adds them in Admin → Payers.</p>}
        <Field label="Payer" error={errors.payer}>
          {({ id, describedBy, invalid }) => (
            <select id={id} value={f.payer} onChange={set('payer')} aria-describedby={describedBy} aria-invalid={invalid || undefined}>
              <option value="">{payers.isPending ? 'Loading…' : 'Choose…'}</option>
              {open.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({p.code})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Member id" error={errors.member}>
          {({ id, describedBy, invalid }) => (
            <input id={id} value={f.member} onChange={set('member')} aria-describedby={describedBy} aria-invalid={invalid || undefined} autoComplete="off" />
          )}
        </Field>
        <Field label="Plan (optional)">
          {({ id }) => <input id={id} value={f.plan} onChange={set('plan')} autoComplete="off" />}
        </Field>
        <div className="bl-form">
          <Field label="Coverage (%)" hint="Of what is left after the co-pay" error={errors.coverage} className="bl-amount">
            {({ id, describedBy, invalid }) => (
              <input id={id} inputMode="decimal" value={f.coverage} onChange={set('coverage')} aria-describedby={describedBy}
                aria-invalid={invalid || undefined} autoComplete="off" />
            )}
          </Field>
          <Field label={`Co-pay (${currency})`} hint="Per invoice; empty for none" error={errors.copay} className="bl-amount">
            {({ id, describedBy, invalid }) => (
              <input id={id} inputMode="decimal" value={f.copay} onChange={set('copay')} aria-describedby={describedBy}
                aria-invalid={invalid || undefined} autoComplete="off" />
            )}
          </Field>
        </div>
        <div className="bl-form">
          <Field label="Valid from" error={errors.from} className="bl-amount">
            {({ id, describedBy, invalid }) => (
              <input id={id} type="date" value={f.from} onChange={set('from')} aria-describedby={describedBy} aria-invalid={invalid || undefined} />
            )}
          </Field>
          <Field label="Valid to (optional)" hint="The last day covered" error={errors.to} className="bl-amount">
            {({ id, describedBy, invalid }) => (
              <input id={id} type="date" value={f.to} onChange={set('to')} aria-describedby={describedBy} aria-invalid={invalid || undefined} />
            )}
          </Field>
        </div>
        <div className="row">
          <SubmitButton busy={add.isPending} busyText="Adding…">
            Add policy
          </SubmitButton>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <ErrorText error={add.error ? billingError(add.error) : ''} />
        </div>
      </form>
    </ModalDialog>
  )
}

function EndPolicy({ policy, close }: { policy: Policy; close: () => void }) {
  const client = useQueryClient()
  const [from, setFrom] = useState(() => dayOf())
  const end = $api.useMutation('post', '/api/policies/{id}/end', {
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/policies') })
      close()
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    end.mutate({ params: { path: { id: policy.id } }, body: from ? { from } : {} })
  }
  return (
    <ModalDialog title={`End the policy with ${policy.payer_name}`} isOpen onClose={close} role="alertdialog">
      <form className="stack" onSubmit={submit} noValidate>
        <p>
          Member id <span className="bl-mono">{policy.member_id}</span>. Invoices issued from this day on are not covered; those
          issued before keep their shares. An ended policy cannot be started again (add a new one).
        </p>
        <Field label="No longer covers from">
          {({ id }) => <input id={id} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />}
        </Field>
        <div className="row">
          <SubmitButton busy={end.isPending} busyText="Ending…">
            End policy
          </SubmitButton>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <ErrorText error={end.error ? billingError(end.error) : ''} />
        </div>
      </form>
    </ModalDialog>
  )
}
