// Webhooks end to end against a real server (WEBHOOK_ALLOW_HTTP=true, for the local receiver): the admin
// adds a subscription to a receiver the test runs, ticking appointment.booked, and sees its secret once;
// staff book an appointment; the receiver gets the booking, its Standard Webhooks signature verified
// (HMAC-SHA256 of "id.timestamp.body" under the secret, node:crypto), and the admin sees the delivery
// delivered in the log; a test event is sent from the tab too. Then an insurer partner's signed
// claim.status (paid) moves a submitted claim on the claims board open in a browser, live, without a reload. axe checks the tab; the steps are
// photographed into test-artifacts/screenshots/webhooks-NN-<step>.png at 1366x768.
import assert from 'node:assert/strict'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { artifactDir, assertNotReloaded, checkA11y, e2eTest, liveTimeout, markPage, startHms } from './harness.mjs'

let hms
let receiver
/** What the receiver got, verified: { id, type, data }. */
const got = []
let secret = ''
let badSignatures = 0

/** Verifies a Standard Webhooks signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>, fresh. */
function verify(headers, body) {
  const id = headers['webhook-id']
  const ts = headers['webhook-timestamp']
  const sigs = String(headers['webhook-signature'] ?? '').split(' ')
  if (!id || !ts || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const want = Buffer.from('v1,' + createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64'))
  return sigs.some((s) => {
    const b = Buffer.from(s)
    return b.length === want.length && timingSafeEqual(b, want)
  })
}

before(async () => {
  const dir = artifactDir('screenshots')
  for (const f of readdirSync(dir)) if (/^webhooks-\d+-.*\.png$/.test(f)) rmSync(join(dir, f))
  receiver = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      if (!verify(req.headers, body)) {
        badSignatures++
        res.writeHead(401).end()
        return
      }
      const m = JSON.parse(body)
      got.push({ id: req.headers['webhook-id'], type: m.type, data: m.data })
      res.writeHead(204).end()
    })
  })
  await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok))
  hms = await startHms({ env: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_POLL: '200ms' } })
})

after(async () => {
  await hms?.stop()
  receiver?.close()
})

let shot = 0
async function snap(page, name) {
  const n = String(++shot).padStart(2, '0')
  await page.screenshot({ path: join(artifactDir('screenshots'), `webhooks-${n}-${name}.png`), animations: 'disabled', fullPage: true })
}

/** Waits until the receiver got a delivery matching ok. */
async function received(ok, what) {
  const deadline = Date.now() + liveTimeout
  while (!got.some(ok)) {
    assert.ok(Date.now() < deadline, `the receiver never got ${what}; got ${JSON.stringify(got)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return got.find(ok)
}

e2eTest('an admin subscribes a receiver; a booking reaches it signed, and shows delivered in the log', async () => {
  const url = `http://127.0.0.1:${receiver.address().port}/hooks`
  const admin = await hms.signedInPage('admin', '/admin')
  await admin.getByRole('tab', { name: 'Webhooks' }).click()
  const form = admin.getByRole('form', { name: 'Add a subscription' })
  await form.getByLabel(/^URL/).fill(url)
  await form.getByLabel('Description').fill('e-prescription hub (test)')
  await form.getByRole('checkbox', { name: /appointment\.booked/ }).check()
  await form.getByRole('button', { name: 'Add the subscription' }).click()
  const shown = form.getByTestId('webhook-secret')
  await shown.waitFor()
  secret = (await shown.locator('code').innerText()).trim()
  assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/)
  await snap(admin, 'subscription-secret')
  await checkA11y(admin, 'the webhooks tab')

  // Staff book an appointment: the receiver gets it, signed.
  const staff = await hms.client('staff')
  const doctorId = hms.accounts.doctor.id
  const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)
  const { slots } = await staff.call('GET', `/api/doctors/${doctorId}/slots?date=${day}`)
  const appt = await staff.call('POST', '/api/appointments', { doctor_id: doctorId, patient_id: hms.accounts.patient.patientId, start: slots[0].start, reason: 'check-up' })
  const m = await received((g) => g.type === 'appointment.booked', 'the booking')
  assert.equal(m.data.appointment_id, appt.id)
  assert.deepEqual(Object.keys(m.data).sort(), ['appointment_id', 'step'], 'the payload carries ids only')
  assert.equal(badSignatures, 0)

  // The log shows it delivered, with its attempt.
  await admin.getByRole('button', { name: 'Delivery log' }).click()
  const row = admin.getByTestId('webhook-delivery-appointment.booked')
  await row.filter({ hasText: 'delivered' }).waitFor({ timeout: liveTimeout })
  assert.match(await admin.getByRole('table', { name: 'Attempts, newest first' }).innerText(), /appointment\.booked[\s\S]*HTTP 204[\s\S]*\d+ ms/)

  // A test event from the tab.
  await admin.getByRole('button', { name: 'Send test event' }).click()
  await received((g) => g.type === 'webhook.test', 'the test event')
  await admin.getByTestId('webhook-delivery-webhook.test').filter({ hasText: 'delivered' }).waitFor({ timeout: liveTimeout })
  await snap(admin, 'delivery-log')
  await checkA11y(admin, 'the delivery log')

  // An inbound partner, its secret shown once.
  const partner = admin.getByRole('form', { name: 'Register a partner' })
  await partner.getByLabel('Name').fill('Corner Pharmacy')
  await partner.getByLabel('Kind').selectOption('pharmacy')
  await partner.getByRole('button', { name: 'Register the partner' }).click()
  await partner.getByTestId('webhook-secret').waitFor()
  await snap(admin, 'partner-registered')
  await checkA11y(admin, 'the partners form')
  await hms.closePage(admin)
})

/** Signs body as a partner with its whsec_ secret and posts it to the partner's inbound endpoint. */
async function partnerPost(partnerId, partnerSecret, body) {
  const raw = JSON.stringify(body)
  const id = `msg_${Date.now()}`
  const ts = Math.floor(Date.now() / 1000)
  const key = Buffer.from(partnerSecret.replace(/^whsec_/, ''), 'base64')
  const sig = 'v1,' + createHmac('sha256', key).update(`${id}.${ts}.${raw}`).digest('base64')
  const res = await fetch(`${hms.baseURL}/api/webhooks/inbound/${partnerId}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sig },
    body: raw,
  })
  return { status: res.status, body: await res.json() }
}

e2eTest('an insurer’s signed claim.status pays a claim on the claims board, live', async () => {
  const admin = await hms.client('admin')
  const staff = await hms.client('staff')
  const pid = hms.accounts.patient.patientId
  const payer = await admin.call('POST', '/api/billing/payers', { code: 'ACME', name: 'Acme Health' })
  const { item: partner, secret: partnerSecret } = await admin.call('POST', '/api/webhooks/partners', { name: 'Acme Health', kind: 'insurer', payer_id: payer.id })
  await staff.call('POST', `/api/patients/${pid}/policies`, { payer_id: payer.id, member_id: 'ACM-0042', coverage_bp: 8000, copay: 1000, valid_from: '2020-01-01' })
  await admin.call('PUT', '/api/billing/prices/MRI', { name: 'MRI scan', kind: 'procedure', amount: 5000 })
  const charged = await fetch(`${hms.baseURL}/api/patients/${pid}/charges`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${staff.token}`, 'Idempotency-Key': 'wh-mri-1' },
    body: JSON.stringify({ code: 'MRI', reason: 'Knee' }),
  })
  assert.equal(charged.status, 201, await charged.text())
  let inv = await staff.call('POST', '/api/invoices', { patient_id: pid })
  inv = await staff.call('POST', `/api/invoices/${inv.id}/issue`, { rev: inv.rev })
  let claim = await staff.call('POST', `/api/invoices/${inv.id}/claims`)
  claim = await staff.call('POST', `/api/claims/${claim.id}/status`, { status: 'submitted', rev: claim.rev })

  const board = await hms.signedInPage('staff', '/billing/claims')
  const card = (status) => board.getByTestId(`column-${status}`).locator('[data-testid^="claim-"]')
  await card('submitted').first().waitFor({ timeout: liveTimeout })
  await markPage(board)

  const paid = { type: 'claim.status', timestamp: new Date().toISOString(),
    data: { claim_id: claim.id, status: 'paid', approved_amount: claim.amount, paid_amount: claim.amount } }
  const answer = await partnerPost(partner.id, partnerSecret, paid)
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  assert.equal(answer.body.outcome, 'applied')
  await card('paid').first().waitFor({ timeout: liveTimeout })
  assert.equal(await card('submitted').count(), 0)
  await assertNotReloaded(board)
  await snap(board, 'claim-paid-by-insurer')
  await checkA11y(board, 'the claims board after the insurer’s webhook')

  // The partner's receipts show on the Webhooks tab.
  const page = await hms.signedInPage('admin', '/admin')
  await page.getByRole('tab', { name: 'Webhooks' }).click()
  await page.getByRole('button', { name: 'Last received from Acme Health' }).click()
  assert.match(await page.getByRole('table', { name: 'Webhooks received, newest first' }).innerText(), /claim\.status[\s\S]*applied/)
  await snap(page, 'partner-received')
  await hms.closePages()
})
