// Enters a results revision for an order (POST /api/lab-orders/{id}/results): per test a value (a number,
// or words such as "negative"), its unit and the reference range; the server computes the flags. Starts
// from the latest revision when there is one.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import type { LabOrder, LabResultInput } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'

interface Line {
  value: string
  unit: string
  low: string
  high: string
}

function linesOf(order: LabOrder): Record<string, Line> {
  const out: Record<string, Line> = {}
  for (const t of order.tests) {
    const r = order.results.find((x) => x.code === t.code)
    out[t.code] = {
      value: r ? String(r.value ?? r.text ?? '') : '',
      unit: r?.unit ?? '',
      low: r?.range.low !== undefined ? String(r.range.low) : (r?.range.text ?? ''),
      high: r?.range.high !== undefined ? String(r.range.high) : '',
    }
  }
  return out
}

const numeric = (s: string) => s.trim() !== '' && Number.isFinite(Number(s))

/** A line as the server takes it: a number with numeric limits, or words with a text range. */
function inputOf(code: string, l: Line): LabResultInput {
  const r: LabResultInput = { code, unit: l.unit.trim() || undefined, range: {} }
  if (numeric(l.value)) {
    r.value = Number(l.value)
    if (numeric(l.low)) r.range!.low = Number(l.low)
    if (numeric(l.high)) r.range!.high = Number(l.high)
  } else {
    r.text = l.value.trim()
    if (l.low.trim()) r.range!.text = l.low.trim()
  }
  return r
}

export function ResultsForm({ order }: { order: LabOrder }) {
  const client = useQueryClient()
  const [lines, setLines] = useState(() => linesOf(order))
  const [interpretation, setInterpretation] = useState(order.interpretation ?? '')
  const [saved, setSaved] = useState('')
  const submit = $api.useMutation('post', '/api/lab-orders/{id}/results', {
    onSuccess: (o) => {
      setSaved(`Results saved (revision ${o.revision}).`)
      for (const p of ['/api/lab-orders', '/api/lab-orders/{id}'] as const) void client.invalidateQueries({ queryKey: keyOf(p) })
    },
  })
  const set = (code: string, k: keyof Line, v: string) => setLines({ ...lines, [code]: { ...lines[code]!, [k]: v } })
  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    setSaved('')
    const results = order.tests.filter((t) => lines[t.code]!.value.trim() !== '').map((t) => inputOf(t.code, lines[t.code]!))
    submit.mutate({
      params: { path: { id: order.id } },
      body: { results, interpretation: interpretation.trim() || undefined },
    })
  }
  return (
    <form className="stack" onSubmit={onSubmit} aria-labelledby="results-title">
      <h3 id="results-title">{order.results.length > 0 ? 'Correct the results' : 'Enter results'}</h3>
      <table className="table results-form">
        <thead>
          <tr>
            <th scope="col">Test</th>
            <th scope="col">Result</th>
            <th scope="col">Unit</th>
            <th scope="col">Normal from (or expected words)</th>
            <th scope="col">Normal to</th>
          </tr>
        </thead>
        <tbody>
          {order.tests.map((t) => (
            <tr key={t.code}>
              <th scope="row">{t.name}</th>
              <td>
                <input aria-label={`${t.name} result`} value={lines[t.code]!.value} onChange={(e) => set(t.code, 'value', e.target.value)} />
              </td>
              <td>
                <input aria-label={`${t.name} unit`} value={lines[t.code]!.unit} onChange={(e) => set(t.code, 'unit', e.target.value)} />
              </td>
              <td>
                <input aria-label={`${t.name} normal from`} value={lines[t.code]!.low} onChange={(e) => set(t.code, 'low', e.target.value)} />
              </td>
              <td>
                <input aria-label={`${t.name} normal to`} value={lines[t.code]!.high} onChange={(e) => set(t.code, 'high', e.target.value)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <label>
        Interpretation
        <textarea rows={2} value={interpretation} onChange={(e) => setInterpretation(e.target.value)} />
      </label>
      <div className="row">
        <SubmitButton busy={submit.isPending} busyText="Saving…">
          Save results
        </SubmitButton>
        <ErrorText error={submit.error ? messageOf(submit.error) : ''} />
        {saved && (
          <span className="ok-text" role="status">
            {saved}
          </span>
        )}
      </div>
    </form>
  )
}
