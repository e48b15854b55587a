#!/usr/bin/env node
// Lists every API route that no screen calls. A route is "called" when the web UI's source (not its
// tests) names its method and path: the typed client (`api.GET('/api/x/{id}')`), the query hooks
// (`$api.useQuery('get', '/api/x')`), or a plain fetch (`fetch('/api/x', { method: 'POST' })`); a
// `${…}` in a path stands for any one segment. Routes meant for machines, not people, are named below
// with the reason; any other route no screen calls is a capability people cannot reach, and the
// script fails listing it.
//
// Usage: node scripts/unused-routes.mjs [openapi.json]   (make unused-routes builds the document first)
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Routes for machines, with why no screen calls them. */
const machineFacing = {
  'GET /healthz': 'liveness probe for load balancers and orchestrators',
  'GET /readyz': 'readiness probe for load balancers and orchestrators',
  'GET /metrics': 'Prometheus scrapes it (METRICS_TOKEN)',
  'GET /api/openapi.json': 'the API description, for integrators and client generators',
  'GET /api/version': 'the build running, for deploy checks and support (hms version prints the same)',
  'POST /api/payments/stripe/webhook': 'Stripe posts payment events here, signed; no person calls it',
  'POST /oauth/token':
    'the OAuth 2.0 token endpoint: integration clients (other systems) trade their id and secret for a FHIR ' +
    'token here (docs/integrations.md); the admin registers them on Administration → Integrations',
  'POST /api/webhooks/inbound/{id}': 'insurers and external pharmacies post their signed webhooks here (docs/integrations.md); no person calls it',
  'GET /api/users/{id}':
    'one account by id, for API clients and provisioning scripts; the admin reads accounts from the paged ' +
    'list (GET /api/users), whose rows hold every field the screen shows and edits, and no link opens one',
  'GET /api/admissions/{id}':
    'one admission by id, for API clients and integrations; the beds event (beds.updated) carries whole ' +
    'ward boards, not one admission, so the screens read GET /api/admissions and the boards instead',
}

// The FHIR R4 API (docs/fhir.md) is for other systems' FHIR clients, not the screens.
for (const route of ['GET /fhir/R4/metadata', 'GET /fhir/R4/Patient', 'GET /fhir/R4/Patient/{id}', 'GET /fhir/R4/Practitioner',
  'GET /fhir/R4/Practitioner/{id}', 'GET /fhir/R4/Organization/{id}', 'GET /fhir/R4/Slot',
  'GET /fhir/R4/Schedule', 'GET /fhir/R4/Schedule/{id}', 'GET /fhir/R4/Location', 'GET /fhir/R4/Location/{id}',
  'GET /fhir/R4/Appointment', 'POST /fhir/R4/Appointment', 'GET /fhir/R4/Appointment/{id}', 'PATCH /fhir/R4/Appointment/{id}',
  'PUT /fhir/R4/Appointment/{id}', 'GET /fhir/R4/Encounter', 'GET /fhir/R4/Encounter/{id}']) {
  machineFacing[route] = 'the FHIR R4 API, for other systems\' FHIR clients (docs/fhir.md); the screens use the REST API'
}
for (const resource of ['Observation', 'DiagnosticReport', 'MedicationRequest', 'Coverage', 'Claim', 'ClaimResponse']) {
  for (const route of [`GET /fhir/R4/${resource}`, `GET /fhir/R4/${resource}/{id}`]) {
    machineFacing[route] = 'the FHIR R4 API, for other systems\' FHIR clients (docs/fhir.md); the screens use the REST API'
  }
}

const doc = JSON.parse(readFileSync(process.argv[2] ?? join(root, 'bin/openapi.json'), 'utf8'))
const routes = []
for (const [path, ops] of Object.entries(doc.paths)) {
  for (const method of Object.keys(ops)) {
    if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) routes.push({ method: method.toUpperCase(), path })
  }
}

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) yield* sources(p)
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) && !/\.d\.ts$/.test(name) && !p.includes('/test/')) yield p
  }
}

// Every (method, path) the screens name.
const calls = []
const q = `['"\`]`
const patterns = [
  // api.GET('/x'  and  $api.useQuery('get', '/x'  (any whitespace, across lines)
  new RegExp(`\\b(GET|POST|PUT|PATCH|DELETE|get|post|put|patch|delete)${q}?\\s*[,(]\\s*${q}(/[^'"\`]*)${q}`, 'g'),
]
// fetch('/x', { method }), and the helpers that fetch a file with the token: fetchBlob('/x'),
// authFetch(new Request(new URL('/x', …))).
const fetchCall = new RegExp(`(?:fetch(?:Fn|Blob)?\\(|new URL\\()\\s*${q}(/[^'"\`]*)${q}\\s*(?:,\\s*\\{([^}]*)\\})?`, 'g')
for (const file of sources(join(root, 'frontend/src'))) {
  const text = readFileSync(file, 'utf8')
  for (const re of patterns) {
    for (const m of text.matchAll(re)) calls.push({ method: m[1].toUpperCase(), path: m[2], file })
  }
  for (const m of text.matchAll(fetchCall)) {
    const method = /method:\s*['"](\w+)['"]/.exec(m[2] ?? '')?.[1] ?? 'GET'
    calls.push({ method: method.toUpperCase(), path: m[1], file })
  }
  // A call whose path is a variable (api.POST(paths[step], …)) may call any path the same file names.
  for (const m of text.matchAll(/\bapi\.(GET|POST|PUT|PATCH|DELETE)\(\s*[^'"`\s]/g)) {
    for (const lit of text.matchAll(new RegExp(`${q}(/api/[^'"\`]*)${q}`, 'g'))) calls.push({ method: m[1], path: lit[1], file })
  }
  // The live connection's URL: the websocket is opened, not fetched.
  if (text.includes('/ws?ticket=')) calls.push({ method: 'GET', path: '/ws', file })
}

/** Whether a path the source names (with ${…} for a segment) is the route's path ({param} for a segment). */
function same(route, named) {
  const a = route.split('/')
  const b = named.split('?')[0].split('/')
  if (a.length !== b.length) return false
  return a.every((seg, i) => seg === b[i] || /^\{.*\}$/.test(seg) || /\$\{/.test(b[i]))
}

const unused = routes.filter((r) => !calls.some((c) => c.method === r.method && same(r.path, c.path)))
const unexplained = unused.filter((r) => !machineFacing[`${r.method} ${r.path}`])
console.log(`${routes.length} routes; the screens call ${routes.length - unused.length}.`)
for (const r of unused) {
  const why = machineFacing[`${r.method} ${r.path}`]
  if (why) console.log(`  machine-facing  ${r.method} ${r.path}: ${why}`)
}
if (unexplained.length > 0) {
  console.log(`\n${unexplained.length} routes no screen calls:`)
  for (const r of unexplained) console.log(`  ${r.method} ${r.path}`)
  process.exit(1)
}
