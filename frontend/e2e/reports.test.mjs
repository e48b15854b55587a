// The reports screen end to end against a real server: a day is seeded over REST (two bookings, one
// checked in, called, started and finished by the doctor, the other cancelled; the seen patient admitted
// to a ward and discharged), then the admin opens Reports from the admin area and sees the operations
// chart and table with those counts, the admissions tab with one admission and one discharge, a third
// booking reaching the open screen live (report.changed) without a reload, and the CSV downloaded with
// today's row. axe checks the screen; screenshots go to test-artifacts/screenshots/reports-*.png.
import assert from 'node:assert/strict'
// The test books three of today's free slots, so it runs in a zone where it is about noon: near
// midnight there would be none left. Node and the browser it starts follow TZ, and the server's
// HOSPITAL_TZ is read from it (harness.mjs).
{
  const offset = Math.max(-12, Math.min(14, 12 - new Date().getUTCHours()))
  process.env.TZ = offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`
}
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { artifactDir, assertNotReloaded, checkA11y, e2eTest, liveTimeout, markPage, startHms, today } from './harness.mjs'

let hms

before(async () => {
  hms = await startHms()
})

after(async () => {
  await hms?.stop()
})

e2eTest('the admin’s reports chart seeded counts, update live and download as CSV', async () => {
  const admin = await hms.client('admin')
  const staff = await hms.client('staff')
  const doc = await hms.client('doctor')
  const doctorId = hms.accounts.doctor.id
  const day = today()
  const { slots } = await staff.call('GET', `/api/doctors/${doctorId}/slots?date=${day}`)
  assert.ok(slots.length >= 3, 'three free slots left today')
  const other = await admin.call('POST', '/api/auth/register', { name: 'Olga Berg', email: 'olga@e2e.hms', password: 'E2e-Passw0rd-Ward-7', role: 'patient' })
  const book = (patientId, slot) => staff.call('POST', '/api/appointments', { doctor_id: doctorId, patient_id: patientId, start: slot.start, reason: 'check-up' })

  const seen = await book(hms.accounts.patient.patientId, slots[0])
  await staff.call('POST', '/api/queue/checkin', { appointment_id: seen.id })
  for (const step of ['call', 'start', 'finish']) await doc.call('POST', `/api/queue/tickets/${seen.id}/${step}`, {})
  const cancelled = await book(other.patient_id, slots[1])
  await staff.call('POST', `/api/appointments/${cancelled.id}/cancel`, { reason: 'feels better' })
  await admin.call('POST', '/api/wards', { id: 'ward-rp', name: 'Ward RP', department: hms.department })
  await admin.call('POST', '/api/wards/ward-rp/beds', { labels: ['R1', 'R2'] })
  const adm = await staff.call('POST', '/api/admissions', {
    patient_id: hms.accounts.patient.patientId, ward_id: 'ward-rp', doctor_id: doctorId, source: 'planned', reason: 'observation',
  })
  await staff.call('POST', `/api/admissions/${adm.id}/discharge`, { summary: 'well, home', disposition: 'home' })

  // From the admin area to the reports.
  const page = await hms.signedInPage('admin', '/admin')
  await page.getByRole('link', { name: /^Reports/ }).click()
  await page.waitForURL((u) => u.pathname === '/reports')
  const totals = page.getByLabel('Operations totals')
  await totals.filter({ hasText: 'Booked2' }).waitFor({ timeout: liveTimeout })
  await totals.filter({ hasText: 'Completed1' }).waitFor({ timeout: liveTimeout })
  await totals.filter({ hasText: 'Cancelled1' }).waitFor()
  const chart = page.getByTestId('chart-appointments')
  const values = await chart.locator('rect').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-value')))
  assert.deepEqual(values.slice(-4), ['2', '1', '1', '0'], 'today’s bars: booked, completed, cancelled, no-show')
  const row = page.getByTestId('ops-table').getByRole('row').filter({ hasText: day })
  assert.match(await row.innerText(), /General medicine\s+2\s+1\s+1\s+0/)
  // The ticket's wait (a few seconds: 0 minutes) is in the hours table, under its hour of check-in.
  const hour = String(new Date().getHours()).padStart(2, '0')
  await page.locator('#rp-ops-hours tbody tr').filter({ hasText: new RegExp(`^${hour}:00`) }).first().waitFor()
  await markPage(page)
  await checkA11y(page, 'reports (operations)')
  await page.screenshot({ path: join(artifactDir('screenshots'), 'reports-operations.png'), fullPage: true })

  // A booking made while the screen is open reaches it live.
  await book(other.patient_id, slots[2])
  await totals.filter({ hasText: 'Booked3' }).waitFor({ timeout: liveTimeout })
  await assertNotReloaded(page)

  await page.getByRole('tab', { name: 'Admissions' }).click()
  const adms = page.getByLabel('Admissions totals')
  await adms.filter({ hasText: 'Admissions1' }).waitFor({ timeout: liveTimeout })
  await adms.filter({ hasText: 'Discharges1' }).waitFor({ timeout: liveTimeout })
  await checkA11y(page, 'reports (admissions)')
  await page.screenshot({ path: join(artifactDir('screenshots'), 'reports-admissions.png'), fullPage: true })

  await page.getByRole('tab', { name: 'Operations' }).click()
  await totals.waitFor()
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()])
  assert.match(download.suggestedFilename(), new RegExp(`^operations-.*-to-${day}\\.csv$`))
  const csv = readFileSync(await download.path(), 'utf8')
  assert.match(csv, /^day,department,booked,completed,cancelled,no_show,waits,wait_p50_minutes,wait_p90_minutes/)
  assert.ok(csv.includes(`${day},general,3,1,1,0,1,`), `CSV has today’s row:\n${csv}`)

  // The print layout: no filters or tabs on paper.
  await page.emulateMedia({ media: 'print' })
  assert.equal(await page.getByRole('button', { name: 'Download CSV' }).isVisible(), false)
  await page.screenshot({ path: join(artifactDir('screenshots'), 'reports-print.png'), fullPage: true })
  await page.emulateMedia({ media: 'screen' })
  await hms.closePage(page)
})
