// The integration clients tab (GET/POST /api/integration-clients, POST …/{id}/rotate and …/{id}/revoke):
// machine clients of the FHIR API. An admin registers one with a name and its scopes, ticked by
// resource type (read, write); its secret is shown once, with a copy button, and never again (the
// server keeps only a hash). Rotating gives a new secret (the old one and its tokens stop at once);
// revoking stops the client for good. Both ask for confirmation. docs/integrations.md.
import { CopyButton } from '../../components/CopyButton'
import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatDateTime } from '../../api/time'
import type { IntegrationClient, IntegrationClientSecret } from '../../api/types'
import { ModalDialog } from '../../components/ModalDialog'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'

/** The resource types scopes may name, when the list has not said (it does, from the server). */
const fallbackTypes = ['Patient', 'Practitioner', 'Organization', 'Location', 'Schedule', 'Slot', 'Appointment', 'Encounter',
  'Observation', 'DiagnosticReport', 'MedicationRequest', 'Coverage', 'Claim', 'ClaimResponse']

type Interaction = 'read' | 'write'

export function IntegrationClients() {
  const clients = $api.useQuery('get', '/api/integration-clients', { params: { query: { limit: 100 } } })
  const [secret, setSecret] = useState<{ shown: IntegrationClientSecret; rotated: boolean } | null>(null)
  const [confirm, setConfirm] = useState<{ client: IntegrationClient; action: 'rotate' | 'revoke' } | null>(null)
  const items = clients.data?.items ?? []
  const types = clients.data?.resource_types ?? fallbackTypes
  return (
    <div className="stack">
      {secret && <SecretPanel shown={secret.shown} rotated={secret.rotated} done={() => setSecret(null)} />}
      <section className="panel stack" aria-labelledby="adm-int-h">
        <h2 id="adm-int-h">Integration clients</h2>
        <p className="muted">
          Other systems that read or write through the FHIR API (<code>/fhir/R4</code>) with a client id and secret
          (OAuth 2.0 client credentials, <code>POST /oauth/token</code>). Each may do only what its scopes allow, for every
          patient: grant no more than it needs. Its calls are in the activity log as <code>client:&lt;id&gt;</code>.
        </p>
        <LoadError error={clients.error ? messageOf(clients.error) : ''} retry={() => void clients.refetch()} retryText="Try again">
          Could not load the integration clients
        </LoadError>
        {clients.isPending && <p className="muted">Loading the integration clients…</p>}
        {clients.data && items.length === 0 && <p className="muted">No integration clients yet: register the first below.</p>}
        {items.length > 0 && (
          <div className="adm-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Client id</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id} data-testid={`client-${c.id}`}>
                    <td>
                      {c.name}
                      {c.revoked_at && <span className="tag adm-tag-retired">revoked {formatDateTime(c.revoked_at)}</span>}
                    </td>
                    <td>
                      <code>{c.id}</code>
                    </td>
                    <td>{c.scopes.join(' ')}</td>
                    <td className="adm-nowrap">{formatDateTime(c.created_at)}</td>
                    <td className="adm-nowrap">{c.last_used_at ? formatDateTime(c.last_used_at) : 'never'}</td>
                    <td className="adm-nowrap">
                      {!c.revoked_at && (
                        <span className="adm-int-actions">
                          <button type="button" className="btn btn-small" onClick={() => setConfirm({ client: c, action: 'rotate' })}
                            aria-label={`Rotate secret of ${c.name}`}>
                            Rotate secret
                          </button>
                          <button type="button" className="btn btn-small btn-danger" onClick={() => setConfirm({ client: c, action: 'revoke' })}
                            aria-label={`Revoke ${c.name}`}>
                            Revoke
                          </button>
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <RegisterForm types={types} registered={(s) => setSecret({ shown: s, rotated: false })} />
      {confirm && (
        <ConfirmAction
          client={confirm.client}
          action={confirm.action}
          close={() => setConfirm(null)}
          rotated={(s) => {
            setConfirm(null)
            setSecret({ shown: s, rotated: true })
          }}
        />
      )}
    </div>
  )
}

/** The secret of a client just registered or rotated, shown this once, with copy buttons. */
function SecretPanel({ shown, rotated, done }: { shown: IntegrationClientSecret; rotated: boolean; done: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null)
  // The secret appears above the list: take the reader there (focus and view), once per secret.
  useEffect(() => {
    heading.current?.focus()
    heading.current?.scrollIntoView({ block: 'start' })
  }, [shown.client_secret])
  return (
    <section className="panel stack adm-secret" aria-labelledby="adm-int-secret-h" data-testid="client-secret">
      <h2 id="adm-int-secret-h" ref={heading} tabIndex={-1}>
        {rotated ? 'New secret for' : 'Registered'} {shown.client.name}
      </h2>
      <p role="status">
        <strong>Copy the secret now: you will not see it again.</strong> HMS keeps only a hash of it. If it is lost, rotate the
        secret.{rotated && ' The old secret and the tokens issued with it no longer work.'}
      </p>
      <dl className="adm-secret-fields">
        <dt>Client id</dt>
        <dd className="row">
          <code data-testid="client-id">{shown.client.id}</code>
          <CopyButton text={shown.client.id} label="Copy id" what="client id" />
        </dd>
        <dt>Client secret</dt>
        <dd className="row">
          <code data-testid="client-secret-value" className="adm-secret-value">
            {shown.client_secret}
          </code>
          <CopyButton key={shown.client_secret} text={shown.client_secret} label="Copy secret" what="secret" primary />
        </dd>
      </dl>
      <div className="row">
        <button type="button" className="btn" onClick={done}>
          I have stored it
        </button>
      </div>
    </section>
  )
}

/** The registration form: a name and the scopes, one row per resource type with read and write. */
function RegisterForm({ types, registered }: { types: string[]; registered: (s: IntegrationClientSecret) => void }) {
  const client = useQueryClient()
  const [name, setName] = useState('')
  const [picked, setPicked] = useState<Set<string>>(new Set())
  const [problem, setProblem] = useState('')
  const create = $api.useMutation('post', '/api/integration-clients', {
    onSuccess: (s) => {
      registered(s)
      setName('')
      setPicked(new Set())
      void client.invalidateQueries({ queryKey: keyOf('/api/integration-clients') })
    },
  })
  const scope = (type: string, i: Interaction) => `system/${type}.${i}`
  const toggle = (s: string) => {
    const next = new Set(picked)
    if (next.has(s)) next.delete(s)
    else next.add(s)
    setPicked(next)
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    create.reset()
    if (!name.trim()) return setProblem('Give the client a name, e.g. the system it is.')
    if (picked.size === 0) return setProblem('Tick at least one scope.')
    setProblem('')
    const scopes = ['*', ...types].flatMap((t) => (['read', 'write'] as const).map((i) => scope(t, i))).filter((s) => picked.has(s))
    create.mutate({ body: { name: name.trim(), scopes } })
  }
  const row = (type: string, label: string) => (
    <tr key={type}>
      <th scope="row">{label}</th>
      {(['read', 'write'] as const).map((i) => (
        <td key={i}>
          <input type="checkbox" checked={picked.has(scope(type, i))} onChange={() => toggle(scope(type, i))}
            aria-label={`${label}: ${i}`} />
        </td>
      ))}
    </tr>
  )
  return (
    <section className="panel" aria-labelledby="adm-int-new-h">
      <form className="stack" onSubmit={submit} noValidate aria-labelledby="adm-int-new-h">
        <h3 id="adm-int-new-h">Register a client</h3>
        <div className="adm-field adm-int-name">
          <label htmlFor="adm-int-name">Name</label>
          <input id="adm-int-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </div>
        <fieldset className="stack">
          <legend>Scopes: what it may do, for every patient</legend>
          <div className="adm-scroll">
            <table className="table adm-scopes">
              <thead>
                <tr>
                  <th scope="col">Resource</th>
                  <th scope="col">Read</th>
                  <th scope="col">Write</th>
                </tr>
              </thead>
              <tbody>
                {row('*', 'Every resource (*)')}
                {types.map((t) => row(t, t))}
              </tbody>
            </table>
          </div>
        </fieldset>
        <div className="row">
          <SubmitButton busy={create.isPending} busyText="Registering…">
            Register the client
          </SubmitButton>
          <ErrorText error={problem || (create.error ? messageOf(create.error) : '')} />
        </div>
      </form>
    </section>
  )
}

/** Asks before rotating a client's secret or revoking it, then does it. */
function ConfirmAction({ client, action, close, rotated }: {
  client: IntegrationClient
  action: 'rotate' | 'revoke'
  close: () => void
  rotated: (s: IntegrationClientSecret) => void
}) {
  const qc = useQueryClient()
  const refresh = () => void qc.invalidateQueries({ queryKey: keyOf('/api/integration-clients') })
  const rotate = $api.useMutation('post', '/api/integration-clients/{id}/rotate', {
    onSuccess: (s) => {
      refresh()
      rotated(s)
    },
  })
  const revoke = $api.useMutation('post', '/api/integration-clients/{id}/revoke', {
    onSuccess: () => {
      refresh()
      close()
    },
  })
  const m = action === 'rotate' ? rotate : revoke
  const go = () => m.mutate({ params: { path: { id: client.id } } })
  return (
    <ModalDialog role="alertdialog" isOpen onClose={close}
      title={action === 'rotate' ? `Rotate the secret of ${client.name}?` : `Revoke ${client.name}?`}>
      <p>
        {action === 'rotate'
          ? 'A new secret is made and shown once. The current secret, and every token issued with it, stop working at once: the system using it needs the new one.'
          : 'The client stops at once: its secret and every token it holds no longer work. This cannot be undone; register a new client to give access again.'}
      </p>
      <div className="row">
        <button type="button" className={action === 'rotate' ? 'btn btn-primary' : 'btn btn-danger'} disabled={m.isPending} onClick={go}>
          {m.isPending ? (action === 'rotate' ? 'Rotating…' : 'Revoking…') : action === 'rotate' ? 'Rotate secret' : 'Revoke client'}
        </button>
        <button type="button" className="btn" onClick={close}>
          Cancel
        </button>
        <ErrorText error={m.error ? messageOf(m.error) : ''} />
      </div>
    </ModalDialog>
  )
}
