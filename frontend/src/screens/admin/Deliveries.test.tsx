// The admin's deliveries panel against canned REST answers: dead letters by default, the status and
// channel filters, a row's log, and retrying a dead one (its 409 shown on the row).
import { QueryClientProvider } from '@tanstack/react-query'
import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Delivery } from '../../api/types'
import { apiError, fakeServer, type Answer, type Call } from '../../test/http'
import { newQueryClient } from '../../api/query'
import { Deliveries } from './Deliveries'

/** The screen with a query cache of its own. */
function renderDeliveries() {
  return render(
    <QueryClientProvider client={newQueryClient()}>
      <Deliveries />
    </QueryClientProvider>,
  )
}

function delivery(id: string, over: Partial<Delivery> = {}): Delivery {
  return {
    id,
    notification_id: 'n'.repeat(24),
    kind: 'appointment.reminder',
    channel: 'sms',
    to: '+44******789',
    status: 'dead',
    attempts: 5,
    last_error: 'provider: number unreachable',
    log: [
      { at: '2026-11-27T08:00:00Z', attempt: 0, status: 'queued' },
      { at: '2026-11-27T08:01:00Z', attempt: 1, status: 'retrying', reason: 'provider timeout' },
      { at: '2026-11-27T09:00:00Z', attempt: 5, status: 'dead', reason: 'provider: number unreachable' },
    ],
    created_at: '2026-11-27T08:00:00Z',
    updated_at: '2026-11-27T09:00:00Z',
    ...over,
  }
}

let all: Delivery[]
let calls: Call[]
let retryAnswer: (c: Call) => Answer

beforeEach(() => {
  all = [
    delivery('d1'),
    delivery('d2', { channel: 'email', to: 'a***@hms.test', last_error: 'mailbox does not exist', kind: 'broadcast' }),
    delivery('d3', { channel: 'email', status: 'sent', attempts: 1, last_error: undefined, log: [] }),
  ]
  retryAnswer = () => ({
    body: delivery('d1', {
      status: 'queued',
      attempts: 5,
      log: [...delivery('d1').log, { at: '2026-11-27T10:00:00Z', attempt: 5, status: 'queued', reason: 'retried by an admin' }],
    }),
  })
  calls = fakeServer({
    'GET /api/deliveries': ({ query }) => {
      const items = all.filter(
        (d) =>
          (!query.get('status') || d.status === query.get('status')) &&
          (!query.get('channel') || d.channel === query.get('channel')),
      )
      return { body: { items, total: items.length, page: 1, limit: 20 } }
    },
    'POST /api/deliveries/d1/retry': (c) => retryAnswer(c),
    'POST /api/deliveries/d2/retry': apiError(409, 'conflict', 'the delivery is not dead (sent)'),
  })
})

afterEach(() => vi.restoreAllMocks())

const table = () => screen.getByTestId('deliveries-table')
const lastQuery = () => calls.filter((c) => c.path === '/api/deliveries').at(-1)!.query

describe('Deliveries', () => {
  it('lists the dead letters first, and filters by status and channel', async () => {
    renderDeliveries()
    await screen.findByTestId('deliveries-table')
    expect(lastQuery().get('status')).toBe('dead')
    expect(lastQuery().has('channel')).toBe(false)
    const row = within(table()).getByTestId('delivery-d1')
    const cells = within(row).getAllByRole('cell').map((c) => c.textContent)
    expect(cells.slice(1, 7)).toEqual(['Appointment reminder', 'SMS', '+44******789', 'dead', '5', 'provider: number unreachable'])
    expect(within(table()).queryByTestId('delivery-d3')).toBeNull()

    await userEvent.selectOptions(screen.getByLabelText('Channel'), 'email')
    await waitFor(() => expect(within(table()).queryByTestId('delivery-d1')).toBeNull())
    expect(within(table()).getByTestId('delivery-d2').textContent).toContain('Broadcast')
    expect([lastQuery().get('status'), lastQuery().get('channel')]).toEqual(['dead', 'email'])

    await userEvent.selectOptions(screen.getByLabelText('Status'), 'All')
    await waitFor(() => expect(within(table()).getByTestId('delivery-d3')).toBeTruthy())
    expect([lastQuery().has('status'), lastQuery().get('channel')]).toEqual([false, 'email'])
    // Only dead ones can be retried.
    expect(within(within(table()).getByTestId('delivery-d3')).queryByRole('button', { name: 'Retry' })).toBeNull()

    await userEvent.selectOptions(screen.getByLabelText('Status'), 'sent')
    await userEvent.selectOptions(screen.getByLabelText('Channel'), 'sms')
    expect(await screen.findByText('No deliveries.')).toBeTruthy()
  })

  it('opens a delivery’s log and closes it again', async () => {
    renderDeliveries()
    const row = await screen.findByTestId('delivery-d1')
    const toggle = within(row).getByRole('button', { name: 'Log' })
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    await userEvent.click(toggle)
    expect(toggle.getAttribute('aria-expanded')).toBe('true')
    const log = screen.getByRole('table', { name: 'Log of the SMS to +44******789' })
    const rows = within(log).getAllByRole('row').slice(1)
    expect(rows.map((r) => within(r).getAllByRole('cell').slice(1).map((c) => c.textContent))).toEqual([
      ['0', 'queued', ''],
      ['1', 'retrying', 'provider timeout'],
      ['5', 'dead', 'provider: number unreachable'],
    ])
    expect(document.getElementById(toggle.getAttribute('aria-controls')!)?.contains(log)).toBe(true)
    await userEvent.click(within(row).getByRole('button', { name: 'Hide log' }))
    expect(screen.queryByRole('table', { name: /^Log of/ })).toBeNull()
  })

  it('retries a dead one and shows it queued again; a 409 is shown on its row', async () => {
    renderDeliveries()
    const row = await screen.findByTestId('delivery-d1')
    await userEvent.click(within(row).getByRole('button', { name: 'Retry' }))
    await waitFor(() => expect(within(screen.getByTestId('delivery-d1')).getAllByRole('cell')[4]!.textContent).toBe('queued'))
    expect(within(screen.getByTestId('delivery-d1')).queryByRole('button', { name: 'Retry' })).toBeNull()
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/deliveries/d1/retry'])

    const other = screen.getByTestId('delivery-d2')
    await userEvent.click(within(other).getByRole('button', { name: 'Retry' }))
    expect((await within(other).findByRole('alert')).textContent).toBe('the delivery is not dead (sent)')
    expect(within(other).getAllByRole('cell')[4]!.textContent).toBe('dead')
  })

  it('says when there are no dead letters, and shows a load failure with a retry', async () => {
    all = []
    let fail = true
    fakeServer({
      'GET /api/deliveries': () =>
        fail ? apiError(503, 'unavailable', 'try again shortly') : { body: { items: [], total: 0, page: 1, limit: 20 } },
    })
    renderDeliveries()
    expect((await screen.findByRole('alert')).textContent).toContain('Could not load the deliveries: try again shortly')
    fail = false
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }))
    expect(await screen.findByText('No dead letters.')).toBeTruthy()
  })
})
