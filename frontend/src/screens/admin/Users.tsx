// Every account, a page at a time: name, email, role and whether it is disabled; an admin changes a
// account's role (a built-in or a custom one, assigned by role_id) or disables / enables an account here (PATCH /api/users/{id}). Either change
// signs the person out everywhere; "Email a set-password link" sends the person a link to choose a new
// password (PasswordLink). The server refuses changing your own account, and says why.
import { keepPreviousData, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { messageOf, session } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import type { User } from '../../api/types'
import { formatDate } from '../../api/time'
import { LoadError } from '../../components/forms'
import { Pager } from '../../components/Pager'
import { PasswordLink } from './PasswordLink'
import { choicesFor, useRoleChoices, type RoleChoice } from './roles'

const limit = 20

export function Users() {
  const [page, setPage] = useState(1)
  const roles = useRoleChoices()
  const q = $api.useQuery('get', '/api/users', { params: { query: { page, limit } } }, { placeholderData: keepPreviousData })
  const data = q.data
  const pages = data ? Math.max(1, Math.ceil(data.total / data.limit)) : undefined
  return (
    <section className="panel stack" id="adm-users-list" aria-labelledby="adm-users-h">
      <div className="row">
        <h2 id="adm-users-h">Accounts</h2>
        {data && <span className="muted">{data.total} in all</span>}
      </div>
      <p className="muted adm-hint">
        Changing a role or disabling an account signs that person out on every device. Patients register
        themselves or at reception; their accounts cannot take a staff role.
      </p>
      <LoadError error={q.error ? messageOf(q.error) : ''} retry={() => void q.refetch()} retryText="Try again">
        Could not load the accounts
      </LoadError>
      {data &&
        (data.items.length === 0 ? (
          <p className="muted">No accounts on this page.</p>
        ) : (
          <div className="adm-scroll">
            <table className="table" data-testid="users-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Account</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="sr-only">Changes</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((u) => (
                  <UserRow key={u.id} user={u} choices={roles.choices} nameOf={roles.nameOf} />
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {!data && q.isPending && <p className="muted">Loading accounts…</p>}
      {data && <Pager label="Users pages" page={page} pages={pages} hasNext={page < (pages ?? 1)} busy={q.isFetching} go={setPage} />}
    </section>
  )
}

/**
 * One account: its role (a choice among the roles of its side: staff-side ones for the hospital's
 * people, patient-kind ones for a patient) and a disable / enable button.
 */
function UserRow({ user: u, choices, nameOf }: { user: User; choices: RoleChoice[]; nameOf: (id: string, kind: User['role']) => string }) {
  const client = useQueryClient()
  const change = $api.useMutation('patch', '/api/users/{id}')
  const held = u.role_id || u.role
  const [role, setRole] = useState(held)
  const [error, setError] = useState('')
  const me = session.current?.user.id === u.id
  const options = choicesFor(choices, u.role)
  // A role the list does not know (a custom one, for an admin who may not read roles) is still shown.
  if (!options.some((c) => c.id === held)) options.push({ id: held, name: nameOf(held, u.role), kind: u.role })

  const save = async (body: { role_id?: string; disabled?: boolean }) => {
    setError('')
    try {
      await change.mutateAsync({ params: { path: { id: u.id } }, body })
      await client.invalidateQueries({ queryKey: keyOf('/api/users') })
      if (body.role_id) await client.invalidateQueries({ queryKey: keyOf('/api/roles') })
    } catch (e) {
      setError(messageOf(e))
      setRole(held)
    }
  }

  return (
    <tr>
      <td>
        {u.name}
        {me && <span className="muted"> (you)</span>}
      </td>
      <td>{u.email}</td>
      <td>
        {options.length < 2 ? (
          <span className={`tag adm-role adm-role-${u.role}`}>{nameOf(held, u.role)}</span>
        ) : (
          <span className="row adm-nowrap">
            <select aria-label={`Role of ${u.name}`} value={role} onChange={(e) => setRole(e.target.value)}>
              {options.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
            {role !== held && (
              <button type="button" className="btn btn-small btn-primary" disabled={change.isPending} onClick={() => void save({ role_id: role })}>
                Save role
              </button>
            )}
          </span>
        )}
      </td>
      <td>{u.disabled ? <span className="tag tag-urgent">Disabled</span> : <span className="tag tag-ok">Active</span>}</td>
      <td className="adm-nowrap">{formatDate(u.created_at, 'auto')}</td>
      <td className="adm-actions">
        <button
          type="button"
          className="btn btn-small"
          disabled={change.isPending}
          aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.name}`}
          onClick={() => void save({ disabled: !u.disabled })}
        >
          {u.disabled ? 'Enable' : 'Disable'}
        </button>
        <PasswordLink user={u} />
        {error && (
          <span className="error-text" role="alert">
            {error}
          </span>
        )}
      </td>
    </tr>
  )
}
