// Integration clients end to end against a real server: the admin registers a client in
// Administration → Integrations with system/Patient.read ticked; the secret is shown once. The test
// trades the shown id and secret for a token at POST /oauth/token (HTTP Basic, client credentials)
// and reads the patient through GET /fhir/R4/Patient; the same token is refused on a user-only route.
// The admin then revokes the client on the screen (after confirming): the same token's next FHIR
// call is 401. axe checks the tab; test-artifacts/screenshots/integrations-NN-<step>.png.
import assert from 'node:assert/strict'
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { artifactDir, checkA11y, e2eTest, startHms } from './harness.mjs'

let hms

before(async () => {
  const dir = artifactDir('screenshots')
  for (const f of readdirSync(dir)) if (/^integrations-\d+-.*\.png$/.test(f)) rmSync(join(dir, f))
  hms = await startHms()
})

after(async () => {
  await hms?.stop()
})

let shot = 0
async function snap(page, name, opts = {}) {
  const n = String(++shot).padStart(2, '0')
  await page.screenshot({ path: join(artifactDir('screenshots'), `integrations-${n}-${name}.png`), animations: 'disabled', ...opts })
}

/** Asks the token endpoint for a token with the client's id and secret (HTTP Basic, RFC 6749 §2.3.1). */
async function token(id, secret) {
  const basic = Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')
  const res = await fetch(`${hms.baseURL}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  })
  return { status: res.status, body: await res.json() }
}

async function fhir(path, accessToken) {
  const res = await fetch(`${hms.baseURL}${path}`, { headers: { Authorization: `Bearer ${accessToken}` } })
  return { status: res.status, body: await res.json() }
}

e2eTest('an admin registers an integration client, it reads a Patient over FHIR with its token, and revoking it stops the token', async () => {
  const page = await hms.signedInPage('admin', '/admin')
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.getByRole('tab', { name: 'Integrations' }).click()
  const panel = page.getByRole('tabpanel', { name: 'Integrations' })
  await panel.getByText('No integration clients yet').waitFor()
  const form = panel.getByRole('form', { name: 'Register a client' })
  await form.getByLabel('Name').fill('Regional lab gateway')
  await form.getByRole('checkbox', { name: 'Patient: read' }).check()
  await form.getByRole('checkbox', { name: 'Practitioner: read' }).check()
  await form.getByRole('button', { name: 'Register the client' }).click()

  // The secret, shown once, with the warning.
  const shown = panel.getByTestId('client-secret')
  await shown.getByText('you will not see it again').waitFor()
  const id = (await shown.getByTestId('client-id').textContent()).trim()
  const secret = (await shown.getByTestId('client-secret-value').textContent()).trim()
  assert.match(id, /^[0-9a-f]{24}$/)
  assert.match(secret, /^hmscs_/)
  await checkA11y(page, 'integrations tab with the secret shown')
  await snap(page, 'secret-shown')

  // The client gets a token and reads the patient through FHIR; a user-only route refuses the token.
  const t = await token(id, secret)
  assert.equal(t.status, 200, JSON.stringify(t.body))
  assert.equal(t.body.token_type, 'Bearer')
  assert.equal(t.body.scope, 'system/Patient.read system/Practitioner.read')
  const pid = hms.accounts.patient.patientId
  const read = await fhir(`/fhir/R4/Patient?_id=${pid}`, t.body.access_token)
  assert.equal(read.status, 200, JSON.stringify(read.body))
  assert.equal(read.body.total, 1)
  assert.equal(read.body.entry[0].resource.id, pid)
  const me = await fhir('/api/me', t.body.access_token)
  assert.equal(me.status, 403)
  assert.equal(me.body.error.code, 'machine_token_not_allowed')

  // The list shows the client, used; the secret panel is dismissed and not shown again.
  await shown.getByRole('button', { name: 'I have stored it' }).click()
  await shown.waitFor({ state: 'detached' })
  await page.reload()
  const row = panel.getByTestId(`client-${id}`)
  await row.waitFor()
  assert.equal(await panel.getByText(secret).count(), 0, 'the secret is shown again')
  assert.equal((await row.textContent()).includes('never'), false, 'last used is not set after a token')

  // Revoke, after confirming: the token's next call is 401.
  await row.getByRole('button', { name: 'Revoke Regional lab gateway' }).click()
  const dialog = page.getByRole('alertdialog')
  await dialog.getByText('This cannot be undone').waitFor()
  await snap(page, 'revoke-confirm')
  await dialog.getByRole('button', { name: 'Revoke client' }).click()
  await dialog.waitFor({ state: 'detached' })
  await row.getByText('revoked').waitFor()
  const after = await fhir(`/fhir/R4/Patient?_id=${pid}`, t.body.access_token)
  assert.equal(after.status, 401, JSON.stringify(after.body))
  assert.equal(after.body.resourceType, 'OperationOutcome')
  const again = await token(id, secret)
  assert.equal(again.status, 401)
  assert.equal(again.body.error, 'invalid_client')
  await checkA11y(page, 'integrations tab after revoking')
  await snap(page, 'revoked')
})
