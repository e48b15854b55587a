// The FHIR R4 API read back by a FHIR client library: fhir-kit-client (npm), as another system would
// use it, against a real server. The desk signs in (POST /api/auth/login) and hands the token to the
// client; it reads the CapabilityStatement, finds the seeded patient by name, finds the doctor's
// free Slots for tomorrow, BOOKS one through POST /fhir/R4/Appointment by its Slot reference, reads
// the Appointment back (and finds it in the patient's appointments), sees a second booking of the
// same slot refused with 409, cancels it with a JSON Patch of its status, and finds the slot free
// again. The patient's own client sees only their own appointments, and the cancellation's reason,
// which the desk (no care relationship) does not. No screen: the FHIR API is for machines
// (docs/fhir.md).
import assert from 'node:assert/strict'
import { after, before } from 'node:test'
import { Client } from 'fhir-kit-client'
import { e2eTest, startHms, today } from './harness.mjs'

let env
before(async () => {
  env = await startHms()
})
after(async () => {
  await env?.stop()
})

/** A FHIR client for the server, signed in as one of the seeded accounts. */
async function fhirClient(who) {
  const rest = await env.client(who)
  return new Client({ baseUrl: `${env.baseURL}/fhir/R4`, bearerToken: rest.token })
}

/** The status of a request the client library refused, and the OperationOutcome's text. */
async function refused(promise) {
  try {
    await promise
  } catch (e) {
    const oo = typeof e.response?.data === 'string' ? JSON.parse(e.response.data) : e.response?.data
    return { status: e.response?.status, text: oo?.issue?.[0]?.details?.text ?? '' }
  }
  assert.fail('the request was accepted')
}

e2eTest('a FHIR client books and cancels an appointment through /fhir/R4', async () => {
  const desk = await fhirClient('staff')
  const doctorId = env.accounts.doctor.id
  const patientId = env.accounts.patient.patientId

  const cs = await desk.capabilityStatement()
  assert.equal(cs.fhirVersion, '4.0.1')
  const appt = cs.rest[0].resource.find((r) => r.type === 'Appointment')
  assert.deepEqual(appt.interaction.map((i) => i.code).sort(), ['create', 'patch', 'read', 'search-type', 'update'])

  // The patient, by name.
  const patients = await desk.search({ resourceType: 'Patient', searchParams: { name: 'lindq' } })
  assert.equal(patients.total, 1)
  assert.equal(patients.entry[0].resource.id, patientId)

  // The doctor's schedule and tomorrow's free slots.
  const schedules = await desk.search({ resourceType: 'Schedule', searchParams: { actor: `Practitioner/${doctorId}` } })
  assert.equal(schedules.entry[0].resource.id, doctorId)
  const day = today(new Date(Date.now() + 24 * 3600 * 1000))
  const slotSearch = { schedule: `Schedule/${doctorId}`, start: day, status: 'free', _count: 100 }
  const slots = await desk.search({ resourceType: 'Slot', searchParams: slotSearch })
  assert.equal(slots.total, 96) // around the clock in 15 minutes
  const slot = slots.entry[10].resource

  // Book it by its Slot reference.
  const booked = await desk.create({
    resourceType: 'Appointment',
    body: {
      resourceType: 'Appointment',
      status: 'booked',
      slot: [{ reference: `Slot/${slot.id}` }],
      reasonCode: [{ text: 'annual check-up' }],
      participant: [
        { actor: { reference: `Patient/${patientId}` }, status: 'accepted' },
        { actor: { reference: `Practitioner/${doctorId}` }, status: 'accepted' },
      ],
    },
  })
  assert.equal(booked.resourceType, 'Appointment')
  assert.equal(booked.status, 'booked')
  assert.equal(Date.parse(booked.start), Date.parse(slot.start))
  assert.equal(Date.parse(booked.end), Date.parse(slot.end))

  const read = await desk.read({ resourceType: 'Appointment', id: booked.id })
  assert.equal(read.id, booked.id)
  assert.deepEqual(read.participant.map((p) => p.actor.reference).sort(), [`Patient/${patientId}`, `Practitioner/${doctorId}`].sort())
  const mine = await desk.search({ resourceType: 'Appointment', searchParams: { patient: `Patient/${patientId}`, date: [`ge${day}`, `le${day}`] } })
  assert.deepEqual(mine.entry.map((e) => e.resource.id), [booked.id])
  const fewer = await desk.search({ resourceType: 'Slot', searchParams: slotSearch })
  assert.equal(fewer.total, 95)

  // The same slot again: 409 with an OperationOutcome.
  const again = await refused(desk.create({ resourceType: 'Appointment', body: { ...booked, id: undefined } }))
  assert.equal(again.status, 409)
  assert.match(again.text, /already booked/)

  // The patient's own client sees it; a change other than cancelling is refused (422).
  const patient = await fhirClient('patient')
  const own = await patient.search({ resourceType: 'Appointment', searchParams: { status: 'booked' } })
  assert.deepEqual(own.entry.map((e) => e.resource.id), [booked.id])
  const move = await refused(patient.patch({ resourceType: 'Appointment', id: booked.id, jsonPatch: [{ op: 'replace', path: '/start', value: slots.entry[20].resource.start }] }))
  assert.equal(move.status, 422)

  // Cancel with a JSON Patch of the status; the slot is free again.
  const cancelled = await desk.patch({
    resourceType: 'Appointment',
    id: booked.id,
    jsonPatch: [
      { op: 'replace', path: '/status', value: 'cancelled' },
      { op: 'add', path: '/cancelationReason', value: { text: 'the patient called to cancel' } },
    ],
  })
  assert.equal(cancelled.status, 'cancelled')
  // The reason is free text, shown under the access rule as over REST: to the patient, not to a desk
  // without a care relationship.
  assert.equal(cancelled.cancelationReason, undefined)
  assert.equal((await patient.read({ resourceType: 'Appointment', id: booked.id })).cancelationReason.text, 'the patient called to cancel')
  assert.equal((await desk.read({ resourceType: 'Appointment', id: booked.id })).status, 'cancelled')
  assert.equal((await desk.search({ resourceType: 'Slot', searchParams: slotSearch })).total, 96)
})
