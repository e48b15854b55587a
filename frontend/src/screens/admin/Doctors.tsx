// Every doctor account and what makes it bookable: a profile (specialty, department), weekly hours and
// leave. The list joins the doctor accounts (GET /api/users?role=doctor) with their profiles
// (GET /api/doctors); choosing one opens its profile, schedule and leave, and a check of its free slots
// on a day (GET /api/doctors/{id}/slots), so the admin sees the doctor can be booked.
import { useState } from 'react'
import { messageOf, today } from '../../api/client'
import { useDepartments } from '../../api/departments'
import { $api } from '../../api/query'
import { formatDate, formatTime } from '../../api/time'
import type { Doctor, User } from '../../api/types'
import { LoadError } from '../../components/forms'
import { DoctorProfile } from './DoctorProfile'
import { Leave } from './Leave'
import { Schedule } from './Schedule'

/** A doctor account with its profile, when it has one. */
interface Entry {
  user: User
  profile?: Doctor
}

function status(e: Entry): { text: string; tone: string } {
  if (e.user.disabled) return { text: 'Account disabled', tone: 'tag-urgent' }
  if (!e.profile?.department) return { text: 'Needs a profile', tone: 'tag-warn' }
  if (e.profile.weekly.length === 0) return { text: 'No hours yet', tone: 'tag-warn' }
  return { text: 'Bookable', tone: 'tag-ok' }
}

/** A doctor with no profile yet, as the forms start from. */
function blank(u: User): Doctor {
  return { id: u.id, name: u.name, specialty: '', department: '', slot_minutes: 0, weekly: [], breaks: [], leave: [] }
}

export function Doctors({ selected, onSelect }: { selected: string; onSelect: (id: string) => void }) {
  const accounts = $api.useQuery('get', '/api/users', { params: { query: { role: 'doctor', limit: 100 } } })
  const profiles = $api.useQuery('get', '/api/doctors')
  const departments = useDepartments()
  const deptName = (id: string) => departments.items?.find((d) => d.id === id)?.name ?? id

  const entries: Entry[] | undefined =
    accounts.data && profiles.data
      ? accounts.data.items.map((user) => ({ user, profile: profiles.data.items.find((p) => p.id === user.id) }))
      : undefined
  const current = entries?.find((e) => e.user.id === selected)
  const error = accounts.error ?? profiles.error

  return (
    <div className="adm-doctors">
      <section className="panel stack adm-doctor-list" aria-labelledby="adm-doctors-h">
        <h2 id="adm-doctors-h">Doctors</h2>
        <LoadError
          error={error ? messageOf(error) : ''}
          retry={() => void Promise.all([accounts.refetch(), profiles.refetch()])}
          retryText="Try again"
        >
          Could not load the doctors
        </LoadError>
        {!entries && !error && <p className="muted">Loading doctors…</p>}
        {entries && entries.length === 0 && (
          <p className="muted">No doctor accounts yet: add one in the Accounts tab with the role Doctor.</p>
        )}
        {entries && entries.length > 0 && (
          <ul className="adm-pick" aria-label="Doctor accounts">
            {entries.map((e) => {
              const s = status(e)
              return (
                <li key={e.user.id}>
                  <button
                    type="button"
                    className={`adm-pick-item${e.user.id === selected ? ' selected' : ''}`}
                    aria-pressed={e.user.id === selected}
                    onClick={() => onSelect(e.user.id)}
                  >
                    <span className="adm-card-title">{e.user.name}</span>
                    <span className="muted">
                      {e.profile?.department ? `${e.profile.specialty}, ${deptName(e.profile.department)}` : 'No specialty or department'}
                    </span>
                    <span className={`tag ${s.tone}`}>{s.text}</span>
                  </button>
                </li>
              )
            })}
          </ul>
        )}
        {accounts.data && accounts.data.total > accounts.data.items.length && (
          <p className="muted adm-hint">
            The first {accounts.data.items.length} of {accounts.data.total} doctor accounts are listed.
          </p>
        )}
      </section>
      <section className="panel stack adm-doctor" aria-label={current ? `${current.user.name}: profile, hours and leave` : 'Doctor'}>
        {!current ? (
          <p className="muted">Choose a doctor to set their specialty, department, weekly hours and leave.</p>
        ) : (
          <DoctorSetup
            key={current.user.id}
            doctor={current.profile ?? blank(current.user)}
            hasProfile={Boolean(current.profile?.department)}
            colleagues={profiles.data?.items ?? []}
          />
        )}
      </section>
    </div>
  )
}

function DoctorSetup({ doctor, hasProfile, colleagues }: { doctor: Doctor; hasProfile: boolean; colleagues: Doctor[] }) {
  const departments = useDepartments()
  return (
    <div className="stack">
      <h2>{doctor.name}</h2>
      <DoctorProfile id={doctor.id} specialty={doctor.specialty} department={doctor.department} departments={departments.items ?? []} />
      <hr className="adm-rule" />
      <Schedule doctor={doctor} />
      <hr className="adm-rule" />
      {hasProfile ? (
        <>
          <FreeSlots id={doctor.id} />
          <hr className="adm-rule" />
          <Leave doctor={doctor} colleagues={colleagues} />
        </>
      ) : (
        <p className="muted">Save the profile first; then you can check the free slots and record leave.</p>
      )}
    </div>
  )
}

/** The doctor's free slots on a day: the proof that patients and reception can book them. */
function FreeSlots({ id }: { id: string }) {
  const [date, setDate] = useState(today())
  const q = $api.useQuery('get', '/api/doctors/{id}/slots', { params: { path: { id }, query: { date } } }, { enabled: date !== '' })
  const slots = q.data?.slots
  return (
    <section className="stack" aria-labelledby="adm-free-h">
      <h3 id="adm-free-h">Free slots</h3>
      <div className="row adm-filters">
        <label>
          Day
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        </label>
        <p className="adm-free" role="status" data-testid="free-slots">
          {q.error
            ? `Could not load the free slots: ${messageOf(q.error)}`
            : !slots
              ? 'Loading…'
              : slots.length === 0
                ? `No free slots on ${formatDate(date, 'auto')}.`
                : `${slots.length} free ${slots.length === 1 ? 'slot' : 'slots'} on ${formatDate(date, 'auto')}, the first at ${formatTime(slots[0]!.start)}.`}
        </p>
      </div>
    </section>
  )
}
