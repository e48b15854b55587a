// The admin's doctors tab against canned REST answers: a doctor account without a profile gets one;
// the weekly schedule editor sends the schedule as rows were set and shows the server's 400 naming the
// period by day and hours; leave lists the appointments it touches, and one is moved to a free slot.
import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { formatDate, formatDateTime } from '../../api/time'
import type { Appointment, Doctor, User } from '../../api/types'
import { apiError, fakeServer, type Answer, type Call } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { Doctors } from './Doctors'

const account = (id: string, name: string): User => ({
  id,
  name,
  email: `${id}@hms.test`,
  role: 'doctor',
  role_id: 'doctor',
  disabled: false,
  created_at: '2026-11-01T09:00:00Z',
})

const profile = (id: string, name: string, over: Partial<Doctor> = {}): Doctor => ({
  id,
  name,
  specialty: 'Cardiology',
  department: 'cardio',
  slot_minutes: 15,
  weekly: [{ weekday: 1, start: '09:00', end: '12:00' }],
  breaks: [],
  leave: [],
  ...over,
})

const booked: Appointment = {
  id: 'a1',
  patient_id: 'p1',
  patient_name: 'Pat Patient',
  doctor_id: 'd1',
  doctor_name: 'Dr Dee',
  department: 'cardio',
  start: '2026-12-08T10:00:00Z',
  end: '2026-12-08T10:15:00Z',
  status: 'scheduled',
  walk_in: false,
  emergency: false,
  created_by: 'u9',
  created_at: '2026-12-01T09:00:00Z',
}

let profiles: Doctor[]
let calls: Call[]
let scheduleAnswer: (c: Call) => Answer

beforeEach(() => {
  profiles = [profile('d1', 'Dr Dee'), profile('d2', 'Dr Two')]
  scheduleAnswer = () => ({ body: profiles[0] })
  calls = fakeServer({
    'GET /api/users': { body: { items: [account('d1', 'Dr Dee'), account('d2', 'Dr Two'), account('d3', 'Dr New')], total: 3, page: 1, limit: 100 } },
    'GET /api/doctors': () => ({ body: { items: profiles, time_zone: 'UTC' } }),
    'GET /api/departments': { body: { items: [{ id: 'cardio', name: 'Cardiology' }, { id: 'er', name: 'Emergency' }] } },
    'PUT /api/doctors/d3': ({ body }) => {
      const p = profile('d3', 'Dr New', { ...(body as object), weekly: [] })
      profiles = [...profiles, p]
      return { body: p }
    },
    'PUT /api/doctors/d1/schedule': (c) => scheduleAnswer(c),
    'GET /api/doctors/d1/slots': ({ query }) => ({
      body: {
        doctor_id: 'd1',
        date: query.get('date'),
        time_zone: 'UTC',
        slots: [
          { start: `${query.get('date')}T09:00:00Z`, end: `${query.get('date')}T09:15:00Z` },
          { start: `${query.get('date')}T09:15:00Z`, end: `${query.get('date')}T09:30:00Z` },
        ],
      },
    }),
    'POST /api/doctors/d1/leave': ({ body }) => ({
      status: 201,
      body: { leave: { id: 'l1', ...(body as object) }, conflicts: [booked] },
    }),
    'PATCH /api/appointments/a1': ({ body }) => ({
      body: { ...booked, start: (body as { start: string }).start },
    }),
  })
})

afterEach(() => vi.restoreAllMocks())

describe('Doctors', () => {
  it('lists doctor accounts with what they lack, and gives a new one a profile', async () => {
    const onSelect = vi.fn()
    function Tab() {
      const [selected, setSelected] = useState('')
      return <Doctors selected={selected} onSelect={(id) => (onSelect(id), setSelected(id))} />
    }
    renderLive(new FakeLive(), <Tab />)
    const list = await screen.findByRole('list', { name: 'Doctor accounts' })
    const items = within(list).getAllByRole('button')
    expect(items.map((b) => b.textContent)).toEqual([
      'Dr DeeCardiology, CardiologyBookable',
      'Dr TwoCardiology, CardiologyBookable',
      'Dr NewNo specialty or departmentNeeds a profile',
    ])
    await userEvent.click(items[2]!)
    expect(onSelect).toHaveBeenCalledWith('d3')
    expect(items[2]!.getAttribute('aria-pressed')).toBe('true')
    const form = await screen.findByRole('form', { name: 'Profile' })
    await userEvent.type(within(form).getByLabelText('Specialty'), 'Neurology')
    await userEvent.selectOptions(within(form).getByLabelText('Department'), 'er')
    await userEvent.click(within(form).getByRole('button', { name: 'Save profile' }))
    expect((await within(form).findByRole('status')).textContent).toBe('Profile saved.')
    expect(calls.find((c) => c.method === 'PUT' && c.path === '/api/doctors/d3')?.body).toEqual({
      specialty: 'Neurology',
      department: 'er',
    })
    await waitFor(() => expect(within(list).getAllByRole('button')[2]!.textContent).toContain('No hours yet'))
  })

  it('sends the weekly schedule as set, and shows the server’s 400 by day and hours', async () => {
    renderLive(new FakeLive(), <Doctors selected="d1" onSelect={vi.fn()} />)
    const form = await screen.findByRole('form', { name: 'Weekly hours' })
    // Monday 09:00–12:00 is there; a second period in the afternoon, Monday copied to the week.
    await userEvent.click(within(form).getByRole('button', { name: 'Add hours on Monday' }))
    fireEvent.change(within(form).getByLabelText('Monday period 2 start'), { target: { value: '13:00' } })
    await userEvent.click(within(form).getByRole('button', { name: 'Copy Monday to Tuesday–Friday' }))
    await userEvent.click(within(form).getByRole('button', { name: 'Remove Friday period 2' }))
    await userEvent.click(within(form).getByRole('button', { name: 'Add a break' }))
    await userEvent.selectOptions(within(form).getByLabelText('Break 1 day'), 'Wednesday')
    const slot = within(form).getByLabelText('Slot length (minutes)')
    await userEvent.clear(slot)
    await userEvent.type(slot, '20')
    await userEvent.click(within(form).getByRole('button', { name: 'Save schedule' }))
    expect((await within(form).findByRole('status')).textContent).toBe('Schedule saved.')

    const day = (weekday: number, start: string, end: string) => ({ weekday, start, end })
    expect(calls.find((c) => c.method === 'PUT' && c.path === '/api/doctors/d1/schedule')?.body).toEqual({
      slot_minutes: 20,
      weekly: [
        day(1, '09:00', '12:00'),
        day(1, '13:00', '17:00'),
        day(2, '09:00', '12:00'),
        day(2, '13:00', '17:00'),
        day(3, '09:00', '12:00'),
        day(3, '13:00', '17:00'),
        day(4, '09:00', '12:00'),
        day(4, '13:00', '17:00'),
        day(5, '09:00', '12:00'),
      ],
      breaks: [{ weekday: 3, start: '12:30', end: '13:30' }],
    })

    // An overlap: the server names the periods by their place; the screen by day and hours.
    scheduleAnswer = () => apiError(400, 'invalid', 'weekly[1] overlaps weekly[0]')
    fireEvent.change(within(form).getByLabelText('Monday period 2 start'), { target: { value: '11:00' } })
    await userEvent.click(within(form).getByRole('button', { name: 'Save schedule' }))
    expect((await within(form).findByRole('alert')).textContent).toBe('Monday 11:00–17:00 overlaps Monday 09:00–12:00')
    expect(within(form).queryByRole('status')).toBeNull()
  })

  it('adds leave, lists the appointments it touches and moves one to a free slot', async () => {
    renderLive(new FakeLive(), <Doctors selected="d1" onSelect={vi.fn()} />)
    const form = await screen.findByRole('form', { name: 'Add leave' })
    fireEvent.change(within(form).getByLabelText('First day'), { target: { value: '2026-12-08' } })
    fireEvent.change(within(form).getByLabelText('Last day'), { target: { value: '2026-12-08' } })
    await userEvent.type(within(form).getByLabelText('Reason (optional, shown to staff)'), 'Conference')
    await userEvent.click(within(form).getByRole('button', { name: 'Add leave' }))

    // The hospital is on UTC in the tests: the whole day is [midnight, next midnight).
    const added = await screen.findByTestId('leave-added')
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/doctors/d1/leave')?.body).toEqual({
      from: '2026-12-08T00:00:00.000Z',
      to: '2026-12-09T00:00:00.000Z',
      reason: 'Conference',
    })
    expect(added.textContent).toContain(`Leave added: ${formatDate('2026-12-08', 'auto')}, all day.`)
    expect(added.textContent).toContain('1 booked appointment falls inside it')
    const row = within(added).getByTestId('conflict')
    expect(row.textContent).toContain('Pat Patient')
    expect(row.textContent).toContain(formatDateTime(booked.start, 'auto'))

    await userEvent.click(within(row).getByRole('button', { name: 'Move…' }))
    const move = within(row).getByRole('form', { name: 'Move the appointment of Pat Patient' })
    expect((within(move).getByLabelText('Day') as HTMLInputElement).value).toBe('2026-12-09')
    const time = within(move).getByLabelText('Free time')
    await waitFor(() => expect(within(time).getAllByRole('option')).toHaveLength(3))
    await userEvent.selectOptions(time, '2026-12-09T09:15:00Z')
    await userEvent.click(within(move).getByRole('button', { name: 'Move' }))

    expect((await within(row).findByRole('status')).textContent).toBe(
      `Moved to ${formatDateTime('2026-12-09T09:15:00Z', 'auto')} with Dr Dee.`,
    )
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ start: '2026-12-09T09:15:00Z', reason: 'The doctor is on leave' })
  })
})
