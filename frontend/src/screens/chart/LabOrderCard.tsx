// One lab order in the chart: its tests and state, its results with the server's flags, its files, and
// what the doctor can do next — enter (or correct) results, attach a report file, open a file, release
// the report to the patient, cancel an order with no results yet. Each change reloads the patient's orders.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRef, useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatDateTime } from '../../api/time'
import { ErrorText, SubmitButton } from '../../components/forms'
import { CancelLabOrder } from './CancelLabOrder'
import { maxFileBytes, openLabFile, sizeWords, uploadLabFile } from './labFiles'
import { flagWords, labStatusWords, numberOf, type LabFile, type LabOrder, type LabResult } from './model'

export function LabOrderCard({ order }: { order: LabOrder }) {
  const client = useQueryClient()
  const [entering, setEntering] = useState(false)
  const [error, setError] = useState('')
  const release = $api.useMutation('post', '/api/lab-orders/{id}/release')
  const fileInput = useRef<HTMLInputElement>(null)
  const upload = useMutation({ mutationFn: (f: File) => uploadLabFile(order.id, f) })
  const reload = () => void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/lab-orders') })
  const open = order.status === 'ordered' || order.status === 'resulted'
  const status = labStatusWords[order.status]

  const onFile = (f: File | undefined) => {
    setError('')
    if (!f) return
    if (f.size > maxFileBytes) {
      setError(`${f.name} is ${sizeWords(f.size)}; files up to 10 MB are accepted.`)
      return
    }
    upload.mutate(f, { onSuccess: reload, onError: (e) => setError(messageOf(e)) })
    if (fileInput.current) fileInput.current.value = ''
  }

  const doRelease = () => {
    setError('')
    release.mutate(
      { params: { path: { id: order.id } } },
      { onSuccess: reload, onError: (e) => setError(messageOf(e)) },
    )
  }

  const testsText = order.tests.map((t) => t.name || t.code).join(', ')
  return (
    <li className="ch-card" data-testid={`lab-${order.id}`}>
      <div className="row">
        <strong>{testsText}</strong>
        {order.priority === 'urgent' && <span className="tag tag-urgent">Urgent</span>}
        <span className="spacer" />
        <span className={status.tone ? `tag ${status.tone}` : 'tag'} data-testid="lab-status">
          {status.text}
        </span>
      </div>
      <div className="muted">
        Ordered {formatDateTime(order.ordered_at, 'auto')}
        {order.note && ` · ${order.note}`}
        {order.released_at && ` · released ${formatDateTime(order.released_at, 'auto')}`}
      </div>
      {order.results.length > 0 && <Results results={order.results} interpretation={order.interpretation} />}
      {order.files.length > 0 && <Files files={order.files} onError={setError} />}
      {entering ? (
        <ResultsForm order={order} onDone={() => setEntering(false)} />
      ) : (
        open && (
          <div className="row ch-actions">
            <button type="button" className="btn btn-small" onClick={() => setEntering(true)}>
              {order.results.length > 0 ? 'Correct results' : 'Enter results'}
            </button>
            <label className="btn btn-small ch-file-btn">
              {upload.isPending ? 'Attaching…' : 'Attach a file'}
              <input
                ref={fileInput}
                type="file"
                className="sr-only"
                accept="application/pdf,image/png,image/jpeg"
                disabled={upload.isPending}
                onChange={(e) => onFile(e.target.files?.[0])}
              />
            </label>
            {order.status === 'resulted' && (
              <button
                type="button"
                className="btn btn-small btn-primary"
                disabled={release.isPending}
                onClick={doRelease}
              >
                {release.isPending ? 'Releasing…' : 'Release to the patient'}
              </button>
            )}
            {order.status === 'ordered' && <CancelLabOrder order={order} tests={testsText} />}
          </div>
        )
      )}
      <ErrorText error={error} block />
    </li>
  )
}

function Results({ results, interpretation }: { results: LabResult[]; interpretation?: string }) {
  return (
    <>
      <table className="table ch-table" aria-label="Results">
        <thead>
          <tr>
            <th scope="col">Test</th>
            <th scope="col">Result</th>
            <th scope="col">Reference</th>
            <th scope="col">Flag</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => {
            const flag = r.flag ? flagWords[r.flag] : undefined
            return (
              <tr key={r.code}>
                <td>{r.code}</td>
                <td>
                  {r.value ?? r.text} {r.unit}
                  {r.comment && <div className="muted">{r.comment}</div>}
                </td>
                <td>{rangeText(r.range)}</td>
                <td>{flag && <span className={`tag ${flag.tone}`}>{flag.text}</span>}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {interpretation && <p className="ch-text">{interpretation}</p>}
    </>
  )
}

function rangeText(r: LabResult['range']): string {
  if (r.text) return r.text
  if (r.low !== undefined && r.high !== undefined) return `${r.low}–${r.high}`
  if (r.low !== undefined) return `from ${r.low}`
  if (r.high !== undefined) return `up to ${r.high}`
  return ''
}

function Files({ files, onError }: { files: LabFile[]; onError: (m: string) => void }) {
  const [busy, setBusy] = useState('')
  const view = (f: LabFile) => {
    setBusy(f.id)
    onError('')
    openLabFile(f)
      .catch((e: unknown) => onError(messageOf(e)))
      .finally(() => setBusy(''))
  }
  return (
    <ul className="ch-files" aria-label="Files">
      {files.map((f) => (
        <li key={f.id}>
          <button type="button" className="btn btn-small btn-quiet" disabled={busy === f.id} onClick={() => view(f)}>
            {busy === f.id ? 'Opening…' : `Open ${f.name}`}
          </button>{' '}
          <span className="muted">
            {sizeWords(f.size)}, attached {formatDateTime(f.uploaded_at, 'auto')}
          </span>
        </li>
      ))}
    </ul>
  )
}

interface Row {
  code: string
  name: string
  result: string
  unit: string
  low: string
  high: string
  comment: string
}

function ResultsForm({ order, onDone }: { order: LabOrder; onDone: () => void }) {
  const client = useQueryClient()
  const submitResults = $api.useMutation('post', '/api/lab-orders/{id}/results')
  const [rows, setRows] = useState<Row[]>(() =>
    order.tests.map((t) => {
      const r = order.results.find((x) => x.code === t.code)
      return {
        code: t.code,
        name: t.name,
        result: r ? String(r.value ?? r.text ?? '') : '',
        unit: r?.unit ?? '',
        low: r?.range.low !== undefined ? String(r.range.low) : '',
        high: r?.range.high !== undefined ? String(r.range.high) : '',
        comment: r?.comment ?? '',
      }
    }),
  )
  const [interpretation, setInterpretation] = useState(order.interpretation ?? '')
  const [error, setError] = useState('')

  const set = (i: number, r: Partial<Row>) => setRows((list) => list.map((x, j) => (j === i ? { ...x, ...r } : x)))

  const submit = (ev: FormEvent) => {
    ev.preventDefault()
    setError('')
    const results = rows
      .filter((r) => r.result.trim() !== '')
      .map((r) => {
        const n = numberOf(r.result)
        const low = numberOf(r.low)
        const high = numberOf(r.high)
        return {
          code: r.code,
          ...(n !== undefined ? { value: n } : { text: r.result.trim() }),
          unit: r.unit || undefined,
          range: low !== undefined || high !== undefined ? { low, high } : undefined,
          comment: r.comment || undefined,
        }
      })
    if (results.length === 0) {
      setError('Enter at least one result.')
      return
    }
    submitResults.mutate(
      { params: { path: { id: order.id } }, body: { results, interpretation: interpretation || undefined } },
      {
        onSuccess: () => {
          onDone()
          void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/lab-orders') })
        },
        onError: (e) => setError(messageOf(e)),
      },
    )
  }

  return (
    <form className="ch-form ch-results-form" onSubmit={submit} aria-label="Results">
      {rows.map((r, i) => (
        <fieldset key={r.code} className="ch-result-row">
          <legend>{r.name || r.code}</legend>
          <label>
            Result
            <input value={r.result} onChange={(e) => set(i, { result: e.target.value })} />
          </label>
          <label className="ch-narrow">
            Unit
            <input value={r.unit} onChange={(e) => set(i, { unit: e.target.value })} />
          </label>
          <label className="ch-narrow">
            Normal from
            <input type="number" step="any" value={r.low} onChange={(e) => set(i, { low: e.target.value })} />
          </label>
          <label className="ch-narrow">
            to
            <input type="number" step="any" value={r.high} onChange={(e) => set(i, { high: e.target.value })} />
          </label>
          <label>
            Comment
            <input value={r.comment} onChange={(e) => set(i, { comment: e.target.value })} />
          </label>
        </fieldset>
      ))}
      <label>
        Interpretation
        <textarea rows={2} value={interpretation} onChange={(e) => setInterpretation(e.target.value)} />
      </label>
      <div className="row">
        <SubmitButton busy={submitResults.isPending} busyText="Saving…">
          Save results
        </SubmitButton>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <ErrorText error={error} />
      </div>
    </form>
  )
}
