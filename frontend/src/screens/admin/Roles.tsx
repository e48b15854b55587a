// Roles and what each may do (GET /api/permissions, GET /api/roles): a matrix with the permissions down
// the side, grouped under their headings, and one column per role (the four built-in roles, then the
// custom ones). A tick grants the permission; a cell the role's kind may not hold, or one the
// Administrator role always keeps, is disabled and says why. Ticks are a draft per role until its Save
// (PUT /api/roles/{id} with the whole set and the revision seen); "Undo changes" drops the draft. The
// server's refusals are said in words: someone else changed the role (the matrix reloads), the change
// would leave nobody able to manage roles, a locked permission. A new role is built on a kind, starting
// from the kind's grants or from nothing; a custom role no account holds can be deleted.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { ApiError, messageOf, session } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import type { Permission, PermissionInfo, Role, RoleInfo } from '../../api/types'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'

/** What each kind of role is, in a sentence. */
export const kindWords: Record<Role, { name: string; text: string }> = {
  admin: { name: 'Admin', text: 'Runs the hospital’s system: may hold the administration permissions (accounts, roles, settings, the activity log).' },
  doctor: { name: 'Doctor', text: 'A clinician: reaches patients under the care rule, may consult, prescribe, order and release tests.' },
  staff: { name: 'Staff', text: 'Hospital staff (desk, nurses, pharmacy, lab, billing): reaches patients as staff do; never prescribes.' },
  patient: { name: 'Patient', text: 'A patient: only their own records; may never be granted anything about other patients.' },
}

const kinds: Role[] = ['admin', 'doctor', 'staff', 'patient']

/** The permissions the Administrator role always keeps (400 locked_permission otherwise). */
const locked: Permission[] = ['users.manage', 'roles.manage']

/** Why a cell cannot be changed, or '' when it can. */
export function lockedWhy(role: RoleInfo, p: PermissionInfo): string {
  if (!p.kinds.includes(role.kind)) {
    return `A ${kindWords[role.kind].name.toLowerCase()}-kind role may not hold ${p.id}; only ${p.kinds.map((k) => kindWords[k].name.toLowerCase()).join(', ')} roles may.`
  }
  if (role.built_in && role.id === 'admin' && locked.includes(p.id)) {
    return `The Administrator role always keeps ${p.id}, so that someone can always manage accounts and roles.`
  }
  return ''
}

/** A server refusal of a role change, in words. */
export function roleError(e: unknown, name: string): string {
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'stale_revision':
        return `Someone else changed ${name} while you were editing it. The matrix now shows their version; make your changes again.`
      case 'last_admin':
        return `Not saved: no active account could manage roles any more. Keep roles.manage on a role someone holds.`
      case 'locked_permission':
        return `Not saved: the Administrator role always keeps users.manage and roles.manage.`
      case 'role_in_use':
        return `${name} is still held by some accounts: give them another role in Accounts first.`
      case 'role_not_found':
        return `${name} no longer exists (someone deleted it). The matrix has been reloaded.`
    }
  }
  return messageOf(e)
}

/** The grants in catalogue order. */
function ordered(catalogue: PermissionInfo[], set: Set<Permission>): Permission[] {
  return catalogue.filter((p) => set.has(p.id)).map((p) => p.id)
}

function sameSet(a: Set<Permission>, b: Permission[]): boolean {
  return a.size === b.length && b.every((p) => a.has(p))
}

export function Roles() {
  const client = useQueryClient()
  const perms = $api.useQuery('get', '/api/permissions', undefined, { staleTime: Infinity })
  const roles = $api.useQuery('get', '/api/roles')
  /** Each role's unsaved grants, by role id. */
  const [drafts, setDrafts] = useState<Record<string, Set<Permission>>>({})
  /** A word per role: its error, or that it was saved. */
  const [notes, setNotes] = useState<Record<string, { error?: string; ok?: string }>>({})
  const [deleting, setDeleting] = useState<RoleInfo | null>(null)
  const update = $api.useMutation('put', '/api/roles/{id}')
  const [saving, setSaving] = useState('')

  const catalogue = perms.data?.items ?? []
  const list = roles.data?.items ?? []
  const groups: { name: string; items: PermissionInfo[] }[] = []
  for (const p of catalogue) {
    const g = groups.at(-1)
    if (g && g.name === p.group) g.items.push(p)
    else groups.push({ name: p.group, items: [p] })
  }

  const note = (id: string, n: { error?: string; ok?: string }) => setNotes((all) => ({ ...all, [id]: n }))
  const drop = (id: string) =>
    setDrafts((all) => {
      const next = { ...all }
      delete next[id]
      return next
    })
  const reload = () => client.invalidateQueries({ queryKey: keyOf('/api/roles') })

  const toggle = (r: RoleInfo, p: Permission, on: boolean) => {
    const set = new Set(drafts[r.id] ?? r.grants)
    if (on) set.add(p)
    else set.delete(p)
    note(r.id, {})
    if (sameSet(set, r.grants)) drop(r.id)
    else setDrafts((all) => ({ ...all, [r.id]: set }))
  }

  const save = async (r: RoleInfo) => {
    const draft = drafts[r.id]
    if (!draft) return
    setSaving(r.id)
    note(r.id, {})
    try {
      await update.mutateAsync({ params: { path: { id: r.id } }, body: { grants: ordered(catalogue, draft), revision: r.revision } })
      drop(r.id)
      note(r.id, { ok: 'Saved. It applies to its holders at once.' })
      // One's own role changed: the session's grants (what the screens offer) are read again.
      if (session.current?.user.role_id === r.id) void session.refresh().catch(() => undefined)
    } catch (e) {
      note(r.id, { error: roleError(e, r.name) })
      if (e instanceof ApiError && (e.code === 'stale_revision' || e.code === 'role_not_found')) drop(r.id)
    } finally {
      setSaving('')
      await reload()
    }
  }

  const error = perms.error ?? roles.error
  return (
    <div className="stack">
      <NewRole catalogue={catalogue} onMade={(r) => note(r.id, { ok: `${r.name} created: tick what it may do, then Save.` })} />
      <section className="panel stack" aria-labelledby="adm-roles-h">
        <div className="row">
          <h2 id="adm-roles-h">Roles and permissions</h2>
          {roles.data && <span className="muted">{list.length} roles</span>}
        </div>
        <p className="muted adm-hint">
          Tick what each role may do, then save that role. A change applies to everyone holding the role on their next
          action; their screens show it when they next sign in or reload. Greyed boxes cannot be changed: hover or focus
          one to see why.
        </p>
        <LoadError error={error ? messageOf(error) : ''} retry={() => void Promise.all([perms.refetch(), roles.refetch()])} retryText="Try again">
          Could not load the roles
        </LoadError>
        {(perms.isPending || roles.isPending) && !error && <p className="muted">Loading the roles…</p>}
        {catalogue.length > 0 && list.length > 0 && (
          <div className="adm-matrix-scroll" role="region" aria-label="Permission matrix" tabIndex={0}>
            <table className="table adm-matrix" data-testid="roles-matrix">
              <thead>
                <tr>
                  <th scope="col" className="adm-matrix-perm">
                    Permission
                  </th>
                  {list.map((r) => {
                    const changed = !!drafts[r.id]
                    const n = notes[r.id]
                    return (
                      <th key={r.id} scope="col" className={changed ? 'adm-matrix-role adm-changed' : 'adm-matrix-role'} data-testid={`role-${r.id}`}>
                        <span className="adm-matrix-name">{r.name}</span>
                        <span className={`tag adm-role adm-role-${r.kind}`}>{r.built_in ? 'built-in' : `${kindWords[r.kind].name.toLowerCase()} kind`}</span>
                        <span className="adm-matrix-users">
                          {r.users === 1 ? '1 account' : `${r.users} accounts`}
                        </span>
                        {changed && (
                          <span className="adm-matrix-acts">
                            <button
                              type="button"
                              className="btn btn-small btn-primary"
                              disabled={saving !== ''}
                              aria-label={`Save ${r.name}`}
                              onClick={() => void save(r)}
                            >
                              {saving === r.id ? 'Saving…' : 'Save'}
                            </button>
                            <button
                              type="button"
                              className="btn btn-small"
                              disabled={saving === r.id}
                              aria-label={`Undo changes to ${r.name}`}
                              onClick={() => {
                                drop(r.id)
                                note(r.id, {})
                              }}
                            >
                              Undo changes
                            </button>
                          </span>
                        )}
                        {!changed && !r.built_in && r.users === 0 && (
                          <span className="adm-matrix-acts">
                            <button type="button" className="btn btn-small" aria-label={`Delete ${r.name}`} onClick={() => setDeleting(r)}>
                              Delete
                            </button>
                          </span>
                        )}
                        {n?.error && (
                          <span className="error-text adm-matrix-note" role="alert">
                            {n.error}
                          </span>
                        )}
                        {n?.ok && (
                          <span className="ok-text adm-matrix-note" role="status">
                            {n.ok}
                          </span>
                        )}
                      </th>
                    )
                  })}
                </tr>
              </thead>
              {groups.map((g) => (
                <tbody key={g.name}>
                  <tr className="adm-matrix-group">
                    <th scope="rowgroup" colSpan={list.length + 1}>
                      <span className="adm-matrix-sticky">{g.name}</span>
                    </th>
                  </tr>
                  {g.items.map((p) => (
                    <tr key={p.id}>
                      <th scope="row" className="adm-matrix-perm">
                        <code>{p.id}</code>
                        <span className="adm-matrix-desc">{p.description}</span>
                      </th>
                      {list.map((r) => {
                        const why = lockedWhy(r, p)
                        const held = (drafts[r.id] ?? new Set(r.grants)).has(p.id)
                        const checked = why && !p.kinds.includes(r.kind) ? false : held
                        const changed = drafts[r.id] && held !== r.grants.includes(p.id)
                        const whyID = why ? `adm-why-${r.id}-${p.id.replace('.', '-')}` : undefined
                        return (
                          <td key={r.id} className={changed ? 'adm-matrix-cell adm-changed' : 'adm-matrix-cell'} title={why || undefined}>
                            <input
                              type="checkbox"
                              aria-label={`Grant ${p.id} to ${r.name}`}
                              aria-describedby={whyID}
                              checked={checked}
                              disabled={!!why || saving === r.id}
                              onChange={(e) => toggle(r, p.id, e.target.checked)}
                            />
                            {why && (
                              <span id={whyID} className="sr-only">
                                {why}
                              </span>
                            )}
                          </td>
                        )
                      })}
                    </tr>
                  ))}
                </tbody>
              ))}
            </table>
          </div>
        )}
      </section>
      {deleting && (
        <DeleteRole
          role={deleting}
          close={() => setDeleting(null)}
          onDeleted={() => {
            note(deleting.id, {})
            setDeleting(null)
            void reload()
          }}
        />
      )}
    </div>
  )
}

/** A new custom role: its name, its kind, and whether it starts with the kind's grants or none. */
function NewRole({ catalogue, onMade }: { catalogue: PermissionInfo[]; onMade: (r: RoleInfo) => void }) {
  const client = useQueryClient()
  const create = $api.useMutation('post', '/api/roles')
  const [name, setName] = useState('')
  const [kind, setKind] = useState<Role>('staff')
  const [start, setStart] = useState<'kind' | 'nothing'>('kind')
  const [error, setError] = useState('')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const n = name.trim()
    if (!n) {
      setError('Type the role’s name, such as Nurse or Lab technician.')
      return
    }
    setError('')
    try {
      const r = await create.mutateAsync({ body: { name: n, kind, ...(start === 'nothing' && { grants: [] }) } })
      setName('')
      await client.invalidateQueries({ queryKey: keyOf('/api/roles') })
      onMade(r)
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'role_exists' ? `A role named ${n} exists already: choose another name.` : messageOf(err))
    }
  }

  const holdable = catalogue.filter((p) => p.kinds.includes(kind)).length
  const defaults = catalogue.filter((p) => p.defaults.includes(kind)).length
  return (
    <section className="panel stack" aria-labelledby="adm-new-role-h">
      <form className="stack" onSubmit={(e) => void submit(e)} aria-labelledby="adm-new-role-h" noValidate>
        <h2 id="adm-new-role-h">New role</h2>
        <div className="adm-fields-4">
          <div className="adm-field">
            <label htmlFor="adm-role-name">Name</label>
            <input
              id="adm-role-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoComplete="off"
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'adm-role-name-error adm-role-name-hint' : 'adm-role-name-hint'}
            />
            <span id="adm-role-name-hint" className="muted adm-hint">
              Letters, digits, spaces and dashes.
            </span>
          </div>
          <div className="adm-field">
            <label htmlFor="adm-role-kind">Kind</label>
            <select id="adm-role-kind" value={kind} onChange={(e) => setKind(e.target.value as Role)} aria-describedby="adm-role-kind-hint">
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {kindWords[k].name}
                </option>
              ))}
            </select>
            <span id="adm-role-kind-hint" className="muted adm-hint">
              {kindWords[kind].text}
              {catalogue.length > 0 && ` It may hold ${holdable} of the ${catalogue.length} permissions.`}
            </span>
          </div>
          <fieldset className="adm-fieldset adm-role-start">
            <legend>Start from</legend>
            <label className="row">
              <input type="radio" name="adm-role-start" value="kind" checked={start === 'kind'} onChange={() => setStart('kind')} />
              The {kindWords[kind].name.toLowerCase()} role’s grants{catalogue.length > 0 && ` (${defaults})`}
            </label>
            <label className="row">
              <input type="radio" name="adm-role-start" value="nothing" checked={start === 'nothing'} onChange={() => setStart('nothing')} />
              Nothing
            </label>
          </fieldset>
        </div>
        <div className="row">
          <SubmitButton busy={create.isPending} busyText="Creating…">
            Create role
          </SubmitButton>
          <span id="adm-role-name-error">
            <ErrorText error={error} />
          </span>
        </div>
      </form>
    </section>
  )
}

/** Deleting a custom role no account holds, once confirmed. */
function DeleteRole({ role, close, onDeleted }: { role: RoleInfo; close: () => void; onDeleted: () => void }) {
  const del = $api.useMutation('delete', '/api/roles/{id}')
  const [error, setError] = useState('')
  const confirm = async () => {
    setError('')
    try {
      await del.mutateAsync({ params: { path: { id: role.id }, query: { revision: role.revision } } })
      onDeleted()
    } catch (e) {
      setError(roleError(e, role.name))
    }
  }
  return (
    <ModalDialog role="alertdialog" isOpen onClose={close} title={`Delete the role ${role.name}?`}>
      <p>No account holds it. Its grants are forgotten; the activity log keeps that it existed.</p>
      <div className="row">
        <button type="button" className="btn btn-danger" disabled={del.isPending} onClick={() => void confirm()}>
          {del.isPending ? 'Deleting…' : 'Delete role'}
        </button>
        <button type="button" className="btn" onClick={close}>
          Cancel
        </button>
        <ErrorText error={error} />
      </div>
    </ModalDialog>
  )
}
