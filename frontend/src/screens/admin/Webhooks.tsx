// Signed webhooks (docs/integrations.md): the subscriptions the hospital delivers events to (GET/POST
// /api/webhooks/subscriptions; PATCH to enable or disable, DELETE), each with its delivery log and dead
// letters to redeliver (GET …/deliveries, POST /api/webhooks/redeliver) and a test event (POST …/test);
// and the partners that send the hospital webhooks (GET/POST /api/webhooks/partners) with what each
// sent last (GET …/received). A secret is shown once, when it is made.
import { CopyButton } from '../../components/CopyButton'
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { api, messageOf, must } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import type { components } from '../../api/schema'
import { formatDateTime } from '../../api/time'
import { Field } from '../../components/fields'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { Tag } from '../../components/labels'

type S = components['schemas']
type Subscription = S['WebhookSubscription']
type Delivery = S['WebhookDelivery']
type EventType = S['WebhookSubscriptionRequest']['events'][number]

const stateTone: Record<Delivery['state'], string> = { pending: 'tag-warn', delivered: 'tag-ok', dead: 'tag-urgent' }

export function Webhooks() {
  const [open, setOpen] = useState('')
  return (
    <div className="stack">
      <Subscriptions open={open} onOpen={setOpen} />
      {open && <DeliveryLog key={open} id={open} />}
      <Partners />
    </div>
  )
}

/** A secret just made: shown once, with a reminder that it is not shown again. */
function Secret({ secret, what }: { secret: string; what: string }) {
  return (
    <div className="adm-made" role="status" data-testid="webhook-secret">
      <p>The {what}'s signing secret, shown this once:</p>
      <p className="row">
        <code className="adm-secret">{secret}</code>
        <CopyButton text={secret} label="Copy secret" what="secret" />
      </p>
      <p className="adm-warn">Copy it now into the other system; it cannot be shown again.</p>
    </div>
  )
}

function Subscriptions({ open, onOpen }: { open: string; onOpen: (id: string) => void }) {
  const client = useQueryClient()
  const subs = $api.useQuery('get', '/api/webhooks/subscriptions')
  const [busy, setBusy] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [notes, setNotes] = useState<Record<string, string>>({})
  const reload = () => void client.invalidateQueries({ queryKey: keyOf('/api/webhooks/subscriptions') })
  const act = async (s: Subscription, what: string, call: () => Promise<unknown>, done: string) => {
    setBusy(s.id + what)
    setErrors(({ [s.id]: _, ...rest }) => rest)
    setNotes(({ [s.id]: _, ...rest }) => rest)
    try {
      await call()
      setNotes((m) => ({ ...m, [s.id]: done }))
      reload()
    } catch (e) {
      setErrors((m) => ({ ...m, [s.id]: messageOf(e) }))
    } finally {
      setBusy('')
    }
  }
  const items = subs.data?.items ?? []
  return (
    <section className="panel stack" aria-labelledby="adm-webhooks-h">
      <h2 id="adm-webhooks-h">Webhook subscriptions</h2>
      <p className="muted">
        Systems that receive the hospital's events, signed (Standard Webhooks). Payloads carry ids only; the receiver reads
        details through the FHIR API.
      </p>
      <LoadError error={subs.error ? messageOf(subs.error) : ''} retry={() => void subs.refetch()}>
        Could not load the subscriptions
      </LoadError>
      {subs.isPending && <p className="muted">Loading the subscriptions…</p>}
      {subs.data && items.length === 0 && <p className="muted">No subscriptions yet: add the first below.</p>}
      {items.length > 0 && (
        <div className="adm-scroll">
          <table className="table" data-testid="webhook-subscriptions">
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id} className={open === s.id ? 'selected' : undefined} data-testid={`webhook-${s.id}`}>
                  <td>
                    <code>{s.url}</code>
                    {s.description && <div className="muted">{s.description}</div>}
                  </td>
                  <td>{s.events.join(', ')}</td>
                  <td>
                    <Tag tone={s.enabled ? 'tag-ok' : ''}>{s.enabled ? 'enabled' : 'disabled'}</Tag>
                  </td>
                  <td className="adm-actions">
                    <button type="button" className="btn btn-small" aria-pressed={open === s.id} onClick={() => onOpen(open === s.id ? '' : s.id)}>
                      {open === s.id ? 'Hide log' : 'Delivery log'}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={busy !== ''}
                      onClick={() =>
                        void act(s, 'test', () => must(api.POST('/api/webhooks/subscriptions/{id}/test', { params: { path: { id: s.id } } })), 'Test event sent.')
                      }
                    >
                      Send test event
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={busy !== ''}
                      onClick={() =>
                        void act(
                          s,
                          'enable',
                          () => must(api.PATCH('/api/webhooks/subscriptions/{id}', { params: { path: { id: s.id } }, body: { enabled: !s.enabled } })),
                          s.enabled ? 'Disabled.' : 'Enabled.',
                        )
                      }
                    >
                      {s.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={busy !== ''}
                      aria-label={`Delete the subscription to ${s.url}`}
                      onClick={() => {
                        if (!window.confirm(`Delete the subscription to ${s.url}? Its deliveries stay in the log.`)) return
                        if (open === s.id) onOpen('')
                        void act(s, 'delete', () => must(api.DELETE('/api/webhooks/subscriptions/{id}', { params: { path: { id: s.id } } })), 'Deleted.')
                      }}
                    >
                      Delete
                    </button>
                    <ErrorText error={errors[s.id] ?? ''} />
                    {notes[s.id] && (
                      <span className="ok-text" role="status">
                        {notes[s.id]}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NewSubscription done={reload} />
    </section>
  )
}

function NewSubscription({ done }: { done: () => void }) {
  const catalogue = $api.useQuery('get', '/api/webhooks/catalogue')
  const [url, setURL] = useState('')
  const [description, setDescription] = useState('')
  const [events, setEvents] = useState<EventType[]>([])
  const [problems, setProblems] = useState<{ url?: string; events?: string }>({})
  const [secret, setSecret] = useState('')
  const create = $api.useMutation('post', '/api/webhooks/subscriptions', {
    onSuccess: (made) => {
      setSecret(made.secret)
      setURL('')
      setDescription('')
      setEvents([])
      done()
    },
  })
  const toggle = (t: EventType) => setEvents((es) => (es.includes(t) ? es.filter((e) => e !== t) : [...es, t]))
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSecret('')
    const found: typeof problems = {}
    if (!/^https?:\/\/\S+$/.test(url.trim())) found.url = 'Give the receiver’s full URL, e.g. https://partner.example/hooks.'
    if (events.length === 0) found.events = 'Choose at least one event.'
    setProblems(found)
    if (Object.keys(found).length > 0) return
    create.mutate({ body: { url: url.trim(), events, ...(description.trim() && { description: description.trim() }) } })
  }
  return (
    <form className="stack adm-subform" onSubmit={submit} noValidate aria-labelledby="adm-webhook-form-h">
      <h3 id="adm-webhook-form-h">Add a subscription</h3>
      <div className="adm-price-fields">
        <Field label="URL" error={problems.url} hint="https; http only where WEBHOOK_ALLOW_HTTP=true">
          {({ id, describedBy, invalid }) => (
            <input id={id} value={url} onChange={(e) => setURL(e.target.value)} aria-describedby={describedBy}
              aria-invalid={invalid || undefined} autoComplete="off" spellCheck={false} inputMode="url" />
          )}
        </Field>
        <Field label="Description">
          {({ id, describedBy }) => (
            <input id={id} value={description} onChange={(e) => setDescription(e.target.value)} aria-describedby={describedBy} autoComplete="off" />
          )}
        </Field>
      </div>
      <fieldset className="adm-events" aria-describedby={problems.events ? 'adm-webhook-events-err' : undefined}>
        <legend>Events</legend>
        {catalogue.isPending && <p className="muted">Loading the events…</p>}
        {(catalogue.data?.items ?? []).map((c) => (
          <label key={c.type} className="check">
            <input type="checkbox" checked={events.includes(c.type)} onChange={() => toggle(c.type)} />
            <code>{c.type}</code> <span className="muted">{c.description}</span>
          </label>
        ))}
        {problems.events && (
          <span id="adm-webhook-events-err" className="error-text">
            {problems.events}
          </span>
        )}
      </fieldset>
      <div className="row">
        <SubmitButton busy={create.isPending} busyText="Adding…">
          Add the subscription
        </SubmitButton>
        <ErrorText error={create.error ? messageOf(create.error) : ''} />
      </div>
      {secret && <Secret secret={secret} what="subscription" />}
    </form>
  )
}

function DeliveryLog({ id }: { id: string }) {
  const [dead, setDead] = useState(false)
  const q = $api.useQuery('get', '/api/webhooks/subscriptions/{id}/deliveries', {
    params: { path: { id }, query: { limit: 50, ...(dead ? { state: 'dead' as const } : {}) } },
  }, { refetchInterval: 3000 })
  const [busy, setBusy] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const redeliver = async (d: Delivery) => {
    setBusy(d.id)
    setErrors(({ [d.id]: _, ...rest }) => rest)
    try {
      await must(api.POST('/api/webhooks/redeliver', { body: { delivery_id: d.id } }))
      void q.refetch()
    } catch (e) {
      setErrors((m) => ({ ...m, [d.id]: messageOf(e) }))
    } finally {
      setBusy('')
    }
  }
  const deliveries = q.data?.deliveries ?? []
  const attempts = q.data?.attempts ?? []
  return (
    <section className="panel stack" aria-labelledby="adm-webhook-log-h">
      <div className="row">
        <h2 id="adm-webhook-log-h">Delivery log</h2>
        <span className="spacer" />
        <label className="check">
          <input type="checkbox" checked={dead} onChange={(e) => setDead(e.target.checked)} />
          Dead letters only
        </label>
        <button type="button" className="btn btn-small" onClick={() => void q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p className="muted">
        Failed deliveries are retried after 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every few hours for about a day;
        then they are dead letters. Redelivering sends the same webhook-id, so the receiver drops a copy it had.
      </p>
      <LoadError error={q.error ? messageOf(q.error) : ''} retry={() => void q.refetch()}>
        Could not load the delivery log
      </LoadError>
      {q.isPending && <p className="muted">Loading the log…</p>}
      {q.data && deliveries.length === 0 && <p className="muted">{dead ? 'No dead letters.' : 'Nothing delivered yet.'}</p>}
      {deliveries.length > 0 && (
        <div className="adm-scroll">
          <table className="table" data-testid="webhook-deliveries">
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Event</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last answer</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.id} data-testid={`webhook-delivery-${d.event_type}`}>
                  <td className="adm-nowrap">{formatDateTime(d.created_at)}</td>
                  <td>
                    <code>{d.event_type}</code>
                  </td>
                  <td>
                    <Tag tone={stateTone[d.state]}>{d.state}</Tag>
                  </td>
                  <td>{d.attempts}</td>
                  <td>{d.last_error ?? (d.last_status ? `HTTP ${d.last_status}` : <span className="muted">—</span>)}</td>
                  <td className="adm-actions">
                    {d.state !== 'pending' && (
                      <button type="button" className="btn btn-small" disabled={busy !== ''} onClick={() => void redeliver(d)}>
                        {busy === d.id ? 'Redelivering…' : 'Redeliver'}
                      </button>
                    )}
                    <ErrorText error={errors[d.id] ?? ''} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {attempts.length > 0 && <h3 className="adm-h4">Attempts</h3>}
      {attempts.length > 0 && (
        <table className="table adm-log" aria-label="Attempts, newest first">
          <thead>
            <tr>
              <th scope="col">At</th>
              <th scope="col">Event</th>
              <th scope="col">Attempt</th>
              <th scope="col">Answer</th>
              <th scope="col">Latency</th>
            </tr>
          </thead>
          <tbody>
            {attempts.map((a) => (
              <tr key={`${a.delivery_id}|${a.n}`}>
                <td className="adm-nowrap">{formatDateTime(a.at)}</td>
                <td>
                  <code>{a.event_type}</code>
                </td>
                <td>{a.n}</td>
                <td>{a.error ?? (a.status_code ? `HTTP ${a.status_code}` : 'sending…')}</td>
                <td>{a.latency_ms} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function Partners() {
  const client = useQueryClient()
  const partners = $api.useQuery('get', '/api/webhooks/partners')
  const payers = $api.useQuery('get', '/api/billing/payers')
  const [open, setOpen] = useState('')
  const [name, setName] = useState('')
  const [kind, setKind] = useState<'insurer' | 'pharmacy'>('insurer')
  const [payer, setPayer] = useState('')
  const [problems, setProblems] = useState<{ name?: string; payer?: string }>({})
  const [secret, setSecret] = useState('')
  const create = $api.useMutation('post', '/api/webhooks/partners', {
    onSuccess: (made) => {
      setSecret(made.secret)
      setName('')
      void client.invalidateQueries({ queryKey: keyOf('/api/webhooks/partners') })
    },
  })
  const payerName = (id?: string) => payers.data?.items.find((p) => p.id === id)?.name ?? id ?? ''
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSecret('')
    const found: typeof problems = {}
    if (!name.trim()) found.name = 'Give the partner its name.'
    if (kind === 'insurer' && !payer) found.payer = 'Choose the payer this insurer is.'
    setProblems(found)
    if (Object.keys(found).length > 0) return
    create.mutate({ body: { name: name.trim(), kind, ...(kind === 'insurer' && { payer_id: payer }) } })
  }
  const items = partners.data?.items ?? []
  return (
    <section className="panel stack" aria-labelledby="adm-partners-h">
      <h2 id="adm-partners-h">Inbound partners</h2>
      <p className="muted">
        Insurers answer claims and external pharmacies report e-prescriptions by signed webhook to
        <code> /api/webhooks/inbound/&lt;partner id&gt;</code>.
      </p>
      <LoadError error={partners.error ? messageOf(partners.error) : ''} retry={() => void partners.refetch()}>
        Could not load the partners
      </LoadError>
      {partners.data && items.length === 0 && <p className="muted">No partners yet.</p>}
      {items.length > 0 && (
        <div className="adm-scroll">
          <table className="table" data-testid="webhook-partners">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Endpoint</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id} className={open === p.id ? 'selected' : undefined}>
                  <td>{p.name}</td>
                  <td>{p.kind === 'insurer' ? `insurer (${payerName(p.payer_id)})` : 'pharmacy'}</td>
                  <td>
                    <code>/api/webhooks/inbound/{p.id}</code>
                  </td>
                  <td>
                    <button type="button" className="btn btn-small" aria-pressed={open === p.id} aria-label={`${open === p.id ? 'Hide received' : 'Last received'} from ${p.name}`}
                      onClick={() => setOpen(open === p.id ? '' : p.id)}>
                      {open === p.id ? 'Hide received' : 'Last received'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && <Received key={open} id={open} />}
      <form className="stack adm-subform" onSubmit={submit} noValidate aria-labelledby="adm-partner-form-h">
        <h3 id="adm-partner-form-h">Register a partner</h3>
        <div className="adm-price-fields">
          <Field label="Name" error={problems.name}>
            {({ id, describedBy, invalid }) => (
              <input id={id} value={name} onChange={(e) => setName(e.target.value)} aria-describedby={describedBy}
                aria-invalid={invalid || undefined} autoComplete="off" />
            )}
          </Field>
          <Field label="Kind">
            {({ id, describedBy }) => (
              <select id={id} value={kind} onChange={(e) => setKind(e.target.value as 'insurer' | 'pharmacy')} aria-describedby={describedBy}>
                <option value="insurer">Insurer</option>
                <option value="pharmacy">Pharmacy</option>
              </select>
            )}
          </Field>
          {kind === 'insurer' && (
            <Field label="Payer" error={problems.payer}>
              {({ id, describedBy, invalid }) => (
                <select id={id} value={payer} onChange={(e) => setPayer(e.target.value)} aria-describedby={describedBy} aria-invalid={invalid || undefined}>
                  <option value="">Choose…</option>
                  {(payers.data?.items ?? []).filter((p) => !p.retired).map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
        </div>
        <div className="row">
          <SubmitButton busy={create.isPending} busyText="Registering…">
            Register the partner
          </SubmitButton>
          <ErrorText error={create.error ? messageOf(create.error) : ''} />
        </div>
        {secret && <Secret secret={secret} what="partner" />}
      </form>
    </section>
  )
}

function Received({ id }: { id: string }) {
  const q = $api.useQuery('get', '/api/webhooks/partners/{id}/received', { params: { path: { id }, query: { limit: 20 } } })
  const items = q.data?.items ?? []
  return (
    <div className="stack">
      <LoadError error={q.error ? messageOf(q.error) : ''} retry={() => void q.refetch()}>
        Could not load what the partner sent
      </LoadError>
      {q.data && items.length === 0 && <p className="muted">Nothing received yet.</p>}
      {items.length > 0 && (
        <table className="table adm-log" aria-label="Webhooks received, newest first">
          <thead>
            <tr>
              <th scope="col">At</th>
              <th scope="col">Type</th>
              <th scope="col">webhook-id</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.message_id}>
                <td className="adm-nowrap">{formatDateTime(r.at)}</td>
                <td>
                  <code>{r.type}</code>
                </td>
                <td>
                  <code>{r.message_id}</code>
                </td>
                <td>
                  <Tag tone={r.outcome === 'rejected' ? 'tag-urgent' : 'tag-ok'}>{r.outcome}</Tag> {r.detail}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
