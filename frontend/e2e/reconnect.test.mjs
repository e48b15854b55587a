// The recovery path in a real browser: the ward display loses its server (stopped, then started again
// on the same port and data), the badge leaves "live", a check-in happens while the display cannot
// reach the server, and once it can, the badge is live again and the missed ticket is on the board,
// with no reload.
import assert from 'node:assert/strict'
import { after, before } from 'node:test'
import { assertNotReloaded, e2eTest, liveTimeout, markPage, startHms, waitLive } from './harness.mjs'

let hms

before(async () => {
  hms = await startHms()
})

after(async () => {
  await hms?.stop()
})

e2eTest('the display reconnects after a server restart and shows what it missed', async () => {
  const dept = hms.department
  const display = await hms.signedInPage('staff', `/display/${dept}`)
  await markPage(display)
  // Every status the badge goes through, however briefly.
  await display.evaluate(() => {
    const badge = document.querySelector('[data-testid="live-status"]')
    window.__e2eStatuses = [badge.getAttribute('data-status')]
    new MutationObserver(() => window.__e2eStatuses.push(badge.getAttribute('data-status'))).observe(badge, {
      attributes: true,
      attributeFilter: ['data-status'],
    })
  })

  const staff = await hms.client('staff')
  const before = await staff.call('POST', '/api/queue/checkin', { department: dept, name: 'Before Restart' })
  await display.getByTestId(`display-ticket-${before.ticket.number}`).waitFor({ timeout: liveTimeout })

  await hms.stopServer()
  await display.waitForFunction(
    () => document.querySelector('[data-testid="live-status"]')?.getAttribute('data-status') !== 'live',
    undefined,
    { timeout: liveTimeout },
  )
  // Keep the page away from the server while it comes back and a ticket is issued.
  await display.context().setOffline(true)
  await hms.startServer()
  const staffAgain = await hms.client('staff')
  const missed = await staffAgain.call('POST', '/api/queue/checkin', { department: dept, name: 'While Away' })
  const n = missed.ticket.number
  assert.equal(await display.getByTestId(`display-ticket-${n}`).count(), 0, 'the display cannot have it yet')

  await display.context().setOffline(false)
  await waitLive(display, 30_000)
  await display.getByTestId(`display-ticket-${n}`).waitFor({ timeout: liveTimeout })
  await display.getByTestId(`display-ticket-${before.ticket.number}`).waitFor({ timeout: liveTimeout })
  await assertNotReloaded(display)

  const statuses = await display.evaluate(() => window.__e2eStatuses)
  assert.ok(statuses.some((s) => s !== 'live'), `the badge never left live: ${statuses.join(' → ')}`)
  assert.equal(statuses.at(-1), 'live', `the badge did not come back to live: ${statuses.join(' → ')}`)
  console.log(`badge: ${statuses.join(' → ')}`)
})
