// Every account, a page at a time: name, email, role and whether it is disabled.
import { api, must } from '../../api/client'
import type { UserList } from '../../api/types'
import { LoadError } from '../../components/forms'
import { Pager } from '../../components/Pager'
import { usePage } from '../../components/usePage'
import { formatDate } from '../../api/time'

const limit = 20

export function Users() {
  const p = usePage<UserList>((page) => must(api.GET('/api/users', { params: { query: { page, limit } } })))
  const pages = p.data ? Math.max(1, Math.ceil(p.data.total / p.data.limit)) : undefined
  return (
    <section className="panel stack" id="adm-users" aria-labelledby="adm-users-h">
      <div className="row">
        <h2 id="adm-users-h">Users</h2>
        {p.data && <span className="muted">{p.data.total} in all</span>}
      </div>
      <p className="muted">Accounts and their roles. Adding accounts and changing roles is not on this screen yet.</p>
      <LoadError error={p.error} retry={p.reload} retryText="Try again">
        Could not load the users
      </LoadError>
      {p.data &&
        (p.data.items.length === 0 ? (
          <p className="muted">No users on this page.</p>
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
                </tr>
              </thead>
              <tbody>
                {p.data.items.map((u) => (
                  <tr key={u.id}>
                    <td>{u.name}</td>
                    <td>{u.email}</td>
                    <td>
                      <span className={`tag adm-role adm-role-${u.role}`}>{u.role}</span>
                    </td>
                    <td>
                      {u.disabled ? <span className="tag tag-urgent">Disabled</span> : <span className="tag tag-ok">Active</span>}
                    </td>
                    <td>{formatDate(u.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {!p.data && p.busy && <p className="muted">Loading users…</p>}
      {p.data && (
        <Pager label="Users pages" page={p.page} pages={pages} hasNext={p.page < (pages ?? 1)} busy={p.busy} go={p.go} />
      )}
    </section>
  )
}
