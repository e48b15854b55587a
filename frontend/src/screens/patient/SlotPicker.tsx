// A doctor's free times on one date, as a group of radio buttons (arrow keys move between them), used
// to book and to reschedule. useSlots loads them and loads them again on refresh (after a 409).
import { hhmm, messageOf } from '../../api/client'
import { $api } from '../../api/query'
import type { Slot } from '../../api/types'
import { ErrorText } from '../../components/forms'

export interface Slots {
  slots: Slot[] | null
  loading: boolean
  error: string
  refresh: () => void
}

/** The free slots of a doctor on a date (YYYY-MM-DD); nothing while either is empty. */
export function useSlots(doctorID: string, date: string): Slots {
  const enabled = Boolean(doctorID && date)
  const q = $api.useQuery(
    'get',
    '/api/doctors/{id}/slots',
    { params: { path: { id: doctorID }, query: { date } } },
    // Free times go fast: a form opened again reads them anew.
    { enabled, staleTime: 0 },
  )
  return {
    slots: enabled ? (q.data?.slots ?? null) : null,
    loading: enabled && q.isFetching,
    error: enabled && q.error ? `Could not load the free times: ${messageOf(q.error)}` : '',
    refresh: () => {
      if (enabled) void q.refetch()
    },
  }
}

interface Props {
  /** The radio group's name, unique on the page. */
  name: string
  legend: string
  state: Slots
  /** The chosen slot's start ('' for none). */
  value: string
  onChange: (start: string) => void
}

export function SlotPicker({ name, legend, state, value, onChange }: Props) {
  const { slots, loading, error } = state
  return (
    <fieldset className="pt-slots" aria-busy={loading}>
      <legend>{legend}</legend>
      <ErrorText error={error} block />
      {loading && !slots && <p className="muted">Loading free times…</p>}
      {slots && slots.length === 0 && <p className="muted">No free times that day. Try another date.</p>}
      {slots && slots.length > 0 && (
        <div className="pt-slot-grid">
          {slots.map((s) => (
            <label key={s.start} className={`pt-slot${value === s.start ? ' pt-slot-on' : ''}`}>
              <input
                type="radio"
                name={name}
                value={s.start}
                checked={value === s.start}
                onChange={() => onChange(s.start)}
              />
              {hhmm(s.start)}
            </label>
          ))}
        </div>
      )}
    </fieldset>
  )
}
