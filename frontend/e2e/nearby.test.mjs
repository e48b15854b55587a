// Nearby hospitals end to end against a real server, without the internet: a tiny tile server (node:http
// serving one PNG for every tile) is the server's MAP_TILE_URL, so the page's Content-Security-Policy
// allows images from it and from nowhere else. The admin imports the directory as a CSV file on the
// Hospitals tab; the patient opens Nearby hospitals, the browser shares the location (playwright's
// context geolocation), and the nearest three appear in order with their distances, the hospital's own
// site with its free beds; the map shows with tiles from the local server. axe checks both screens;
// test-artifacts/screenshots/nearby-NN-<step>.png at 1366x768.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { deflateSync, crc32 } from 'node:zlib'
import { artifactDir, checkA11y, e2eTest, startHms } from './harness.mjs'

/** A 256×256 PNG: light ground with a darker edge, so the tiles show as a grid. */
function tilePNG() {
  const size = 256
  const raw = Buffer.alloc((size * 3 + 1) * size)
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1)
    raw[row] = 0 // no filter
    for (let x = 0; x < size; x++) {
      const edge = x === 0 || y === 0
      raw.set(edge ? [196, 206, 216] : [234, 239, 244], row + 1 + x * 3)
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([len, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const png = tilePNG()
let tiles
let tileRequests = 0
let hms

before(async () => {
  const dir = artifactDir('screenshots')
  for (const f of readdirSync(dir)) if (/^nearby-\d+-.*\.png$/.test(f)) rmSync(join(dir, f))
  tiles = createServer((req, res) => {
    if (!/^\/\d+\/\d+\/\d+\.png$/.test(req.url ?? '')) {
      res.writeHead(404).end()
      return
    }
    tileRequests++
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length }).end(png)
  })
  await new Promise((ok) => tiles.listen(0, '127.0.0.1', ok))
  const tileURL = `http://127.0.0.1:${tiles.address().port}/{z}/{x}/{y}.png`
  hms = await startHms({ env: { MAP_TILE_URL: tileURL } })
})

after(async () => {
  await hms?.stop()
  await new Promise((ok) => (tiles ? tiles.close(ok) : ok()))
})

let shot = 0
async function snap(page, name) {
  const n = String(++shot).padStart(2, '0')
  await page.screenshot({ path: join(artifactDir('screenshots'), `nearby-${n}-${name}.png`), animations: 'disabled', fullPage: true })
}

/** Great-circle distance in km (the same haversine the server computes, written again to check it). */
function km(a, b) {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLng = (b.lng - a.lng) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)))
}

const directory = [
  { name: 'Charing Cross Clinic', address: 'Strand, London', lat: 51.5074, lng: -0.1278, phone: '020 7946 0001', services: 'outpatient' },
  { name: 'Kings Cross Hospital', address: 'Euston Road, London', lat: 51.5308, lng: -0.1238, phone: '020 7946 0002', services: 'emergency;icu', own: true },
  { name: 'Hampstead General', address: 'Pond Street, Hampstead', lat: 51.556, lng: -0.178, phone: '020 7946 0004', services: 'emergency;maternity' },
  { name: 'Greenwich Maternity', address: 'Vanbrugh Hill, Greenwich', lat: 51.4826, lng: -0.0077, phone: '020 7946 0003', services: 'maternity' },
  { name: 'Oxford Infirmary', address: 'Headley Way, Oxford', lat: 51.752, lng: -1.2577, phone: '01865 000005', services: 'emergency' },
]
const csv = [
  'id,name,address,lat,lng,phone,services,own,emergency_department',
  ...directory.map((h, i) => [`site-${i + 1}`, h.name, `"${h.address}"`, h.lat, h.lng, h.phone, h.services, h.own ? 'true' : '', h.own ? 'general' : ''].join(',')),
].join('\n')
const patientAt = { lat: 51.5101, lng: -0.1342 } // near Leicester Square

e2eTest('the admin imports the directory; the patient sees the nearest three in order, with distances and the map', async () => {
  // The own site's free beds: a ward of three beds in the seeded department.
  await hms.admin.call('POST', '/api/wards', { id: 'w-north', name: 'North ward', department: 'general' })
  await hms.admin.call('POST', '/api/wards/w-north/beds', { labels: ['N1', 'N2', 'N3'] })

  const admin = await hms.signedInPage('admin', '/admin')
  await admin.getByRole('tab', { name: 'Hospitals' }).click()
  const tab = admin.getByRole('tabpanel', { name: 'Hospitals' })
  // A file with bad rows first: nothing is imported and each row is named.
  await tab.getByLabel('File to import').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('name,lat,lng,services\nNowhere,95,0,\nSpa,1,1,spa\n') })
  await tab.getByRole('button', { name: 'Import', exact: true }).click()
  const problems = tab.getByTestId('hospitals-problems')
  await problems.getByText('row 1: lat must be from -90 to 90, not 95').waitFor()
  await problems.getByText(/^row 2: unknown service "spa"/).waitFor()
  await tab.getByText('The directory is empty: import a file above.').waitFor()

  await tab.getByLabel('File to import').setInputFiles({ name: 'london.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await tab.getByRole('button', { name: 'Import', exact: true }).click()
  await tab.getByTestId('hospitals-imported').getByText('Imported 5 entries: 5 new, 0 replaced.').waitFor()
  await admin.waitForFunction(() => document.querySelectorAll('[data-testid="hospitals-table"] tbody tr').length === 5)
  await checkA11y(admin, 'the admin’s Hospitals tab')
  await snap(admin, 'admin-hospitals')

  // The page's policy allows images from the tile server, and from no other host.
  const index = await fetch(hms.baseURL + '/patient')
  const csp = index.headers.get('content-security-policy') ?? ''
  const tileOrigin = `http://127.0.0.1:${tiles.address().port}`
  assert.match(csp, new RegExp(`img-src 'self' data: ${tileOrigin.replace(/[.:/]/g, '\\$&')};`), csp)

  const patient = await hms.signedInPage('patient', '/patient')
  await patient.context().grantPermissions(['geolocation'], { origin: hms.baseURL })
  await patient.context().setGeolocation({ latitude: patientAt.lat, longitude: patientAt.lng })
  await patient.getByRole('navigation', { name: 'My health' }).getByRole('link', { name: 'Nearby hospitals' }).click()
  await patient.getByRole('heading', { level: 1, name: 'Nearby hospitals' }).waitFor()
  await patient.getByText('Nearest to your location').waitFor()
  const items = patient.getByTestId('nearby-item')
  await items.first().waitFor()

  const expected = directory
    .map((h) => ({ ...h, d: km(patientAt, h) }))
    .filter((h) => h.d <= 50)
    .sort((a, b) => a.d - b.d)
  assert.equal(await items.count(), expected.length, 'Oxford is beyond the 50 km default')
  for (let i = 0; i < 3; i++) {
    const item = items.nth(i)
    const want = expected[i]
    assert.ok((await item.textContent()).includes(want.name), `item ${i + 1}: ${await item.textContent()}, want ${want.name}`)
    assert.equal(await item.getByTestId('nearby-distance').textContent(), `${want.d.toFixed(1)} km`, `${want.name}'s distance`)
  }
  assert.deepEqual(expected.slice(0, 3).map((h) => h.name), ['Charing Cross Clinic', 'Kings Cross Hospital', 'Hampstead General'])
  await items.nth(1).getByText('Our hospital').waitFor()
  await items.nth(1).getByText(/no one waiting in Emergency, 3 beds free/).waitFor()

  // The map, with tiles from the local server only.
  const map = patient.getByTestId('nearby-map')
  await map.waitFor()
  await patient.waitForFunction(() => {
    const imgs = [...document.querySelectorAll('img.leaflet-tile')]
    return imgs.length > 0 && imgs.some((i) => i.complete && i.naturalWidth === 256)
  })
  const sources = await patient.evaluate(() => [...document.querySelectorAll('img')].map((i) => new URL(i.src).origin))
  assert.ok(sources.every((o) => o === tileOrigin || o === location.origin), `images from: ${[...new Set(sources)].join(', ')}`)
  assert.ok(tileRequests > 0, 'no tile was fetched')
  await map.getByText('1. Charing Cross Clinic · ' + expected[0].d.toFixed(1) + ' km').waitFor()
  await checkA11y(patient, 'the patient’s Nearby hospitals')
  await snap(patient, 'patient-nearby')

  // The desk: Reception's tab, without a location (the desk's browser is not asked for one here), a
  // place typed as coordinates; the same nearest three.
  const desk = await hms.signedInPage('staff', '/reception')
  await desk.getByRole('tab', { name: 'Nearby' }).click()
  await desk.getByLabel('Or search near').fill(`${patientAt.lat}, ${patientAt.lng}`)
  await desk.getByRole('button', { name: 'Search', exact: true }).click()
  const deskItems = desk.getByTestId('nearby-item')
  await desk.waitForFunction(
    (want) => [...document.querySelectorAll('[data-testid="nearby-item"] .nb-name')].slice(0, 3).map((n) => n.textContent).join('|') === want,
    expected.slice(0, 3).map((h) => h.name).join('|'),
  )
  assert.equal(await deskItems.first().getByTestId('nearby-distance').textContent(), `${expected[0].d.toFixed(1)} km`)
  await checkA11y(desk, 'the desk’s Nearby hospitals')
  await snap(desk, 'reception-nearby')

  // Narrowed to maternity: Hampstead, then Greenwich.
  await patient.getByRole('combobox', { name: 'Service' }).selectOption('maternity')
  await patient.getByRole('heading', { name: 'Maternity near you' }).waitFor()
  await patient.waitForFunction(() => {
    const names = [...document.querySelectorAll('[data-testid="nearby-item"] .nb-name')].map((n) => n.textContent)
    return names.join('|') === 'Hampstead General|Greenwich Maternity'
  })
})
