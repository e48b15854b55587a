// A doctor's weekly schedule (PUT /api/doctors/{id}/schedule): a row per weekday with its working
// hours (add or remove periods), breaks (on one weekday or every day) and the slot length. Saving
// replaces the whole schedule; the server checks it and its message names the period by day and hours.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import type { components } from '../../api/schema'
import type { Doctor } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'
import { scheduleMessage, weekdayNames } from './scheduleWords'

type ScheduleRequest = components['schemas']['ScheduleRequest']

interface Period {
  start: string
  end: string
}

/** A break on one weekday, or every day ('all'). */
interface Break extends Period {
  weekday: number | 'all'
}

/** The week as the hospital reads it: Monday first. */
const week = [1, 2, 3, 4, 5, 6, 0]

function daysOf(d: Doctor): Record<number, Period[]> {
  const out: Record<number, Period[]> = {}
  for (const w of week) out[w] = []
  for (const h of d.weekly) out[h.weekday ?? 0]?.push({ start: h.start, end: h.end })
  return out
}

export function Schedule({ doctor }: { doctor: Doctor }) {
  const client = useQueryClient()
  const save = $api.useMutation('put', '/api/doctors/{id}/schedule')
  const [slot, setSlot] = useState(String(doctor.slot_minutes || 15))
  const [days, setDays] = useState(() => daysOf(doctor))
  const [breaks, setBreaks] = useState<Break[]>(() =>
    doctor.breaks.map((b) => ({ weekday: b.weekday ?? 'all', start: b.start, end: b.end })),
  )
  const [error, setError] = useState('')
  const [done, setDone] = useState('')

  const setDay = (w: number, change: (ps: Period[]) => Period[]) => {
    setDays((d) => ({ ...d, [w]: change(d[w] ?? []) }))
    setDone('')
  }
  const setPeriod = (w: number, i: number, p: Partial<Period>) =>
    setDay(w, (ps) => ps.map((x, j) => (j === i ? { ...x, ...p } : x)))
  const setBreak = (i: number, b: Partial<Break>) => {
    setBreaks((bs) => bs.map((x, j) => (j === i ? { ...x, ...b } : x)))
    setDone('')
  }
  const copyMonday = () => {
    setDays((d) => {
      const mon = d[1] ?? []
      return { ...d, ...Object.fromEntries([2, 3, 4, 5].map((w) => [w, mon.map((p) => ({ ...p }))])) }
    })
    setDone('')
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError('')
    setDone('')
    const body: ScheduleRequest = {
      slot_minutes: Number(slot),
      weekly: week.flatMap((w) => (days[w] ?? []).map((p) => ({ weekday: w, start: p.start, end: p.end }))),
      breaks: breaks.map((b) => (b.weekday === 'all' ? { start: b.start, end: b.end } : { weekday: b.weekday, start: b.start, end: b.end })),
    }
    try {
      await save.mutateAsync({ params: { path: { id: doctor.id } }, body })
      await Promise.all([
        client.invalidateQueries({ queryKey: keyOf('/api/doctors') }),
        client.invalidateQueries({ queryKey: keyOf('/api/doctors/{id}/slots') }),
      ])
      setDone(body.weekly.length ? 'Schedule saved.' : 'Schedule saved: no working hours, so no one can book this doctor.')
    } catch (err) {
      setError(scheduleMessage(messageOf(err), body))
    }
  }

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-labelledby="adm-schedule-h" noValidate>
      <div className="row">
        <h3 id="adm-schedule-h">Weekly hours</h3>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={copyMonday}>
          Copy Monday to Tuesday–Friday
        </button>
      </div>
      <p className="muted adm-hint">Times are the hospital’s. Appointments are cut from the start of each period.</p>
      <table className="table adm-week">
        <tbody>
          {week.map((w) => {
            const day = weekdayNames[w]!
            const ps = days[w] ?? []
            return (
              <tr key={w} data-testid={`week-${day}`}>
                <th scope="row">{day}</th>
                <td>
                  {ps.length === 0 && <span className="muted">Not working</span>}
                  <ul className="adm-periods">
                    {ps.map((p, i) => (
                      <li key={i} className="row adm-nowrap">
                        <input type="time" aria-label={`${day} period ${i + 1} start`} value={p.start} onChange={(e) => setPeriod(w, i, { start: e.target.value })} />
                        <span aria-hidden="true">to</span>
                        <input type="time" aria-label={`${day} period ${i + 1} end`} value={p.end} onChange={(e) => setPeriod(w, i, { end: e.target.value })} />
                        <button type="button" className="btn btn-small" aria-label={`Remove ${day} period ${i + 1}`} onClick={() => setDay(w, (xs) => xs.filter((_, j) => j !== i))}>
                          Remove
                        </button>
                      </li>
                    ))}
                  </ul>
                  <button
                    type="button"
                    className="btn btn-small"
                    aria-label={`Add hours on ${day}`}
                    onClick={() => setDay(w, (xs) => [...xs, xs.length ? { start: '14:00', end: '17:00' } : { start: '09:00', end: '12:00' }])}
                  >
                    Add hours
                  </button>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>

      <fieldset className="adm-fieldset">
        <legend>Breaks</legend>
        {breaks.length === 0 && <p className="muted adm-hint">No breaks. A slot that touches a break is not offered.</p>}
        <ul className="adm-periods adm-breaks">
          {breaks.map((b, i) => (
            <li key={i} className="row adm-nowrap">
              <select
                aria-label={`Break ${i + 1} day`}
                value={String(b.weekday)}
                onChange={(e) => setBreak(i, { weekday: e.target.value === 'all' ? 'all' : Number(e.target.value) })}
              >
                <option value="all">Every working day</option>
                {week.map((w) => (
                  <option key={w} value={w}>
                    {weekdayNames[w]}
                  </option>
                ))}
              </select>
              <input type="time" aria-label={`Break ${i + 1} start`} value={b.start} onChange={(e) => setBreak(i, { start: e.target.value })} />
              <span aria-hidden="true">to</span>
              <input type="time" aria-label={`Break ${i + 1} end`} value={b.end} onChange={(e) => setBreak(i, { end: e.target.value })} />
              <button type="button" className="btn btn-small" aria-label={`Remove break ${i + 1}`} onClick={() => setBreaks((bs) => bs.filter((_, j) => j !== i))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="btn btn-small adm-self-start" onClick={() => setBreaks((bs) => [...bs, { weekday: 'all', start: '12:30', end: '13:30' }])}>
          Add a break
        </button>
      </fieldset>

      <div className="row adm-filters">
        <label>
          Slot length (minutes)
          <input type="number" min={5} max={240} step={5} value={slot} onChange={(e) => setSlot(e.target.value)} className="adm-narrow" />
        </label>
        <SubmitButton busy={save.isPending} busyText="Saving…">
          Save schedule
        </SubmitButton>
        {done && (
          <span className="ok-text" role="status">
            {done}
          </span>
        )}
      </div>
      <ErrorText error={error} block />
    </form>
  )
}
