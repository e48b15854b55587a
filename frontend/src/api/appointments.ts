// Appointments in the query cache. Every list of appointments a screen shows is a GET /api/appointments
// (any filters) in the cache. A live event names one appointment (appointment.changed, queue.changed);
// rather than read every list again, the screen reads that one record (GET /api/appointments/{id}, which
// has the reason and the patient's name that events leave out) and puts it into each cached list it
// belongs to. A list that holds every match takes a new one in its place by time; a page it joins, or a
// list it leaves through its filters, is read again: where it goes on which page is the server's to say.
import { useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query'
import { useCallback, useEffect, useRef } from 'react'
import { today } from './client'
import { $api, keyOf } from './query'
import type { Appointment, AppointmentList } from './types'

/** The filters of GET /api/appointments that decide whether an appointment is on a list. */
interface ListQuery {
  patient_id?: string
  doctor_id?: string
  date?: string
  status?: string
}

function queryOf(key: QueryKey): ListQuery {
  const init = key[2] as { params?: { query?: ListQuery } } | undefined
  return init?.params?.query ?? {}
}

/** Whether `a` passes a list's filters (a list with no patient filter is the caller's own, or all). */
function belongs(a: Appointment, q: ListQuery): boolean {
  if (q.patient_id && a.patient_id !== q.patient_id) return false
  if (q.doctor_id && a.doctor_id !== q.doctor_id) return false
  if (q.status && a.status !== q.status) return false
  if (q.date && today(new Date(a.start)) !== q.date) return false
  return true
}

/**
 * Puts a fresh copy of one appointment into every cached list: replaced where it is listed and still
 * passes the list's filters, added to a list that holds all its matches; every other list it should
 * join or leave is invalidated (read again).
 * Events leave out the reason and the patient's name: what the list had is kept when `a` lacks them.
 */
export function mergeAppointment(client: QueryClient, a: Appointment): void {
  const stale: QueryKey[] = []
  for (const [key, list] of client.getQueriesData<AppointmentList>({ queryKey: keyOf('/api/appointments') })) {
    if (!list) continue
    const i = list.items.findIndex((x) => x.id === a.id)
    const fits = belongs(a, queryOf(key))
    if (i < 0) {
      if (!fits) continue
      // A list that holds every match takes the new one in its place by time; a page is read again.
      if (list.items.length >= list.total) {
        const items = [...list.items, a].sort((x, y) => Date.parse(x.start) - Date.parse(y.start))
        client.setQueryData<AppointmentList>(key, { ...list, items, total: list.total + 1 })
      } else stale.push(key)
      continue
    }
    if (!fits) {
      stale.push(key)
      continue
    }
    const was = list.items[i]
    const items = [...list.items]
    items[i] = { ...a, reason: a.reason || was?.reason, patient_name: a.patient_name || was?.patient_name }
    client.setQueryData<AppointmentList>(key, { ...list, items })
  }
  for (const key of stale) void client.invalidateQueries({ queryKey: key, exact: true })
}

/** The cache key of one appointment (GET /api/appointments/{id}). */
export function appointmentKey(id: string): QueryKey {
  return $api.queryOptions('get', '/api/appointments/{id}', { params: { path: { id } } }).queryKey
}

/** How long the ids named by a burst of events are gathered before they are read. */
const gatherMs = 150

/**
 * Returns refresh(id): reads that one appointment again (a burst of events naming it costs one read)
 * and merges it into the cached lists. When the read fails (the appointment is no longer the caller's to
 * see), the lists are read again instead.
 */
export function useAppointmentRefresh(): (id: string) => void {
  const client = useQueryClient()
  const ids = useRef(new Set<string>())
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  useEffect(() => () => clearTimeout(timer.current), [])
  return useCallback(
    (id: string) => {
      if (!id) return
      ids.current.add(id)
      if (timer.current !== undefined) return
      timer.current = setTimeout(() => {
        timer.current = undefined
        const all = [...ids.current]
        ids.current.clear()
        for (const one of all) {
          const opts = $api.queryOptions('get', '/api/appointments/{id}', { params: { path: { id: one } } })
          client.fetchQuery({ ...opts, staleTime: 0, retry: false }).then(
            (a) => mergeAppointment(client, a),
            () => void client.invalidateQueries({ queryKey: keyOf('/api/appointments') }),
          )
        }
      }, gatherMs)
    },
    [client],
  )
}
