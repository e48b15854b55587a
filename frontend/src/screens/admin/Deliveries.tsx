// Email and SMS deliveries (GET /api/deliveries), dead letters first: filter by status and channel, open
// a delivery's log (each attempt and why it failed), and queue a dead one again (POST …/retry). Addresses
// come masked from the server.
import { keepPreviousData, useQueryClient } from '@tanstack/react-query'
import { Fragment, useState } from 'react'
import { api, messageOf, must } from '../../api/client'
import { $api } from '../../api/query'
import type { Delivery, DeliveryList, DeliveryStatus } from '../../api/types'
import { ErrorText, LoadError } from '../../components/forms'
import { Tag } from '../../components/labels'
import { Pager } from '../../components/Pager'
import { channelLabel, deliveryWords, kindLabel } from '../../notifications/words'
import { formatDateTime } from '../../api/time'

const limit = 20

type StatusFilter = DeliveryStatus | ''
type ChannelFilter = 'email' | 'sms' | ''

const statuses: { value: StatusFilter; label: string }[] = [
  { value: '', label: 'All' },
  { value: 'queued', label: 'Queued' },
  { value: 'retrying', label: 'Retrying' },
  { value: 'sent', label: 'Sent' },
  { value: 'dead', label: 'Dead (failed for good)' },
  { value: 'skipped', label: 'Skipped' },
]

const channels: { value: ChannelFilter; label: string }[] = [
  { value: '', label: 'All' },
  { value: 'email', label: 'Email' },
  { value: 'sms', label: 'SMS' },
]

export function Deliveries() {
  const [status, setStatus] = useState<StatusFilter>('dead')
  const [channel, setChannel] = useState<ChannelFilter>('')
  const [open, setOpen] = useState<Set<string>>(new Set())
  const [retrying, setRetrying] = useState('')
  /** A failed retry's message, by delivery. */
  const [errors, setErrors] = useState<Record<string, string>>({})
  const client = useQueryClient()
  const [page, setPage] = useState(1)
  const init = { params: { query: { page, limit, ...(status ? { status } : {}), ...(channel ? { channel } : {}) } } }
  // The page shown before stays until the next arrives.
  const q = $api.useQuery('get', '/api/deliveries', init, { placeholderData: keepPreviousData, retry: false })
  const p = {
    page,
    data: q.data ?? null,
    busy: q.isFetching,
    error: q.error ? messageOf(q.error) : '',
    go: setPage,
    reload: () => void q.refetch(),
    /** Changes the page shown; the next read replaces it. */
    update: (change: (l: DeliveryList) => DeliveryList) =>
      client.setQueryData<DeliveryList>(
        $api.queryOptions('get', '/api/deliveries', init).queryKey,
        (l) => l && change(l),
      ),
  }
  const pages = p.data ? Math.max(1, Math.ceil(p.data.total / p.data.limit)) : undefined

  const filter = (apply: () => void) => {
    apply()
    setErrors({})
    p.go(1)
  }
  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s)
      if (!next.delete(id)) next.add(id)
      return next
    })
  const retry = async (d: Delivery) => {
    setRetrying(d.id)
    setErrors(({ [d.id]: _, ...rest }) => rest)
    try {
      const fresh = await must(api.POST('/api/deliveries/{id}/retry', { params: { path: { id: d.id } } }))
      p.update((l) => ({ ...l, items: l.items.map((x) => (x.id === d.id ? fresh : x)) }))
    } catch (e) {
      setErrors((m) => ({ ...m, [d.id]: messageOf(e) }))
    } finally {
      setRetrying('')
    }
  }

  return (
    <section className="panel stack" id="adm-deliveries" aria-labelledby="adm-deliveries-h">
      <div className="row">
        <h2 id="adm-deliveries-h">Deliveries</h2>
        {p.data && <span className="muted">{p.data.total} in all</span>}
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={p.reload} disabled={p.busy}>
          {p.busy ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p className="muted">
        Email and SMS sent for notifications, newest first. Dead ones failed for good or ran out of attempts; retry
        one once its cause is fixed.
      </p>
      <div className="row adm-filters">
        <Filter
          label="Status"
          value={status}
          options={statuses}
          onChange={(v) => filter(() => setStatus(v))}
          testId="deliveries-status"
        />
        <Filter
          label="Channel"
          value={channel}
          options={channels}
          onChange={(v) => filter(() => setChannel(v))}
          testId="deliveries-channel"
        />
      </div>
      <LoadError error={p.error} retry={p.reload}>
        Could not load the deliveries
      </LoadError>
      {p.data &&
        (p.data.items.length === 0 ? (
          <p className="muted">
            {p.page > 1 ? 'No older deliveries.' : status === 'dead' ? 'No dead letters.' : 'No deliveries.'}
          </p>
        ) : (
          <div className="adm-scroll">
            <table className="table" data-testid="deliveries-table">
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Channel</th>
                  <th scope="col">To</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last error</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.data.items.map((d) => (
                  <Fragment key={d.id}>
                    <tr data-testid={`delivery-${d.id}`}>
                      <td className="adm-nowrap">{formatDateTime(d.created_at)}</td>
                      <td>{kindLabel(d.kind)}</td>
                      <td>{channelLabel(d.channel)}</td>
                      <td>
                        <code>{d.to}</code>
                      </td>
                      <td>
                        <Tag tone={deliveryWords[d.status]?.tone ?? ''}>{d.status}</Tag>
                      </td>
                      <td>{d.attempts}</td>
                      <td>{d.last_error ?? <span className="muted">—</span>}</td>
                      <td className="adm-actions">
                        <button
                          type="button"
                          className="btn btn-small"
                          aria-expanded={open.has(d.id)}
                          aria-controls={`adm-log-${d.id}`}
                          onClick={() => toggle(d.id)}
                        >
                          {open.has(d.id) ? 'Hide log' : 'Log'}
                        </button>
                        {d.status === 'dead' && (
                          <button
                            type="button"
                            className="btn btn-small"
                            disabled={retrying !== ''}
                            onClick={() => void retry(d)}
                          >
                            {retrying === d.id ? 'Retrying…' : 'Retry'}
                          </button>
                        )}
                        <ErrorText error={errors[d.id] ?? ''} />
                      </td>
                    </tr>
                    {open.has(d.id) && (
                      <tr id={`adm-log-${d.id}`} className="adm-log-row">
                        <td colSpan={8}>
                          <DeliveryLog d={d} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {!p.data && p.busy && <p className="muted">Loading the deliveries…</p>}
      {p.data && (
        <Pager label="Deliveries pages" page={p.page} pages={pages} hasNext={p.page < (pages ?? 1)} busy={p.busy} go={p.go} />
      )}
    </section>
  )
}

/** A select that filters the list ('' for all). */
function Filter<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string
  value: T
  options: { value: T; label: string }[]
  onChange: (v: T) => void
  testId: string
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value as T)} data-testid={testId}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  )
}

function DeliveryLog({ d }: { d: Delivery }) {
  if (d.log.length === 0) return <p className="muted">Nothing logged yet.</p>
  return (
    <table className="table adm-log" aria-label={`Log of the ${channelLabel(d.channel)} to ${d.to}`}>
      <thead>
        <tr>
          <th scope="col">At</th>
          <th scope="col">Attempt</th>
          <th scope="col">Status</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {d.log.map((l, i) => (
          <tr key={i}>
            <td className="adm-nowrap">{formatDateTime(l.at)}</td>
            <td>{l.attempt}</td>
            <td>{l.status}</td>
            <td>{l.reason ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
