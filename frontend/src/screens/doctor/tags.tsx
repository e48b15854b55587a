// Small labels of the doctor's screen: an appointment's status and a ticket's triage level.
import type { AppointmentStatus } from '../../api/types'

const statuses: Record<AppointmentStatus, { text: string; tone: string }> = {
  scheduled: { text: 'Scheduled', tone: '' },
  'checked-in': { text: 'Checked in', tone: 'tag-warn' },
  called: { text: 'Called', tone: 'dd-tag-called' },
  'in-consultation': { text: 'In consultation', tone: 'dd-tag-seeing' },
  completed: { text: 'Seen', tone: 'tag-ok' },
  cancelled: { text: 'Cancelled', tone: 'dd-tag-off' },
  'no-show': { text: 'No-show', tone: 'dd-tag-off' },
}

/** An appointment's status as a coloured tag. */
export function StatusTag({ status }: { status: AppointmentStatus }) {
  const s = statuses[status]
  return <span className={`tag ${s.tone}`}>{s.text}</span>
}

/** A ticket's ESI level: 1–2 urgent (red), 3 amber, 4–5 plain. */
export function TriageTag({ level }: { level: number }) {
  const tone = level <= 2 ? 'tag-urgent' : level === 3 ? 'tag-warn' : ''
  return (
    <span className={`tag dd-esi ${tone}`} title={`Triage level ESI ${level} (1 most urgent, 5 least)`}>
      ESI {level}
    </span>
  )
}
