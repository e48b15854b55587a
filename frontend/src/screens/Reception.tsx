// The reception desk (staff; admins too): the desk's tasks in tabs — check-in, emergency admission,
// booking, the day's appointments to move or cancel, and the nearby hospitals to send someone on to —
// beside every department's live queue.
//
// Live updates: each queue card follows queue:dept:<department> (reception/Queues.tsx). Every list is a
// query in the shared cache. An event naming an appointment (queue.changed, or appointment.changed on a
// doctor's channel, which carries bookings not yet checked in) has that one appointment read again and
// put into the lists it is on (api/appointments.ts), and the free doctors and slots read again,
// debounced; so another desk's or a patient's booking, move or cancellation shows up here too. A
// channel's (re)sync reads every list again. Form drafts live in a store held by the screen, so
// switching tabs loses nothing.
import { useQueryClient, type Query } from '@tanstack/react-query'
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react'
import { useAppointmentRefresh } from '../api/appointments'
import { useDepartments } from '../api/departments'
import { $api, keyOf } from '../api/query'
import type { AppointmentEvent } from '../api/types'
import { LoadError } from '../components/forms'
import { useChannel, useLiveState } from '../live/LiveProvider'
import { Appointments } from './reception/Appointments'
import { Book } from './reception/Book'
import { CheckIn } from './reception/CheckIn'
import { Emergency } from './reception/Emergency'
import { DraftStore, resourceOf, useDebounced } from './reception/hooks'
import { NearbyHospitals } from './nearby/NearbyHospitals'
import { Queues } from './reception/Queues'
import { can } from '../roles'
import './reception.css'

type Tab = 'checkin' | 'emergency' | 'book' | 'appointments' | 'nearby'

const allTabs: { id: Tab; label: string }[] = [
  { id: 'checkin', label: 'Check-in' },
  { id: 'emergency', label: 'Emergency admission' },
  { id: 'book', label: 'Book' },
  { id: 'appointments', label: 'Appointments' },
  { id: 'nearby', label: 'Nearby' },
]

/** How long to gather changes before reading the lists of free doctors and slots again. */
const listRefreshMs = 400

export function ReceptionScreen() {
  const [drafts] = useState(() => new Map<string, unknown>())
  const [tab, setTab] = useState<Tab>('checkin')
  const client = useQueryClient()
  const refresh = useAppointmentRefresh()
  // A booking made, moved or cancelled anywhere: the free doctors and their slots may have changed.
  const bookingsChanged = useDebounced(
    useCallback(() => {
      void client.invalidateQueries({ queryKey: keyOf('/api/doctors/{id}/slots') })
      void client.invalidateQueries({ predicate: freeDoctors })
    }, [client]),
    listRefreshMs,
  )
  // A channel (re)synced: events may have been missed, so every list is read again.
  const listsStale = useDebounced(
    useCallback(() => {
      void client.invalidateQueries({ queryKey: keyOf('/api/appointments') })
      void client.invalidateQueries({ queryKey: keyOf('/api/doctors/{id}/slots') })
      void client.invalidateQueries({ predicate: freeDoctors })
    }, [client]),
    listRefreshMs,
  )
  const changed = useCallback(
    (appointmentID?: string) => {
      if (appointmentID) refresh(appointmentID)
      else listsStale()
      bookingsChanged()
    },
    [refresh, listsStale, bookingsChanged],
  )
  // Back live after an outage: the lists are read again (a load may have failed meanwhile). The queue
  // cards need nothing: their channels resume and replay what was missed.
  const live = useLiveState().status === 'live'
  const was = useRef<'never' | 'live' | 'lost'>('never')
  useEffect(() => {
    if (live && was.current === 'lost') listsStale()
    if (live) was.current = 'live'
    else if (was.current === 'live') was.current = 'lost'
  }, [live, listsStale])

  const departments = useDepartments()
  const doctorList = $api.useQuery('get', '/api/doctors', undefined, { staleTime: 5 * 60_000 })
  const doctors = resourceOf(doctorList)
  const depts = departments.items
  const docs = doctors.data?.items

  // Booking, moving and cancelling for patients needs appointment.book_for_others: without it the desk
  // checks in only.
  const books = can('appointment.book_for_others')
  const tabs = allTabs.filter((t) => books || (t.id !== 'book' && t.id !== 'appointments'))

  // Left and right arrows (and Home / End) move between the tabs, as well as Tab.
  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = tabs.findIndex((t) => t.id === tab)
    const to =
      e.key === 'ArrowRight' ? (i + 1) % tabs.length
      : e.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length
      : e.key === 'Home' ? 0
      : e.key === 'End' ? tabs.length - 1
      : -1
    const next = tabs[to]
    if (!next) return
    e.preventDefault()
    setTab(next.id)
    document.getElementById(`rc-tab-${next.id}`)?.focus()
  }

  return (
    <DraftStore.Provider value={drafts}>
      <h1 className="rc-sr-only">Reception</h1>
      <div className="rc">
        <section className="panel rc-desk" aria-label="Reception desk">
          <div className="rc-tabs" role="tablist" aria-label="Desk tasks" onKeyDown={onTabKey}>
            {tabs.map((t) => (
              <button
                key={t.id}
                id={`rc-tab-${t.id}`}
                type="button"
                role="tab"
                aria-selected={tab === t.id}
                aria-controls="rc-tabpanel"
                className={`rc-tab${tab === t.id ? ' active' : ''}${t.id === 'emergency' ? ' rc-tab-urgent' : ''}`}
                onClick={() => setTab(t.id)}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div className="rc-tabpanel" id="rc-tabpanel" role="tabpanel" aria-labelledby={`rc-tab-${tab}`}>
            <LoadError error={doctors.error} retry={doctors.reload}>
              Could not load the doctors
            </LoadError>
            {tab === 'checkin' && <CheckIn departments={depts} />}
            {tab === 'emergency' && <Emergency departments={depts} />}
            {tab === 'book' && books && <Book departments={depts} doctors={docs} />}
            {tab === 'appointments' && books && <Appointments departments={depts} doctors={docs} />}
            {tab === 'nearby' && <NearbyHospitals level={2} />}
          </div>
        </section>
        <Queues departments={depts} error={departments.error} retry={departments.retry} onChanged={changed} />
      </div>
      {docs?.map((d) => <DoctorWatch key={d.id} doctor={d.id} onChanged={changed} />)}
    </DraftStore.Provider>
  )
}

/** The lists of doctors free on a day (GET /api/doctors?date=…), which bookings change. */
function freeDoctors(q: Query): boolean {
  const [method, path, init] = q.queryKey as [string, string, { params?: { query?: { date?: string } } }?]
  return method === 'get' && path === '/api/doctors' && Boolean(init?.params?.query?.date)
}

/**
 * Follows one doctor's channel for bookings that are made, moved or cancelled: the appointment an
 * event names is read again. When the channel (re)syncs, changes may have been missed, so the lists
 * are read again then.
 */
function DoctorWatch({ doctor, onChanged }: { doctor: string; onChanged: (appointmentID?: string) => void }) {
  useChannel(
    `queue:doctor:${doctor}`,
    (e) => {
      if (e.type === 'appointment.changed') onChanged((e.data as AppointmentEvent | undefined)?.appointment?.id)
    },
    () => onChanged(),
  )
  return null
}
