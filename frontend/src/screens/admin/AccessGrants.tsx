// The break-the-glass grants for admins to review (GET /api/access/grants), newest first: who opened a
// patient's records without a care relationship, in which role, the reason they gave, when and until
// when; "Active only" keeps the unexpired ones. Names come from the accounts list; the grant holds the
// patient's id only, so the patient is a labelled link to the Patients screen.
import { keepPreviousData } from '@tanstack/react-query'
import { useState } from 'react'
import { messageOf } from '../../api/client'
import { $api } from '../../api/query'
import { formatDateTime } from '../../api/time'
import { LoadError } from '../../components/forms'
import { Pager } from '../../components/Pager'
import { PatientLink } from './PatientLink'
import { roleWords } from './roles'
import { useUserNames } from './userNames'

const limit = 20

export function AccessGrants() {
  const [page, setPage] = useState(1)
  const [active, setActive] = useState(true)
  const q = $api.useQuery(
    'get',
    '/api/access/grants',
    { params: { query: { active: active ? 'true' : 'false', page, limit } } },
    { placeholderData: keepPreviousData },
  )
  const users = useUserNames()
  const data = q.data
  const pages = data ? Math.max(1, Math.ceil(data.total / data.limit)) : undefined
  const toggle = (on: boolean) => {
    setActive(on)
    setPage(1)
  }
  return (
    <section className="panel stack" aria-labelledby="adm-grants-h">
      <div className="row">
        <h2 id="adm-grants-h">Access grants</h2>
        {data && <span className="muted">{data.total} in all</span>}
        <span className="spacer" />
        <label className="check adm-nowrap">
          <input type="checkbox" checked={active} onChange={(e) => toggle(e.target.checked)} />
          Active only
        </label>
      </div>
      <p className="muted adm-hint">
        Each grant opened one patient&apos;s records for an hour to someone without a care relationship, for the
        reason they gave. Every admin is notified when it happens.
      </p>
      <LoadError error={q.error ? messageOf(q.error) : ''} retry={() => void q.refetch()} retryText="Try again">
        Could not load the access grants
      </LoadError>
      <LoadError error={users.error ? messageOf(users.error) : ''}>Could not load the account names</LoadError>
      {data &&
        (data.items.length === 0 ? (
          <p className="muted">{active ? 'No active grants: nobody has broken the glass in the last hour.' : 'No grants yet.'}</p>
        ) : (
          <div className="adm-scroll">
            <table className="table" data-testid="grants-table">
              <thead>
                <tr>
                  <th scope="col">Who</th>
                  <th scope="col">Role</th>
                  <th scope="col">Patient</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Opened</th>
                  <th scope="col">Until</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((g) => (
                  <tr key={g.id}>
                    <td>{users.byId.get(g.user_id)?.name ?? <span className="muted">An account not listed</span>}</td>
                    <td>{roleWords[g.role]}</td>
                    <td>
                      <PatientLink id={g.patient_id} />
                    </td>
                    <td className="adm-reason">{g.reason}</td>
                    <td className="adm-nowrap">{formatDateTime(g.created_at, 'auto')}</td>
                    <td className="adm-nowrap">{formatDateTime(g.expires_at, 'auto')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {!data && q.isPending && <p className="muted">Loading the access grants…</p>}
      {data && <Pager label="Access grants pages" page={page} pages={pages} hasNext={page < (pages ?? 1)} busy={q.isFetching} go={setPage} />}
    </section>
  )
}
