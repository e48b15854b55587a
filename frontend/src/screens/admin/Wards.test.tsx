// The admin's wards tab against canned REST answers: a ward is added to a department and chosen, beds are
// added to it by labels (a run such as A1-A3 included), and the server's 409 for a taken label is shown.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Ward } from '../../api/types'
import { apiError, fakeServer, type Call } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { bedLabels } from './bedLabels'
import { Wards } from './Wards'

type Bed = { id: string; label: string; state: 'free' | 'occupied' }

let wards: Ward[]
let beds: Record<string, Bed[]>
let calls: Call[]

const ward = (id: string, name: string, n: number): Ward => ({
  id,
  name,
  department: 'er',
  total: n,
  occupied: 0,
  free: n,
  created_at: '2026-11-01T09:00:00Z',
})

beforeEach(() => {
  wards = [ward('er-obs', 'ER observation', 0)]
  beds = { 'er-obs': [] }
  calls = fakeServer({
    'GET /api/wards': () => ({ body: { items: wards } }),
    'GET /api/departments': { body: { items: [{ id: 'er', name: 'Emergency' }, { id: 'icu', name: 'Intensive care' }] } },
    'POST /api/wards': ({ body }) => {
      const b = body as { id: string; name: string; department: string }
      if (wards.some((w) => w.id === b.id)) return apiError(409, 'conflict', `ward ${b.id} exists already`)
      const w = { ...ward(b.id, b.name, 0), department: b.department }
      wards = [...wards, w]
      beds[w.id] = []
      return { status: 201, body: w }
    },
    'GET /api/wards/icu-2/beds': () => ({ body: { ward: wards.find((w) => w.id === 'icu-2'), beds: beds['icu-2'] } }),
    'POST /api/wards/icu-2/beds': ({ body }) => {
      const labels = (body as { labels: string[] }).labels
      if (labels.some((l) => beds['icu-2']!.some((b) => b.label === l))) return apiError(409, 'conflict', 'bed A1 is in the ward already')
      const added = labels.map((label, i) => ({ id: `b${beds['icu-2']!.length + i}`, label, state: 'free' as const }))
      beds['icu-2'] = [...beds['icu-2']!, ...added]
      wards = wards.map((w) => (w.id === 'icu-2' ? ward('icu-2', w.name, beds['icu-2']!.length) : w))
      return { status: 201, body: { items: added } }
    },
  })
})

afterEach(() => vi.restoreAllMocks())

describe('bedLabels', () => {
  it('splits on commas and spaces and expands runs', () => {
    expect(bedLabels('A1-A3, B1  B2;side room')).toEqual(['A1', 'A2', 'A3', 'B1', 'B2', 'side', 'room'])
    expect(bedLabels('10–12')).toEqual(['10', '11', '12'])
    expect(bedLabels('A3-A1, A1, A1')).toEqual(['A3-A1', 'A1'])
  })
})

describe('Wards', () => {
  it('adds a ward, then beds to it, and shows the server’s 409 for a label taken', async () => {
    renderLive(new FakeLive(), <Wards />)
    const list = await screen.findByRole('list', { name: 'Wards' })
    expect(list.textContent).toContain('ER observation')
    expect(list.textContent).toContain('No beds yet')

    const form = screen.getByRole('form', { name: 'Add a ward' })
    await userEvent.type(within(form).getByLabelText('Id'), 'icu-2')
    await userEvent.type(within(form).getByLabelText('Name'), 'Intensive care 2')
    await userEvent.selectOptions(within(form).getByLabelText('Department'), 'icu')
    await userEvent.click(within(form).getByRole('button', { name: 'Add ward' }))
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/wards')?.body).toEqual({
      id: 'icu-2',
      name: 'Intensive care 2',
      department: 'icu',
    })

    // The new ward is chosen: its beds, none yet, and the form to add them.
    const bedsForm = await screen.findByRole('form', { name: 'Add beds' })
    expect(await screen.findByText('No beds in this ward yet: add them below.')).toBeTruthy()
    expect(within(list).getByRole('button', { name: /Intensive care 2/ }).getAttribute('aria-pressed')).toBe('true')
    await userEvent.type(within(bedsForm).getByLabelText('Bed labels'), 'A1-A3, B1')
    await userEvent.click(within(bedsForm).getByRole('button', { name: 'Add beds' }))
    expect((await within(bedsForm).findByRole('status')).textContent).toBe('Added 4 beds: A1, A2, A3, B1.')
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/wards/icu-2/beds')?.body).toEqual({
      labels: ['A1', 'A2', 'A3', 'B1'],
    })
    await waitFor(() => expect(screen.getByTestId('ward-beds').textContent).toBe('A1FreeA2FreeA3FreeB1Free'))
    await waitFor(() => expect(within(list).getByRole('button', { name: /Intensive care 2/ }).textContent).toContain('4 beds, 4 free'))

    await userEvent.type(within(bedsForm).getByLabelText('Bed labels'), 'A1')
    await userEvent.click(within(bedsForm).getByRole('button', { name: 'Add beds' }))
    expect((await within(bedsForm).findByRole('alert')).textContent).toBe('bed A1 is in the ward already')
    expect((within(bedsForm).getByLabelText('Bed labels') as HTMLInputElement).value).toBe('A1')
  })

  it('shows the server’s 409 when the ward id is taken', async () => {
    renderLive(new FakeLive(), <Wards />)
    const form = await screen.findByRole('form', { name: 'Add a ward' })
    await userEvent.type(within(form).getByLabelText('Id'), 'er-obs')
    await userEvent.type(within(form).getByLabelText('Name'), 'Again')
    await userEvent.selectOptions(within(form).getByLabelText('Department'), 'er')
    await userEvent.click(within(form).getByRole('button', { name: 'Add ward' }))
    expect((await within(form).findByRole('alert')).textContent).toBe('ward er-obs exists already')
  })
})
