// The portal's lab reports section: the patient's reports as the server lets them see them (released
// ones only), each result with its reference range and whether it is high or low, the doctor's
// interpretation, and the attached files, downloaded with the access token. Live on patient:<id>: a
// released report reloads the list.
import { useState } from 'react'
import { messageOf } from '../../api/client'
import { $api } from '../../api/query'
import { formatDate, formatDateTime } from '../../api/time'
import type { components } from '../../api/schema'
import { ErrorText } from '../../components/forms'
import { Tag } from '../../components/labels'
import { useLiveQueries } from '../../live/useLiveQuery'
import { fetchBlob, saveBlob } from '../../api/download'
import { Pending } from './Pending'

type LabOrder = components['schemas']['LabOrder']
type LabResult = components['schemas']['LabResult']
type LabFile = components['schemas']['LabFile']

/** Reports read at once (the server's most). */
const pageSize = 100

/** What a result's flag means, in words, and its tag's tone. */
const flagWords: Record<NonNullable<LabResult['flag']>, { text: string; tone: string }> = {
  LL: { text: 'Very low', tone: 'tag-urgent' },
  L: { text: 'Low', tone: 'tag-warn' },
  N: { text: 'Normal', tone: 'tag-ok' },
  H: { text: 'High', tone: 'tag-warn' },
  HH: { text: 'Very high', tone: 'tag-urgent' },
}

/** The reference range as written on a report: "3.5–5.1 mmol/L", "below 6.5 %", "negative". */
export function rangeText(r: LabResult): string {
  const { low, high, text } = r.range
  const unit = r.unit ? ` ${r.unit}` : ''
  if (low !== undefined && high !== undefined) return `${low}–${high}${unit}`
  if (high !== undefined) return `up to ${high}${unit}`
  if (low !== undefined) return `${low}${unit} or more`
  return text ?? '—'
}

export function LabReports({ patientID }: { patientID: string }) {
  const list = $api.useQuery('get', '/api/patients/{id}/lab-orders', {
    params: { path: { id: patientID }, query: { page: 1, limit: pageSize } },
  })
  useLiveQueries(`patient:${patientID}`, ['/api/patients/{id}/lab-orders'], (e) => e.type === 'lab.released')

  return (
    <>
      <h1>My lab reports</h1>
      {!list.data ? (
        <Pending read={list} what="your lab reports" />
      ) : list.data.items.length === 0 ? (
        <section className="panel">
          <p className="muted">No lab reports yet. A report appears here once your doctor has released it.</p>
        </section>
      ) : (
        list.data.items.map((o) => <Report key={o.id} order={o} />)
      )}
    </>
  )
}

function Report({ order }: { order: LabOrder }) {
  const title = order.tests.map((t) => t.name).join(', ')
  const nameOf = (code: string) => order.tests.find((t) => t.code === code)?.name ?? code
  const released = order.status === 'released'
  return (
    <section className="panel" aria-label={`${title}, ${formatDate(order.ordered_at)}`} data-testid={`lab-${order.id}`}>
      <div className="pt-section-head">
        <h2>{title}</h2>
        <span className="muted">Ordered {formatDate(order.ordered_at, 'auto')}</span>
      </div>
      {!released || order.results.length === 0 ? (
        <p className="muted" data-testid="waiting">
          {order.status === 'cancelled' ? 'This test was cancelled.' : 'Waiting for results.'}
        </p>
      ) : (
        <>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Test</th>
                <th scope="col">Result</th>
                <th scope="col">Normal range</th>
                <th scope="col">
                  <span className="sr-only">Compared with the range</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {order.results.map((r) => (
                <tr key={r.code}>
                  <td>
                    {nameOf(r.code)}
                    {r.comment && <div className="muted pt-small">{r.comment}</div>}
                  </td>
                  <td className="pt-nowrap">
                    {r.value !== undefined ? `${r.value}${r.unit ? ` ${r.unit}` : ''}` : (r.text ?? '—')}
                  </td>
                  <td className="pt-nowrap">{rangeText(r)}</td>
                  <td>{r.flag && <Tag tone={flagWords[r.flag].tone}>{flagWords[r.flag].text}</Tag>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {order.interpretation && (
            <p className="pt-pre">
              <strong>Your doctor’s note: </strong>
              {order.interpretation}
            </p>
          )}
          {order.released_at && (
            <p className="muted pt-small">Released {formatDateTime(order.released_at, 'auto')}</p>
          )}
        </>
      )}
      {released && order.files.length > 0 && <Files files={order.files} />}
    </section>
  )
}

function Files({ files }: { files: LabFile[] }) {
  const [busy, setBusy] = useState('')
  const [error, setError] = useState('')
  const download = async (f: LabFile) => {
    setBusy(f.id)
    setError('')
    try {
      saveBlob(await fetchBlob(`/api/lab-files/${f.id}`), f.name)
    } catch (e) {
      setError(`Could not download ${f.name}: ${messageOf(e)}`)
    } finally {
      setBusy('')
    }
  }
  return (
    <div className="pt-files">
      <h3>Files</h3>
      <ul className="pt-plain">
        {files.map((f) => (
          <li key={f.id} className="row">
            <button type="button" className="btn btn-small" disabled={busy === f.id} onClick={() => void download(f)}>
              {busy === f.id ? 'Downloading…' : `Download ${f.name}`}
            </button>
            <span className="muted pt-small">{sizeText(f.size)}</span>
          </li>
        ))}
      </ul>
      <ErrorText error={error} block />
    </div>
  )
}

/** "340 KB", "1.2 MB". */
function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}
