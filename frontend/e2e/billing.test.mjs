// The billing screens end to end against a real server: an admin prices an item in the Prices tab (the
// amount typed as a decimal, stored in minor units), staff post a charge for a patient at the billing
// desk, draft an invoice of it and issue it (numbered INV-<year>-000001), and the patient finds it,
// unpaid, under Bills. Then the patient pays it online: "Pay online" makes a Stripe Checkout Session
// (on a stripe-mock, started by the harness with `startHms({ stripe: true })`) and sends the browser to
// Stripe's hosted page, which the test stands in for (page.route: it is not reachable here); the patient
// comes back to the success address, and the test, acting as Stripe, delivers the signed
// checkout.session.completed webhook. The desk, left open and never reloaded, shows the invoice paid
// (the `billing` channel's billing.changed); the patient's page shows it paid; the same webhook again
// and a tampered one record no second payment; the payment's receipt PDF downloads from the desk. axe
// checks the desk and the patient's bills, and each step is photographed into
// test-artifacts/screenshots/billing-NN-<step>.png at 1366x768.
//
// The tests run in order and share the server and the open pages: the second pays what the first issued.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { artifactDir, assertNotReloaded, checkA11y, e2eTest, liveTimeout, markPage, startHms } from './harness.mjs'

let hms
/** The pages the first test leaves open for the second: the billing desk and the patient's bills. */
const pages = {}
/** The invoice the first test issues: { id, number }. */
let invoice = null

before(async () => {
  // This run's pictures only.
  const dir = artifactDir('screenshots')
  for (const f of readdirSync(dir)) if (/^billing-\d+-.*\.png$/.test(f)) rmSync(join(dir, f))
  hms = await startHms({ stripe: true })
})

after(async () => {
  await hms?.stop()
})

let shot = 0
/** Photographs the page as step `name` (billing-NN-name.png, numbered in order). */
async function snap(page, name) {
  const n = String(++shot).padStart(2, '0')
  await page.screenshot({ path: join(artifactDir('screenshots'), `billing-${n}-${name}.png`), animations: 'disabled' })
}

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
  await snap(admin, 'price-added')
  const prices = await hms.admin.call('GET', '/api/billing/prices')
  const stored = prices.items.find((p) => p.code === 'XRAY-CHEST')
  assert.equal(stored.amount, 1250)
  assert.equal(stored.tax_bp, 2000)
  await hms.closePage(admin)

  // Staff find the patient, post the charge, draft and issue.
  const desk = await hms.signedInPage('staff', '/billing')
  pages.desk = desk
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
  const number = `INV-${new Date().getFullYear()}-000001`
  await detail.getByRole('heading', { name: new RegExp(`Invoice ${number}`) }).waitFor()
  // 12.50 + 20 % tax = 15.00.
  assert.match(await detail.getByTestId('balance').innerText(), /15\.00/)
  await snap(desk, 'desk-issued')

  // The patient sees it under Bills, unpaid.
  const patient = await hms.signedInPage('patient', '/patient/bills')
  pages.patient = patient
  const row = patient.getByRole('row', { name: new RegExp(number) })
  await row.waitFor({ timeout: liveTimeout })
  assert.match(await row.innerText(), /15\.00[\s\S]*Unpaid/)

  const staff = await hms.client('staff')
  const issued = await staff.call('GET', `/api/invoices?patient_id=${hms.accounts.patient.patientId}&status=issued`)
  const found = issued.items.find((i) => i.number === number)
  assert.ok(found, `${number} is not among the patient's issued invoices`)
  invoice = { id: found.id, number, currency: found.currency }
})

/** The webhook body Stripe posts when a Checkout Session is paid (the fields stripepay reads, and more). */
function sessionCompleted(eventID, sessionID, amount) {
  return JSON.stringify({
    id: eventID,
    object: 'event',
    type: 'checkout.session.completed',
    api_version: '2025-09-30.clover',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: sessionID,
        object: 'checkout.session',
        mode: 'payment',
        status: 'complete',
        payment_status: 'paid',
        amount_total: amount,
        currency: invoice.currency.toLowerCase(),
        client_reference_id: invoice.id,
        metadata: { invoice_id: invoice.id },
        payment_intent: `pi_${sessionID}`,
      },
    },
  })
}

/** Delivers a webhook to the server as Stripe would; answers the status and the body. */
async function deliver(body, signature) {
  const res = await fetch(`${hms.baseURL}/api/payments/stripe/webhook`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': signature },
    body,
  })
  return { status: res.status, body: await res.text() }
}

e2eTest('the patient pays online through Stripe; the desk sees it paid live, once, and downloads the receipt', async () => {
  assert.ok(invoice && pages.desk && pages.patient, 'not run: the first test did not issue the invoice')
  const { desk, patient } = pages
  const detail = desk.getByTestId('invoice-detail')

  // The patient opens the bill and pays: the server makes a Checkout Session on stripe-mock and the
  // browser goes to Stripe's page, which is not reachable here: a stand-in page answers for it.
  await patient.route('https://checkout.stripe.com/**', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: '<!doctype html><html lang="en"><title>Stripe Checkout</title><h1>Stripe Checkout (stand-in)</h1></html>',
    }),
  )
  await patient.getByRole('button', { name: `Open invoice ${invoice.number}` }).click()
  const bill = patient.getByTestId('bill')
  const pay = bill.getByRole('button', { name: /^Pay .*15\.00 online$/ })
  await pay.waitFor()
  await snap(patient, 'patient-bill-unpaid')
  // The checkout's answer is read on its way to the page: once the page has gone to Stripe, the
  // browser no longer keeps the body of a response the old page received.
  let answered
  const checkoutAnswer = new Promise((ok) => (answered = ok))
  await patient.route(`**/api/invoices/${invoice.id}/checkout`, async (route) => {
    const res = await route.fetch()
    answered({ status: res.status(), body: await res.text() })
    await route.fulfill({ response: res })
  })
  await pay.click()
  const answer = await checkoutAnswer
  assert.equal(answer.status, 201, `checkout answered ${answer.status}: ${answer.body}`)
  const checkout = JSON.parse(answer.body)
  assert.match(checkout.url, /^https:\/\/checkout\.stripe\.com\//)
  assert.match(checkout.session_id, /^cs_/)
  await patient.waitForURL((u) => u.href.startsWith('https://checkout.stripe.com/'))

  // Stripe sends the patient back to the success address; the payment is not confirmed yet.
  await patient.goto(`/patient?section=bills&invoice=${encodeURIComponent(invoice.id)}&paid=1`)
  const thanks = patient.getByTestId('confirming')
  await thanks.filter({ hasText: 'Thank you — your payment is being confirmed.' }).waitFor({ timeout: liveTimeout })
  await snap(patient, 'patient-back-from-stripe')

  // Stripe reports the session paid, signed with the webhook's secret; the desk, open on the invoice
  // since it was issued, shows it paid without a reload.
  await detail.getByRole('heading', { name: new RegExp(`Invoice ${invoice.number}.*Unpaid`) }).waitFor()
  await markPage(desk)
  const body = sessionCompleted('evt_e2e_paid', checkout.session_id, 1500)
  const signature = hms.stripe.sign(body)
  const delivered = await deliver(body, signature)
  assert.equal(delivered.status, 200, `the webhook answered ${delivered.status}: ${delivered.body}`)
  await detail.getByRole('heading', { name: new RegExp(`Invoice ${invoice.number}.*Paid`) }).waitFor({ timeout: liveTimeout })
  await detail.getByRole('status').filter({ hasText: 'Paid in full.' }).waitFor()
  await assertNotReloaded(desk)
  const paymentRows = detail.locator('[data-testid^="payment-"]')
  assert.equal(await paymentRows.count(), 1)
  assert.match(await paymentRows.first().innerText(), /RCT-\d{4}-000001[\s\S]*Online[\s\S]*15\.00/)
  await paymentRows.first().scrollIntoViewIfNeeded()
  await snap(desk, 'desk-paid-live')
  await checkA11y(desk, 'the billing desk with a paid invoice')

  // The patient's page follows: paid, and the note says it was received.
  await thanks.filter({ hasText: 'Thank you — your payment has been received.' }).waitFor({ timeout: liveTimeout })
  await bill.getByRole('heading', { name: new RegExp(`Invoice ${invoice.number}.*Paid`) }).waitFor()
  const row = patient.getByRole('row', { name: new RegExp(invoice.number) })
  assert.match(await row.innerText(), /15\.00[\s\S]*Paid/)
  assert.equal(await bill.getByRole('button', { name: /online$/ }).count(), 0, 'a paid invoice still offers "Pay online"')
  await bill.getByTestId(/^receipt-/).first().scrollIntoViewIfNeeded()
  await snap(patient, 'patient-paid')
  await checkA11y(patient, "the patient's bills with a paid invoice")

  // Stripe delivers again (it does, at least once): answered, nothing added. A tampered delivery (the
  // amount changed under the same signature) is refused and records nothing either.
  const again = await deliver(body, signature)
  assert.equal(again.status, 200, `the second delivery answered ${again.status}: ${again.body}`)
  const forged = await deliver(body.replace('"amount_total":1500', '"amount_total":900'), signature)
  assert.equal(forged.status, 400, `a tampered delivery answered ${forged.status}: ${forged.body}`)
  assert.match(forged.body, /bad_signature/)
  const staff = await hms.client('staff')
  const stored = await staff.call('GET', `/api/invoices/${invoice.id}`)
  assert.equal(stored.payments.length, 1, `${stored.payments.length} payments after the deliveries, want 1`)
  assert.equal(stored.paid, 1500)
  assert.equal(await paymentRows.count(), 1)
  await assertNotReloaded(desk)

  // The receipt downloads from the desk as a PDF named by its number.
  const [download] = await Promise.all([
    desk.waitForEvent('download'),
    paymentRows.first().getByRole('button', { name: 'Receipt' }).click(),
  ])
  assert.equal(download.suggestedFilename(), `${stored.payments[0].receipt_number}.pdf`)
  const pdf = readFileSync(await download.path())
  assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF', 'the receipt is not a PDF')
  assert.equal(await detail.getByText(/Could not download/).count(), 0)

  // An admin refunds part of the online payment: the dialog says the money goes back to the card, and
  // the server has Stripe (stripe-mock) refund it before recording it.
  const admin = await hms.signedInPage('admin', '/billing')
  await admin.getByRole('textbox', { name: 'Patient' }).fill('Peter')
  await admin.getByRole('button', { name: /Peter Lindqvist/ }).click()
  await admin.getByRole('button', { name: new RegExp(`Open ${invoice.number}`) }).click()
  const receipt = stored.payments[0].receipt_number
  await admin.getByRole('button', { name: `Refund ${receipt}` }).click()
  const dialog = admin.getByRole('dialog')
  await dialog.getByText(/the money goes back to the card it was paid with/).waitFor()
  await dialog.getByLabel(/^Amount to refund/).fill('5.00')
  await dialog.getByLabel('Reason').fill('Second view not needed')
  await snap(admin, 'admin-refund-online')
  await checkA11y(admin, 'the refund dialog of an online payment')
  await dialog.getByRole('button', { name: 'Refund' }).click()
  await dialog.waitFor({ state: 'detached', timeout: liveTimeout })
  const refunded = await staff.call('GET', `/api/invoices/${invoice.id}`)
  assert.equal(refunded.payments[0].refunded, 500, `refunded ${refunded.payments[0].refunded} after the refund, want 500`)
  await hms.closePage(admin)
})
