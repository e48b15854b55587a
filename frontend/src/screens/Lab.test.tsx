import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LabOrder, LabQueueItem } from '../api/types'
import { apiError, fakeServer, json, type Call } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { signIn } from '../test/session'
import { LabScreen } from './Lab'

const at = '2026-11-27T08:00:00.000Z'
const id = 'a'.repeat(24)
const item: LabQueueItem = {
  id,
  patient_name: 'Ann Smith',
  mrn: 'H00012345',
  tests: [
    { code: 'K', name: 'Potassium' },
    { code: 'HCG', name: 'hCG' },
  ],
  priority: 'urgent',
  status: 'ordered',
  ordered_at: at,
  files: 0,
}
const ordered: LabOrder = {
  id,
  patient_id: 'b'.repeat(24),
  ordered_by: 'd'.repeat(24),
  tests: item.tests,
  priority: 'urgent',
  note: 'query hyperkalaemia',
  status: 'ordered',
  ordered_at: at,
  revision: 0,
  results: [],
  files: [],
}
const resulted: LabOrder = {
  ...ordered,
  status: 'resulted',
  revision: 1,
  results: [
    { code: 'K', value: 6.9, unit: 'mmol/L', range: { low: 3.5, high: 5.1 }, flag: 'H' },
    { code: 'HCG', text: 'negative', range: { text: 'negative' } },
  ],
}

let order: LabOrder
let queue: LabQueueItem[]
let calls: Call[]

function serve(extra: Record<string, Parameters<typeof fakeServer>[0][string]> = {}) {
  calls = fakeServer({
    'GET /api/lab-orders': () => ({ body: { items: queue, total: queue.length, page: 1, limit: 20 } }),
    [`GET /api/lab-orders/${id}`]: () => ({ body: order }),
    [`POST /api/lab-orders/${id}/results`]: (c) => {
      const b = c.body as { results: { code: string; value?: number; text?: string }[] }
      if (b.results.some((r) => r.code === 'K' && r.value === undefined))
        return apiError(400, 'invalid', 'results: K: the value must be a number')
      order = resulted
      queue = [{ ...item, status: 'resulted' }]
      return { status: 201, body: resulted }
    },
    ...extra,
  })
}

beforeEach(() => {
  signIn({ id: 'e'.repeat(24), role: 'staff' })
  order = ordered
  queue = [item]
  serve()
})

afterEach(() => {
  vi.restoreAllMocks()
})

async function openOrder() {
  const row = await screen.findByTestId(`order-${id}`)
  expect(row.textContent).toContain('Urgent')
  expect(row.textContent).toContain('Potassium, hCG')
  expect(row.textContent).toContain('Awaiting results')
  fireEvent.click(within(row).getByRole('button', { name: 'Ann Smith' }))
  return screen.findByRole('form', { name: 'Enter results' })
}

describe('LabScreen', () => {
  it('enters results with ranges and shows the flags the server computed; staff are told a doctor releases', async () => {
    renderLive(new FakeLive(), <LabScreen />)
    const form = await openOrder()
    expect(document.body.textContent).toContain('query hyperkalaemia')
    fireEvent.change(within(form).getByLabelText('Potassium result'), { target: { value: '6.9' } })
    fireEvent.change(within(form).getByLabelText('Potassium unit'), { target: { value: 'mmol/L' } })
    fireEvent.change(within(form).getByLabelText('Potassium normal from'), { target: { value: '3.5' } })
    fireEvent.change(within(form).getByLabelText('Potassium normal to'), { target: { value: '5.1' } })
    fireEvent.change(within(form).getByLabelText('hCG result'), { target: { value: 'negative' } })
    fireEvent.change(within(form).getByLabelText('hCG normal from'), { target: { value: 'negative' } })
    fireEvent.click(within(form).getByRole('button', { name: 'Save results' }))
    const results = await screen.findByTestId('lab-results')
    expect(results.textContent).toContain('6.9 mmol/L')
    expect(results.textContent).toContain('High')
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.body).toEqual({
      results: [
        { code: 'K', value: 6.9, unit: 'mmol/L', range: { low: 3.5, high: 5.1 } },
        { code: 'HCG', text: 'negative', range: { text: 'negative' } },
      ],
    })
    expect((await screen.findByTestId('release-note')).textContent).toContain('A doctor')
    expect(screen.queryByRole('button', { name: /Release/ })).toBeNull()
    await waitFor(() => expect(screen.getByTestId(`order-${id}`).textContent).toContain('Resulted, not released'))
  }, 20_000)

  it("shows the server's 400 in words next to the form", async () => {
    renderLive(new FakeLive(), <LabScreen />)
    const form = await openOrder()
    fireEvent.change(within(form).getByLabelText('Potassium result'), { target: { value: 'high-ish' } })
    fireEvent.click(within(form).getByRole('button', { name: 'Save results' }))
    expect((await within(form).findByRole('alert')).textContent).toBe('results: K: the value must be a number')
  })

  it('lets a doctor release a resulted report', async () => {
    signIn({ id: 'd'.repeat(24), role: 'doctor' })
    order = resulted
    queue = [{ ...item, status: 'resulted' }]
    serve({
      [`POST /api/lab-orders/${id}/release`]: () => {
        order = { ...resulted, status: 'released', released_by: 'd'.repeat(24), released_at: at }
        queue = []
        return { body: order }
      },
    })
    renderLive(new FakeLive(), <LabScreen />)
    fireEvent.click(within(await screen.findByTestId(`order-${id}`)).getByRole('button', { name: 'Ann Smith' }))
    fireEvent.click(await screen.findByRole('button', { name: 'Release to the patient' }))
    expect((await screen.findByText(/Released to the patient Fri 27 Nov/)).textContent).toContain('08:00')
  })

  it('sends the file as multipart and says in words why an upload was refused', async () => {
    // The fake server reads JSON bodies; the upload's multipart body is read here.
    const inner = vi.mocked(globalThis.fetch).getMockImplementation()!
    let sent: FormDataEntryValue | null = null
    vi.mocked(globalThis.fetch).mockImplementation(async (input, init) => {
      const req = input as Request
      if (req.method !== 'POST' || !req.url.endsWith('/files')) return inner(input, init)
      sent = (await req.formData()).get('file')
      const { status, body } = apiError(
        415,
        'unsupported_media_type',
        "only PDF, PNG and JPEG files are accepted (detected from the file's content)",
      )
      return json(body, status)
    })
    renderLive(new FakeLive(), <LabScreen />)
    await openOrder()
    const input = screen.getByLabelText(/Attach a file/)
    fireEvent.change(input, { target: { files: [new File(['hello'], 'notes.txt', { type: 'text/plain' })] } })
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }))
    expect((await screen.findByText(/Not attached/)).textContent).toBe(
      "Not attached: only PDF, PNG and JPEG files are accepted (detected from the file's content)",
    )
    expect((sent as File | null)?.name).toBe('notes.txt')
  })

  it('refuses a file over 10 MB before sending it', async () => {
    renderLive(new FakeLive(), <LabScreen />)
    await openOrder()
    const big = new File(['x'], 'scan.pdf', { type: 'application/pdf' })
    Object.defineProperty(big, 'size', { value: 11 * 1024 * 1024 })
    fireEvent.change(screen.getByLabelText(/Attach a file/), { target: { files: [big] } })
    expect(screen.getByRole('alert').textContent).toBe('scan.pdf is 11.0 MB: the largest file taken is 10 MB.')
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }))
    expect(calls.some((c) => c.path.endsWith('/files'))).toBe(false)
  })

  it('follows lab.order.changed on the lab channel', async () => {
    const live = new FakeLive()
    queue = []
    renderLive(live, <LabScreen />)
    expect(await screen.findByTestId('lab-empty')).toBeTruthy()
    expect(live.channels()).toContain('lab')
    queue = [item]
    live.emit('lab', 'lab.order.changed', { order_id: id })
    expect(await screen.findByTestId(`order-${id}`)).toBeTruthy()
  })
})
