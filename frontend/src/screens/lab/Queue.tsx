// The lab desk's work queue (GET /api/lab-orders): the open orders of the patients the caller may see,
// urgent first, filtered by where they stand; choosing one opens it beside the list.
import { useState } from 'react'
import { messageOf } from '../../api/client'
import { $api } from '../../api/query'
import { formatDateTime } from '../../api/time'
import type { LabQueueItem } from '../../api/types'
import { LoadError } from '../../components/forms'
import { Pager } from '../../components/Pager'
import { Tag } from '../../components/labels'
import { statusWords } from './words'

const limit = 20

type Filter = '' | 'ordered' | 'resulted'

export function LabQueue({ chosen, choose }: { chosen: string; choose: (o: LabQueueItem) => void }) {
  const [status, setStatus] = useState<Filter>('')
  const [page, setPage] = useState(1)
  const q = $api.useQuery('get', '/api/lab-orders', { params: { query: { status: status || undefined, page, limit } } })
  const items = q.data?.items ?? []
  return (
    <section className="panel stack lab-queue" aria-labelledby="lab-queue-title">
      <div className="row">
        <h2 id="lab-queue-title">Orders</h2>
        <span className="spacer" />
        <label className="inline-label">
          Show
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as Filter)
              setPage(1)
            }}
          >
            <option value="">All open orders</option>
            <option value="ordered">Awaiting results</option>
            <option value="resulted">Resulted, not released</option>
          </select>
        </label>
      </div>
      <LoadError error={q.error ? messageOf(q.error) : ''} retry={() => void q.refetch()}>
        Could not load the lab orders
      </LoadError>
      {q.isPending && <p className="muted">Loading…</p>}
      {q.data && items.length === 0 && (
        <p className="muted" data-testid="lab-empty">
          No open orders here. The list shows orders for patients in your care today (checked in, admitted,
          referred or opened with a stated reason).
        </p>
      )}
      {items.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Patient</th>
              <th scope="col">Tests</th>
              <th scope="col">Ordered</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {items.map((o) => (
              <tr key={o.id} className={o.id === chosen ? 'selected' : undefined} data-testid={`order-${o.id}`}>
                <td>
                  <button type="button" className="link-button" aria-pressed={o.id === chosen} onClick={() => choose(o)}>
                    {o.patient_name}
                  </button>
                  <div className="muted">MRN {o.mrn}</div>
                </td>
                <td>
                  {o.priority === 'urgent' && <Tag tone="tag-urgent">Urgent</Tag>} {o.tests.map((t) => t.name).join(', ')}
                </td>
                <td>{formatDateTime(o.ordered_at, 'auto')}</td>
                <td>
                  <Tag tone={statusWords[o.status].tone}>{statusWords[o.status].text}</Tag>
                  {o.files > 0 && <div className="muted">{o.files === 1 ? '1 file' : `${o.files} files`}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {q.data && q.data.total > limit && (
        <Pager
          page={page}
          pages={Math.ceil(q.data.total / limit)}
          hasNext={page * limit < q.data.total}
          busy={q.isFetching}
          go={setPage}
          label="Order pages"
        />
      )}
    </section>
  )
}
