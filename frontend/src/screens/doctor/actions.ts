// The doctor's queue actions over REST. Each answers with the ticket's new state, which the screen shows
// at once; the live event that follows confirms it.
import { api, must } from '../../api/client'
import type { Appointment } from '../../api/types'

/** The steps on one ticket. */
export type TicketStep = 'call' | 'start' | 'finish' | 'no-show' | 'requeue'

const paths = {
  call: '/api/queue/tickets/{id}/call',
  start: '/api/queue/tickets/{id}/start',
  finish: '/api/queue/tickets/{id}/finish',
  'no-show': '/api/queue/tickets/{id}/no-show',
  requeue: '/api/queue/tickets/{id}/requeue',
} as const

/** Moves a ticket one step: POST /api/queue/tickets/{id}/<step>. */
export function ticketStep(step: TicketStep, id: string): Promise<Appointment> {
  return must(api.POST(paths[step], { params: { path: { id } } }))
}

/** Calls the first waiting patient this doctor may take; 404 when nobody waits. */
export function callNext(department: string): Promise<Appointment> {
  return must(api.POST('/api/queues/{department}/next', { params: { path: { department } } }))
}

/** Sets a waiting ticket's ESI level. */
export function setTriage(id: string, level: number, reason: string): Promise<Appointment> {
  return must(
    api.POST('/api/queue/tickets/{id}/triage', {
      params: { path: { id } },
      body: reason ? { level, reason } : { level },
    }),
  )
}

/** The ESI levels with the words a triage nurse uses. */
export const esiLevels: ReadonlyArray<{ level: number; label: string }> = [
  { level: 1, label: 'ESI 1 — resuscitation' },
  { level: 2, label: 'ESI 2 — emergent' },
  { level: 3, label: 'ESI 3 — urgent' },
  { level: 4, label: 'ESI 4 — less urgent' },
  { level: 5, label: 'ESI 5 — non-urgent' },
]
