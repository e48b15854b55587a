import { screen, waitFor } from '@testing-library/react'
import { afterEach, expect, it, vi } from 'vitest'
import { $api } from '../api/query'
import { fakeServer } from '../test/http'
import { FakeLive, renderLive } from '../test/live'
import { useLiveQueries } from './useLiveQuery'

afterEach(() => vi.restoreAllMocks())

function Departments() {
  const q = $api.useQuery('get', '/api/departments')
  useLiveQueries('departments', ['/api/departments'], (e) => e.type === 'department.changed')
  return <p data-testid="names">{q.data?.items.map((d) => d.name).join(', ') ?? 'loading'}</p>
}

it('reads again what an event made stale, once for a burst, and not for other events', async () => {
  let names = ['Cardiology']
  const calls = fakeServer({
    'GET /api/departments': () => ({ body: { items: names.map((name) => ({ id: name.toLowerCase(), name })) } }),
  })
  const live = new FakeLive()
  renderLive(live, <Departments />)
  await waitFor(() => expect(screen.getByTestId('names').textContent).toBe('Cardiology'))
  // The channel's first sync marks the list stale too (events may have been missed before it).
  await waitFor(() => expect(calls).toHaveLength(2))

  live.emit('departments', 'something.else', {})
  await new Promise((r) => setTimeout(r, 400))
  expect(calls).toHaveLength(2)

  names = ['Cardiology', 'Neurology']
  live.emit('departments', 'department.changed', {})
  live.emit('departments', 'department.changed', {})
  live.emit('departments', 'department.changed', {})
  await waitFor(() => expect(screen.getByTestId('names').textContent).toBe('Cardiology, Neurology'))
  await new Promise((r) => setTimeout(r, 400))
  expect(calls).toHaveLength(3)
})
