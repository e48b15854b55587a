import { describe, expect, it } from 'vitest'
import type { Appointment, Dashboard, LiveEvent } from '../../api/types'
import { applyEvent, deskFrom } from './desk'

const me = 'doc-1'

function appt(over: Partial<Appointment>): Appointment {
  return {
    id: 'a-1',
    patient_id: 'p-1',
    patient_name: 'Ann Example',
    doctor_id: me,
    department: 'general',
    start: '2026-11-27T09:00:00Z',
    end: '2026-11-27T09:15:00Z',
    status: 'scheduled',
    walk_in: false,
    emergency: false,
    created_by: 'u-1',
    created_at: '2026-11-26T09:00:00Z',
    ...over,
  } as Appointment
}

function dashboard(appointments: Appointment[]): Dashboard {
  return {
    doctor: { id: me } as Dashboard['doctor'],
    day: '2026-11-27',
    appointments,
    queue: [],
    seen: 0,
    average_consultation_minutes: 0,
  } as Dashboard
}

describe('applyEvent', () => {
  it('keeps the reason read over REST when an event (which carries none) changes the appointment', () => {
    const d = deskFrom(dashboard([appt({ reason: 'knee pain' })]), null)
    const e: LiveEvent = {
      op: 'event',
      channel: `queue:doctor:${me}`,
      seq: 2,
      type: 'appointment.changed',
      at: '2026-11-27T08:00:00Z',
      data: { action: 'rescheduled', appointment: appt({ start: '2026-11-27T10:00:00Z', end: '2026-11-27T10:15:00Z' }) },
    } as LiveEvent
    const next = applyEvent(d, e, me)
    expect(next?.appointments.map((a) => [a.start, a.reason])).toEqual([['2026-11-27T10:00:00Z', 'knee pain']])
  })

  const changed = (a: Appointment): LiveEvent =>
    ({
      op: 'event',
      channel: `queue:doctor:${me}`,
      seq: 3,
      type: 'appointment.changed',
      at: '2026-11-27T08:00:00Z',
      data: { action: 'rescheduled', appointment: a },
    }) as LiveEvent

  it("keeps the patient's name read over REST: events carry none", () => {
    const d = deskFrom(dashboard([appt({})]), null)
    const moved = appt({ patient_name: undefined, start: '2026-11-27T10:00:00Z', end: '2026-11-27T10:15:00Z' })
    const next = applyEvent(d, changed(moved), me)
    expect(next?.appointments.map((a) => [a.start, a.patient_name])).toEqual([['2026-11-27T10:00:00Z', 'Ann Example']])
  })

  it('asks for the snapshot again when an event brings an appointment it has no name for', () => {
    const d = deskFrom(dashboard([]), null)
    expect(applyEvent(d, changed(appt({ id: 'a-2', patient_name: undefined })), me)).toBeNull()
    // One that is not shown on this desk needs nothing.
    expect(applyEvent(d, changed(appt({ id: 'a-3', doctor_id: 'doc-2', patient_name: undefined })), me)).toBe(d)
  })
})
