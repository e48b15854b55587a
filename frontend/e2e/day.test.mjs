// One hospital day through the screens only, at 1366x768, each person in their own browser context: an
// admin sets up a department, a doctor (profile, weekly hours, slot length), a lab and a pharmacy account
// and a ward with beds; the pharmacy stocks a medication; a patient signs up, confirms the emailed link
// and books that doctor with the keyboard alone; reception registers a walk-in and checks both in (the
// booked one with the keyboard alone); the doctor calls, charts (encounter, vitals), prescribes, orders a
// lab test and finishes; the lab desk enters the result and the doctor releases it; the patient reads it;
// the pharmacy dispenses; reception admits the walk-in to a bed and discharges them. axe-core checks
// every screen on the way (serious and critical violations fail), and every step is photographed into
// test-artifacts/screenshots/day-NN-<step>.png.
//
// REST is used only where no person acts on a screen: reading the confirmation email. The server sends
// its email to a mailpit (a real SMTP server, started by the harness with `startHms({ mail: true })`) and
// the test reads the link from mailpit's API, as the patient would read it in their inbox.
//
// The tests run in order and share the server and the open pages: each step leaves what the next uses.
import assert from 'node:assert/strict'
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before } from 'node:test'
import {
  artifactDir,
  checkA11y,
  e2eTest,
  focused,
  goTo,
  liveTimeout,
  signIn,
  startHms,
  tabTo,
  waitLive,
} from './harness.mjs'

let hms
/** Each person's page, in its own browser context, by who they are. */
const pages = {}
/** The accounts the admin makes on the screens (the harness seeds the admin and the receptionist). */
const people = {
  doctor: { name: 'Dr Amir Haddad', email: 'haddad@day.hms', password: 'Day-Doctor-Passw0rd-4' },
  lab: { name: 'Lena Laborde', email: 'lab@day.hms', password: 'Day-Lab-Passw0rd-5' },
  pharmacy: { name: 'Paul Pharma', email: 'pharmacy@day.hms', password: 'Day-Pharmacy-Passw0rd-6' },
  patient: { name: 'Nadia Novak', email: 'nadia@day.hms', password: 'Day-Patient-Passw0rd-7' },
}
const walkInName = 'Tomás Walker'
const dept = { id: 'cardiology', name: 'Cardiology' }
const ward = { id: 'cardio-ward', name: 'Cardiology ward' }
const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

before(async () => {
  // This run's pictures only.
  const dir = artifactDir('screenshots')
  for (const f of readdirSync(dir)) if (/^day-\d+-.*\.png$/.test(f)) rmSync(join(dir, f))
  hms = await startHms({ mail: true })
})

after(async () => {
  await hms?.stop()
})

/** The day is one story: once a step fails, the later ones fail at once instead of timing out. */
let broken = ''
function dayTest(name, fn) {
  return e2eTest(name, async (t) => {
    if (broken) throw Object.assign(new Error(`not run: the earlier step "${broken}" failed`), { reported: true })
    try {
      await fn(t)
    } catch (e) {
      broken = name
      throw e
    }
  })
}

let shot = 0
/** Photographs the page as step `name` (day-NN-name.png, numbered in order). */
async function snap(page, name) {
  const n = String(++shot).padStart(2, '0')
  await page.screenshot({ path: join(artifactDir('screenshots'), `day-${n}-${name}.png`), animations: 'disabled' })
}

/** Photographs the step and runs axe on the screen as it is now. */
async function step(page, name) {
  await snap(page, name)
  await checkA11y(page, name)
}

/** A new person's page at 1366x768, signed in through the form, landed on `landing`. */
async function signedIn(who, account, path, landing = path) {
  const page = await hms.newPage({ width: 1366, height: 768 })
  await signIn(page, path, account)
  await page.waitForURL((u) => u.pathname.startsWith(landing))
  await waitLive(page)
  pages[who] = page
  return page
}

/** Opens an admin tab through its tab (the tab is in the address as #adm-…). */
async function adminTab(page, label) {
  await page.getByRole('tab', { name: label }).click()
  await page.getByRole('tabpanel', { name: label }).waitFor()
}

dayTest('the admin signs in and sets up a department, a doctor with weekly hours, desk accounts and a ward', async () => {
  const page = await hms.newPage({ width: 1366, height: 768 })
  pages.admin = page
  await page.goto('/')
  await page.getByRole('heading', { name: 'HMS sign in' }).waitFor()
  await step(page, 'signin')
  await signIn(page, '/', hms.accounts.admin)
  await page.waitForURL((u) => u.pathname.startsWith('/admin'))
  await page.getByRole('heading', { name: 'Administration' }).waitFor()
  await waitLive(page)
  await step(page, 'admin-overview')

  // A department.
  await adminTab(page, 'Departments')
  const dform = page.getByRole('form', { name: 'Add a department' })
  await dform.getByLabel('Id').fill(dept.id)
  await dform.getByLabel('Name').fill(dept.name)
  await dform.getByRole('button', { name: 'Add department' }).click()
  await dform.getByRole('status').filter({ hasText: `Created ${dept.name} (${dept.id}).` }).waitFor()
  await page.getByTestId('departments-table').getByRole('cell', { name: dept.name, exact: true }).waitFor()
  await step(page, 'admin-department')

  // The doctor's account and the two desks' accounts.
  await adminTab(page, 'Accounts')
  const aform = page.getByRole('form', { name: 'Add an account' })
  for (const [who, role] of [['lab', 'staff'], ['pharmacy', 'staff'], ['doctor', 'doctor']]) {
    const p = people[who]
    await aform.getByLabel('Name').fill(p.name)
    await aform.getByLabel('Email').fill(p.email)
    await aform.getByLabel('Role').selectOption(role)
    await aform.getByLabel('Initial password').fill(p.password)
    await aform.getByRole('button', { name: 'Add account' }).click()
    const made = page.getByTestId('account-made')
    await made.filter({ hasText: `${p.name}’s ${role} account is ready` }).waitFor()
    assert.equal(await page.getByTestId('new-password').textContent(), p.password)
    if (who !== 'doctor') await made.getByRole('button', { name: 'Done, hide the password' }).click()
  }
  await step(page, 'admin-accounts')

  // The doctor's profile, weekly hours and slot length. Today's weekday is worked from 00:00 to 23:40 in
  // 20-minute slots, so the patient finds a free time at any hour but the last 40 minutes of the day.
  await page.getByRole('button', { name: `Set up ${people.doctor.name}’s profile and hours` }).click()
  const setup = page.getByRole('region', { name: `${people.doctor.name}: profile, hours and leave` })
  await setup.waitFor()
  const profile = setup.getByRole('form', { name: 'Profile' })
  await profile.getByLabel('Specialty').fill('Cardiology')
  await profile.getByLabel('Department').selectOption(dept.id)
  await profile.getByRole('button', { name: 'Save profile' }).click()
  await profile.getByRole('status').waitFor()
  const day = weekdays[new Date().getDay()]
  const hours = setup.getByRole('form', { name: 'Weekly hours' })
  await hours.getByRole('button', { name: `Add hours on ${day}` }).click()
  await hours.getByLabel(`${day} period 1 start`).fill('00:00')
  await hours.getByLabel(`${day} period 1 end`).fill('23:40')
  await hours.getByLabel('Slot length (minutes)').fill('20')
  await hours.getByRole('button', { name: 'Save schedule' }).click()
  await hours.getByRole('status').filter({ hasText: 'Schedule saved.' }).waitFor()
  await setup.getByTestId('free-slots').filter({ hasText: /\d+ free slots? on/ }).waitFor()
  await step(page, 'admin-doctor-hours')

  // A ward with four beds.
  await adminTab(page, 'Wards & beds')
  const wform = page.getByRole('form', { name: 'Add a ward' })
  await wform.getByLabel('Id').fill(ward.id)
  await wform.getByLabel('Name').fill(ward.name)
  await wform.getByLabel('Department').selectOption(dept.id)
  await wform.getByRole('button', { name: 'Add ward' }).click()
  const wards = page.getByRole('list', { name: 'Wards' })
  await wards.getByRole('button', { name: new RegExp(ward.name) }).click()
  const bform = page.getByRole('form', { name: 'Add beds' })
  await bform.getByLabel('Bed labels').fill('C1-C4')
  await bform.getByRole('button', { name: 'Add beds' }).click()
  await bform.getByRole('status').filter({ hasText: 'Added 4 beds: C1, C2, C3, C4.' }).waitFor()
  await page.getByTestId('ward-beds').getByText('Free').nth(3).waitFor()
  await step(page, 'admin-ward-beds')

  // The other tabs, for axe.
  for (const tab of ['Activity log', 'Access grants', 'Deliveries', 'Broadcast', 'Doctors']) {
    await adminTab(page, tab)
    await checkA11y(page, `admin tab ${tab}`)
  }
})

dayTest('the pharmacy adds a medication to the catalogue and receives a delivery', async () => {
  const page = await signedIn('pharmacy', people.pharmacy, '/pharmacy')
  await page.getByRole('heading', { name: 'To dispense' }).waitFor()
  await checkA11y(page, 'pharmacy (empty)')
  const add = page.getByRole('region', { name: 'Add a medication' })
  await add.getByLabel('Code').fill('AMOX500')
  await add.getByLabel('Name', { exact: true }).fill('Amoxicillin')
  await add.getByLabel('Form').fill('capsule')
  await add.getByLabel('Strength').fill('500 mg')
  await add.getByLabel('Active substances (comma-separated)').fill('amoxicillin, penicillin')
  await add.getByLabel('Reorder at (units)').fill('10')
  await add.getByRole('button', { name: 'Add medication' }).click()
  await add.getByRole('status').waitFor()
  const row = page.getByTestId('med-AMOX500')
  await row.getByRole('button').click()
  const move = page.getByRole('form', { name: 'Move stock of Amoxicillin' })
  await move.getByLabel('Units received').fill('100')
  await move.getByLabel('Reason').fill('delivery 2211')
  await move.getByRole('button', { name: 'Receive' }).click()
  await move.getByRole('status').waitFor()
  await row.filter({ hasText: '100' }).waitFor()
  await step(page, 'pharmacy-stock')
})

dayTest('a patient signs up, confirms the emailed link and lands on their portal', async () => {
  const page = await hms.newPage({ width: 1366, height: 768 })
  pages.patient = page
  await page.goto('/')
  await page.getByRole('link', { name: 'Create an account' }).click()
  const form = page.getByRole('form', { name: 'Create an account' })
  await form.waitFor()
  await checkA11y(page, 'sign-up')
  const p = people.patient
  await form.getByLabel('Full name').fill(p.name)
  await form.getByLabel('Email').fill(p.email)
  await form.getByLabel('Password', { exact: true }).fill(p.password)
  await form.getByLabel('Confirm password').fill(p.password)
  await snap(page, 'signup')
  await form.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('heading', { name: 'Check your email' }).waitFor()
  await page.getByText(`We sent a link to confirm your address to ${p.email}`).waitFor()
  await step(page, 'signup-check-email')

  // The patient opens the link from the email (read from mailpit: no screen shows it).
  const link = await hms.mail.link(p.email, /https?:\/\/\S+\/confirm\?token=[\w-]+/)
  assert.ok(link.startsWith(hms.baseURL), `the link ${link} does not point at this server`)
  await page.goto(link)
  await page.getByTestId('patient-screen').waitFor({ timeout: liveTimeout })
  await waitLive(page)
  await page.getByTestId('who').filter({ hasText: p.name }).waitFor()
  await page.getByText('No upcoming appointments. Book one below.').waitFor()
  await step(page, 'patient-portal-new')
})

/** The number in a text such as "Ticket 14 — Cardiology". */
function ticketIn(text) {
  const m = /Ticket\s+(\d+)/.exec(text ?? '')
  assert.ok(m, `no ticket number in ${JSON.stringify(text)}`)
  return Number(m[1])
}

/** Asserts the focused element is what `want` says and that the browser shows where the focus is. */
async function assertFocus(page, what, want) {
  const f = await focused(page)
  assert.ok(f, `nothing has the focus; expected ${what}`)
  for (const [k, v] of Object.entries(want)) assert.equal(f[k], v, `focus on ${what}: ${k} is ${JSON.stringify(f[k])}`)
  assert.ok(f.visible, `the focus on ${what} is not visible (no :focus-visible outline or ring): ${JSON.stringify(f)}`)
  return f
}

let booked = '' // "HH:MM" of the patient's appointment

dayTest('keyboard only: the patient books the doctor, and a form closed with Escape gives the focus back', async () => {
  const page = pages.patient
  const kb = page.keyboard
  const book = page.getByRole('region', { name: 'Book an appointment' })
  await book.waitFor()
  await tabTo(page, 'the Department filter', (f) => f.tag === 'select' && f.label.startsWith('Department'))
  await kb.type(dept.name) // a closed select picks the option its typed text starts
  await assertFocus(page, 'the Department filter', { value: dept.id })
  // The only cardiologist with free times is chosen by itself; Tab goes on to the free times (a radio
  // group: Tab enters it, Space picks, the arrow keys move the choice).
  const doctor = book.getByRole('radio', { name: new RegExp(people.doctor.name) })
  await doctor.and(page.locator(':checked')).waitFor()
  const slot = await tabTo(page, 'the first free time', (f) => f.type === 'radio' && /^\d\d:\d\d$/.test(f.label))
  await kb.press('Space')
  await assertFocus(page, 'the first free time', { label: slot.label, checked: true })
  booked = slot.label
  await tabTo(page, 'the reason', (f) => f.tag === 'textarea' && f.label.startsWith('Reason for the visit'))
  await kb.type('chest pain when climbing stairs')
  await tabTo(page, 'the Book button', (f) => f.tag === 'button' && f.label === `Book ${booked}`)
  await assertFocus(page, 'the Book button', { label: `Book ${booked}` })
  await kb.press('Enter')
  const result = page.getByTestId('book-result')
  await result.filter({ hasText: `at ${booked} with ${people.doctor.name}` }).waitFor()
  assert.match(await result.textContent(), /^Booked: /)
  const card = page.locator('[data-testid^="appointment-"]').filter({ hasText: people.doctor.name })
  await card.filter({ hasText: booked }).waitFor()
  await step(page, 'patient-booked')

  // The booking's Cancel opens a form in place; Escape closes it and the focus is back on Cancel.
  await tabTo(page, 'the booking’s Cancel button', (f) => f.tag === 'button' && f.label === 'Cancel', { back: true })
  await kb.press('Enter')
  const cancel = page.getByRole('form', { name: 'Cancel the appointment' })
  await cancel.waitFor()
  assert.ok(await cancel.evaluate((el) => el.contains(document.activeElement)), 'the focus did not move into the cancel form')
  await snap(page, 'patient-cancel-form')
  await checkA11y(page, 'patient cancel form')
  await kb.press('Escape')
  await cancel.waitFor({ state: 'detached' })
  await page.waitForFunction(() => document.activeElement?.textContent === 'Cancel')
  await assertFocus(page, 'the Cancel button that opened the form', { tag: 'button', label: 'Cancel' })
  await card.filter({ hasText: booked }).waitFor() // still booked
})

const tickets = {}

dayTest('reception registers a walk-in, and checks the booked patient in with the keyboard alone', async () => {
  const page = await signedIn('reception', hms.accounts.staff, '/', '/reception')
  await page.getByRole('tab', { name: 'Check-in' }).waitFor()
  await checkA11y(page, 'reception')

  // A walk-in new to the hospital, with the mouse.
  await page.getByRole('radio', { name: 'Walk-in, new patient' }).check()
  const form = page.getByRole('form', { name: 'Walk-in check-in' })
  await form.getByLabel('Patient name').fill(walkInName)
  await form.getByLabel('Department').selectOption(dept.id)
  await form.getByLabel('Triage (ESI)').selectOption('5')
  await form.getByLabel('Reason (optional)').fill('repeat blood pressure check')
  await form.getByRole('button', { name: 'Check in', exact: true }).click()
  const walkIn = page.getByTestId('checkin-result').filter({ hasText: walkInName })
  await walkIn.waitFor({ timeout: liveTimeout })
  tickets.walkIn = ticketIn(await walkIn.textContent())
  await step(page, 'reception-walk-in')

  // The booked patient, keyboard only: back to the mode radios, the arrow keys choose "Booked for
  // today", Tab reaches the booking's Check in button, Enter checks in; the focus lands on the ticket.
  const kb = page.keyboard
  await tabTo(page, 'the check-in mode radios', (f) => f.type === 'radio' && f.checked, { back: true })
  for (let i = 0; i < 3 && (await focused(page)).label !== 'Booked for today'; i++) await kb.press('ArrowUp')
  await assertFocus(page, 'the "Booked for today" radio', { label: 'Booked for today', checked: true })
  const row = page.getByRole('row').filter({ hasText: people.patient.name })
  await row.waitFor({ timeout: liveTimeout })
  assert.match(await row.textContent(), new RegExp(`${booked}.*${people.doctor.name}|${people.doctor.name}.*${booked}`))
  await tabTo(page, 'the booking’s Check in button', (f) => f.tag === 'button' && f.label === 'Check in')
  await assertFocus(page, 'the booking’s Check in button', { label: 'Check in' })
  await kb.press('Enter')
  const result = page.getByTestId('checkin-result').filter({ hasText: people.patient.name })
  await result.waitFor({ timeout: liveTimeout })
  tickets.booked = ticketIn(await result.textContent())
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'checkin-result')
  await assertFocus(page, 'the new ticket (read out, and where the next check-in starts from)', { testid: 'checkin-result' })
  await page.getByText('No bookings left to check in today.').waitFor()
  await step(page, 'reception-booked-checked-in')
})

dayTest('the doctor calls the booked patient, charts the visit with vitals, prescribes, orders a test and finishes', async () => {
  const page = await signedIn('doctor', people.doctor, '/', '/doctor')
  for (const n of [tickets.booked, tickets.walkIn]) await page.getByTestId(`queue-ticket-${n}`).waitFor({ timeout: liveTimeout })
  await step(page, 'doctor-queue')
  const current = page.getByTestId('current-ticket')
  await current.getByRole('button', { name: 'Call next', exact: true }).click()
  await current.getByTestId('current-number').filter({ hasText: String(tickets.booked) }).waitFor({ timeout: liveTimeout })
  await current.filter({ hasText: people.patient.name }).waitFor()
  await current.getByRole('button', { name: 'Start', exact: true }).click()
  await current.getByTestId('current-status').filter({ hasText: 'In consultation' }).waitFor({ timeout: liveTimeout })
  await current.getByRole('button', { name: 'Open chart' }).click()

  const chart = page.getByTestId('chart')
  await chart.getByRole('heading', { name: `Chart: ${people.patient.name}` }).waitFor({ timeout: liveTimeout })
  await chart.getByRole('button', { name: 'Open the visit’s encounter' }).click()
  const enc = chart.getByRole('form', { name: 'Encounter' })
  await enc.getByLabel('Clinical notes').fill('Exertional chest tightness for three weeks, settles with rest.')
  await enc.getByLabel('Summary').fill('Probable stable angina; bloods and review.')
  await enc.getByRole('button', { name: 'Add a diagnosis' }).click()
  await enc.getByRole('textbox', { name: 'Diagnosis 1' }).fill('Stable angina')
  await enc.getByLabel('ICD-10 code').fill('I20.8')
  await enc.getByRole('button', { name: 'Save encounter' }).click()
  await enc.getByRole('status').filter({ hasText: 'Saved at' }).waitFor()
  await step(page, 'doctor-chart-encounter')

  await chart.getByRole('tab', { name: 'Vitals' }).click()
  const vitals = chart.getByRole('form', { name: 'Vitals' })
  for (const [label, v] of [['Pulse', '88'], ['Systolic BP', '142'], ['Diastolic BP', '91'], ['Temperature', '36.8'], ['SpO₂', '97']]) {
    await vitals.getByLabel(label, { exact: true }).fill(v)
  }
  await vitals.getByRole('button', { name: 'Record vitals' }).click()
  await vitals.getByRole('status').filter({ hasText: 'Recorded at' }).waitFor()
  await chart.getByRole('table', { name: 'Vitals recorded' }).getByText('142').waitFor()
  await step(page, 'doctor-chart-vitals')

  await chart.getByRole('tab', { name: 'Prescriptions' }).click()
  const rx = chart.getByRole('form', { name: 'Prescribe' })
  await rx.getByLabel('Medication').fill('Amox')
  await page.getByRole('option', { name: /Amoxicillin/ }).click()
  await rx.getByLabel('Dose').fill('500 mg')
  await rx.getByLabel('How often').fill('three times a day')
  await rx.getByLabel('Days').fill('7')
  await rx.getByLabel('Quantity').fill('21')
  await rx.getByLabel('Refills').fill('0')
  await rx.getByLabel('Instructions for the patient').fill('Take with food')
  await rx.getByRole('button', { name: 'Prescribe' }).click()
  await rx.getByRole('status').filter({ hasText: 'Prescribed Amoxicillin' }).waitFor()
  await chart.locator('[data-testid^="rx-"]').filter({ hasText: 'Amoxicillin' }).waitFor()
  await step(page, 'doctor-chart-prescription')

  await chart.getByRole('tab', { name: 'Lab' }).click()
  const lab = chart.getByRole('form', { name: 'Order lab tests' })
  await lab.getByLabel('Full blood count').check()
  await lab.getByLabel('Note for the lab').fill('anaemia?')
  await lab.getByRole('button', { name: 'Order tests' }).click()
  await lab.getByRole('status').filter({ hasText: 'Ordered at' }).waitFor()
  await chart.getByText('anaemia?').waitFor() // the order, listed under the form
  await step(page, 'doctor-chart-lab-order')

  await current.getByRole('button', { name: 'Finish', exact: true }).click()
  await current.getByTestId('current-number').waitFor({ state: 'detached', timeout: liveTimeout })
  await page.getByTestId(`queue-ticket-${tickets.walkIn}`).waitFor()
  await current.getByRole('button', { name: 'Call next', exact: true }).and(page.locator(':enabled')).waitFor()
  await step(page, 'doctor-finished')
})

dayTest('the lab desk enters the result, the doctor releases it and the patient reads it', async () => {
  const page = await signedIn('lab', people.lab, '/lab')
  const order = page.getByRole('button', { name: people.patient.name })
  await order.waitFor({ timeout: liveTimeout })
  await checkA11y(page, 'lab orders')
  await order.click()
  await page.getByLabel('Full blood count result').fill('13.5')
  await page.getByLabel('Full blood count unit').fill('g/dL')
  await page.getByLabel('Full blood count normal from').fill('12')
  await page.getByLabel('Full blood count normal to').fill('16')
  await page.getByLabel('Interpretation').fill('Haemoglobin within range.')
  await page.getByRole('button', { name: 'Save results' }).click()
  await page.getByRole('status').filter({ hasText: 'Results saved' }).waitFor()
  await page.getByTestId('release-note').filter({ hasText: 'A doctor checks and releases the report to the patient.' }).waitFor()
  await step(page, 'lab-results-entered')

  // Only a doctor releases a report (the lab screen tells staff so): the doctor opens it on the Lab screen.
  const doctor = pages.doctor
  await goTo(doctor, 'Lab')
  await doctor.getByRole('button', { name: people.patient.name }).click()
  await doctor.getByTestId('lab-results').getByText('13.5 g/dL').waitFor()
  await doctor.getByRole('button', { name: 'Release to the patient' }).click()
  await doctor.getByRole('status').filter({ hasText: 'Released to the patient' }).waitFor()
  await step(doctor, 'doctor-lab-released')

  // The patient left after booking; later, at home, she signs in with the password she chose at sign-up.
  await hms.closePage(pages.patient)
  const patient = await signedIn('patient', people.patient, '/', '/patient')
  await patient.getByRole('navigation', { name: 'My health' }).getByRole('link', { name: 'Lab reports' }).click()
  await patient.getByRole('heading', { name: 'My lab reports' }).waitFor()
  await patient.getByText('13.5 g/dL').waitFor({ timeout: liveTimeout })
  await patient.getByText('Full blood count').first().waitFor()
  await step(patient, 'patient-lab-report')
  // The portal's other sections.
  for (const [label, ready] of [
    ['Past visits', 'Past visits'],
    ['My record', 'Medical history'],
    ['Prescriptions', 'Amoxicillin'],
    ['Hospital stays', 'Hospital stays'],
    ['Profile', 'Profile'],
    ['My data', 'My data'],
    ['Appointments', 'Upcoming'],
  ]) {
    await patient.getByRole('navigation', { name: 'My health' }).getByRole('link', { name: label }).click()
    await patient.getByText(ready).first().waitFor({ timeout: liveTimeout })
    await checkA11y(patient, `patient portal: ${label}`)
  }
  await snap(patient, 'patient-portal-today')
})

dayTest('the pharmacy dispenses the prescription', async () => {
  const page = pages.pharmacy
  const dispense = page.getByRole('button', { name: new RegExp(`^Dispense Amoxicillin .* for ${people.patient.name} \\(MRN H\\d+\\)$`) })
  await dispense.waitFor({ timeout: liveTimeout })
  await step(page, 'pharmacy-to-dispense')
  await dispense.click()
  await page.getByTestId('rx-done').filter({ hasText: `Dispensed 21 × Amoxicillin` }).filter({ hasText: '79 left in stock' }).waitFor({ timeout: liveTimeout })
  await page.getByTestId('rx-empty').waitFor({ timeout: liveTimeout })
  await page.getByTestId('med-AMOX500').filter({ hasText: '79' }).waitFor({ timeout: liveTimeout })
  await step(page, 'pharmacy-dispensed')
})

dayTest('reception admits the walk-in to a bed and discharges them', async () => {
  const page = pages.reception
  await goTo(page, 'Beds')
  const card = page.getByTestId(`ward-${ward.id}`)
  const counts = page.getByTestId(`ward-${ward.id}-counts`)
  await counts.filter({ hasText: '4 free · 0 occupied · 4 beds' }).waitFor({ timeout: liveTimeout })
  await checkA11y(page, 'beds')
  await card.getByRole('button', { name: 'Admit to bed C1' }).click()
  const dialog = page.getByRole('dialog', { name: `Admit to ${ward.name}, bed C1` })
  await dialog.getByLabel('Patient (name or MRN)').fill('Walker')
  await dialog.getByRole('radio', { name: new RegExp(walkInName) }).check()
  await dialog.getByLabel('Reason for admission').fill('observation of blood pressure overnight')
  await dialog.getByLabel('Attending doctor').selectOption({ label: `${people.doctor.name} — Cardiology` })
  await step(page, 'beds-admit-dialog')
  await dialog.getByRole('button', { name: 'Admit', exact: true }).click()
  await dialog.waitFor({ state: 'detached' })
  await counts.filter({ hasText: '3 free · 1 occupied · 4 beds' }).waitFor({ timeout: liveTimeout })
  await card.getByTestId('bed-C1').filter({ hasText: walkInName }).waitFor({ timeout: liveTimeout })
  await step(page, 'beds-admitted')

  await card.getByRole('button', { name: `Bed C1: ${walkInName}, actions` }).click()
  await page.getByRole('menuitem', { name: 'Discharge…' }).click()
  const discharge = page.getByRole('dialog', { name: `Discharge ${walkInName}` })
  await discharge.getByLabel('Discharge summary').fill('Blood pressure settled overnight; home with GP follow-up.')
  await checkA11y(page, 'discharge dialog')
  await discharge.getByRole('button', { name: 'Discharge and free the bed' }).click()
  await discharge.waitFor({ state: 'detached' })
  await counts.filter({ hasText: '4 free · 0 occupied · 4 beds' }).waitFor({ timeout: liveTimeout })
  await step(page, 'beds-discharged')
})

dayTest('the day’s other screens: patients, notifications and the ward display', async () => {
  const page = pages.reception
  await goTo(page, 'Patients')
  await page.getByLabel('Name, MRN or ID').fill('Novak')
  await page.getByRole('button', { name: 'Search', exact: true }).click()
  await page.getByRole('row').filter({ hasText: people.patient.name }).waitFor({ timeout: liveTimeout })
  await step(page, 'patients-search')

  const patient = pages.patient
  await goTo(patient, 'Notifications')
  await patient.getByTestId('notifications-list').waitFor()
  await step(patient, 'patient-notifications')

  await page.goto(`/display/${dept.id}`)
  await page.getByTestId('now-serving').waitFor({ timeout: liveTimeout })
  await page.getByTestId('next-list').getByTestId(`display-ticket-${tickets.walkIn}`).waitFor({ timeout: liveTimeout })
  assert.doesNotMatch(await page.locator('body').textContent(), new RegExp(walkInName))
  await step(page, 'ward-display')
})

e2eTest('checkA11y fails on a serious violation, naming the rule and the element', async () => {
  // The check itself can fail: a page with a button that has no name and an input without a label.
  const page = await hms.newPage({ width: 800, height: 600 })
  await page.setContent('<main><h1>t</h1><button id="nameless"></button><input id="unlabelled"></main>')
  await assert.rejects(checkA11y(page, 'a broken page'), (e) => {
    assert.match(e.message, /on a broken page/)
    assert.match(e.message, /critical button-name: .*#nameless/)
    assert.match(e.message, /critical label: .*#unlabelled/)
    return true
  })
  await hms.closePage(page)
})
