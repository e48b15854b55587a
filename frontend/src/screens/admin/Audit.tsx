// The latest entries of the audit trail: who read or changed which patient record, when, and how it
// ended. Entries hold ids only, no patient data: the actor is named from the accounts list, the patient
// is a labelled link to the Patients screen (naming them would mean reading their record).
import { keepPreviousData } from '@tanstack/react-query'
import { useState } from 'react'
import { messageOf } from '../../api/client'
import { $api } from '../../api/query'
import type { AuditOutcome, User } from '../../api/types'
import { LoadError } from '../../components/forms'
import { Pager } from '../../components/Pager'
import { formatDateTime } from '../../api/time'
import { PatientLink } from './PatientLink'
import { roleWords } from './roles'
import { useUserNames } from './userNames'

const limit = 20

const outcomeTag: Record<AuditOutcome, string> = {
  ok: 'tag tag-ok',
  denied: 'tag tag-urgent',
  not_found: 'tag tag-warn',
  invalid: 'tag tag-warn',
  error: 'tag tag-urgent',
}

export function Audit() {
  const [page, setPage] = useState(1)
  const q = $api.useQuery('get', '/api/audit', { params: { query: { page, limit } } }, { placeholderData: keepPreviousData })
  const users = useUserNames()
  const data = q.data
  return (
    <section className="panel stack" id="adm-audit" aria-labelledby="adm-audit-h">
      <div className="row">
        <h2 id="adm-audit-h">Audit log</h2>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={() => void q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p className="muted">Who read or changed patient records, newest first.</p>
      <LoadError error={q.error ? messageOf(q.error) : ''}>Could not load the audit log</LoadError>
      <LoadError error={users.error ? messageOf(users.error) : ''}>Could not load the account names</LoadError>
      {data &&
        (data.items.length === 0 ? (
          <p className="muted">{page === 1 ? 'Nothing recorded yet.' : 'No older entries.'}</p>
        ) : (
          <div className="adm-scroll">
            <table className="table" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Patient record</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Address</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((a) => (
                  <tr key={a.id}>
                    <td className="adm-nowrap">{formatDateTime(a.at, 'auto')}</td>
                    <td>
                      {users.byId.get(a.actor_id)?.name ?? <span className="muted">An account not listed</span>}
                      <span className="muted"> ({roleWords[a.actor_role]})</span>
                    </td>
                    <td>
                      <Action action={a.action} names={users.byId} />
                    </td>
                    <td>
                      {a.patient_id === 'malformed' ? (
                        <span className="muted">No valid record named</span>
                      ) : a.patient_id ? (
                        <PatientLink id={a.patient_id} />
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      <span className={outcomeTag[a.outcome]}>{a.outcome.replace('_', ' ')}</span>
                    </td>
                    <td>{a.ip}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {!data && q.isPending && <p className="muted">Loading the audit log…</p>}
      {data && (
        <Pager
          label="Audit log pages"
          page={page}
          hasNext={data.items.length === data.limit}
          busy={q.isFetching}
          go={setPage}
        />
      )}
    </section>
  )
}

/**
 * An entry's action code; one that names an account after a colon (user.password_link:<user id>) shows
 * that account's name instead of the id.
 */
function Action({ action, names }: { action: string; names: Map<string, User> }) {
  const [code, account] = action.split(':', 2)
  if (!account) return <code>{action}</code>
  return (
    <>
      <code>{code}</code>
      <span className="muted"> for {names.get(account)?.name ?? 'an account not listed'}</span>
    </>
  )
}
