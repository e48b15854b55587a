// The portal's appointments section: the patient's appointments, live (patient:<patient id>), with
// today's ticket and place in the line when they have checked in; booking a free time; moving or
// cancelling what is to come.
//
// The list is a query in the shared cache, first read when patient:<id> is live (and again whenever
// the server says to reload). Each appointment.changed is put into it at once, then that appointment is
// read again (GET /api/appointments/{id}) for what events leave out (the reason); api/appointments.ts.
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useState } from 'react'
import { mergeAppointment, useAppointmentRefresh } from '../../api/appointments'
import { api, messageOf, must } from '../../api/client'
import { useDepartments } from '../../api/departments'
import type { Appointment, AppointmentEvent, AppointmentList as List, Department } from '../../api/types'
import { useSnapshotChannel } from '../../live/useLiveQuery'
import { AppointmentList } from './AppointmentList'
import { BookPanel } from './BookPanel'

/** The departments until they are known (one array, so it does not change on each render). */
const noDepartments: Department[] = []

/** The most a page holds (the server caps limit at 100). */
const pageSize = 100
/** Pages read at most: a patient with more than this many appointments sees the oldest ones only. */
const maxPages = 10

/** Every page of the caller's own appointments, as one list holding them all. */
async function readAll(): Promise<List> {
  const all: Appointment[] = []
  let total = 0
  for (let page = 1; page <= maxPages; page++) {
    const l = await must(api.GET('/api/appointments', { params: { query: { page, limit: pageSize } } }))
    all.push(...l.items)
    total = l.total
    if (l.items.length < pageSize || all.length >= l.total) break
  }
  return { items: all, total: Math.max(total, all.length), page: 1, limit: all.length }
}

interface MyAppointments {
  /** null until the first load. */
  items: Appointment[] | null
  error: string
  reload: () => void
  /** Shows an appointment an action answered with, before its event arrives. */
  put: (a: Appointment) => void
}

function useMyAppointments(patientID: string): MyAppointments {
  const client = useQueryClient()
  const refresh = useAppointmentRefresh()
  const [refused, setRefused] = useState('')
  // Under GET /api/appointments, so invalidating or merging into every appointment list reaches it.
  const queryKey = ['get', '/api/appointments', { params: { query: { patient_id: patientID, pages: 'all' } } }]
  const synced = useSnapshotChannel(
    patientID ? `patient:${patientID}` : null,
    queryKey,
    (e) => {
      if (e.type !== 'appointment.changed') return
      const a = (e.data as AppointmentEvent).appointment
      mergeAppointment(client, a)
      refresh(a.id)
    },
    (_code, message) => setRefused(`Live updates refused: ${message}`),
  )
  const q = useQuery({ queryKey, queryFn: readAll, enabled: synced })
  const put = useCallback((a: Appointment) => mergeAppointment(client, a), [client])
  return {
    items: q.data?.items ?? null,
    error: refused || (q.error ? `Could not load your appointments: ${messageOf(q.error)}` : ''),
    reload: () => {
      setRefused('')
      void q.refetch()
    },
    put,
  }
}

export function Appointments({ patientID }: { patientID: string }) {
  const mine = useMyAppointments(patientID)
  // Without them ids are shown instead of names, and booking still works without a filter.
  const departments = useDepartments().items ?? noDepartments

  return (
    <>
      <h1>My appointments</h1>
      {mine.error && (
        <div className="pt-error row" role="alert">
          <span className="error-text">{mine.error}</span>
          <button type="button" className="btn btn-small" onClick={mine.reload}>
            Try again
          </button>
        </div>
      )}
      <div className="pt-layout">
        <div className="pt-col">
          {mine.items ? (
            <AppointmentList items={mine.items} departments={departments} onChanged={mine.put} />
          ) : (
            !mine.error && <p className="muted">Loading your appointments…</p>
          )}
        </div>
        <div className="pt-col">
          <BookPanel departments={departments} onBooked={mine.put} />
        </div>
      </div>
    </>
  )
}
