// The billing screens end to end against a real server: an admin prices an item in the Prices tab (the
// amount typed as a decimal, stored in minor units), staff post a charge for a patient at the billing
// desk, draft an invoice of it and issue it (numbered INV-<year>-000001), and the patient finds it,
// unpaid, under Bills. Payments are not on this server yet, so taking one is not part of the flow.
import assert from 'node:assert/strict'
import { after, before } from 'node:test'
import { e2eTest, liveTimeout, startHms } from './harness.mjs'

let hms

before(async () => {
  hms = await startHms()
})

after(async () => {
  await hms?.stop()
})

e2eTest('a price set in the Prices tab is charged, drafted and issued at the desk, and the patient sees the bill', async () => {
  // The admin adds a price: "12.50" and 20 % are stored as 1250 and 2000.
  const admin = await hms.signedInPage('admin', '/admin')
  await admin.getByRole('tab', { name: 'Prices' }).click()
  const form = admin.getByRole('form', { name: 'Add a price' })
  await form.getByLabel('Code').fill('XRAY-CHEST')
  await form.getByLabel('Name').fill('Chest X-ray')
  await form.getByLabel('Kind').selectOption('procedure')
  await form.getByLabel(/^Amount/).fill('12.50')
  await form.getByLabel('Tax (%)').fill('20')
  await form.getByRole('button', { name: 'Add the price' }).click()
  await form.getByRole('status').filter({ hasText: 'Saved XRAY-CHEST, version 1.' }).waitFor()
  const prices = await hms.admin.call('GET', '/api/billing/prices')
  const stored = prices.items.find((p) => p.code === 'XRAY-CHEST')
  assert.equal(stored.amount, 1250)
  assert.equal(stored.tax_bp, 2000)

  // Staff find the patient, post the charge, draft and issue.
  const desk = await hms.signedInPage('staff', '/billing')
  await desk.getByRole('textbox', { name: 'Patient' }).fill('Peter')
  await desk.getByRole('button', { name: /Peter Lindqvist/ }).click()
  const account = desk.getByRole('region', { name: 'Account of Peter Lindqvist' })
  await account.getByRole('combobox', { name: 'Price-list item' }).fill('xray')
  await desk.getByRole('option', { name: /XRAY-CHEST/ }).click()
  await account.getByRole('textbox', { name: 'Reason' }).fill('Referred by GP')
  await account.getByRole('button', { name: 'Post charge' }).click()
  await account.getByRole('checkbox', { name: 'Choose Chest X-ray' }).check({ timeout: liveTimeout })
  await account.getByRole('button', { name: 'Draft invoice' }).click()
  const detail = account.getByTestId('invoice-detail')
  await detail.getByRole('button', { name: 'Issue invoice' }).click()
  const year = new Date().getFullYear()
  await detail.getByRole('heading', { name: new RegExp(`Invoice INV-${year}-000001`) }).waitFor()
  // 12.50 + 20 % tax = 15.00.
  assert.match(await detail.getByTestId('balance').innerText(), /15\.00/)

  // The patient sees it under Bills, unpaid.
  const patient = await hms.signedInPage('patient', '/patient/bills')
  const row = patient.getByRole('row', { name: new RegExp(`INV-${year}-000001`) })
  await row.waitFor({ timeout: liveTimeout })
  assert.match(await row.innerText(), /15\.00[\s\S]*Unpaid/)
})
