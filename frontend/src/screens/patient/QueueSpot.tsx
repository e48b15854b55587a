// Where a checked-in patient is in the queue, live. The patient's own channel says when their ticket
// changes, not when others are called before them, so this follows the department's waiting-room board
// (display:<department>, numbers and waits only, open to every signed-in user) and finds the ticket in it.
import { useQuery, useQueryClient } from '@tanstack/react-query'
import type { Appointment } from '../../api/types'
import { useSnapshotChannel } from '../../live/useLiveQuery'
import { boardQuery, putBoard } from '../display/board'
import { ordinal } from './format'

export function QueueSpot({ appointment }: { appointment: Appointment }) {
  const t = appointment.ticket
  const department = t?.department ?? appointment.department
  const client = useQueryClient()
  // The department's board, the same cached query as the ward display's; read once the channel is live.
  const snapshot = boardQuery(client, department)
  const synced = useSnapshotChannel(`display:${department}`, snapshot.queryKey, (e) => {
    if (e.type === 'display.updated') putBoard(client, snapshot.queryKey, e.data)
  })
  const q = useQuery({ ...snapshot, enabled: synced, retry: false })
  const board = q.data ?? null
  const failed = Boolean(q.error)

  if (!t) return null
  const status = appointment.status
  const i = board?.next.findIndex((x) => x.number === t.number) ?? -1
  const mine = i >= 0 ? board?.next[i] : undefined
  const serving = board?.now_serving.find((x) => x.number === t.number)

  let where: string
  if (status === 'called') {
    const who = serving?.doctor_name ? `${serving.doctor_name} is calling you` : 'You are being called'
    where = `${who}. Please go in now.`
  } else if (status === 'in-consultation') {
    where = 'You are with the doctor.'
  } else if (mine) {
    const wait = mine.estimated_wait_minutes
    const when = wait === undefined ? '' : wait <= 1 ? ' — any moment now' : ` — about ${wait} minutes`
    where = `You are ${ordinal(i + 1)} in line${when}.`
  } else if (board) {
    where = `${board.waiting} waiting in all; you are further down the line.`
  } else {
    where = failed ? 'Your place in the line could not be loaded.' : 'Finding your place in the line…'
  }

  return (
    <div
      className={`pt-spot${status === 'called' ? ' pt-spot-called' : ''}`}
      data-testid={`queue-spot-${appointment.id}`}
    >
      <div className="pt-ticket">
        <span className="pt-ticket-label">Your ticket</span>
        <span className="pt-ticket-number" data-testid="my-ticket-number">
          {t.number}
        </span>
      </div>
      <div className="pt-spot-text" role="status" aria-live="polite" data-testid="my-position">
        {where}
      </div>
    </div>
  )
}
