// The nearby map on Google's tiles, without the internet: a stand-in for Google's Map Tiles API
// (node:http: POST /v1/createSession checks the key and answers a session; GET /v1/2dtiles/z/x/y
// serves one PNG only with that session and key) is GOOGLE_MAP_TILES_URL, and GOOGLE_MAPS_API_KEY is
// set. The patient's map shows tiles from it alone, with Google's attribution, and the page's policy
// allows images from that origin only. Screenshot test-artifacts/screenshots/nearby-google-01-patient.png.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { artifactDir, checkA11y, e2eTest, startHms } from './harness.mjs'

const key = 'AIzaE2E-test-key'
let google
let sessions = 0
const tiles = { ok: 0, refused: 0 }
let png
let hms

before(async () => {
  png = Buffer.from(
    // a 1×1 PNG scaled by the browser would not show a grid; any valid PNG does for "a tile loaded"
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mN8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==',
    'base64',
  )
  google = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    if (req.method === 'POST' && u.pathname === '/v1/createSession') {
      if (u.searchParams.get('key') !== key) return res.writeHead(403).end('{"error":{"code":403}}')
      sessions++
      const expiry = Math.floor(Date.now() / 1000) + 14 * 24 * 3600
      return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ session: `e2e-session-${sessions}`, expiry: String(expiry), tileWidth: 256, tileHeight: 256, imageFormat: 'png' }))
    }
    if (req.method === 'GET' && /^\/v1\/2dtiles\/\d+\/\d+\/\d+$/.test(u.pathname)) {
      if (u.searchParams.get('key') !== key || !/^e2e-session-\d+$/.test(u.searchParams.get('session') ?? '')) {
        tiles.refused++
        return res.writeHead(403).end()
      }
      tiles.ok++
      return res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length }).end(png)
    }
    res.writeHead(404).end()
  })
  await new Promise((ok) => google.listen(0, '127.0.0.1', ok))
  hms = await startHms({ env: { GOOGLE_MAPS_API_KEY: key, GOOGLE_MAP_TILES_URL: `http://127.0.0.1:${google.address().port}` } })
})

after(async () => {
  await hms?.stop()
  await new Promise((ok) => (google ? google.close(ok) : ok()))
})

e2eTest('with a Google Maps key the patient’s nearby map shows Google’s tiles, with its attribution', async () => {
  const origin = `http://127.0.0.1:${google.address().port}`
  const geojson = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', geometry: { type: 'Point', coordinates: [-0.1278, 51.5074] }, properties: { id: 'g1', name: 'Charing Cross Clinic', services: ['outpatient'] } },
      { type: 'Feature', geometry: { type: 'Point', coordinates: [-0.1238, 51.5308] }, properties: { id: 'g2', name: 'Kings Cross Hospital', services: ['emergency'] } },
    ],
  }
  const res = await fetch(hms.baseURL + '/api/hospitals/import', {
    method: 'POST',
    headers: { 'Content-Type': 'application/geo+json', Authorization: `Bearer ${hms.admin.token}` },
    body: JSON.stringify(geojson),
  })
  assert.equal(res.status, 200, await res.text())

  // Anonymous callers get no tiles (the template holds the key); the page's policy allows Google's origin.
  const anon = await (await fetch(hms.baseURL + '/api/hospital')).json()
  assert.equal(anon.map_tile_url, '')
  const csp = (await fetch(hms.baseURL + '/patient')).headers.get('content-security-policy') ?? ''
  assert.ok(csp.includes(`img-src 'self' data: ${origin};`), csp)

  const patient = await hms.signedInPage('patient', '/patient')
  await patient.context().grantPermissions(['geolocation'], { origin: hms.baseURL })
  await patient.context().setGeolocation({ latitude: 51.5101, longitude: -0.1342 })
  await patient.getByRole('navigation', { name: 'My health' }).getByRole('link', { name: 'Nearby hospitals' }).click()
  await patient.getByTestId('nearby-item').first().waitFor()
  const map = patient.getByTestId('nearby-map')
  await map.waitFor()
  await patient.waitForFunction(() => [...document.querySelectorAll('img.leaflet-tile')].some((i) => i.complete && i.naturalWidth > 0))
  const sources = await patient.evaluate(() => [...document.querySelectorAll('img.leaflet-tile')].map((i) => i.src))
  assert.ok(sources.length > 0 && sources.every((s) => s.startsWith(origin + '/v1/2dtiles/') && s.includes('session=e2e-session-1') && s.includes('key=')), sources.join('\n'))
  assert.ok(tiles.ok > 0 && tiles.refused === 0, `tiles served ${tiles.ok}, refused ${tiles.refused}`)
  assert.equal(sessions, 1, 'one session made and kept')
  await map.getByText('Map data © Google').waitFor()
  await checkA11y(patient, 'the patient’s Nearby hospitals on Google’s tiles')
  await patient.screenshot({ path: join(artifactDir('screenshots'), 'nearby-google-01-patient.png'), animations: 'disabled', fullPage: true })
})
