// The payers (insurers) the hospital claims from, kept by admins (GET/POST /api/billing/payers, PUT
// /api/billing/payers/{id}): each with its code, name and contact, and a form to add one or change
// one from the revision shown. A retired payer stays on the policies, invoices and claims that name it
// but takes no new policy. Two admins saving one payer at once: the second is told to reload.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { billingError, type Payer } from '../../api/billing'
import { $api, keyOf } from '../../api/query'
import { ApiError } from '../../api/session'
import { Field } from '../../components/fields'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'

interface Form {
  code: string
  name: string
  contact: string
  retired: boolean
}

const empty: Form = { code: '', name: '', contact: '', retired: false }

export function Payers() {
  const payers = $api.useQuery('get', '/api/billing/payers')
  const [editing, setEditing] = useState<Payer | null>(null)
  const items = payers.data?.items ?? []
  return (
    <div className="stack">
      <section className="panel stack" aria-labelledby="adm-payers-h">
        <h2 id="adm-payers-h">Payers</h2>
        <p className="muted">The insurers the hospital claims from. Staff give patients policies with them at the billing desk.</p>
        <LoadError error={payers.error ? billingError(payers.error) : ''} retry={() => void payers.refetch()} retryText="Try again">
          Could not load the payers
        </LoadError>
        {payers.isPending && <p className="muted">Loading the payers…</p>}
        {payers.data && items.length === 0 && <p className="muted">No payers yet: add the first below.</p>}
        {items.length > 0 && (
          <div className="adm-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Name</th>
                  <th scope="col">Contact</th>
                  <th scope="col">
                    <span className="sr-only">Edit</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((p) => (
                  <tr key={p.id} className={editing?.id === p.id ? 'selected' : undefined} data-testid={`payer-${p.code}`}>
                    <td className="adm-nowrap">{p.code}</td>
                    <td>
                      {p.name}
                      {p.retired && <span className="tag adm-tag-retired">retired</span>}
                    </td>
                    <td>{p.contact || '—'}</td>
                    <td>
                      <button type="button" className="btn btn-small" onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>
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
      <PayerForm
        key={editing ? `${editing.id}@${editing.rev}` : 'new'}
        editing={editing}
        done={() => setEditing(null)}
        reload={async () => {
          const fresh = await payers.refetch()
          const now = fresh.data?.items.find((p) => p.id === editing?.id)
          if (now) setEditing(now)
        }}
      />
    </div>
  )
}

function PayerForm({ editing, done, reload }: { editing: Payer | null; done: () => void; reload: () => Promise<void> }) {
  const client = useQueryClient()
  const [f, setF] = useState<Form>(() =>
    editing ? { code: editing.code, name: editing.name, contact: editing.contact ?? '', retired: editing.retired ?? false } : empty,
  )
  const [problems, setProblems] = useState<Partial<Record<keyof Form, string>>>({})
  const [saved, setSaved] = useState('')
  const after = (p: Payer) => {
    setSaved(`Saved ${p.name}.`)
    void client.invalidateQueries({ queryKey: keyOf('/api/billing/payers') })
  }
  const create = $api.useMutation('post', '/api/billing/payers', {
    onSuccess: (p) => {
      after(p)
      setF(empty)
    },
  })
  const update = $api.useMutation('put', '/api/billing/payers/{id}', { onSuccess: after })
  const save = editing ? update : create
  const stale = update.error instanceof ApiError && update.error.code === 'payer_changed'
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF({ ...f, [k]: v })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSaved('')
    const found: typeof problems = {}
    if (!f.code.trim()) found.code = 'Give the payer a short code, e.g. ACME.'
    else if (/\s/.test(f.code.trim())) found.code = 'A code has no spaces.'
    if (!f.name.trim()) found.name = 'Give the payer its name.'
    setProblems(found)
    if (Object.keys(found).length > 0) return
    const body = { code: f.code.trim(), name: f.name.trim(), ...(f.contact.trim() && { contact: f.contact.trim() }) }
    if (editing) update.mutate({ params: { path: { id: editing.id } }, body: { ...body, retired: f.retired, rev: editing.rev } })
    else create.mutate({ body })
  }
  return (
    <section className="panel" aria-labelledby="adm-payer-form-h">
      <form className="stack" onSubmit={submit} noValidate aria-labelledby="adm-payer-form-h">
        <div className="row">
          <h3 id="adm-payer-form-h">{editing ? `Edit ${editing.name}` : 'Add a payer'}</h3>
          <span className="spacer" />
          {editing && (
            <button type="button" className="btn btn-small" onClick={done}>
              Add a new payer instead
            </button>
          )}
        </div>
        <div className="adm-price-fields">
          <Field label="Code" error={problems.code}>
            {({ id, describedBy, invalid }) => (
              <input id={id} value={f.code} onChange={(e) => set('code', e.target.value)} aria-describedby={describedBy}
                aria-invalid={invalid || undefined} autoComplete="off" spellCheck={false} />
            )}
          </Field>
          <Field label="Name" error={problems.name}>
            {({ id, describedBy, invalid }) => (
              <input id={id} value={f.name} onChange={(e) => set('name', e.target.value)} aria-describedby={describedBy}
                aria-invalid={invalid || undefined} autoComplete="off" />
            )}
          </Field>
          <Field label="Contact" hint="Where claims go: an address, email or phone">
            {({ id, describedBy }) => (
              <input id={id} value={f.contact} onChange={(e) => set('contact', e.target.value)} aria-describedby={describedBy} autoComplete="off" />
            )}
          </Field>
        </div>
        {editing && (
          <label className="check">
            <input type="checkbox" checked={f.retired} onChange={(e) => set('retired', e.target.checked)} />
            Retired (no new policies; kept on those that name it)
          </label>
        )}
        <div className="row">
          <SubmitButton busy={save.isPending} busyText="Saving…">
            {editing ? 'Save' : 'Add the payer'}
          </SubmitButton>
          {stale && (
            <button type="button" className="btn" onClick={() => void reload().then(() => update.reset())}>
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
