// The chart against canned REST answers, section by section as a doctor uses it in a visit: open and
// save the encounter (and a 409 when someone else changed it), vitals with an out-of-range hint, a
// procedure from the price list recorded and then marked entered in error, a
// prescription refused for an allergy then written with an override reason, a lab order taken to results
// and release, a lab order cancelled (and a refusal), a referral, an admission into a free bed, and a live lab release reloading the orders.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeServer, type Call } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { Chart } from './Chart'
import type { Encounter, LabOrder, Prescription } from './model'

const me = 'd0000000000000000000000a'
const patientId = 'p0000000000000000000000a'
const appointmentId = 'a0000000000000000000000a'

const patient = {
  id: patientId,
  name: 'Ada Lovelace',
  medical_history: 'Asthma since childhood.',
  revision: 1,
  created_at: '2026-01-01T09:00:00Z',
  updated_at: '2026-01-01T09:00:00Z',
  mrn: 'H12345674',
  date_of_birth: '1980-03-04',
  sex: 'female',
  allergies: ['penicillin'],
  conditions: ['asthma'],
}

function encounter(over: Partial<Encounter> = {}): Encounter {
  return {
    id: 'e0000000000000000000000a',
    patient_id: patientId,
    appointment_id: appointmentId,
    doctor_id: me,
    reason: 'Chest pain',
    summary: '',
    notes: '',
    diagnoses: [],
    vitals: [],
    procedures: [],
    rev: 1,
    created_by: me,
    created_at: '2026-12-07T10:00:00Z',
    updated_by: me,
    updated_by_role: 'doctor',
    updated_at: '2026-12-07T10:00:00Z',
    ...over,
  }
}

const amoxicillin = {
  id: 'm0000000000000000000000a',
  code: 'AMOX500',
  name: 'Amoxicillin',
  form: 'capsule',
  strength: '500 mg',
  substances: ['amoxicillin', 'penicillin'],
  low_stock_threshold: 10,
  created_at: '2026-01-01T00:00:00Z',
}

function labOrder(over: Partial<LabOrder> = {}): LabOrder {
  return {
    id: 'l0000000000000000000000a',
    patient_id: patientId,
    ordered_by: me,
    tests: [{ code: 'CBC', name: 'Full blood count' }],
    priority: 'routine',
    status: 'ordered',
    ordered_at: '2026-12-07T10:05:00Z',
    revision: 0,
    results: [],
    files: [],
    ...over,
  }
}

let live: FakeLive
let encounters: Encounter[]
let orders: LabOrder[]
let prescriptions: Prescription[]
let routes: Parameters<typeof fakeServer>[0]
let calls: Call[]

const page = (items: unknown[]) => ({ body: { items, total: items.length, page: 1, limit: 50 } })

beforeEach(() => {
  signIn({ id: me, role: 'doctor', name: 'Dr. Clara Chen' })
  live = new FakeLive()
  encounters = []
  orders = []
  prescriptions = []
  routes = {
    'GET /api/patient/p0000000000000000000000a': { body: patient },
    'GET /api/patients/p0000000000000000000000a/encounters': () => page(encounters),
    'GET /api/patients/p0000000000000000000000a/prescriptions': () => page(prescriptions),
    'GET /api/patients/p0000000000000000000000a/lab-orders': () => page(orders),
    'GET /api/patients/p0000000000000000000000a/referrals': () => page([]),
    'GET /api/patients/p0000000000000000000000a/admissions': () => page([]),
    'GET /api/medications': { body: { items: [amoxicillin], total: 1, page: 1, limit: 20 } },
    'GET /api/departments': { body: { items: [{ id: 'cardiology', name: 'Cardiology' }] } },
    'GET /api/doctors': {
      body: {
        items: [
          { id: me, name: 'Dr. Clara Chen', specialty: 'Cardiology', department: 'cardiology', slot_minutes: 15, weekly: [], breaks: [], leave: [] },
          { id: 'd0000000000000000000000b', name: 'Dr. David Novak', specialty: 'Pulmonology', department: 'cardiology', slot_minutes: 15, weekly: [], breaks: [], leave: [] },
        ],
      },
    },
    'GET /api/wards': {
      body: {
        items: [
          { id: 'card-1', name: 'Cardiology ward', department: 'cardiology', total: 2, occupied: 1, free: 1, created_at: '2026-01-01T00:00:00Z' },
        ],
      },
    },
    'GET /api/wards/card-1/beds': {
      body: {
        ward: { id: 'card-1', name: 'Cardiology ward', department: 'cardiology', total: 2, occupied: 1, free: 1, created_at: '2026-01-01T00:00:00Z' },
        beds: [
          { id: 'b0000000000000000000000a', label: 'A1', state: 'occupied', admission_id: 'x', patient_id: 'y' },
          { id: 'b0000000000000000000000b', label: 'A2', state: 'free' },
        ],
      },
    },
  }
  calls = fakeServer(routes)
})

afterEach(() => {
  vi.restoreAllMocks()
})

function renderChart() {
  const onClose = vi.fn()
  renderLive(
    live,
    <Chart patientId={patientId} appointmentId={appointmentId} visitReason="Chest pain" onClose={onClose} />,
  )
  return onClose
}

const sent = (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path)

// Typing into many fields takes a while on a busy machine.
describe('Chart', { timeout: 20_000 }, () => {
  it('shows who the patient is, with allergies and conditions', async () => {
    renderChart()
    expect(await screen.findByRole('heading', { name: 'Chart: Ada Lovelace' })).toBeTruthy()
    const header = screen.getByTestId('chart-patient')
    expect(header.textContent).toContain('MRN H12345674')
    expect(header.textContent).toContain('Born Tue 4 Mar 1980')
    expect(within(screen.getByTestId('chart-allergies')).getByText('penicillin')).toBeTruthy()
    expect(header.textContent).toContain('asthma')
  })

  it('opens the visit’s encounter and saves notes and a diagnosis on its revision', async () => {
    const user = userEvent.setup()
    routes['POST /api/patients/p0000000000000000000000a/encounters'] = () => {
      encounters = [encounter()]
      return { status: 201, body: encounters[0] }
    }
    routes['PATCH /api/encounters/e0000000000000000000000a'] = (c) => {
      const b = c.body as Partial<Encounter>
      encounters = [encounter({ ...b, rev: 2, updated_at: '2026-12-07T10:20:00Z' })]
      return { body: encounters[0] }
    }
    renderChart()
    await user.click(await screen.findByRole('button', { name: 'Open the visit’s encounter' }))
    expect(sent('POST', '/api/patients/p0000000000000000000000a/encounters')[0]?.body).toEqual({
      appointment_id: appointmentId,
      reason: 'Chest pain',
    })
    const form = await screen.findByRole('form', { name: 'Encounter' })
    await user.type(within(form).getByLabelText('Clinical notes'), 'Pain on exertion.')
    await user.click(within(form).getByRole('button', { name: 'Add a diagnosis' }))
    await user.type(within(form).getByLabelText('Diagnosis 1'), 'Stable angina')
    await user.type(within(form).getByLabelText('ICD-10 code'), 'I20.8')
    await user.click(within(form).getByRole('button', { name: 'Save encounter' }))
    expect(await within(form).findByText('Saved at Mon 7 Dec, 10:20.')).toBeTruthy()
    expect(sent('PATCH', '/api/encounters/e0000000000000000000000a')[0]?.body).toMatchObject({
      rev: 1,
      reason: 'Chest pain',
      notes: 'Pain on exertion.',
      diagnoses: [{ code: 'I20.8', description: 'Stable angina', status: 'active' }],
    })
    expect(within(form).getByText(/version 2/)).toBeTruthy()
  })

  it('says in words when someone else changed the encounter, and loads their version', async () => {
    const user = userEvent.setup()
    encounters = [encounter()]
    routes['PATCH /api/encounters/e0000000000000000000000a'] = apiError(409, 'conflict', 'the encounter is at revision 2')
    routes['GET /api/encounters/e0000000000000000000000a'] = { body: encounter({ rev: 2, notes: 'Their notes' }) }
    renderChart()
    const form = await screen.findByRole('form', { name: 'Encounter' })
    await user.type(within(form).getByLabelText('Clinical notes'), 'Mine')
    await user.click(within(form).getByRole('button', { name: 'Save encounter' }))
    expect((await within(form).findByRole('alert')).textContent).toContain('Someone else changed this encounter')
    await user.click(within(form).getByRole('button', { name: 'Load their version' }))
    await waitFor(() => expect((within(form).getByLabelText('Clinical notes') as HTMLTextAreaElement).value).toBe('Their notes'))
  })

  it('records vitals, hinting a value outside the normal range, and shows the server’s refusal', async () => {
    const user = userEvent.setup()
    encounters = [encounter()]
    routes['POST /api/encounters/e0000000000000000000000a/vitals'] = apiError(
      400,
      'invalid_request',
      'temperature_c must be between 25 and 45 °C (got 98.6)',
    )
    renderChart()
    await user.click(await screen.findByRole('tab', { name: 'Vitals' }))
    const form = await screen.findByRole('form', { name: 'Vitals' })
    const pulse = within(form).getByLabelText('Pulse')
    await user.type(pulse, '72')
    expect(within(form).getByText('bpm · normal 60–100')).toBeTruthy()
    await user.clear(pulse)
    await user.type(pulse, '130')
    expect(within(form).getByText('bpm · normal 60–100 · above normal')).toBeTruthy()
    await user.type(within(form).getByLabelText('Temperature'), '98.6')
    await user.click(within(form).getByRole('button', { name: 'Record vitals' }))
    expect((await within(form).findByRole('alert')).textContent).toContain('temperature_c must be between 25 and 45')
    expect(sent('POST', '/api/encounters/e0000000000000000000000a/vitals')[0]?.body).toEqual({
      pulse_bpm: 130,
      temperature_c: 98.6,
    })
  })

  it('records a procedure from the price list once per key, and marks one entered in error with a reason', async () => {
    const user = userEvent.setup()
    const proc = {
      id: 'q0000000000000000000000a',
      encounter_id: 'e0000000000000000000000a',
      patient_id: patientId,
      code: 'PROC-SUTURE',
      name: 'Wound suturing',
      kind: 'procedure' as const,
      quantity: 2,
      note: 'left palm',
      performed_at: '2026-12-07T10:10:00Z',
      recorded_by: me,
      recorded_by_role: 'doctor' as const,
      recorded_at: '2026-12-07T10:10:00Z',
    }
    encounters = [encounter()]
    routes['GET /api/billing/prices'] = {
      body: {
        currency: 'GBP',
        items: [
          { code: 'PROC-SUTURE', name: 'Wound suturing', kind: 'procedure', amount: 6000, tax_bp: 0, version: 1, at: '2026-01-01T00:00:00Z', by: 'x' },
          { code: 'TRT-NEB', name: 'Nebuliser', kind: 'treatment', amount: 1500, tax_bp: 0, version: 1, at: '2026-01-01T00:00:00Z', by: 'x' },
          { code: 'LAB-K', name: 'Potassium', kind: 'lab_test', ref: 'K', amount: 500, tax_bp: 0, version: 1, at: '2026-01-01T00:00:00Z', by: 'x' },
        ],
      },
    }
    routes['POST /api/encounters/e0000000000000000000000a/procedures'] = () => {
      encounters = [encounter({ procedures: [proc] })]
      return { status: 201, body: proc }
    }
    routes['POST /api/procedures/q0000000000000000000000a/entered-in-error'] = (c) => {
      const marked = { ...proc, entered_in_error: { reason: (c.body as { reason: string }).reason, by: me, at: '2026-12-07T10:20:00Z' } }
      encounters = [encounter({ procedures: [marked] })]
      return { body: marked }
    }
    renderChart()
    await user.click(await screen.findByRole('tab', { name: 'Procedures' }))
    const form = await screen.findByRole('form', { name: 'Record a procedure' })
    const select = within(form).getByLabelText('Procedure or treatment') as HTMLSelectElement
    await waitFor(() => expect(select.disabled).toBe(false))
    // Only procedures and treatments are offered, not lab tests.
    expect(within(select).queryByText(/Potassium/)).toBeNull()
    await user.click(within(form).getByRole('button', { name: 'Record' }))
    expect(within(form).getByText('Choose the procedure or treatment.')).toBeTruthy()
    expect(sent('POST', '/api/encounters/e0000000000000000000000a/procedures')).toHaveLength(0)
    await user.selectOptions(select, 'PROC-SUTURE')
    const qty = within(form).getByLabelText('Quantity')
    await user.clear(qty)
    await user.type(qty, '2')
    await user.type(within(form).getByLabelText('Note (optional)'), 'left palm')
    await user.click(within(form).getByRole('button', { name: 'Record' }))
    expect((await within(form).findByRole('status')).textContent).toBe('Recorded Wound suturing × 2.')
    const posted = sent('POST', '/api/encounters/e0000000000000000000000a/procedures')
    expect(posted).toHaveLength(1)
    expect(posted[0]?.body).toEqual({ code: 'PROC-SUTURE', quantity: 2, note: 'left palm' })
    expect(posted[0]?.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/)

    const table = await screen.findByRole('table', { name: 'Procedures recorded' })
    await within(table).findByText('Wound suturing')
    await user.click(within(table).getByRole('button', { name: 'Entered in error…' }))
    const dialog = await screen.findByRole('alertdialog')
    await user.click(within(dialog).getByRole('button', { name: 'Mark entered in error' }))
    expect(within(dialog).getByText('Say why it was recorded in error.')).toBeTruthy()
    await user.type(within(dialog).getByLabelText('Reason'), 'wrong patient')
    await user.click(within(dialog).getByRole('button', { name: 'Mark entered in error' }))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull())
    expect(sent('POST', '/api/procedures/q0000000000000000000000a/entered-in-error')[0]?.body).toEqual({ reason: 'wrong patient' })
    expect((await within(table).findByText(/Entered in error: wrong patient/)).textContent).toBe('Entered in error: wrong patient')
    expect(within(table).queryByRole('button', { name: 'Entered in error…' })).toBeNull()
  })

  it('warns of an allergy in words and prescribes with an override reason', async () => {
    const user = userEvent.setup()
    encounters = [encounter()]
    routes['POST /api/patients/p0000000000000000000000a/prescriptions'] = (c) => {
      const b = c.body as { override_allergy?: boolean; override_reason?: string }
      if (!b.override_allergy) {
        return apiError(
          409,
          'conflict',
          'the patient is allergic to penicillin; to prescribe anyway, send override_allergy with an override_reason',
        )
      }
      const rx = {
        id: 'r0000000000000000000000a',
        patient_id: patientId,
        medication_id: amoxicillin.id,
        medication_name: 'Amoxicillin 500 mg',
        dose: '500 mg',
        frequency: 'TID',
        duration_days: 7,
        quantity: 21,
        refills: 0,
        prescribed_by: me,
        status: 'active',
        allergy_warnings: ['penicillin'],
        override_reason: b.override_reason,
        fills: [],
        fills_left: 1,
        created_at: '2026-12-07T10:30:00Z',
      } as Prescription
      prescriptions = [rx]
      return { status: 201, body: rx }
    }
    renderChart()
    await user.click(await screen.findByRole('tab', { name: 'Prescriptions' }))
    const form = await screen.findByRole('form', { name: 'Prescribe' })
    await user.type(within(form).getByRole('combobox', { name: 'Medication' }), 'amox')
    await user.click(await screen.findByRole('option', { name: /Amoxicillin 500 mg/ }))
    expect((within(form).getByLabelText('Dose') as HTMLInputElement).value).toBe('500 mg')
    expect((within(form).getByRole('combobox', { name: 'Medication' }) as HTMLInputElement).value).toBe('Amoxicillin 500 mg')
    await user.type(within(form).getByLabelText('How often'), 'TID')
    await user.type(within(form).getByLabelText('Days'), '7')
    await user.type(within(form).getByLabelText('Quantity'), '21')
    await user.click(within(form).getByRole('button', { name: 'Prescribe' }))

    const warning = await within(form).findByTestId('allergy-warning')
    expect(warning.textContent).toContain('the patient is allergic to penicillin')
    expect(warning.textContent).not.toContain('override_allergy')
    await user.click(within(warning).getByLabelText('Prescribe anyway'))
    await user.type(within(warning).getByLabelText('Why it is safe to prescribe'), 'Tolerated amoxicillin in 2024')
    await user.click(within(form).getByRole('button', { name: 'Prescribe despite the allergy' }))

    expect(await within(form).findByText('Prescribed Amoxicillin 500 mg.')).toBeTruthy()
    const posts = sent('POST', '/api/patients/p0000000000000000000000a/prescriptions')
    expect(posts[1]?.body).toMatchObject({
      medication_id: amoxicillin.id,
      dose: '500 mg',
      frequency: 'TID',
      duration_days: 7,
      quantity: 21,
      encounter_id: 'e0000000000000000000000a',
      override_allergy: true,
      override_reason: 'Tolerated amoxicillin in 2024',
    })
    const item = await screen.findByTestId('rx-r0000000000000000000000a')
    expect(item.textContent).toContain('Prescribed despite an allergy to penicillin: Tolerated amoxicillin in 2024')
  })

  it('orders a lab test, enters its result and releases the report', async () => {
    const user = userEvent.setup()
    routes['POST /api/patients/p0000000000000000000000a/lab-orders'] = () => {
      orders = [labOrder()]
      return { status: 201, body: orders[0] }
    }
    routes['POST /api/lab-orders/l0000000000000000000000a/results'] = () => {
      orders = [
        labOrder({
          status: 'resulted',
          revision: 1,
          results: [{ code: 'CBC', value: 17.5, unit: 'g/dL', range: { low: 12, high: 16 }, flag: 'H' }],
        }),
      ]
      return { status: 201, body: orders[0] }
    }
    routes['POST /api/lab-orders/l0000000000000000000000a/release'] = () => {
      orders = [{ ...orders[0]!, status: 'released', released_at: '2026-12-07T11:00:00Z' }]
      return { body: orders[0] }
    }
    renderChart()
    await user.click(await screen.findByRole('tab', { name: 'Lab' }))
    const form = await screen.findByRole('form', { name: 'Order lab tests' })
    await user.click(within(form).getByLabelText('Full blood count'))
    await user.selectOptions(within(form).getByLabelText('Priority'), 'urgent')
    await user.click(within(form).getByRole('button', { name: 'Order tests' }))
    expect(sent('POST', '/api/patients/p0000000000000000000000a/lab-orders')[0]?.body).toMatchObject({
      tests: [{ code: 'CBC', name: 'Full blood count' }],
      priority: 'urgent',
      appointment_id: appointmentId,
    })

    const card = await screen.findByTestId('lab-l0000000000000000000000a')
    expect(within(card).getByTestId('lab-status').textContent).toBe('Ordered')
    await user.click(within(card).getByRole('button', { name: 'Enter results' }))
    const results = within(card).getByRole('form', { name: 'Results' })
    await user.type(within(results).getByLabelText('Result'), '17.5')
    await user.type(within(results).getByLabelText('Unit'), 'g/dL')
    await user.type(within(results).getByLabelText('Normal from'), '12')
    await user.type(within(results).getByLabelText('to'), '16')
    await user.click(within(results).getByRole('button', { name: 'Save results' }))
    expect(sent('POST', '/api/lab-orders/l0000000000000000000000a/results')[0]?.body).toEqual({
      results: [{ code: 'CBC', value: 17.5, unit: 'g/dL', range: { low: 12, high: 16 } }],
    })
    await waitFor(() => expect(within(card).getByTestId('lab-status').textContent).toBe('Results in, not released'))
    expect(within(card).getByText('high')).toBeTruthy()

    await user.click(within(card).getByRole('button', { name: 'Release to the patient' }))
    await waitFor(() => expect(within(card).getByTestId('lab-status').textContent).toBe('Released to the patient'))
    expect(sent('POST', '/api/lab-orders/l0000000000000000000000a/release')).toHaveLength(1)
  })

  it('attaches a report file, shows the server’s refusal of another in words, and opens one', async () => {
    // The picker offers PDF, PNG and JPEG; the server decides from the content, so a mislabelled file can reach it.
    const user = userEvent.setup({ applyAccept: false })
    orders = [labOrder()]
    const uploads: string[] = []
    routes['POST /api/lab-orders/l0000000000000000000000a/files'] = (c) => {
      const name = /filename="([^"]+)"/.exec(String(c.body))?.[1] ?? ''
      uploads.push(name)
      if (name.endsWith('.txt')) return apiError(415, 'unsupported_media_type', 'only PDF, PNG and JPEG files are accepted')
      const meta = {
        id: 'f0000000000000000000000a',
        order_id: orders[0]!.id,
        name,
        content_type: 'application/pdf',
        size: 2048,
        sha256: 'x',
        uploaded_by: me,
        uploaded_at: '2026-12-07T10:50:00Z',
      } as const
      orders = [{ ...orders[0]!, files: [meta] }]
      return { status: 201, body: meta }
    }
    routes['GET /api/lab-files/f0000000000000000000000a'] = { body: '%PDF-1.4' }
    const createURL = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:report')
    vi.spyOn(URL, 'revokeObjectURL').mockReturnValue(undefined)
    // The page would follow the link to the blob; the test only sees that it was asked to save it.
    const save = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined)

    renderChart()
    await user.click(await screen.findByRole('tab', { name: 'Lab' }))
    const card = await screen.findByTestId('lab-l0000000000000000000000a')
    await user.upload(within(card).getByLabelText('Attach a file'), new File(['hello'], 'notes.txt', { type: 'text/plain' }))
    expect((await within(card).findByRole('alert')).textContent).toBe('only PDF, PNG and JPEG files are accepted')
    await user.upload(within(card).getByLabelText('Attach a file'), new File(['%PDF-1.4'], 'scan.pdf', { type: 'application/pdf' }))
    const open = await within(card).findByRole('button', { name: 'Open scan.pdf' })
    expect(uploads).toEqual(['notes.txt', 'scan.pdf'])
    expect(card.textContent).toContain('2 kB, attached Mon 7 Dec, 10:50')
    await user.click(open)
    await waitFor(() => expect(save).toHaveBeenCalled())
    expect(createURL).toHaveBeenCalled()
    expect(sent('GET', '/api/lab-files/f0000000000000000000000a')).toHaveLength(1)
  })

  it('shows the server’s refusal of a release in words', async () => {
    const user = userEvent.setup()
    orders = [labOrder({ status: 'resulted', revision: 1, results: [{ code: 'CBC', value: 14, range: {} }] })]
    routes['POST /api/lab-orders/l0000000000000000000000a/release'] = apiError(409, 'conflict', 'the order was cancelled')
    renderChart()
    await user.click(await screen.findByRole('tab', { name: 'Lab' }))
    const card = await screen.findByTestId('lab-l0000000000000000000000a')
    await user.click(within(card).getByRole('button', { name: 'Release to the patient' }))
    expect((await within(card).findByRole('alert')).textContent).toBe('the order was cancelled')
  })

  it('cancels a lab order with no results yet, after a confirmation', async () => {
    const user = userEvent.setup()
    orders = [labOrder()]
    routes['POST /api/lab-orders/l0000000000000000000000a/cancel'] = () => {
      orders = [labOrder({ status: 'cancelled' })]
      return { body: orders[0] }
    }
    renderChart()
    await user.click(await screen.findByRole('tab', { name: 'Lab' }))
    const card = await screen.findByTestId('lab-l0000000000000000000000a')
    await user.click(within(card).getByRole('button', { name: 'Cancel the order…' }))
    const dialog = await screen.findByRole('alertdialog', { name: 'Cancel this lab order?' })
    expect(within(dialog).getByText('Full blood count')).toBeTruthy()
    await user.click(within(dialog).getByRole('button', { name: 'Cancel the order' }))
    await waitFor(() => expect(within(card).getByTestId('lab-status').textContent).toBe('Cancelled'))
    expect(screen.queryByRole('alertdialog')).toBeNull()
    expect(sent('POST', '/api/lab-orders/l0000000000000000000000a/cancel')).toHaveLength(1)
    expect(within(card).queryByRole('button', { name: 'Cancel the order…' })).toBeNull()
  })

  it('offers no cancel once results are in, and shows the server’s refusal in words', async () => {
    const user = userEvent.setup()
    orders = [labOrder({ status: 'resulted', revision: 1, results: [{ code: 'CBC', value: 14, range: {} }] })]
    renderChart()
    await user.click(await screen.findByRole('tab', { name: 'Lab' }))
    let card = await screen.findByTestId('lab-l0000000000000000000000a')
    expect(within(card).queryByRole('button', { name: 'Cancel the order…' })).toBeNull()

    orders = [labOrder({ id: 'l0000000000000000000000b' })]
    routes['POST /api/lab-orders/l0000000000000000000000b/cancel'] = apiError(409, 'conflict', 'the report was released to the patient')
    live.emit(`patient:${patientId}`, 'lab.released', { order_id: 'x', patient_id: patientId })
    card = await screen.findByTestId('lab-l0000000000000000000000b')
    await user.click(within(card).getByRole('button', { name: 'Cancel the order…' }))
    const dialog = await screen.findByRole('alertdialog')
    await user.click(within(dialog).getByRole('button', { name: 'Cancel the order' }))
    expect((await within(dialog).findByRole('alert')).textContent).toBe('the report was released to the patient')
  })

  it('reloads the lab orders when a report is released elsewhere', async () => {
    orders = [labOrder()]
    renderChart()
    await screen.findByRole('heading', { name: 'Chart: Ada Lovelace' })
    await waitFor(() => expect(sent('GET', '/api/patients/p0000000000000000000000a/lab-orders').length).toBeGreaterThan(0))
    await waitFor(() => expect(live.channels()).toContain(`patient:${patientId}`))
    const before = sent('GET', '/api/patients/p0000000000000000000000a/lab-orders').length
    orders = [labOrder({ status: 'released' })]
    live.emit(`patient:${patientId}`, 'lab.released', { order_id: orders[0]!.id, patient_id: patientId })
    await waitFor(() =>
      expect(sent('GET', '/api/patients/p0000000000000000000000a/lab-orders').length).toBeGreaterThan(before),
    )
  })

  it('refers to another doctor', async () => {
    const user = userEvent.setup()
    routes['POST /api/patients/p0000000000000000000000a/referrals'] = (c) => ({
      status: 201,
      body: { id: 'f1', patient_id: patientId, referred_by: me, created_at: '2026-12-07T10:40:00Z', ...(c.body as object) },
    })
    renderChart()
    await user.click(await screen.findByRole('tab', { name: 'Refer / admit' }))
    const form = await screen.findByRole('form', { name: 'Refer' })
    await waitFor(() => expect(within(form).getAllByRole('option').length).toBeGreaterThan(2))
    expect(within(form).queryByRole('option', { name: /Clara Chen/ })).toBeNull()
    await user.selectOptions(within(form).getByLabelText('Doctor'), 'd0000000000000000000000b')
    await user.type(within(form).getByLabelText('Why (10 to 500 characters)'), 'Wheeze on exertion, spirometry please')
    await user.click(within(form).getByRole('button', { name: 'Refer' }))
    expect(await within(form).findByText('Referred to Dr. David Novak.')).toBeTruthy()
    expect(sent('POST', '/api/patients/p0000000000000000000000a/referrals')[0]?.body).toEqual({
      doctor_id: 'd0000000000000000000000b',
      reason: 'Wheeze on exertion, spirometry please',
    })
  })

  it('admits to a ward, offering only its free beds', async () => {
    const user = userEvent.setup()
    routes['POST /api/admissions'] = (c) => {
      routes['GET /api/patients/p0000000000000000000000a/admissions'] = page([
        {
          id: 'ad1',
          patient_id: patientId,
          ward_id: 'card-1',
          bed_id: 'b0000000000000000000000b',
          bed_label: 'A2',
          doctor_id: me,
          source: 'appointment',
          reason: 'Observation',
          status: 'active',
          admitted_at: '2026-12-07T10:45:00Z',
          admitted_by: me,
        },
      ])
      return { status: 201, body: { id: 'ad1', ...(c.body as object) } }
    }
    renderChart()
    await user.click(await screen.findByRole('tab', { name: 'Refer / admit' }))
    const form = await screen.findByRole('form', { name: 'Admit' })
    await waitFor(() => expect(within(form).getByRole('option', { name: 'Cardiology ward: 1 of 2 beds free' })).toBeTruthy())
    await user.selectOptions(within(form).getByLabelText('Ward'), 'card-1')
    await waitFor(() => expect(within(form).getByRole('option', { name: 'Bed A2' })).toBeTruthy())
    expect(within(form).queryByRole('option', { name: 'Bed A1' })).toBeNull()
    await user.selectOptions(within(form).getByLabelText('Bed'), 'b0000000000000000000000b')
    await user.type(within(form).getByLabelText('Why admit'), 'Observation')
    await user.click(within(form).getByRole('button', { name: 'Admit under me' }))
    expect(sent('POST', '/api/admissions')[0]?.body).toEqual({
      patient_id: patientId,
      ward_id: 'card-1',
      bed_id: 'b0000000000000000000000b',
      doctor_id: me,
      source: 'appointment',
      appointment_id: appointmentId,
      reason: 'Observation',
    })
    expect((await screen.findByTestId('current-admission')).textContent).toContain('Cardiology ward, bed A2')
  })
})
