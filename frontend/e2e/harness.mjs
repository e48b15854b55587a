// The browser end-to-end harness: a real HMS server (bin/hms serve on a free port, a fresh DATA_DIR on
// the embedded database) seeded over REST, and Debian's headless Chromium driven by playwright-core (no
// browser is ever downloaded). Every test file starts its own server and browser with `startHms()` and
// stops them in `after`; `e2eTest` wraps node:test's `test` so a failure prints the server's log tail,
// the pages' console errors and a screenshot of each open page.
import { spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const artifacts = join(repoRoot, 'test-artifacts')
const chromiumPath = '/usr/bin/chromium'
const hmsBinary = join(repoRoot, 'bin/hms')

/** Everyone's password (8+ characters, not a common one, not the email). */
const password = 'E2e-Passw0rd-Ward-7'
const admin = { email: 'admin@e2e.hms', password: 'Admin-E2e-Passw0rd-1' }
const browserArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** How long a live update may take to reach a screen before a test gives up. */
export const liveTimeout = 10_000

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for the server to take). */
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.on('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** One bin/hms serve process; it can be stopped and started again on the same port and data. */
class Server {
  constructor(port, dataDir, extraEnv = {}) {
    this.port = port
    this.dataDir = dataDir
    this.extraEnv = extraEnv
    this.url = `http://127.0.0.1:${port}`
    this.log = []
    this.proc = null
  }

  async start() {
    if (!existsSync(hmsBinary)) throw new Error(`${hmsBinary} is missing: run scripts/e2e.sh (it builds it)`)
    const env = {
      ...process.env,
      HTTP_ADDR: `127.0.0.1:${this.port}`,
      DATA_DIR: this.dataDir,
      DATABASE_URL: '',
      REDIS_URL: '',
      JWT_SECRET: 'e2e-0123456789abcdef0123456789abcdef-secret',
      SECRET_KEY: 'e2e-fedcba9876543210fedcba9876543210-key',
      DEBUG: 'false',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      // The browser's calendar decides "today" on the screens; keep the server's the same.
      HOSPITAL_TZ: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
      SHUTDOWN_TIMEOUT: '3s',
      ...this.extraEnv,
    }
    const proc = spawn(hmsBinary, ['serve'], { cwd: this.dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    this.proc = proc
    const keep = (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line) this.log.push(line)
      if (this.log.length > 2000) this.log.splice(0, this.log.length - 2000)
    }
    proc.stdout.on('data', keep)
    proc.stderr.on('data', keep)
    const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })))
    this.exited = exited
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline) {
      const done = await Promise.race([exited, sleep(100).then(() => null)])
      if (done) throw new Error(`hms exited during start-up (${done.code ?? done.signal}):\n${this.tail()}`)
      try {
        const r = await fetch(`${this.url}/healthz`)
        if (r.ok) return
      } catch {
        // not listening yet
      }
    }
    throw new Error(`hms did not answer /healthz within 20 s:\n${this.tail()}`)
  }

  /** Stops the server (SIGTERM, then SIGKILL after 8 s) and waits for it to exit. */
  async stop() {
    const proc = this.proc
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    proc.kill('SIGTERM')
    const done = await Promise.race([this.exited, sleep(8000).then(() => null)])
    if (!done) {
      proc.kill('SIGKILL')
      await this.exited
    }
    this.proc = null
  }

  tail(n = 60) {
    return this.log.slice(-n).join('\n')
  }
}

/** A signed-in API caller: `call(method, path, body)` returns the parsed answer or throws with it. */
class Client {
  constructor(baseURL, token) {
    this.baseURL = baseURL
    this.token = token
  }

  static async login(baseURL, email, pw) {
    const r = await request(baseURL, 'POST', '/api/auth/login', { email, password: pw })
    return new Client(baseURL, r.token)
  }

  call(method, path, body) {
    return request(this.baseURL, method, path, body, this.token)
  }
}

async function request(baseURL, method, path, body, token) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (token) headers.Authorization = `Bearer ${token}`
  const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }
  const res = await fetch(baseURL + path, init)
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`)
  return text ? JSON.parse(text) : null
}

/** Today as YYYY-MM-DD in this machine's zone (the server runs with the same HOSPITAL_TZ). */
export function today(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

const mailpitBinary = join(repoRoot, '.cache/bin/mailpit')

/**
 * A mailpit process (a real SMTP server that keeps what it receives and shows it through an HTTP API),
 * for the emails a person would read: a registration's confirmation link. scripts/e2e.sh builds it into
 * .cache/bin (scripts/lib.sh's ensure_mailpit), as scripts/test.sh does for the Go mail tests.
 */
class Mailpit {
  async start(dir) {
    if (!existsSync(mailpitBinary)) {
      throw new Error(`${mailpitBinary} is missing: run scripts/e2e.sh (it builds it) or ` +
        'GOBIN=$PWD/.cache/bin go install github.com/axllent/mailpit@v1.33.1')
    }
    const [smtp, http] = [await freePort(), await freePort()]
    this.smtpPort = smtp
    this.api = `http://127.0.0.1:${http}`
    this.proc = spawn(mailpitBinary, [
      '--smtp', `127.0.0.1:${smtp}`, '--listen', `127.0.0.1:${http}`, '--database', join(dir, 'mailpit.db'),
      '--disable-version-check', '--quiet', '--smtp-disable-rdns',
    ], { stdio: ['ignore', 'ignore', 'pipe'] })
    let errors = '' // what it says on stderr (it is --quiet otherwise), for a failed start
    this.proc.stderr.on('data', (b) => (errors = (errors + b).slice(-2000)))
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`mailpit exited during start-up (${this.proc.exitCode}): ${errors}`)
      try {
        if ((await fetch(`${this.api}/readyz`)).ok) return
      } catch {
        // not listening yet
      }
      await sleep(100)
    }
    throw new Error('mailpit did not answer /readyz within 15 s')
  }

  /** The server's settings to send through this mailpit (plain SMTP on loopback, no login). */
  env() {
    return { EMAIL_HOST: '127.0.0.1', EMAIL_PORT: String(this.smtpPort), EMAIL_TLS: 'none', EMAIL_FROM: 'HMS <no-reply@e2e.hms>' }
  }

  /** Waits for an email to `to` and returns the first link in its text that matches `pattern`. */
  async link(to, pattern, timeout = liveTimeout) {
    const deadline = Date.now() + timeout
    while (Date.now() < deadline) {
      const list = await (await fetch(`${this.api}/api/v1/messages`)).json()
      for (const m of list.messages ?? []) {
        if (!m.To?.some((t) => t.Address === to)) continue
        const msg = await (await fetch(`${this.api}/api/v1/message/${m.ID}`)).json()
        const found = (msg.Text ?? '').match(pattern)
        if (found) return found[0]
      }
      await sleep(200)
    }
    throw new Error(`no email to ${to} with a link matching ${pattern} within ${timeout} ms`)
  }

  stop() {
    this.proc?.kill('SIGKILL')
  }
}

const stripeMockBinary = join(repoRoot, '.cache/bin/stripe-mock')

/**
 * A stripe-mock process (Stripe's own API emulator: it checks each request against Stripe's API
 * description and answers with Stripe's fixtures), for online payment: the server makes its Checkout
 * Sessions there. scripts/e2e.sh builds it into .cache/bin (scripts/lib.sh's ensure_stripe_mock), and it
 * is started the way server/internal/testenv's StripeMock does: both listeners on free loopback ports.
 * Stripe's webhook is the test's to send, signed with `webhookSecret` (`env.stripe.sign(body)`).
 */
class StripeMock {
  webhookSecret = 'whsec_hms_e2e_secret'

  async start() {
    if (!existsSync(stripeMockBinary)) {
      throw new Error(`${stripeMockBinary} is missing: run scripts/e2e.sh (it builds it) or ` +
        'GOWORK=off GOBIN=$PWD/.cache/bin go install github.com/stripe/stripe-mock@v0.203.0')
    }
    // Without -https-addr it would also take the fixed port 12112, which another stripe-mock may hold.
    const [http, https] = [await freePort(), await freePort()]
    this.url = `http://127.0.0.1:${http}`
    this.proc = spawn(stripeMockBinary, ['-http-addr', `127.0.0.1:${http}`, '-https-addr', `127.0.0.1:${https}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let errors = '' // the tail of what it says, for a failed start
    this.proc.stderr.on('data', (b) => (errors = (errors + b).slice(-2000)))
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`stripe-mock exited during start-up (${this.proc.exitCode}): ${errors}`)
      try {
        // It asks for a key, so a 401 is an answer.
        await fetch(`${this.url}/v1/balance`)
        return
      } catch {
        // not listening yet
      }
      await sleep(100)
    }
    throw new Error('stripe-mock did not answer within 30 s')
  }

  /** The server's settings to take online payment through this stripe-mock. */
  env() {
    // stripe-mock takes a key that looks like a test key: sk_test_ then letters and digits only.
    return { STRIPE_SECRET_KEY: 'sk_test_hmse2e', STRIPE_WEBHOOK_SECRET: this.webhookSecret, STRIPE_API_BASE: this.url }
  }

  /**
   * The Stripe-Signature header Stripe would send with `body` (a string): `t=<unix seconds>,v1=<hex
   * HMAC-SHA256 of "<t>.<body>" keyed with the webhook's signing secret>`.
   */
  sign(body, at = new Date()) {
    const t = Math.floor(at.getTime() / 1000)
    const v1 = createHmac('sha256', this.webhookSecret).update(`${t}.${body}`).digest('hex')
    return `t=${t},v1=${v1}`
  }

  stop() {
    this.proc?.kill('SIGKILL')
  }
}

/**
 * Starts a server on a free port with a fresh data directory, seeds it and launches Chromium. Seeded:
 * the department "general", a doctor in it working every day around the clock, a receptionist (staff)
 * and a patient. With `mail: true` the server sends its email to a mailpit the test reads
 * (`env.mail.link(to, pattern)`). With `stripe: true` patients can pay online: the server's Stripe is a
 * stripe-mock, PUBLIC_URL is the server's own address (where Stripe's page sends the patient back), and
 * the test delivers Stripe's webhook itself (`env.stripe.sign(body)`). `env` adds settings of the server's own
 * (MAP_TILE_URL pointing at a tile server the test runs). Returns the environment; call
 * `stop()` when done.
 */
export async function startHms({ mail = false, stripe = false, env: serverEnv = {} } = {}) {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: run 'make setup' or 'apt-get install chromium'`)
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'hms-e2e-'))
  const mailpit = mail ? new Mailpit() : null
  const stripeMock = stripe ? new StripeMock() : null
  let server
  let env
  try {
    await Promise.all([mailpit?.start(dataDir), stripeMock?.start()])
    const port = await freePort()
    const extra = { ...mailpit?.env(), ...stripeMock?.env(), ...serverEnv }
    if (stripeMock) extra.PUBLIC_URL = `http://127.0.0.1:${port}`
    server = new Server(port, dataDir, extra)
    env = new Env(server, dataDir)
    env.mail = mailpit
    env.stripe = stripeMock
  } catch (e) {
    mailpit?.stop()
    stripeMock?.stop()
    rmSync(dataDir, { recursive: true, force: true })
    throw e
  }
  try {
    await server.start()
    await env.seed()
    env.browser = await chromium.launch({ executablePath: chromiumPath, args: browserArgs })
  } catch (e) {
    await env.stop()
    throw e
  }
  current = env
  return env
}

/** The environment of the running test file, for failure reports. */
let current = null

class Env {
  constructor(server, dataDir) {
    this.server = server
    this.dataDir = dataDir
    this.baseURL = server.url
    this.browser = null
    this.contexts = []
    this.problems = [] // console errors and page errors, printed when a test fails
    this.accounts = {}
  }

  async seed() {
    const a = await Client.login(this.baseURL, admin.email, admin.password)
    this.admin = a
    this.accounts.admin = admin
    this.department = 'general'
    await a.call('POST', '/api/departments', { id: this.department, name: 'General medicine' })
    const register = (name, email, role) => a.call('POST', '/api/auth/register', { name, email, password, role })

    const doc = await register('Dr Grace Okafor', 'doctor@e2e.hms', 'doctor')
    await a.call('PUT', `/api/doctors/${doc.id}`, { specialty: 'General practice', department: this.department })
    // Every weekday around the clock, so the tests run at any hour.
    const weekly = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '00:00', end: '24:00' }))
    await a.call('PUT', `/api/doctors/${doc.id}/schedule`, { weekly, slot_minutes: 15 })
    this.accounts.doctor = { email: 'doctor@e2e.hms', password, id: doc.id }

    await register('Rita Mensah', 'reception@e2e.hms', 'staff')
    this.accounts.staff = { email: 'reception@e2e.hms', password }

    const pat = await register('Peter Lindqvist', 'patient@e2e.hms', 'patient')
    this.accounts.patient = { email: 'patient@e2e.hms', password, patientId: pat.patient_id, id: pat.id }
  }

  /** A REST client signed in as one of the seeded accounts (admin, doctor, staff, patient). */
  client(who) {
    const acc = this.accounts[who]
    return Client.login(this.baseURL, acc.email, acc.password)
  }

  /**
   * A new browser context (its own session storage, so its own sign-in) and page at the given size,
   * with console errors collected for failure reports.
   */
  async newPage({ width = 1366, height = 768 } = {}) {
    const ctx = await this.browser.newContext({ viewport: { width, height }, baseURL: this.baseURL })
    ctx.setDefaultTimeout(15_000)
    this.contexts.push(ctx)
    const page = await ctx.newPage()
    page.on('console', (m) => {
      if (m.type() === 'error') this.problems.push(`[console] ${page.url()}: ${m.text()}`)
    })
    page.on('pageerror', (e) => this.problems.push(`[pageerror] ${page.url()}: ${e.message}`))
    return page
  }

  /**
   * Opens `path` in a new page and signs in through the form as one of the seeded accounts; waits for
   * the URL to match `landing` (default: stay on `path`) and for the live badge to say live.
   * `beforeSignIn(page)` runs first (e.g. to listen to the page's websocket from its start).
   */
  async signedInPage(who, path = '/', { landing, beforeSignIn } = {}) {
    const page = await this.newPage()
    await beforeSignIn?.(page)
    await signIn(page, path, this.accounts[who])
    await page.waitForURL((u) => u.pathname.startsWith(landing ?? path))
    await waitLive(page)
    return page
  }

  /** Closes one page's context. */
  async closePage(page) {
    const ctx = page.context()
    this.contexts = this.contexts.filter((c) => c !== ctx)
    await ctx.close().catch(() => undefined)
  }

  /** Closes every browser context opened (and so their pages). */
  async closePages() {
    const cs = this.contexts.splice(0)
    await Promise.all(cs.map((c) => c.close().catch(() => undefined)))
  }

  /** Stops the server, the restartable way (same port and data directory). */
  stopServer() {
    return this.server.stop()
  }

  startServer() {
    return this.server.start()
  }

  /** Prints what helps understand a failure: the server log tail, page errors, page screenshots. */
  async report(name) {
    const lines = [`--- e2e failure in "${name}": server log tail (${this.baseURL}) ---`, this.server.tail()]
    if (this.problems.length) lines.push('--- browser console errors ---', ...this.problems.slice(-30))
    const dir = join(artifacts, 'e2e-failures')
    mkdirSync(dir, { recursive: true })
    let i = 0
    for (const ctx of this.contexts) {
      for (const p of ctx.pages()) {
        const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}-${++i}.png`)
        const ok = await p.screenshot({ path: file, timeout: 5000 }).then(
          () => true,
          () => false,
        )
        if (ok) lines.push(`screenshot of ${p.url()}: ${file}`)
      }
    }
    console.error(lines.join('\n'))
  }

  async stop() {
    await this.closePages()
    await this.browser?.close().catch(() => undefined)
    this.browser = null
    await this.server.stop()
    this.mail?.stop()
    this.stripe?.stop()
    rmSync(this.dataDir, { recursive: true, force: true })
    if (current === this) current = null
  }
}

/** Fills and submits the sign-in form at `path` (a deep link stays where it is after sign-in). */
export async function signIn(page, path, account) {
  await page.goto(path)
  await page.getByLabel('Email').fill(account.email)
  await page.getByLabel('Password').fill(account.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/**
 * What the focused element is, for keyboard navigation: its tag, type, label or text, state, and
 * whether the browser shows it as focused (:focus-visible with an outline or a focus ring drawn).
 */
export function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement
    if (!el || el === document.body) return null
    const label = el.labels?.[0]?.textContent ?? el.getAttribute('aria-label') ?? el.textContent ?? ''
    const cs = getComputedStyle(el)
    const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none'
    return {
      tag: el.tagName.toLowerCase(),
      type: el.getAttribute('type') ?? '',
      role: el.getAttribute('role') ?? '',
      label: label.trim(),
      value: 'value' in el ? el.value : '',
      checked: el.checked === true,
      disabled: el.disabled === true,
      testid: el.getAttribute('data-testid') ?? '',
      visible: el.matches(':focus-visible') && ring,
    }
  })
}

/**
 * Presses Tab (or Shift+Tab with `back`) until the focused element matches; past the last element Tab
 * wraps to the first. Returns what is focused then.
 */
export async function tabTo(page, what, match, { max = 150, back = false } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab')
    const f = await focused(page)
    if (f && match(f)) return f
  }
  throw new Error(`${back ? 'Shift+Tab' : 'Tab'} never reached ${what} in ${max} presses`)
}

/** Waits for the page's live badge to say the connection is live. */
export function waitLive(page, timeout = liveTimeout) {
  return page.locator('[data-testid="live-status"][data-status="live"]').first().waitFor({ timeout })
}

/** Marks the page's document, so that `assertNotReloaded` can tell it was never reloaded. */
export async function markPage(page) {
  await page.evaluate(() => {
    window.__e2eMark = 'not reloaded'
  })
}

/** Throws when the page was reloaded or navigated away since `markPage`. */
export async function assertNotReloaded(page) {
  const mark = await page.evaluate(() => window.__e2eMark)
  if (mark !== 'not reloaded') throw new Error(`${page.url()} was reloaded: live updates must arrive without one`)
}

/**
 * A test that, when it fails, reports what the server and the browser were doing (unless the error says
 * it was `reported` already).
 */
export function e2eTest(name, fn) {
  return test(name, async (t) => {
    try {
      await fn(t)
    } catch (e) {
      if (current && !e?.reported) await current.report(name)
      throw e
    }
  })
}

/** Makes sure test-artifacts/<sub> exists and returns its path. */
export function artifactDir(sub = '') {
  const dir = join(artifacts, sub)
  mkdirSync(dir, { recursive: true })
  return dir
}

/** axe-core's source, read once from node_modules (never downloaded). */
let axeSource = null

/**
 * Runs axe-core on the page as it is now and throws listing every violation rated serious or critical
 * (rule id, help, the first few target selectors); `name` says which screen in the message. Rules rated
 * minor or moderate are not checked. axe only reads the document.
 */
export async function checkA11y(page, name) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core'), 'utf8')
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy (script-src 'self')
  // does not govern; a script tag would be refused, and the policy stays as the server sends it.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(`${axeSource}\n;true`)
  const violations = await page.evaluate(async () => {
    // Only WCAG A/AA and best-practice rules: the same set axe runs by default.
    const r = await window.axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 4).map((n) => n.target.join(' ')),
      count: v.nodes.length,
    }))
  })
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  if (bad.length) {
    const lines = bad.map(
      (v) => `  ${v.impact} ${v.id}: ${v.help} (${v.count} element${v.count === 1 ? '' : 's'}: ${v.targets.join(' | ')})`,
    )
    throw new Error(`axe found ${bad.length} serious or critical violation(s) on ${name} (${page.url()}):\n${lines.join('\n')}`)
  }
}

// A test file that crashes must not leave its server behind.
process.once('exit', () => {
  current?.server.proc?.kill('SIGKILL')
  current?.mail?.stop()
  current?.stripe?.stop()
})

/**
 * Goes to one of the header's screens as a person would: its link in the header, or, where the header
 * folds its links into the menu (narrow screens, long navigations), the menu's item.
 */
export async function goTo(page, label) {
  const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true })
  if (await link.isVisible()) return link.click()
  await page.getByRole('button', { name: /^Menu/ }).click()
  await page.getByRole('menuitem', { name: label, exact: true }).click()
}
