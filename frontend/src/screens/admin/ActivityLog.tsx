// The activity log: the audit trail of patient-data reads and changes and of every security event
// (sign-ins and their failures, lock-outs, password and account changes, exports, erasures, settings
// changes), filtered by who, which patient record, what action, the outcome and the days, newest first.
// The filtered entries download as CSV (the server streams them, and audits the export), and "Verify
// chain" runs the server's check of the hash chains (docs/audit.md) and shows what it found.
// Entries hold ids only: accounts are named from the accounts list, a patient record is a labelled link.
import { keepPreviousData } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { fetchBlob, saveBlob } from '../../api/download'
import { $api } from '../../api/query'
import type { AuditOutcome, User } from '../../api/types'
import type { components } from '../../api/schema'
import { ErrorText, LoadError } from '../../components/forms'
import { Pager } from '../../components/Pager'
import { formatDateTime } from '../../api/time'
import { hospitalMoment, nextDay } from './hospitalTime'
import { PatientLink } from './PatientLink'
import { roleWords } from './roles'
import { useUserNames } from './userNames'

type Entry = components['schemas']['AuditEntry']
type Report = components['schemas']['AuditReport']

const limit = 20

const outcomeTag: Record<AuditOutcome, string> = {
  ok: 'tag tag-ok',
  denied: 'tag tag-urgent',
  not_found: 'tag tag-warn',
  invalid: 'tag tag-warn',
  error: 'tag tag-urgent',
}

/** The actions offered in the filter's list (any other can be typed). */
export const knownActions = [
  'auth.login',
  'auth.login_failed',
  'auth.lockout',
  'auth.logout',
  'auth.password_change',
  'auth.password_reset_request',
  'auth.password_reset',
  'auth.token_reuse',
  'user.create',
  'user.role_change',
  'role.create',
  'role.change',
  'role.delete',
  'user.disable',
  'user.enable',
  'user.password_link',
  'patient.read',
  'patient.update',
  'patient.break_glass',
  'patient.export',
  'patient.erase',
  'audit.export',
  'audit.verify',
  'audit.anchor',
  'settings.startup',
  'settings.department_create',
  'settings.doctor_update',
  'settings.ward_create',
  'settings.beds_add',
  'settings.broadcast',
  'settings.hospitals_import',
  'settings.hospital_delete',
  'integration.delivery_retry',
  'settings.webhook_create',
  'settings.webhook_update',
  'settings.webhook_delete',
  'settings.webhook_redeliver',
  'settings.webhook_partner_create',
]

/** The filters as the form holds them: days are YYYY-MM-DD in the hospital's zone, "To" inclusive. */
interface Filters {
  actor: string
  patient: string
  action: string
  outcome: '' | AuditOutcome
  fromDay: string
  toDay: string
}

const none: Filters = { actor: '', patient: '', action: '', outcome: '', fromDay: '', toDay: '' }

/** The query of the list and the CSV: only the filters set. */
function queryOf(f: Filters) {
  const q: { actor_id?: string; patient_id?: string; action?: string; outcome?: AuditOutcome; from?: string; to?: string } = {}
  if (f.actor) q.actor_id = f.actor
  if (f.patient) q.patient_id = f.patient
  if (f.action) q.action = f.action
  if (f.outcome) q.outcome = f.outcome
  if (f.fromDay) q.from = hospitalMoment(f.fromDay, '00:00')
  if (f.toDay) q.to = hospitalMoment(nextDay(f.toDay), '00:00')
  return q
}

export function ActivityLog() {
  const [form, setForm] = useState<Filters>(none)
  const [filters, setFilters] = useState<Filters>(none)
  const [page, setPage] = useState(1)
  const [formError, setFormError] = useState('')
  const query = queryOf(filters)
  const q = $api.useQuery('get', '/api/audit', { params: { query: { ...query, page, limit } } }, { placeholderData: keepPreviousData })
  const users = useUserNames()
  const data = q.data

  const apply = (e: FormEvent) => {
    e.preventDefault()
    const patient = form.patient.trim()
    if (patient && !/^[0-9a-f]{24}$/.test(patient)) {
      setFormError('A patient record id is 24 hexadecimal digits, as in the record’s address')
      return
    }
    if (form.fromDay && form.toDay && form.fromDay > form.toDay) {
      setFormError('“From” must not be after “To”')
      return
    }
    setFormError('')
    setFilters({ ...form, patient, action: form.action.trim() })
    setPage(1)
  }
  const clear = () => {
    setForm(none)
    setFilters(none)
    setFormError('')
    setPage(1)
  }
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value })

  const staff = [...users.byId.values()].filter((u) => u.role !== 'patient').sort((a, b) => a.name.localeCompare(b.name))

  return (
    <section className="panel stack" id="adm-audit" aria-labelledby="adm-audit-h">
      <div className="row">
        <h2 id="adm-audit-h">Activity log</h2>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={() => void q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p className="muted">
        Who read or changed patient records, and every sign-in, lock-out, password and account change, export, erasure and
        settings change, newest first. Times are the hospital’s.
      </p>
      <form className="row adm-filters" onSubmit={apply} aria-label="Filter the activity log">
        <label>
          Who
          <select value={form.actor} onChange={set('actor')} data-testid="activity-actor">
            <option value="">Anyone</option>
            {staff.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({roleWords[u.role]})
              </option>
            ))}
          </select>
        </label>
        <label>
          Patient record id
          <input value={form.patient} onChange={set('patient')} size={26} spellCheck={false} data-testid="activity-patient" />
        </label>
        <label>
          Action
          <input value={form.action} onChange={set('action')} list="activity-actions" data-testid="activity-action" />
          <datalist id="activity-actions">
            {knownActions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label>
          Outcome
          <select value={form.outcome} onChange={set('outcome')} data-testid="activity-outcome">
            <option value="">Any</option>
            {(Object.keys(outcomeTag) as AuditOutcome[]).map((o) => (
              <option key={o} value={o}>
                {o.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={form.fromDay} onChange={set('fromDay')} data-testid="activity-from" />
        </label>
        <label>
          To
          <input type="date" value={form.toDay} onChange={set('toDay')} data-testid="activity-to" />
        </label>
        <button type="submit" className="btn btn-primary">
          Apply filters
        </button>
        <button type="button" className="btn" onClick={clear}>
          Clear
        </button>
      </form>
      <ErrorText error={formError} block />
      <div className="row">
        <CsvButton query={query} />
        <VerifyButton />
      </div>
      <LoadError error={q.error ? messageOf(q.error) : ''} retry={() => void q.refetch()}>
        Could not load the activity log
      </LoadError>
      <LoadError error={users.error ? messageOf(users.error) : ''}>Could not load the account names</LoadError>
      {data &&
        (data.items.length === 0 ? (
          <p className="muted">{page === 1 ? 'No entries match.' : 'No older entries.'}</p>
        ) : (
          <div className="adm-scroll">
            <table className="table" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">About</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Detail</th>
                  <th scope="col">Address</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((a) => (
                  <tr key={a.id}>
                    <td className="adm-nowrap">{formatDateTime(a.at, 'auto')}</td>
                    <td>
                      <Actor entry={a} names={users.byId} />
                    </td>
                    <td>
                      <code>{a.action}</code>
                    </td>
                    <td>
                      <About entry={a} names={users.byId} />
                    </td>
                    <td>
                      <span className={outcomeTag[a.outcome]}>{a.outcome.replace('_', ' ')}</span>
                    </td>
                    <td className="adm-detail">{a.action === 'audit.anchor' ? 'Chain heads recorded' : (a.detail ?? '')}</td>
                    <td>{a.ip}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {!data && q.isPending && <p className="muted">Loading the activity log…</p>}
      {data && (
        <Pager
          label="Activity log pages"
          page={page}
          hasNext={data.items.length === data.limit}
          busy={q.isFetching}
          go={setPage}
        />
      )}
    </section>
  )
}

/** Who acted: the account's name and role, or who else it was. */
function Actor({ entry, names }: { entry: Entry; names: Map<string, User> }) {
  if (!entry.actor_id) {
    return <span className="muted">{entry.action.startsWith('auth.') ? 'Someone not signed in' : 'The system'}</span>
  }
  if (entry.actor_role === 'client') {
    // An integration client (a machine token on the FHIR API): its id; the detail names it.
    return (
      <>
        <code>{entry.actor_id}</code>
        <span className="muted"> (integration client)</span>
      </>
    )
  }
  return (
    <>
      {names.get(entry.actor_id)?.name ?? <span className="muted">An account not listed</span>}
      {entry.actor_role && <span className="muted"> ({roleWords[entry.actor_role]})</span>}
    </>
  )
}

/** What the entry is about: a patient record (a link), an account (by name), a queue channel, an email (hashed). */
function About({ entry, names }: { entry: Entry; names: Map<string, User> }) {
  if (entry.patient_id === 'malformed') return <span className="muted">No valid record named</span>
  if (entry.patient_id) return <PatientLink id={entry.patient_id} />
  if (entry.channel) return <code>{entry.channel}</code>
  const t = entry.target ?? ''
  if (t.startsWith('email:')) return <span title={t}>An email address (kept hashed)</span>
  if (t) return <>Account: {names.get(t)?.name ?? <span className="muted">an account not listed</span>}</>
  return <span className="muted">—</span>
}

/** Downloads the filtered entries as CSV. */
function CsvButton({ query }: { query: Record<string, string> }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const download = async () => {
    setBusy(true)
    setError('')
    try {
      const blob = await fetchBlob(`/api/audit/export.csv?${new URLSearchParams(query).toString()}`)
      saveBlob(blob, `activity-${new Date().toISOString().slice(0, 10)}.csv`)
    } catch (e) {
      setError(`Could not download the CSV: ${messageOf(e)}`)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button type="button" className="btn" onClick={() => void download()} disabled={busy} data-testid="activity-csv">
        {busy ? 'Preparing the CSV…' : 'Download CSV'}
      </button>
      <ErrorText error={error} />
    </>
  )
}

/** "1 chain", "2 chains". */
const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** Runs the server's check of the hash chains and says what it found. */
function VerifyButton() {
  const verify = $api.useMutation('post', '/api/audit/verify')
  const r: Report | undefined = verify.data
  return (
    <>
      <button type="button" className="btn" onClick={() => verify.mutate({})} disabled={verify.isPending} data-testid="activity-verify">
        {verify.isPending ? 'Verifying…' : 'Verify chain'}
      </button>
      <ErrorText error={verify.error ? `Could not verify: ${messageOf(verify.error)}` : ''} />
      <div role="status" data-testid="activity-verify-result" className="adm-verify">
        {r &&
          (r.ok ? (
            <span className="tag tag-ok">
              Chain verified: {count(r.entries, 'entry').replace('entrys', 'entries')} in {count(r.chains, 'chain')}, {count(r.anchors, 'anchor')}, no problem found
            </span>
          ) : (
            <div className="stack">
              <span className="tag tag-urgent">
                {count(r.problems.length, 'problem')} in {count(r.entries, 'entry').replace('entrys', 'entries')}
              </span>
              <ul>
                {r.problems.map((p, i) => (
                  <li key={i}>
                    {p.entry_id ? (
                      <>
                        Entry <code>{p.entry_id}</code>
                        {p.seq ? ` (seq ${p.seq})` : ''}:{' '}
                      </>
                    ) : p.chain ? (
                      <>
                        Chain <code>{p.chain}</code>:{' '}
                      </>
                    ) : null}
                    {p.problem}
                  </li>
                ))}
              </ul>
            </div>
          ))}
      </div>
    </>
  )
}
