// Which encounter the chart writes: the one recording the appointment being seen, or, for a chart opened
// without one (an inpatient), the one the doctor picks or opens. Reads the patient's encounters
// (GET /api/patients/{id}/encounters), which carry their vitals.
import { useState } from 'react'
import { messageOf } from '../../api/client'
import { $api } from '../../api/query'
import type { Encounter } from './model'

export interface VisitEncounter {
  /** The patient's encounters, newest opened first; undefined while loading. */
  all: Encounter[] | undefined
  /** The encounter being written, if there is one. */
  encounter: Encounter | undefined
  loadError: string
  retry: () => void
  /** Picks an encounter (a chart without an appointment). */
  choose: (id: string) => void
}

export function useVisitEncounter(patientId: string, appointmentId?: string): VisitEncounter {
  const q = $api.useQuery('get', '/api/patients/{id}/encounters', {
    params: { path: { id: patientId }, query: { limit: 50 } },
  })
  const [chosen, setChosen] = useState('')
  const all = q.data?.items
  const encounter = appointmentId
    ? all?.find((e) => e.appointment_id === appointmentId)
    : all?.find((e) => e.id === chosen)
  return {
    all,
    encounter,
    loadError: q.error ? messageOf(q.error) : '',
    retry: () => void q.refetch(),
    choose: setChosen,
  }
}
