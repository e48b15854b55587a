// Roles end to end against a real server: the admin creates a "Nurse" role (staff kind, starting from
// nothing) in Administration → Roles, grants it the ward, the chart, opening encounters and vitals in
// the matrix and saves; gives it to a staff account in Accounts. The nurse signs in: the navigation
// shows Beds and none of the desks (Reception, Pharmacy, Billing, Lab); on the bed board she records
// vitals for an admitted patient and is offered no admitting, transferring or discharging. The admin
// then revokes chart.vitals: the nurse's next attempt is refused in words, and after a reload the
// board offers her nothing. axe checks both screens; test-artifacts/screenshots/roles-NN-<step>.png.
import assert from 'node:assert/strict'
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { artifactDir, checkA11y, e2eTest, startHms, waitLive } from './harness.mjs'

let hms
const nurse = { email: 'nurse@e2e.hms', password: 'Nurse-E2e-Passw0rd-3' }
const ward = 'ward-nr'

before(async () => {
  const dir = artifactDir('screenshots')
  for (const f of readdirSync(dir)) if (/^roles-\d+-.*\.png$/.test(f)) rmSync(join(dir, f))
  hms = await startHms()
  // A ward with Peter in it: staff check him in (a care relationship), then admit him.
  const admin = await hms.client('admin')
  await admin.call('POST', '/api/wards', { id: ward, name: 'Ward North', department: hms.department })
  await admin.call('POST', `/api/wards/${ward}/beds`, { labels: ['N1', 'N2', 'N3'] })
  const staff = await hms.client('staff')
  await staff.call('POST', '/api/queue/checkin', {
    department: hms.department,
    patient_id: hms.accounts.patient.patientId,
    triage: 4,
    reason: 'short of breath',
  })
  const adm = await staff.call('POST', '/api/admissions', {
    patient_id: hms.accounts.patient.patientId,
    ward_id: ward,
    doctor_id: hms.accounts.doctor.id,
    source: 'planned',
    reason: 'observation overnight',
  })
  hms.bed = adm.bed_label
  // The nurse's account, as staff for now: the admin gives it the role on the screen.
  const made = await admin.call('POST', '/api/auth/register', { name: 'Nora Quist', email: nurse.email, password: nurse.password, role: 'staff' })
  hms.accounts.nurse = { ...nurse, id: made.id }
})

after(async () => {
  await hms?.stop()
})

let shot = 0
async function snap(page, name, opts = {}) {
  const n = String(++shot).padStart(2, '0')
  await page.screenshot({ path: join(artifactDir('screenshots'), `roles-${n}-${name}.png`), animations: 'disabled', ...opts })
}

const granted = ['ward.view', 'chart.read', 'chart.encounter_open', 'chart.vitals']

e2eTest('an admin makes a Nurse role, the nurse records vitals and nothing else, and a revoked grant is refused', async () => {
  // The admin creates the role from nothing and ticks what a nurse does.
  const adminPage = await hms.signedInPage('admin', '/admin')
  await adminPage.setViewportSize({ width: 1280, height: 800 })
  await adminPage.getByRole('tab', { name: 'Roles' }).click()
  const panel = adminPage.getByRole('tabpanel', { name: 'Roles' })
  await panel.getByTestId('roles-matrix').waitFor()
  const form = panel.getByRole('form', { name: 'New role' })
  await form.getByLabel('Name').fill('Nurse')
  await form.getByLabel('Kind').selectOption('staff')
  await form.getByRole('radio', { name: 'Nothing' }).check()
  await form.getByRole('button', { name: 'Create role' }).click()
  const box = (perm) => panel.getByRole('checkbox', { name: `Grant ${perm} to Nurse` })
  await box('ward.view').waitFor()
  for (const p of granted) assert.equal(await box(p).isChecked(), false, `${p} is granted from nothing`)
  // A staff-kind role may not hold an administration permission, nor prescribe.
  assert.equal(await box('users.manage').isDisabled(), true)
  assert.equal(await box('prescription.write').isDisabled(), true)
  for (const p of granted) await box(p).check()
  await panel.getByRole('button', { name: 'Save Nurse' }).click()
  await panel.getByText('Saved. It applies to its holders at once.').waitFor()
  const admin = await hms.client('admin')
  const roles = await admin.call('GET', '/api/roles')
  assert.deepEqual([...(roles.items.find((r) => r.id === 'nurse')?.grants ?? [])].sort(), [...granted].sort())
  await checkA11y(adminPage, 'roles matrix')
  // The top of the matrix, then its Chart rows under the header that stays in view.
  await panel.getByRole('region', { name: 'Permission matrix' }).evaluate((el) => el.scrollTo(0, 0))
  await panel.getByRole('heading', { name: 'Roles and permissions' }).evaluate((el) => el.scrollIntoView())
  await snap(adminPage, 'matrix')
  await box('chart.vitals').scrollIntoViewIfNeeded()
  await snap(adminPage, 'matrix-chart')

  // Accounts: the nurse's account takes the role.
  await adminPage.getByRole('tab', { name: 'Accounts' }).click()
  const users = adminPage.getByTestId('users-table')
  const choose = users.getByRole('combobox', { name: 'Role of Nora Quist' })
  await choose.selectOption('nurse')
  await users.getByRole('row').filter({ hasText: 'Nora Quist' }).getByRole('button', { name: 'Save role' }).click()
  await users.getByRole('row').filter({ hasText: 'Nora Quist' }).getByRole('button', { name: 'Save role' }).waitFor({ state: 'detached' })
  const held = await admin.call('GET', `/api/users/${hms.accounts.nurse.id}`).catch(() => null)
  if (held) assert.equal(held.role_id, 'nurse')
  assert.equal(await choose.inputValue(), 'nurse')

  // The nurse signs in and lands on the bed board: the one desk her role opens.
  const page = await hms.signedInPage('nurse', '/', { landing: '/beds' })
  const nav = page.getByRole('navigation', { name: 'Main' })
  await nav.getByRole('link', { name: 'Beds' }).waitFor()
  for (const desk of ['Reception', 'Pharmacy', 'Billing', 'Lab', 'Admin', 'Patients']) {
    assert.equal(await nav.getByRole('link', { name: desk, exact: true }).count(), 0, `the nurse sees ${desk}`)
  }
  await page.getByTestId('who').getByText('Nurse').waitFor()
  const bed = page.getByTestId(`bed-${hms.bed}`)
  await bed.filter({ hasText: 'Lindqvist' }).waitFor()
  // No admitting to a free bed; the occupied bed's menu offers vitals only.
  assert.equal(await page.getByRole('button', { name: /^Admit to bed/ }).count(), 0, 'the nurse may admit')
  await bed.getByRole('button', { name: /actions$/ }).click()
  const menu = page.getByRole('menu')
  await menu.getByRole('menuitem', { name: 'Record vitals…' }).waitFor()
  assert.equal(await menu.getByRole('menuitem', { name: 'Transfer…' }).count(), 0)
  assert.equal(await menu.getByRole('menuitem', { name: 'Discharge…' }).count(), 0)
  await snap(page, 'nurse-menu')
  await menu.getByRole('menuitem', { name: 'Record vitals…' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Pulse (beats/min)').fill('88')
  await dialog.getByLabel('Temperature (°C)').fill('37.9')
  await dialog.getByRole('button', { name: 'Record vitals' }).click()
  await dialog.getByText(/^Recorded at /).waitFor()
  await checkA11y(page, 'nurse: vitals')
  await snap(page, 'nurse-vitals')
  await dialog.getByRole('button', { name: 'Close' }).click()
  await checkA11y(page, 'nurse: beds')
  await snap(page, 'nurse-beds')

  // The admin takes vitals away from nurses.
  await adminPage.getByRole('tab', { name: 'Roles' }).click()
  await box('chart.vitals').uncheck()
  await panel.getByRole('button', { name: 'Save Nurse' }).click()
  await panel.getByText('Saved. It applies to its holders at once.').waitFor()

  // The nurse's screen still offers vitals (it has not been reloaded): the server refuses, in words.
  await bed.getByRole('button', { name: /actions$/ }).click()
  await page.getByRole('menu').getByRole('menuitem', { name: 'Record vitals…' }).click()
  await dialog.getByLabel('Pulse (beats/min)').fill('90')
  await dialog.getByRole('button', { name: 'Record vitals' }).click()
  await dialog.getByText(/role \(nurse\) is not granted chart\.vitals/).waitFor()
  await snap(page, 'nurse-refused')
  await dialog.getByRole('button', { name: 'Close' }).click()

  // After a reload the board offers her nothing for the bed: the menu is gone.
  await page.reload()
  await waitLive(page)
  await bed.filter({ hasText: 'Lindqvist' }).waitFor()
  assert.equal(await bed.getByRole('button', { name: /actions$/ }).count(), 0, 'the menu is still offered')
  await snap(page, 'nurse-after-revoke')
})
