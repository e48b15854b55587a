// Small labels of the doctor's screen: the words of an appointment's status and a ticket's triage level.
import { triageTone, type StatusWords } from '../../components/labels'

/** The statuses as the doctor's screen words them (for StatusTag). */
export const statusWords: StatusWords = {
  scheduled: { text: 'Scheduled', tone: '' },
  'checked-in': { text: 'Checked in', tone: 'tag-warn' },
  called: { text: 'Called', tone: 'dd-tag-called' },
  'in-consultation': { text: 'In consultation', tone: 'dd-tag-seeing' },
  completed: { text: 'Seen', tone: 'tag-ok' },
  cancelled: { text: 'Cancelled', tone: 'dd-tag-off' },
  'no-show': { text: 'No-show', tone: 'dd-tag-off' },
}

/** A ticket's ESI level as a tag, coloured by urgency. */
export function TriageTag({ level }: { level: number }) {
  return (
    <span className={`tag dd-esi ${triageTone(level)}`} title={`Triage level ESI ${level} (1 most urgent, 5 least)`}>
      ESI {level}
    </span>
  )
}
