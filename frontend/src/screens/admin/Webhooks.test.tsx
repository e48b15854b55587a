// The webhooks tab against canned answers: a subscription made with the events ticked shows its
// secret once; its delivery log shows a dead letter that is redelivered by id; a test event is sent;
// an insurer partner is registered with its payer, its secret shown once, and what it sent is listed.
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { Webhooks } from './Webhooks'

const subID = 'a1a1a1a1a1a1a1a1a1a1a1a1'
const partnerID = 'b2b2b2b2b2b2b2b2b2b2b2b2'
const payerID = 'c3c3c3c3c3c3c3c3c3c3c3c3'
const at = '2030-01-07T09:00:00Z'
const sub = {
  id: subID, url: 'https://partner.example/hooks', events: ['appointment.booked'], enabled: true, created_at: at, created_by: 'u1',
}

let routes: Record<string, Route>
let calls: Call[]

beforeEach(() => {
  signIn({ id: 'a0000000000000000000000a', role: 'admin', name: 'Ada Admin' })
  routes = {
    'GET /api/webhooks/subscriptions': { body: { items: [sub] } },
    'GET /api/webhooks/catalogue': {
      body: {
        items: [
          { type: 'appointment.booked', description: 'An appointment was booked', data: ['appointment_id'] },
          { type: 'claim.submitted', description: 'An insurance claim was submitted', data: ['claim_id'] },
        ],
      },
    },
    'POST /api/webhooks/subscriptions': (c) => ({
      status: 201,
      body: { item: { ...sub, id: 'd4d4d4d4d4d4d4d4d4d4d4d4', ...(c.body as object) }, secret: 'whsec_c2VjcmV0c2VjcmV0' },
    }),
    [`GET /api/webhooks/subscriptions/${subID}/deliveries`]: {
      body: {
        deliveries: [
          { id: `appointment.booked:x:1|${subID}`, subscription_id: subID, event_type: 'appointment.booked', state: 'dead', attempts: 11,
            next_at: at, created_at: at, last_status: 503, last_error: 'the receiver answered 503' },
        ],
        attempts: [
          { delivery_id: `appointment.booked:x:1|${subID}`, subscription_id: subID, event_type: 'appointment.booked', n: 11, at,
            ended: at, status_code: 503, error: 'the receiver answered 503', latency_ms: 12 },
        ],
      },
    },
    'POST /api/webhooks/redeliver': { status: 202, body: {} },
    [`POST /api/webhooks/subscriptions/${subID}/test`]: { status: 202, body: {} },
    'GET /api/webhooks/partners': {
      body: { items: [{ id: partnerID, name: 'Acme Health', kind: 'insurer', payer_id: payerID, created_at: at, created_by: 'u1' }] },
    },
    'GET /api/billing/payers': { body: { items: [{ id: payerID, code: 'ACME', name: 'Acme Health', rev: 1, changed_at: at, changed_by: 'u1' }] } },
    'POST /api/webhooks/partners': (c) => ({
      status: 201,
      body: { item: { id: 'e5e5e5e5e5e5e5e5e5e5e5e5', created_at: at, created_by: 'u1', ...(c.body as object) }, secret: 'whsec_cGFydG5lcg==' },
    }),
    [`GET /api/webhooks/partners/${partnerID}/received`]: {
      body: { items: [{ partner_id: partnerID, message_id: 'msg_1', type: 'claim.status', at, outcome: 'applied', status: 200 }] },
    },
  }
  calls = fakeServer(routes)
})

afterEach(() => vi.restoreAllMocks())

describe('Webhooks', () => {
  it('adds a subscription with the events ticked and shows its secret once', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Webhooks />)
    const form = await screen.findByRole('form', { name: 'Add a subscription' })
    await user.click(within(form).getByRole('button', { name: 'Add the subscription' }))
    expect(within(form).getByText('Choose at least one event.')).toBeTruthy()
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    await user.type(within(form).getByLabelText(/^URL/), 'https://erx.example/in')
    await user.click(await within(form).findByRole('checkbox', { name: /claim\.submitted/ }))
    await user.click(within(form).getByRole('button', { name: 'Add the subscription' }))
    expect((await within(form).findByTestId('webhook-secret')).textContent).toContain('whsec_c2VjcmV0c2VjcmV0')
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ url: 'https://erx.example/in', events: ['claim.submitted'] })
  })

  it('shows the delivery log and redelivers a dead letter by its id; sends a test event', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Webhooks />)
    await user.click(await screen.findByRole('button', { name: 'Delivery log' }))
    const row = await screen.findByTestId('webhook-delivery-appointment.booked')
    expect(row.textContent).toContain('dead')
    expect(row.textContent).toContain('the receiver answered 503')
    await user.click(within(row).getByRole('button', { name: 'Redeliver' }))
    await vi.waitFor(() => expect(calls.some((c) => c.path === '/api/webhooks/redeliver')).toBe(true))
    expect(calls.find((c) => c.path === '/api/webhooks/redeliver')!.body).toEqual({ delivery_id: `appointment.booked:x:1|${subID}` })
    expect(screen.getByRole('table', { name: 'Attempts, newest first' }).textContent).toContain('12 ms')
    await user.click(screen.getByRole('button', { name: 'Send test event' }))
    expect((await screen.findByText('Test event sent.')).getAttribute('role')).toBe('status')
  })

  it('registers an insurer with its payer, shows its secret once and what it sent', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Webhooks />)
    const form = await screen.findByRole('form', { name: 'Register a partner' })
    await user.type(within(form).getByLabelText('Name'), 'Mutual')
    await user.click(within(form).getByRole('button', { name: 'Register the partner' }))
    expect(within(form).getByText('Choose the payer this insurer is.')).toBeTruthy()
    await user.selectOptions(within(form).getByLabelText('Payer'), 'Acme Health')
    await user.click(within(form).getByRole('button', { name: 'Register the partner' }))
    expect((await within(form).findByTestId('webhook-secret')).textContent).toContain('whsec_cGFydG5lcg==')
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/webhooks/partners')!.body).toEqual({
      name: 'Mutual', kind: 'insurer', payer_id: payerID,
    })
    await user.click(screen.getByRole('button', { name: 'Last received from Acme Health' }))
    expect((await screen.findByRole('table', { name: 'Webhooks received, newest first' })).textContent).toContain('msg_1')
  })
})
