// A doctor's free times on one date, as a group of radio buttons (arrow keys move between them), used
// to book and to reschedule. useSlots loads them and loads them again on refresh (after a 409).
import { useCallback, useEffect, useState } from 'react'
import { api, hhmm, messageOf, must } from '../../api/client'
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
  const [slots, setSlots] = useState<Slot[] | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState('')
  const [round, setRound] = useState(0)
  const refresh = useCallback(() => setRound((n) => n + 1), [])

  useEffect(() => {
    setSlots(null)
    setError('')
    if (!doctorID || !date) return
    let gone = false
    setLoading(true)
    must(api.GET('/api/doctors/{id}/slots', { params: { path: { id: doctorID }, query: { date } } }))
      .then((l) => !gone && setSlots(l.slots))
      .catch((e: unknown) => !gone && setError(`Could not load the free times: ${messageOf(e)}`))
      .finally(() => !gone && setLoading(false))
    return () => {
      gone = true
    }
  }, [doctorID, date, round])

  return { slots, loading, error, refresh }
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
