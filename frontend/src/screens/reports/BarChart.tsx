// A small bar chart drawn as SVG, with no charting library (it would be most of this screen's bytes).
// It is an image to assistive technology, described by its title and a sentence of totals, and it always
// comes with the table of its figures (the caller's), which it names as its alternative.
import { useId } from 'react'

export interface Series {
  name: string
  values: (number | null)[]
  /** The bar's colour class (rp-s1 … rp-s4). */
  tone: string
}

export function BarChart({
  title,
  labels,
  series,
  describedBy,
  unit = '',
  testId,
}: {
  title: string
  /** The x axis: one label per group of bars. */
  labels: string[]
  series: Series[]
  /** The id of the table with the same figures. */
  describedBy: string
  unit?: string
  testId?: string
}) {
  const id = useId()
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)))
  const width = 1000
  const height = 200
  const pad = { left: 40, bottom: 22, top: 8 }
  const plotW = width - pad.left - 4
  const plotH = height - pad.bottom - pad.top
  const group = plotW / Math.max(1, labels.length)
  const bar = Math.max(1, (group * 0.8) / Math.max(1, series.length))
  // Label every nth group so that the labels never overlap.
  const every = Math.max(1, Math.ceil(labels.length / 12))
  const totals = series.map((s) => `${s.name} ${round(s.values.reduce<number>((a, v) => a + (v ?? 0), 0))}${unit}`).join(', ')
  return (
    <figure className="rp-chart" data-testid={testId}>
      <figcaption id={`${id}-t`} className="rp-chart-title">
        {title}
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
        aria-describedby={describedBy}
      >
        <desc id={`${id}-d`}>{labels.length ? `Totals: ${totals}. The table below has every figure.` : 'No figures.'}</desc>
        <line x1={pad.left} y1={pad.top + plotH} x2={width} y2={pad.top + plotH} className="rp-axis" />
        <text x={pad.left - 4} y={pad.top + 8} className="rp-tick" textAnchor="end">
          {round(max)}
        </text>
        <text x={pad.left - 4} y={pad.top + plotH} className="rp-tick" textAnchor="end">
          0
        </text>
        {labels.map((l, i) => (
          <g key={l + i}>
            {series.map((s, j) => {
              const v = s.values[i] ?? 0
              const h = (v / max) * plotH
              return (
                <rect
                  key={s.name}
                  className={`rp-bar ${s.tone}`}
                  x={pad.left + i * group + group * 0.1 + j * bar}
                  y={pad.top + plotH - h}
                  width={bar}
                  height={h}
                  data-value={v}
                />
              )
            })}
            {i % every === 0 && (
              <text x={pad.left + i * group + group / 2} y={height - 6} className="rp-tick" textAnchor="middle">
                {l}
              </text>
            )}
          </g>
        ))}
      </svg>
      <ul className="rp-legend" aria-hidden="true">
        {series.map((s) => (
          <li key={s.name}>
            <span className={`rp-swatch ${s.tone}`} /> {s.name}
          </li>
        ))}
      </ul>
    </figure>
  )
}

function round(v: number): number {
  return Math.round(v * 10) / 10
}
