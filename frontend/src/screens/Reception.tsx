// The reception desk (staff; admins too): the desk's tasks in tabs — check-in, emergency admission,
// booking, and the day's appointments to move or cancel — beside every department's live queue.
//
// Live updates: each queue card follows queue:dept:<department> (reception/Queues.tsx). The lists of
// appointments are read again, debounced, whenever a queue changes or a booking changes on any doctor's
// channel (queue:doctor:<id> carries appointment.changed for bookings not yet checked in), so another
// desk's or a patient's booking, move or cancellation shows up here too. Form drafts live in a store
// held by the screen, so switching tabs loses nothing.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react'
import { api, must } from '../api/client'
import { useDepartments } from '../api/departments'
import { LoadError } from '../components/forms'
import { useChannel, useLiveState } from '../live/LiveProvider'
import { Appointments } from './reception/Appointments'
import { Book } from './reception/Book'
import { CheckIn } from './reception/CheckIn'
import { Emergency } from './reception/Emergency'
import { DraftStore, useDebounced, useResource } from './reception/hooks'
import { Queues } from './reception/Queues'
import './reception.css'

type Tab = 'checkin' | 'emergency' | 'book' | 'appointments'

const tabs: { id: Tab; label: string }[] = [
  { id: 'checkin', label: 'Check-in' },
  { id: 'emergency', label: 'Emergency admission' },
  { id: 'book', label: 'Book' },
  { id: 'appointments', label: 'Appointments' },
]

/** How long to gather changes before reading the appointment lists again. */
const listRefreshMs = 400

export function ReceptionScreen() {
  const [drafts] = useState(() => new Map<string, unknown>())
  const [tab, setTab] = useState<Tab>('checkin')
  const [version, setVersion] = useState(0)
  const changed = useDebounced(
    useCallback(() => setVersion((n) => n + 1), []),
    listRefreshMs,
  )
  // Back live after an outage: the lists are read again (a load may have failed meanwhile). The queue
  // cards need nothing: their channels resume and replay what was missed.
  const live = useLiveState().status === 'live'
  const was = useRef<'never' | 'live' | 'lost'>('never')
  useEffect(() => {
    if (live && was.current === 'lost') changed()
    if (live) was.current = 'live'
    else if (was.current === 'live') was.current = 'lost'
  }, [live, changed])

  const departments = useDepartments()
  const doctors = useResource('doctors', () => must(api.GET('/api/doctors')))
  const depts = departments.items
  const docs = doctors.data?.items

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
            {tab === 'checkin' && <CheckIn departments={depts} version={version} />}
            {tab === 'emergency' && <Emergency departments={depts} />}
            {tab === 'book' && <Book departments={depts} doctors={docs} version={version} />}
            {tab === 'appointments' && <Appointments departments={depts} doctors={docs} version={version} />}
          </div>
        </section>
        <Queues departments={depts} error={departments.error} retry={departments.retry} onChanged={changed} />
      </div>
      {docs?.map((d) => <DoctorWatch key={d.id} doctor={d.id} onChanged={changed} />)}
    </DraftStore.Provider>
  )
}

/**
 * Follows one doctor's channel for bookings that are made, moved or cancelled. When the channel
 * (re)syncs, changes may have been missed, so the lists are read again then too.
 */
function DoctorWatch({ doctor, onChanged }: { doctor: string; onChanged: () => void }) {
  useChannel(
    `queue:doctor:${doctor}`,
    (e) => {
      if (e.type === 'appointment.changed') onChanged()
    },
    onChanged,
  )
  return null
}
