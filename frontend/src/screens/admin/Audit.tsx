// The latest entries of the audit trail: who read or changed which patient record, when, and how it
// ended. Entries hold ids only, no patient data.
import { api, must } from '../../api/client'
import type { AuditList, AuditOutcome } from '../../api/types'
import { LoadError } from '../../components/forms'
import { Pager } from '../../components/Pager'
import { usePage } from '../../components/usePage'
import { formatDateTime } from '../../api/time'

const limit = 20

const outcomeTag: Record<AuditOutcome, string> = {
  ok: 'tag tag-ok',
  denied: 'tag tag-urgent',
  not_found: 'tag tag-warn',
  invalid: 'tag tag-warn',
  error: 'tag tag-urgent',
}

export function Audit() {
  const p = usePage<AuditList>((page) => must(api.GET('/api/audit', { params: { query: { page, limit } } })))
  return (
    <section className="panel stack" id="adm-audit" aria-labelledby="adm-audit-h">
      <div className="row">
        <h2 id="adm-audit-h">Audit log</h2>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={p.reload} disabled={p.busy}>
          {p.busy ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p className="muted">Who read or changed patient records, newest first.</p>
      <LoadError error={p.error}>
        Could not load the audit log
      </LoadError>
      {p.data &&
        (p.data.items.length === 0 ? (
          <p className="muted">{p.page === 1 ? 'Nothing recorded yet.' : 'No older entries.'}</p>
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
                {p.data.items.map((a) => (
                  <tr key={a.id}>
                    <td className="adm-nowrap">{formatDateTime(a.at)}</td>
                    <td>
                      {a.actor_role} <code className="adm-id">{a.actor_id}</code>
                    </td>
                    <td>
                      <code>{a.action}</code>
                    </td>
                    <td>{a.patient_id ? <code className="adm-id">{a.patient_id}</code> : <span className="muted">—</span>}</td>
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
      {!p.data && p.busy && <p className="muted">Loading the audit log…</p>}
      {p.data && (
        <Pager
          label="Audit log pages"
          page={p.page}
          hasNext={p.data.items.length === p.data.limit}
          busy={p.busy}
          go={p.go}
        />
      )}
    </section>
  )
}
