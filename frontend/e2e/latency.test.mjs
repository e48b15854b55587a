// How long an event takes from the server to the screen: walk-ins checked in over REST, timed from the
// `at` of their display.updated event (read from the page's own websocket frames) to the moment the
// ticket's element appears in the display page's DOM (a MutationObserver in the page). Server and
// browser share this machine's clock. Prints and writes the figure; asserts only that all appeared.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { artifactDir, e2eTest, liveTimeout, startHms } from './harness.mjs'

const N = 20
const spacingMs = 300

let hms

before(async () => {
  hms = await startHms()
})

after(async () => {
  await hms?.stop()
})

e2eTest(`latency event→browser over ${N} walk-ins`, async () => {
  const dept = hms.department
  /** Ticket number → the `at` (ms) of the first display.updated that lists it as next. */
  const eventAt = new Map()
  const listen = (page) =>
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        const f = JSON.parse(typeof payload === 'string' ? payload : payload.toString())
        if (f.op !== 'event' || f.type !== 'display.updated' || f.channel !== `display:${dept}`) return
        for (const t of f.data.next) if (!eventAt.has(t.number)) eventAt.set(t.number, Date.parse(f.at))
      }),
    )
  const display = await hms.signedInPage('staff', `/display/${dept}`, { beforeSignIn: listen })

  // Record when each ticket element first appears (added, or an element re-labelled by React).
  await display.evaluate(() => {
    const seen = new Map()
    window.__e2eSeen = seen
    const scan = () => {
      const now = Date.now()
      for (const el of document.querySelectorAll('[data-testid^="display-ticket-"]')) {
        const n = Number(el.getAttribute('data-testid').slice('display-ticket-'.length))
        if (!seen.has(n)) seen.set(n, now)
      }
    }
    scan()
    new MutationObserver(scan).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-testid'],
      characterData: true,
    })
  })

  const staff = await hms.client('staff')
  const numbers = []
  const t0 = Date.now()
  for (let i = 1; i <= N; i++) {
    // One check-in every ~300 ms (or as soon as the previous one is done, when that takes longer).
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + (i - 1) * spacingMs - Date.now())))
    const a = await staff.call('POST', '/api/queue/checkin', { department: dept, name: `Latency Walk-in ${i}` })
    const n = a.ticket.number
    numbers.push(n)
    await display.waitForFunction((n) => window.__e2eSeen.has(n), n, { timeout: liveTimeout })
    // The board lists the first 12 waiting tickets: mark each no-show once seen, so every new ticket
    // is on it. Its own display.updated is not timed (its `at` belongs to the check-in's event).
    await staff.call('POST', `/api/queue/tickets/${a.id}/no-show`, { reason: 'latency test' })
  }

  const seen = new Map(await display.evaluate(() => [...window.__e2eSeen]))
  const lat = numbers.map((n) => {
    assert.ok(seen.has(n), `ticket ${n} never appeared on the display`)
    assert.ok(eventAt.has(n), `no display.updated frame listed ticket ${n}`)
    return seen.get(n) - eventAt.get(n)
  })
  const sorted = [...lat].sort((x, y) => x - y)
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
  const line = `e2e latency event→browser: n=${N} p50=${pct(50)}ms p90=${pct(90)}ms max=${sorted.at(-1)}ms`
  console.log(line)
  writeFileSync(
    join(artifactDir(), 'e2e-latency.txt'),
    `${line}\n` +
      `# from display.updated's server "at" to the ticket's element appearing in the display page's DOM;\n` +
      `# walk-ins checked in over REST every ~${spacingMs} ms; embedded database; headless chromium;\n` +
      `# measured ${new Date().toISOString()}\n` +
      `# each (ms): ${lat.join(' ')}\n`,
  )
})
