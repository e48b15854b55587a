// The screens end to end against a real server: sign-in, the live check-in → display → doctor flow,
// emergency alerts on every open screen, keyboard-only use, display legibility, and screenshots of every
// screen at 1920x1080 and 1366x768 (test-artifacts/screenshots/). axe-core checks each screen as it is
// opened and again when busy (checkA11y: serious and critical violations fail). The tests run in order and share one
// server and the signed-in screens: each leaves data and open pages the next ones use.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before } from 'node:test'
import {
  artifactDir,
  assertNotReloaded,
  checkA11y,
  e2eTest,
  focused,
  liveTimeout,
  markPage,
  startHms,
  tabTo,
  today,
  waitLive,
} from './harness.mjs'

let hms
/** The signed-in screens open so far, by name: reception, display, doctor, patient, admin. */
const pages = {}
/** Who signs in for each screen, where, and the path the screen lands on. */
const screens = {
  reception: { who: 'staff', path: '/', landing: '/reception' },
  display: { who: 'staff', path: '/display/general' }, // startHms's department
  doctor: { who: 'doctor', path: '/', landing: '/doctor' },
  patient: { who: 'patient', path: '/', landing: '/patient' },
  admin: { who: 'admin', path: '/', landing: '/admin' },
}

before(async () => {
  hms = await startHms()
})

after(async () => {
  await hms?.stop()
})

/** The ticket number in a text such as "Ticket 14 — General medicine". */
function ticketIn(text) {
  const m = /Ticket\s+(\d+)/.exec(text ?? '')
  assert.ok(m, `no ticket number in ${JSON.stringify(text)}`)
  return Number(m[1])
}

/** Matches an element's text that ends in ticket number n ("Ticket 4", not "Ticket 14"). */
const endsWith = (n) => new RegExp(`(^|\\D)${n}\\s*$`)

/** Checks in a walk-in new to the hospital at reception with the mouse; returns the ticket number. */
async function walkIn(page, name) {
  await page.getByRole('radio', { name: 'Walk-in, new patient' }).check()
  const form = page.getByRole('form', { name: 'Walk-in check-in' })
  await form.getByLabel('Patient name').fill(name)
  await form.getByLabel('Department').selectOption(hms.department)
  await form.getByLabel('Triage (ESI)').selectOption('4')
  await form.getByRole('button', { name: 'Check in', exact: true }).click()
  const result = page.getByTestId('checkin-result').filter({ hasText: name })
  await result.waitFor({ timeout: liveTimeout })
  return ticketIn(await result.textContent())
}

/** The named screen, signed in (in its own browser context) on first use and then kept open. */
async function screen(name) {
  if (!pages[name]) {
    const { who, path, landing } = screens[name]
    pages[name] = await hms.signedInPage(who, path, { landing })
    await markPage(pages[name])
    await checkA11y(pages[name], name)
  }
  return pages[name]
}

/** The screens of the flow, open at once: reception, the ward display and the doctor's. */
async function flowScreens() {
  const [reception, display, doctor] = await Promise.all(['reception', 'display', 'doctor'].map(screen))
  return { reception, display, doctor }
}

e2eTest('staff sign in, land on reception, and the live badge reaches live', async () => {
  const page = await screen('reception')
  assert.equal(new URL(page.url()).pathname, '/reception')
  await waitLive(page)
})

e2eTest('a walk-in checked in at reception reaches the display and the doctor live, and is seen', async () => {
  const { reception, display, doctor } = await flowScreens()
  const n = await walkIn(reception, 'Ada Flow')

  // Without a reload: on the ward display's next list, in the doctor's queue, in reception's queue card.
  await display.getByTestId('next-list').getByTestId(`display-ticket-${n}`).waitFor({ timeout: liveTimeout })
  await doctor.getByTestId(`queue-ticket-${n}`).waitFor({ timeout: liveTimeout })
  const card = reception.getByTestId(`queue-${hms.department}`)
  await card.getByTestId(`queue-ticket-${n}`).waitFor({ timeout: liveTimeout })

  const current = doctor.getByTestId('current-ticket')
  await current.getByRole('button', { name: 'Call next', exact: true }).click()
  await current.getByTestId('current-number').filter({ hasText: endsWith(n) }).waitFor({ timeout: liveTimeout })
  const serving = display.getByTestId('now-serving').getByTestId(`display-ticket-${n}`)
  await serving.waitFor({ timeout: liveTimeout })
  await display.getByTestId('next-list').getByTestId(`display-ticket-${n}`).waitFor({ state: 'detached' })

  await current.getByRole('button', { name: 'Start', exact: true }).click()
  await current.getByTestId('current-status').filter({ hasText: 'In consultation' }).waitFor({ timeout: liveTimeout })
  await serving.filter({ hasText: 'In consultation' }).waitFor({ timeout: liveTimeout })

  await current.getByRole('button', { name: 'Finish', exact: true }).click()
  await serving.waitFor({ state: 'detached', timeout: liveTimeout })
  await current.getByTestId('current-number').waitFor({ state: 'detached', timeout: liveTimeout })

  for (const p of [reception, display, doctor]) await assertNotReloaded(p)
})

e2eTest('an emergency alert raised over REST appears on every open screen', async () => {
  const open = await flowScreens()
  await hms.admin.call('POST', '/api/alerts/emergency', { message: 'E2E: code blue', location: 'Ward 3' })
  for (const [name, page] of Object.entries(open)) {
    // Staff screens show the alert itself (one banner, the newest first); the public waiting-room display
    // says only that an emergency is being handled, never what or where.
    const text = name === 'display' ? 'An emergency is being handled' : 'E2E: code blue'
    const banner = page.getByTestId('alert-banner').filter({ hasText: text })
    await banner.waitFor({ timeout: liveTimeout }).catch((e) => {
      throw new Error(`the alert did not reach the ${name} screen: ${e.message}`)
    })
    if (name === 'display') assert.doesNotMatch(await banner.textContent(), /code blue|Ward 3/)
    else assert.match(await banner.textContent(), /Ward 3/)
    await assertNotReloaded(page)
  }
})

e2eTest('keyboard only: a walk-in check-in at reception, and "Call next" at the doctor', async () => {
  // A reception screen just signed in to, as a desk starts its day; it replaces the flow's.
  await hms.closePage(pages.reception)
  delete pages.reception
  const reception = await screen('reception')
  const kb = reception.keyboard
  // The check-in mode is a radio group: Tab reaches it, the arrow keys choose.
  await tabTo(reception, 'the check-in mode radios', (f) => f.type === 'radio' && f.label === 'Booked for today')
  for (let i = 0; i < 3; i++) {
    const f = await focused(reception)
    if (f.label === 'Walk-in, new patient') break
    await kb.press('ArrowDown')
  }
  assert.deepEqual(
    (({ label, checked }) => ({ label, checked }))(await focused(reception)),
    { label: 'Walk-in, new patient', checked: true },
  )
  await tabTo(reception, 'Patient name', (f) => f.tag === 'input' && f.label.startsWith('Patient name'))
  await kb.type('Kim Keyboard')
  await tabTo(reception, 'Department', (f) => f.tag === 'select' && f.label.startsWith('Department'))
  await kb.type('General') // a closed select picks the option its typed text starts
  assert.equal((await focused(reception)).value, hms.department)
  await tabTo(reception, 'the Check in button', (f) => f.tag === 'button' && f.label === 'Check in')
  await kb.press('Enter')
  const result = reception.getByTestId('checkin-result').filter({ hasText: 'Kim Keyboard' })
  await result.waitFor({ timeout: liveTimeout })
  const n = ticketIn(await result.textContent())

  // The doctor's screen as the flow left it; Tab wraps round to "Call next".
  const doctor = await screen('doctor')
  await doctor.getByTestId(`queue-ticket-${n}`).waitFor({ timeout: liveTimeout })
  await tabTo(doctor, 'Call next', (f) => f.tag === 'button' && f.label === 'Call next' && !f.disabled)
  await doctor.keyboard.press('Enter')
  await doctor.getByTestId('current-number').filter({ hasText: endsWith(n) }).waitFor({ timeout: liveTimeout })

  // Tidy up over REST: this patient is seen, so the next tests start with an idle doctor.
  const doc = await hms.client('doctor')
  const q = await doc.call('GET', `/api/queues/${hms.department}`)
  const mine = q.serving.find((a) => a.ticket?.number === n)
  assert.ok(mine, `ticket ${n} is not being served: ${JSON.stringify(q.serving)}`)
  await doc.call('POST', `/api/queue/tickets/${mine.id}/start`, {})
  await doc.call('POST', `/api/queue/tickets/${mine.id}/finish`, {})
  await doctor.getByTestId('current-number').waitFor({ state: 'detached', timeout: liveTimeout })
})

e2eTest('a registered walk-in is found at reception by the start of a name, accents and case ignored', async () => {
  const reception = await screen('reception')
  await reception.getByRole('radio', { name: 'Walk-in, registered patient' }).check()
  const form = reception.getByRole('form', { name: 'Walk-in check-in' })
  await form.getByLabel('Patient', { exact: true }).fill('LINDQ')
  const match = form.getByRole('list', { name: 'Matching patients' }).getByRole('button', { name: /Peter Lindqvist/ })
  await match.waitFor({ timeout: liveTimeout })
  await reception.screenshot({ path: join(artifactDir('screenshots'), 'reception-patient-finder-1366x768.png') })
  await match.click()
  await form.getByText(/Peter Lindqvist · MRN H\d{8}/).waitFor()
  await form.getByLabel('Department').selectOption(hms.department)
  await form.getByRole('button', { name: 'Check in', exact: true }).click()
  const result = reception.getByTestId('checkin-result').filter({ hasText: 'Peter Lindqvist' })
  await result.waitFor({ timeout: liveTimeout })

  // Tidy up over REST: the patient is seen, so the next tests start with an idle doctor.
  const n = ticketIn(await result.textContent())
  const doc = await hms.client('doctor')
  const q = await doc.call('GET', `/api/queues/${hms.department}`)
  const peter = q.waiting.find((a) => a.ticket?.number === n)
  assert.ok(peter, `ticket ${n} is not waiting: ${JSON.stringify(q.waiting)}`)
  for (const step of ['call', 'start', 'finish']) await doc.call('POST', `/api/queue/tickets/${peter.id}/${step}`, {})
})

e2eTest('the bed board follows an admission and a discharge live, naming the patient to staff in their care', async () => {
  const admin = await hms.client('admin')
  await admin.call('POST', '/api/wards', { id: 'ward-e2e', name: 'Ward E2E', department: hms.department })
  await admin.call('POST', '/api/wards/ward-e2e/beds', { labels: ['E1', 'E2', 'E3', 'E4'] })
  const page = await hms.signedInPage('staff', '/beds', { landing: '/beds' })
  await waitLive(page)
  const counts = page.getByTestId('ward-ward-e2e-counts')
  await counts.filter({ hasText: '4 free · 0 occupied · 4 beds' }).waitFor({ timeout: liveTimeout })
  await markPage(page)
  await checkA11y(page, 'beds')

  // Peter was checked in today (the finder test), so staff have a care relationship with him.
  const staff = await hms.client('staff')
  const adm = await staff.call('POST', '/api/admissions', {
    patient_id: hms.accounts.patient.patientId,
    ward_id: 'ward-e2e',
    doctor_id: hms.accounts.doctor.id,
    source: 'planned',
    reason: 'observation overnight',
  })
  await counts.filter({ hasText: '3 free · 1 occupied · 4 beds' }).waitFor({ timeout: liveTimeout })
  await page.getByTestId(`bed-${adm.bed_label}`).filter({ hasText: 'Occupied' }).waitFor()
  // Staff in the patient's care see whose bed it is (the admission is theirs to read under the access rule).
  await page.getByTestId(`bed-${adm.bed_label}`).filter({ hasText: 'Lindqvist' }).waitFor({ timeout: liveTimeout })
  for (const size of [{ width: 1920, height: 1080 }, { width: 1366, height: 768 }]) {
    await page.setViewportSize(size)
    await page.screenshot({ path: join(artifactDir('screenshots'), `beds-${size.width}x${size.height}.png`) })
  }

  await staff.call('POST', `/api/admissions/${adm.id}/discharge`, { summary: 'well, home', disposition: 'home' })
  await counts.filter({ hasText: '4 free · 0 occupied · 4 beds' }).waitFor({ timeout: liveTimeout })
  await assertNotReloaded(page)
  await hms.closePage(page)
})

e2eTest('an admin without a care relationship breaks the glass to open a record, and it is audited', async () => {
  const page = await hms.signedInPage('admin', '/patients', { landing: '/patients' })
  await page.getByLabel('Name, MRN or ID').fill('peter')
  await page.getByRole('button', { name: 'Search', exact: true }).click()
  const row = page.getByRole('row').filter({ hasText: 'Peter Lindqvist' })
  await row.getByRole('button', { name: 'Open record' }).click()
  const record = page.getByTestId('patient-record')
  await record.getByText('You have no care relationship with this patient.').waitFor({ timeout: liveTimeout })
  await record.getByLabel('Reason').fill('e2e: checking a complaint about this record')
  await page.screenshot({ path: join(artifactDir('screenshots'), 'patients-break-glass-1366x768.png') })
  await checkA11y(page, 'patients: break the glass')
  await record.getByRole('button', { name: 'Break the glass and open' }).click()
  await record.getByTestId('history').waitFor({ timeout: liveTimeout })
  await page.screenshot({ path: join(artifactDir('screenshots'), 'patients-record-1366x768.png') })
  await checkA11y(page, 'patients: the record')

  const admin = await hms.client('admin')
  const audit = await admin.call('GET', `/api/audit?patient_id=${hms.accounts.patient.patientId}&limit=20`)
  const actions = audit.items.map((e) => `${e.action} ${e.outcome}`)
  for (const want of ['patient.read denied', 'patient.break_glass ok', 'patient.read ok']) {
    assert.ok(actions.includes(want), `audit has no "${want}": ${actions.join(', ')}`)
  }
  await hms.closePage(page)
})

/**
 * A busy morning for the screenshots and the legibility check: walk-ins at several triage levels, one
 * called and in consultation, and the patient's own booking today (checked in) and tomorrow.
 */
async function fillQueue() {
  const staff = await hms.client('staff')
  const dept = hms.department
  for (const [name, triage, reason] of [
    ['Amara Nwosu', 3, 'chest tightness'],
    ['Jonas Weber', 4, 'sprained ankle'],
    ['Li Wei', 4, 'fever for two days'],
    ['Sofia Rossi', 5, 'repeat prescription'],
    ['Mateo Silva', 4, 'cut on the hand'],
  ]) {
    await staff.call('POST', '/api/queue/checkin', { department: dept, name, triage, reason })
  }
  const doc = await hms.client('doctor')
  const called = await doc.call('POST', `/api/queues/${dept}/next`)
  await doc.call('POST', `/api/queue/tickets/${called.id}/start`, {})

  const { patientId } = hms.accounts.patient
  const doctorId = hms.accounts.doctor.id
  const tomorrow = today(new Date(Date.now() + 24 * 3600 * 1000))
  for (const day of [today(), tomorrow]) {
    const { slots } = await staff.call('GET', `/api/doctors/${doctorId}/slots?date=${day}`)
    const slot = slots[day === today() ? 0 : 40] ?? slots[0] // tomorrow: mid-morning
    if (!slot) continue // late in the evening there may be no slot left today
    const a = await staff.call('POST', '/api/appointments', {
      doctor_id: doctorId,
      patient_id: patientId,
      start: slot.start,
      reason: day === tomorrow ? 'blood test results' : 'persistent cough',
    })
    if (day === today()) await staff.call('POST', '/api/queue/checkin', { appointment_id: a.id, triage: 4 })
  }
}

e2eTest('display ticket numbers are at least 64 px at 1366x768', async () => {
  await fillQueue()
  const display = await screen('display')
  await display.setViewportSize({ width: 1366, height: 768 })
  await display.getByTestId('now-serving').locator('[data-testid^="display-ticket-"]').first().waitFor()
  await display.getByTestId('next-list').locator('[data-testid^="display-ticket-"]').first().waitFor()
  // The computed font size of the element holding each ticket's number.
  const sizes = await display.evaluate(() =>
    [...document.querySelectorAll('[data-testid^="display-ticket-"]')].map((el) => {
      const n = el.getAttribute('data-testid').slice('display-ticket-'.length)
      const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
      for (let t = walk.nextNode(); t; t = walk.nextNode()) {
        if (t.textContent.trim() === n) return { n, px: parseFloat(getComputedStyle(t.parentElement).fontSize) }
      }
      return { n, px: null }
    }),
  )
  assert.ok(sizes.length >= 2, `expected tickets serving and waiting, got ${JSON.stringify(sizes)}`)
  for (const { n, px } of sizes) {
    assert.ok(px !== null, `ticket ${n}: no element holds just its number`)
    assert.ok(px >= 64, `ticket ${n} is ${px}px, under 64px`)
  }
  console.log(`display ticket font sizes at 1366x768: ${sizes.map((s) => `${s.n}=${s.px}px`).join(' ')}`)
})

e2eTest('screenshots of every screen at 1920x1080 and 1366x768', async () => {
  const dir = artifactDir('screenshots')
  const sizes = [
    { width: 1920, height: 1080 },
    { width: 1366, height: 768 },
  ]
  const dept = hms.department
  // What must be on each screen before its picture: the queues, the patient being seen, the visit,
  // tickets and the alert banner on the display, the users.
  const ready = {
    reception: (p) => p.getByTestId(`queue-${dept}`).locator('[data-testid^="queue-ticket-"]').first(),
    doctor: (p) => p.getByTestId('current-number'),
    patient: (p) => p.locator('[data-testid^="queue-spot-"], [data-testid^="appointment-"]').first(),
    display: (p) => p.getByTestId('next-list').locator('[data-testid^="display-ticket-"]').first(),
    admin: (p) => p.getByRole('heading', { name: 'Administration' }),
  }
  const shoot = async (page, name) => {
    for (const s of sizes) {
      await page.setViewportSize(s)
      await page.waitForTimeout(300) // layout settles after the resize
      await page.screenshot({ path: join(dir, `${name}-${s.width}x${s.height}.png`), animations: 'disabled' })
    }
  }

  const signin = await hms.newPage(sizes[0])
  await signin.goto('/')
  await signin.getByLabel('Email').waitFor()
  await shoot(signin, 'signin')
  await checkA11y(signin, 'sign-in')

  for (const [name, isReady] of Object.entries(ready)) {
    const page = await screen(name)
    await isReady(page).waitFor({ timeout: liveTimeout })
    if (name === 'display') await page.getByTestId('alert-banner').getByTestId('alert').first().waitFor()
    await shoot(page, name)
    await checkA11y(page, `${name}, busy`)
  }
})

e2eTest('a message reaches the patient live in the bell, is marked read, and the admin sees its email delivery', async () => {
  const page = await hms.signedInPage('patient', '/patient', { landing: '/patient' })
  await markPage(page)
  const doctor = await hms.client('doctor')
  const message = 'e2e: your blood test results are ready'
  await doctor.call('POST', '/api/notifications/send', { recipient_id: hms.accounts.patient.id, message, channels: ['email'] })
  await page.getByTestId('notifications-bell').click()
  const panel = page.getByTestId('notifications-panel')
  const item = panel.getByTestId('notification').filter({ hasText: message })
  await item.waitFor({ timeout: liveTimeout })
  assert.equal(await item.getAttribute('data-unread'), 'true')
  await page.screenshot({ path: join(artifactDir('screenshots'), 'notifications-bell-1366x768.png') })
  await checkA11y(page, 'notifications bell')
  await item.getByRole('button', { name: 'Mark read' }).click()
  await panel.getByTestId('notification').filter({ hasText: message }).and(page.locator('[data-unread="false"]')).waitFor({ timeout: liveTimeout })
  await assertNotReloaded(page)
  await page.keyboard.press('Escape')

  await page.goto('/notifications')
  await page.getByTestId('notifications-list').getByText(message).waitFor({ timeout: liveTimeout })
  await page.getByTestId('notification-preferences').getByLabel('SMS phone').waitFor()
  await checkA11y(page, 'notifications')
  for (const size of [{ width: 1920, height: 1080 }, { width: 1366, height: 768 }]) {
    await page.setViewportSize(size)
    await page.screenshot({ path: join(artifactDir('screenshots'), `notifications-${size.width}x${size.height}.png`) })
  }
  await hms.closePage(page)

  // The e2e server has no SMTP relay: the email is recorded as skipped, with the reason.
  const admin = await hms.signedInPage('admin', '/admin', { landing: '/admin' })
  await admin.goto('/admin#adm-deliveries')
  await admin.getByTestId('deliveries-status').selectOption('skipped')
  const table = admin.getByTestId('deliveries-table')
  await table.getByText('email is not configured').first().waitFor({ timeout: liveTimeout })
  await admin.screenshot({ path: join(artifactDir('screenshots'), 'admin-deliveries-1366x768.png') })
  await checkA11y(admin, 'admin deliveries')
  await hms.closePage(admin)
})
