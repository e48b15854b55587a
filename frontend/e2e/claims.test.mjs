// Insurance end to end against a real server: an admin adds a payer in the Payers tab; staff give the
// patient a policy at the billing desk (80% after a co-pay of 10.00), charge, draft and issue an
// invoice, which shows the insurer's and the patient's shares (50.00: the insurer 32.00, the patient
// 18.00, and only the 18.00 to take at the desk); staff create the claim and move it on — submitted at
// the desk, approved and paid on the claims board open in a second page — and each page follows the
// other's moves live, without a reload (billing.changed on the staff `billing` channel). The patient's
// bills show the insurer's share, the claim's status and only their own part to pay. The claim exports
// as a FHIR R4 Claim. axe checks the desk, the board, the payers tab and the patient's bills; each step
// is photographed into test-artifacts/screenshots/claims-NN-<step>.png at 1366x768.
import assert from 'node:assert/strict'
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { artifactDir, assertNotReloaded, checkA11y, e2eTest, liveTimeout, markPage, startHms } from './harness.mjs'

let hms

before(async () => {
  const dir = artifactDir('screenshots')
  for (const f of readdirSync(dir)) if (/^claims-\d+-.*\.png$/.test(f)) rmSync(join(dir, f))
  hms = await startHms()
})

after(async () => {
  await hms?.stop()
})

let shot = 0
async function snap(page, name) {
  const n = String(++shot).padStart(2, '0')
  await page.screenshot({ path: join(artifactDir('screenshots'), `claims-${n}-${name}.png`), animations: 'disabled' })
}

e2eTest('a payer, a policy, an insured invoice and its claim moved to paid, live on the desk and the board', async () => {
  // The admin adds the payer.
  const admin = await hms.signedInPage('admin', '/admin')
  await admin.getByRole('tab', { name: 'Payers' }).click()
  const form = admin.getByRole('form', { name: 'Add a payer' })
  await form.getByLabel('Code').fill('ACME')
  await form.getByLabel('Name').fill('Acme Health')
  await form.getByLabel('Contact').fill('claims@acme.example')
  await form.getByRole('button', { name: 'Add the payer' }).click()
  await form.getByRole('status').filter({ hasText: 'Saved Acme Health.' }).waitFor()
  await admin.getByTestId('payer-ACME').waitFor()
  await snap(admin, 'payer-added')
  await checkA11y(admin, 'the payers tab')
  await hms.closePage(admin)
  const adminAPI = await hms.client('admin')
  await adminAPI.call('PUT', '/api/billing/prices/MRI', { name: 'MRI scan', kind: 'procedure', amount: 5000 })

  // Staff give the patient a policy at the desk.
  const desk = await hms.signedInPage('staff', '/billing')
  await desk.getByRole('textbox', { name: 'Patient' }).fill('Peter')
  await desk.getByRole('button', { name: /Peter Lindqvist/ }).click()
  const account = desk.getByRole('region', { name: 'Account of Peter Lindqvist' })
  const policies = account.getByTestId('policies')
  await policies.getByText('No policy: the patient pays their invoices in full.').waitFor()
  await policies.getByRole('button', { name: 'Add policy' }).click()
  const dialog = desk.getByRole('dialog', { name: 'Add an insurance policy' })
  await dialog.getByLabel('Payer').selectOption({ label: 'Acme Health (ACME)' })
  await dialog.getByLabel('Member id').fill('ACM-0042')
  await dialog.getByLabel('Plan (optional)').fill('Gold')
  await dialog.getByLabel('Coverage (%)').fill('80')
  await dialog.getByLabel(/^Co-pay/).fill('10')
  await snap(desk, 'policy-dialog')
  await checkA11y(desk, 'the add-policy dialog')
  await dialog.getByRole('button', { name: 'Add policy' }).click()
  await dialog.waitFor({ state: 'detached' })
  const policyRow = policies.getByRole('row', { name: /ACM-0042/ })
  assert.match(await policyRow.innerText(), /Acme Health[\s\S]*Gold[\s\S]*80%, co-pay .*10\.00[\s\S]*Active/)

  // A charge, drafted and issued: the shares are on it.
  await account.getByRole('combobox', { name: 'Price-list item' }).fill('MRI')
  await desk.getByRole('option', { name: /MRI/ }).click()
  await account.getByRole('textbox', { name: 'Reason' }).fill('Knee, referred')
  await account.getByRole('button', { name: 'Post charge' }).click()
  await account.getByRole('checkbox', { name: 'Choose MRI scan' }).check({ timeout: liveTimeout })
  await account.getByRole('button', { name: 'Draft invoice' }).click()
  const detail = account.getByTestId('invoice-detail')
  await detail.getByRole('button', { name: 'Issue invoice' }).click()
  await detail.getByRole('heading', { name: /Invoice INV-\d{4}-000001/ }).waitFor()
  assert.match(await detail.getByTestId('insurer-share').innerText(), /32\.00/)
  assert.match(await detail.getByTestId('patient-share').innerText(), /18\.00/)
  assert.match(await detail.getByTestId('balance').innerText(), /18\.00/)
  assert.equal(await detail.getByLabel(/^Amount/).inputValue(), '18.00', 'the desk offers more than the patient’s part')
  const claimPanel = detail.getByTestId('claim-panel')
  await claimPanel.getByText('No claim yet to Acme Health.').waitFor()
  await claimPanel.scrollIntoViewIfNeeded()
  await snap(desk, 'invoice-shares')

  // The claims board, open in a second page, and the desk: neither is reloaded from here on.
  const board = await hms.signedInPage('staff', '/billing/claims')
  await board.getByTestId('claims-board').waitFor()
  await markPage(board)
  await markPage(desk)

  // The desk creates the claim; the board shows it as a draft.
  await claimPanel.getByRole('button', { name: 'Create claim' }).click()
  await claimPanel.getByTestId('claim-status').filter({ hasText: 'Draft' }).waitFor()
  const card = (status) => board.getByTestId(`column-${status}`).locator('[data-testid^="claim-"]')
  await card('draft').first().waitFor({ timeout: liveTimeout })
  assert.match(await card('draft').first().innerText(), /INV-\d{4}-000001[\s\S]*Peter Lindqvist[\s\S]*Acme Health, Gold[\s\S]*Claimed .*32\.00/)

  // Submitted at the desk: the board follows.
  await claimPanel.getByRole('button', { name: 'Update claim' }).click()
  const move = desk.getByRole('dialog', { name: /Claim on INV-/ })
  assert.ok(await move.getByRole('radio', { name: 'Submitted' }).isChecked(), 'a draft’s one move is not chosen')
  await move.getByRole('button', { name: 'Save' }).click()
  await move.waitFor({ state: 'detached' })
  await claimPanel.getByTestId('claim-status').filter({ hasText: 'Submitted' }).waitFor()
  await card('submitted').first().waitFor({ timeout: liveTimeout })
  assert.equal(await card('draft').count(), 0)

  // Approved on the board: the desk follows.
  await card('submitted').first().getByRole('button', { name: /Move the claim/ }).click()
  const boardMove = board.getByRole('dialog', { name: /Claim on INV-/ })
  await boardMove.getByRole('radio', { name: 'Approved', exact: true }).check()
  await snap(board, 'board-move-dialog')
  await checkA11y(board, 'the claim move dialog')
  await boardMove.getByRole('button', { name: 'Save' }).click()
  await boardMove.waitFor({ state: 'detached' })
  await card('approved').first().waitFor()
  await claimPanel.getByTestId('claim-status').filter({ hasText: 'Approved' }).waitFor({ timeout: liveTimeout })
  await claimPanel.getByText(/Acme Health approved the claim for .*32\.00\./).waitFor()

  // Paid on the board (the approved amount, as offered): the desk follows.
  await card('approved').first().getByRole('button', { name: /Move the claim/ }).click()
  const paidMove = board.getByRole('dialog', { name: /Claim on INV-/ })
  assert.equal(await paidMove.getByLabel(/^Paid amount/).inputValue(), '32.00')
  await paidMove.getByRole('button', { name: 'Save' }).click()
  await paidMove.waitFor({ state: 'detached' })
  await card('paid').first().waitFor()
  assert.match(await card('paid').first().innerText(), /Approved .*32\.00[\s\S]*Paid .*32\.00/)
  await claimPanel.getByTestId('claim-status').filter({ hasText: 'Paid' }).waitFor({ timeout: liveTimeout })
  assert.match(await detail.getByTestId('balance').innerText(), /18\.00/, 'the insurer’s payment changed the patient’s balance')
  await assertNotReloaded(desk)
  await assertNotReloaded(board)
  await snap(board, 'board-paid')
  await checkA11y(board, 'the claims board')
  await claimPanel.scrollIntoViewIfNeeded()
  await snap(desk, 'desk-claim-paid')
  await checkA11y(desk, 'the billing desk with an insured invoice and its claim')

  // The claim as FHIR R4.
  const staff = await hms.client('staff')
  const claims = await staff.call('GET', '/api/claims?status=paid')
  assert.equal(claims.items.length, 1)
  const fhir = await staff.call('GET', `/api/claims/${claims.items[0].id}/fhir`)
  assert.equal(fhir.resourceType, 'Claim')
  assert.equal(fhir.use, 'claim')
  assert.equal(fhir.total.value, 50)
  assert.equal(fhir.insurance[0].coverage.identifier.value, 'ACM-0042')

  // The patient's bills: the insurer's share, the claim's status, their own part only.
  const patient = await hms.signedInPage('patient', '/patient/bills')
  const row = patient.getByRole('row', { name: /INV-\d{4}-000001/ })
  await row.waitFor({ timeout: liveTimeout })
  assert.match(await row.innerText(), /50\.00[\s\S]*32\.00[\s\S]*18\.00[\s\S]*Unpaid[\s\S]*Claim:\s*Paid/)
  await row.getByRole('button', { name: /Open invoice/ }).click()
  const bill = patient.getByTestId('bill')
  await bill.getByTestId('claim-state').filter({ hasText: 'Acme Health paid' }).waitFor()
  assert.match(await bill.getByTestId('patient-share').innerText(), /18\.00/)
  assert.equal(await bill.getByRole('button', { name: /online$/ }).count(), 0, 'online payment is off on this server')
  await bill.getByText('To pay, please visit the hospital’s billing desk.').waitFor()
  await bill.getByTestId('claim-state').scrollIntoViewIfNeeded()
  await snap(patient, 'patient-bill-insured')
  await checkA11y(patient, "the patient's bills with an insured invoice")
})
