// Procedures end to end against a real server: the admin prices a procedure; the patient is booked with
// the doctor for today and checked in (REST, as reception would); the doctor calls them, starts the visit,
// opens the chart, opens the visit's encounter, and on the Procedures tab picks the procedure from the price
// list, a quantity and a note, and records it; billing charges it once (the charge is read back from the
// staff's account of the patient); the doctor marks it entered in error with a reason in the dialog, the
// row stays, marked, and the unbilled charge is voided. axe checks the tab; each step is photographed
// into test-artifacts/screenshots/procedures-NN-<step>.png.
import assert from 'node:assert/strict'
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { artifactDir, checkA11y, e2eTest, liveTimeout, startHms } from './harness.mjs'

let hms

before(async () => {
  const dir = artifactDir('screenshots')
  for (const f of readdirSync(dir)) if (/^procedures-\d+-.*\.png$/.test(f)) rmSync(join(dir, f))
  hms = await startHms()
})

after(async () => {
  await hms?.stop()
})

let shot = 0
async function snap(page, name) {
  const n = String(++shot).padStart(2, '0')
  await page.screenshot({ path: join(artifactDir('screenshots'), `procedures-${n}-${name}.png`), animations: 'disabled' })
}

/** Polls fn until it returns something truthy (the reactions run just after the answer). */
async function eventually(what, fn) {
  const deadline = Date.now() + liveTimeout
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

e2eTest('the doctor records a procedure from the price list, it is charged once, and entered in error voids the charge', async () => {
  await hms.admin.call('PUT', '/api/billing/prices/PROC-SUTURE', { name: 'Wound suturing', kind: 'procedure', amount: 6000 })
  await hms.admin.call('PUT', '/api/billing/prices/TRT-NEB', { name: 'Nebuliser treatment', kind: 'treatment', amount: 1500 })
  const staff = await hms.client('staff')
  const patient = hms.accounts.patient
  // The next quarter hour but one, today: the doctor works around the clock.
  const start = new Date(Math.ceil(Date.now() / 900_000) * 900_000 + 900_000)
  const appt = await staff.call('POST', '/api/appointments', {
    doctor_id: hms.accounts.doctor.id,
    patient_id: patient.patientId,
    start: start.toISOString(),
    reason: 'cut hand',
  })
  await staff.call('POST', '/api/queue/checkin', { appointment_id: appt.id })

  const page = await hms.signedInPage('doctor', '/doctor')
  // Called and started from the queue, as in a visit; the chart opens for the ticket being seen.
  const current = page.getByTestId('current-ticket')
  await current.getByRole('button', { name: 'Call next', exact: true }).click({ timeout: liveTimeout })
  await current.filter({ hasText: 'Peter Lindqvist' }).waitFor({ timeout: liveTimeout })
  await current.getByRole('button', { name: 'Start', exact: true }).click()
  await current.getByTestId('current-status').filter({ hasText: 'In consultation' }).waitFor({ timeout: liveTimeout })
  await current.getByRole('button', { name: 'Open chart' }).click()
  const chart = page.getByTestId('chart')
  await chart.getByRole('heading', { name: 'Chart: Peter Lindqvist' }).waitFor({ timeout: liveTimeout })
  await chart.getByRole('button', { name: 'Open the visit’s encounter' }).click()
  await chart.getByRole('form', { name: 'Encounter' }).waitFor({ timeout: liveTimeout })
  await chart.getByRole('tab', { name: 'Procedures' }).click()
  const form = chart.getByRole('form', { name: 'Record a procedure' })
  const select = form.getByLabel('Procedure or treatment')
  await page.waitForFunction(() => {
    const s = document.querySelector('form[aria-label="Record a procedure"] select')
    return s && !s.disabled && s.options.length > 1
  })
  await select.selectOption('PROC-SUTURE')
  await form.getByLabel('Quantity').fill('2')
  await form.getByLabel('Note (optional)').fill('left palm, 4 cm')
  await snap(page, 'form')
  await form.getByRole('button', { name: 'Record', exact: true }).click()
  await form.getByRole('status').filter({ hasText: 'Recorded Wound suturing × 2.' }).waitFor({ timeout: liveTimeout })
  const table = chart.getByRole('table', { name: 'Procedures recorded' })
  await table.getByText('left palm, 4 cm').waitFor({ timeout: liveTimeout })
  await checkA11y(page, 'chart-procedures')
  await snap(page, 'recorded')

  // Billing charged it once: 2 × 60.00.
  const charges = `/api/patients/${patient.patientId}/charges`
  const charged = await eventually('the procedure charged', async () => {
    const cs = (await staff.call('GET', charges)).items.filter((c) => c.code === 'PROC-SUTURE')
    return cs.length > 0 && cs
  })
  assert.equal(charged.length, 1)
  assert.equal(charged[0].total, 12000)
  assert.equal(charged[0].kind, 'procedure')

  // Entered in error: the dialog asks why; the row stays, marked; the charge is voided.
  await table.getByRole('button', { name: 'Entered in error…' }).click()
  const dialog = page.getByRole('alertdialog')
  await dialog.getByLabel('Reason').fill('recorded on the wrong visit')
  await snap(page, 'entered-in-error-dialog')
  await checkA11y(page, 'chart-procedures-entered-in-error')
  await dialog.getByRole('button', { name: 'Mark entered in error' }).click()
  await table.getByText('Entered in error: recorded on the wrong visit').waitFor({ timeout: liveTimeout })
  await snap(page, 'entered-in-error')
  const voided = await eventually('the charge voided', async () => {
    const c = (await staff.call('GET', charges)).items.find((x) => x.code === 'PROC-SUTURE')
    return c?.void && c
  })
  assert.equal(voided.void.reason, 'procedure entered in error')
  await hms.closePage(page)
})
