// The activity log end to end against a real server: two sign-ins fail (the patient's password mistyped,
// and an email with no account), the admin opens Administration → Activity log, filters it to failed
// sign-ins that were denied, sees both (the unknown email kept only as a hash, nobody named), downloads
// the filtered entries as CSV (only auth.login_failed rows, the export itself audited) and verifies the
// hash chain. axe checks the screen; test-artifacts/screenshots/activity-NN-<step>.png at 1366x768.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { artifactDir, checkA11y, e2eTest, startHms } from './harness.mjs'

let hms

before(async () => {
  const dir = artifactDir('screenshots')
  for (const f of readdirSync(dir)) if (/^activity-\d+-.*\.png$/.test(f)) rmSync(join(dir, f))
  hms = await startHms()
})

after(async () => {
  await hms?.stop()
})

let shot = 0
async function snap(page, name) {
  const n = String(++shot).padStart(2, '0')
  await page.screenshot({ path: join(artifactDir('screenshots'), `activity-${n}-${name}.png`), animations: 'disabled' })
}

/** A sign-in over REST that must fail with 401. */
async function failedSignIn(email, password) {
  const res = await fetch(`${hms.baseURL}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  assert.equal(res.status, 401, `sign-in of ${email}: ${res.status}`)
}

e2eTest('a failed sign-in shows in the activity log, filtered, downloaded as CSV, and the chain verifies', async () => {
  await failedSignIn(hms.accounts.patient.email, 'not-the-password-1')
  await failedSignIn('no-such-person@e2e.hms', 'Typed-into-the-wrong-box-1')

  const page = await hms.signedInPage('admin', '/admin')
  await page.getByRole('tab', { name: 'Activity log' }).click()
  const panel = page.getByRole('tabpanel', { name: 'Activity log' })
  await panel.getByTestId('audit-table').waitFor()

  const form = panel.getByRole('form', { name: 'Filter the activity log' })
  await form.getByLabel('Action').fill('auth.login_failed')
  await form.getByLabel('Outcome').selectOption('denied')
  await form.getByRole('button', { name: 'Apply filters' }).click()
  const rows = panel.getByTestId('audit-table').locator('tbody tr')
  await page.waitForFunction(() => {
    const trs = [...document.querySelectorAll('[data-testid="audit-table"] tbody tr')]
    return trs.length === 2 && trs.every((tr) => tr.textContent.includes('auth.login_failed'))
  })
  assert.equal(await rows.count(), 2)
  const unknown = rows.filter({ hasText: 'no such account' })
  await unknown.getByText('Someone not signed in').waitFor()
  await unknown.getByText('An email address (kept hashed)').waitFor()
  await rows.filter({ hasText: 'wrong password' }).getByText(/Patient/).first().waitFor()
  assert.equal(await panel.getByText('no-such-person@e2e.hms').count(), 0, 'the unknown email is shown')
  await checkA11y(page, 'activity log filtered')
  await snap(page, 'filtered')

  // The CSV of the filtered entries: a header and the two failures, nothing else.
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Download CSV' }).click()])
  assert.match(download.suggestedFilename(), /^activity-\d{4}-\d{2}-\d{2}\.csv$/)
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n')
  assert.equal(csv[0], 'at,actor_id,actor_role,patient_id,channel,target,action,outcome,detail,ip,request_id,chain,seq,hash,id')
  assert.equal(csv.length, 3, `CSV rows: ${csv.join(' | ')}`)
  for (const line of csv.slice(1)) assert.ok(line.includes(',auth.login_failed,denied,'), line)
  assert.ok(!csv.join('\n').includes('no-such-person@e2e.hms'), 'the CSV holds the unknown email')
  const exports = await hms.admin.call('GET', '/api/audit?action=audit.export')
  assert.equal(exports.items.length, 1, 'the export is audited once')
  assert.match(exports.items[0].detail, /action=auth\.login_failed/)

  // The chain verifies, and says how much it checked.
  await panel.getByRole('button', { name: 'Verify chain' }).click()
  await panel.getByTestId('activity-verify-result').getByText(/^Chain verified: \d+ entries in \d+ chains?,/).waitFor()
  await checkA11y(page, 'activity log verified')
  await snap(page, 'verified')
})
