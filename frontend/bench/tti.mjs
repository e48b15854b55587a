// Time to interactive of the doctor's desk on the embedded default with many patients on record.
//
// Starts a real server (bin/hms serve, fresh data directory, the e2e harness's seed: a department, a
// doctor working around the clock, staff, a patient), registers -n patients (default 10,000) over
// REST, checks 20 of them in to the doctor's department and books 10 appointments with the doctor for
// today, then loads /doctor signed in as the doctor -runs times in headless Chromium, each in a new
// browser context (nothing cached) holding a fresh session as a reload would.
//
// For each load it records, from the navigation's start:
//   - queue shown: the doctor's queue lists all 20 waiting tickets;
//   - TTI: the end of the last long task (> 50 ms on the main thread) before a quiet window of 2 s
//     with no long task and at most 2 requests in flight, or "queue shown" when later (Lighthouse's
//     definition, with a shorter quiet window; long tasks come from PerformanceObserver).
// and prints each run and the median. Usage: node bench/tti.mjs [-n 10000] [-runs 5]
import { performance } from 'node:perf_hooks'
import { startHms } from '../e2e/harness.mjs'

const args = process.argv.slice(2)
const flag = (name, dflt) => {
  const i = args.indexOf(`-${name}`)
  return i >= 0 ? Number(args[i + 1]) : dflt
}
const patients = flag('n', 10_000)
const runs = flag('runs', 5)
const waiting = 20
const booked = 10
const quietMs = 2000

const env = await startHms()
try {
  const admin = env.admin
  const t0 = performance.now()
  // Register the patients, 16 requests at a time.
  let next = 0
  const ids = []
  const first = ['Ana', 'José', 'Zoë', 'Wei', 'Olga', 'Raj', 'Emma', 'Noah', 'Amélie', 'Søren']
  const last = ['García', 'Müller', 'Smith', 'Nguyen', 'Tanaka', 'Silva', 'Kim', 'Singh', 'Rossi', 'Moreau']
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (;;) {
        const i = next++
        if (i >= patients) return
        const name = `${first[i % 10]} ${last[Math.floor(i / 10) % 10]} ${i}`
        const year = 1940 + (i % 80)
        const p = await admin.call('POST', '/api/patients', {
          name,
          date_of_birth: `${year}-0${1 + (i % 9)}-1${i % 10}`,
          sex: ['female', 'male', 'other', 'unknown'][i % 4],
          phone: `+44 20 ${String(7000_0000 + i)}`,
        })
        ids.push(p.id)
      }
    }),
  )
  console.log(`seeded ${patients} patients in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  const doctor = env.accounts.doctor
  for (let i = 0; i < waiting; i++) {
    await admin.call('POST', '/api/queue/checkin', {
      department: env.department,
      patient_id: ids[i],
      doctor_id: doctor.id,
      triage: 3 + (i % 3),
    })
  }
  // Appointments today with the doctor, in slots from now on (the doctor works around the clock).
  const slots = await admin.call('GET', `/api/doctors/${doctor.id}/slots?date=${todayInZone()}`)
  const free = (slots.slots ?? slots).filter((s) => s.available !== false && new Date(s.start) > new Date())
  for (let i = 0; i < Math.min(booked, free.length); i++) {
    await admin.call('POST', '/api/appointments', { patient_id: ids[waiting + i], doctor_id: doctor.id, start: free[i].start })
  }

  const results = []
  for (let r = 0; r < runs; r++) {
    // A new browser context each run: nothing cached. It starts signed in, as a reload does: the
    // session's refresh token is where the web UI keeps it (session storage, hms.session).
    const login = await fetch(`${env.baseURL}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: doctor.email, password: doctor.password }),
    }).then((res) => res.json())
    const p = await env.newPage()
    await p.addInitScript((token) => {
      if (!sessionStorage.getItem('hms.session')) sessionStorage.setItem('hms.session', token)
      window.__longTasks = []
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__longTasks.push(e.startTime + e.duration)
      }).observe({ type: 'longtask', buffered: true })
    }, login.refresh_token)
    let inflight = 0
    p.on('request', () => {
      inflight++
    })
    const done = () => {
      inflight--
    }
    p.on('requestfinished', done)
    p.on('requestfailed', done)
    await p.goto('/doctor')
    await p.waitForFunction(
      (n) => document.querySelectorAll('[data-testid^="queue-ticket-"]').length >= n,
      waiting,
      { timeout: 60_000 },
    )
    const shown = await p.evaluate(() => performance.now())
    // Wait for a quiet window: no long task and no request burst for quietMs.
    let tti = shown
    for (;;) {
      await p.waitForTimeout(250)
      const tasks = await p.evaluate(() => window.__longTasks.slice())
      const lastTask = tasks.length ? Math.max(...tasks) : 0
      const now = await p.evaluate(() => performance.now())
      tti = Math.max(shown, lastTask)
      if (now - tti >= quietMs && inflight <= 2) break
      if (now > 60_000) throw new Error('the page never went quiet')
    }
    results.push({ shown, tti })
    console.log(`run ${r + 1}: queue shown ${shown.toFixed(0)} ms, TTI ${tti.toFixed(0)} ms`)
    await env.closePage(p)
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  console.log(
    `doctor's desk with ${patients} patients, ${waiting} waiting, ${booked} booked: ` +
      `median queue shown ${median(results.map((x) => x.shown)).toFixed(0)} ms, ` +
      `median TTI ${median(results.map((x) => x.tti)).toFixed(0)} ms over ${runs} cold loads`,
  )
} finally {
  await env.stop()
}

/** Today in this machine's zone (the server runs with the same zone as the harness). */
function todayInZone() {
  const d = new Date()
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}
