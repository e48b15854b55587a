// The patient's own appointments, live: loaded over REST when patient:<id> goes live (and whenever the
// server says to reload), then each appointment.changed replaces or adds one. An event that arrives
// while the list is loading may or may not be in it, so the list is loaded once more afterwards.
import { useCallback, useRef, useState } from 'react'
import { api, messageOf, must } from '../../api/client'
import type { Appointment, AppointmentEvent } from '../../api/types'
import { useChannel } from '../../live/LiveProvider'

/** The most a page holds (the server caps limit at 100). */
const pageSize = 100
/** Pages read at most: a patient with more than this many appointments sees the oldest ones only. */
const maxPages = 10

export interface MyAppointments {
  /** null until the first load. */
  items: Appointment[] | null
  error: string
  reload: () => void
  /** Shows an appointment an action answered with, before its event arrives. */
  put: (a: Appointment) => void
}

export function useAppointments(patientID: string): MyAppointments {
  const [items, setItems] = useState<Appointment[] | null>(null)
  const [error, setError] = useState('')
  const loading = useRef(false)
  const again = useRef(false)

  const load = useCallback(async (): Promise<void> => {
    if (loading.current) {
      again.current = true
      return
    }
    loading.current = true
    try {
      const all: Appointment[] = []
      for (let page = 1; page <= maxPages; page++) {
        const l = await must(api.GET('/api/appointments', { params: { query: { page, limit: pageSize } } }))
        all.push(...l.items)
        if (l.items.length < pageSize || all.length >= l.total) break
      }
      setItems(all)
      setError('')
    } catch (e) {
      setError(`Could not load your appointments: ${messageOf(e)}`)
    } finally {
      loading.current = false
      if (again.current) {
        again.current = false
        void load()
      }
    }
  }, [])

  const put = useCallback((a: Appointment) => setItems((list) => list && upsert(list, a)), [])

  useChannel(
    patientID ? `patient:${patientID}` : null,
    (e) => {
      if (e.type !== 'appointment.changed') return
      if (loading.current) again.current = true
      put((e.data as AppointmentEvent).appointment)
    },
    () => void load(),
    (_code, message) => setError(`Live updates refused: ${message}`),
  )

  return { items, error, reload: () => void load(), put }
}

function upsert(list: Appointment[], a: Appointment): Appointment[] {
  const i = list.findIndex((x) => x.id === a.id)
  if (i < 0) return [...list, a]
  const next = [...list]
  // Events carry neither the reason nor the patient's name: keep those read over REST.
  const was = list[i]
  next[i] = { ...a, reason: a.reason || was?.reason, patient_name: a.patient_name || was?.patient_name }
  return next
}
