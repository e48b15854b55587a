// The price list against canned answers: entries with their amounts in the hospital's currency, tax and
// version; a new entry's "12.50" sent as 1250 minor units and "20" % as 2000 basis points; an amount
// with too many decimals refused before sending; an edit that lost a race told to reload.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setHospital } from '../../api/time'
import { apiError, fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { price } from '../billing/fixtures'
import { Prices } from './Prices'

let routes: Record<string, Route>
let calls: Call[]

const plain = (s: string | null | undefined) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ')

beforeEach(() => {
  setHospital({ time_zone: 'Europe/London', locale: 'en-GB' })
  signIn({ id: 'a0000000000000000000000a', role: 'admin', name: 'Ada Admin' })
  routes = {
    'GET /api/billing/config': { body: { currency: 'GBP', online_payment: false } },
    'GET /api/billing/prices': {
      body: { items: [price({ version: 3, tax_bp: 750 }), price({ code: 'BED-W1', name: 'Bed-day, ward 1', kind: 'bed_day', ref: 'w1', amount: 25000 })], currency: 'GBP' },
    },
    'PUT /api/billing/prices/XRAY-CHEST': (c) => ({
      body: price({ code: 'XRAY-CHEST', name: 'Chest X-ray', kind: 'procedure', ...(c.body as object), version: 1 }),
    }),
  }
  calls = fakeServer(routes)
})

afterEach(() => {
  vi.restoreAllMocks()
  setHospital({ time_zone: 'UTC', locale: 'en-GB' })
})

describe('Prices', () => {
  it('lists each entry with its amount in the currency, its tax and its version', async () => {
    renderLive(new FakeLive(), <Prices />)
    const row = await screen.findByTestId('price-CONS-GEN')
    expect(plain(row.textContent)).toBe('CONS-GENGeneral consultationConsultation—£50.007.5%v3Edit')
    expect(plain(screen.getByTestId('price-BED-W1').textContent)).toContain('Bed-dayw1£250.000%v1')
  })

  it('sends "12.50" as 1250 minor units and 20 % as 2000 basis points', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Prices />)
    const form = await screen.findByRole('form', { name: 'Add a price' })
    await user.type(within(form).getByLabelText('Code'), 'XRAY-CHEST')
    await user.type(within(form).getByLabelText('Name'), 'Chest X-ray')
    await user.selectOptions(within(form).getByLabelText('Kind'), 'procedure')
    await user.type(within(form).getByLabelText('Amount (GBP)'), '12.505')
    await user.clear(within(form).getByLabelText('Tax (%)'))
    await user.type(within(form).getByLabelText('Tax (%)'), '20')
    await user.click(within(form).getByRole('button', { name: 'Add the price' }))
    expect(within(form).getByText('GBP has 2 decimals; “12.505” has 3.')).toBeTruthy()
    expect(calls.some((c) => c.method === 'PUT')).toBe(false)

    await user.clear(within(form).getByLabelText('Amount (GBP)'))
    await user.type(within(form).getByLabelText('Amount (GBP)'), '12.50')
    await user.click(within(form).getByRole('button', { name: 'Add the price' }))
    expect((await within(form).findByRole('status')).textContent).toBe('Saved XRAY-CHEST, version 1.')
    const put = calls.find((c) => c.method === 'PUT')!
    expect(put.path).toBe('/api/billing/prices/XRAY-CHEST')
    expect(put.body).toEqual({ name: 'Chest X-ray', kind: 'procedure', amount: 1250, tax_bp: 2000 })
  })

  it('tells an admin whose edit lost a race to reload, and reloads the entry', async () => {
    routes['PUT /api/billing/prices/CONS-GEN'] = apiError(409, 'price_changed', 'the price changed since it was read')
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Prices />)
    await user.click(await screen.findByRole('button', { name: 'Edit CONS-GEN' }))
    const form = screen.getByRole('form', { name: 'Edit CONS-GEN (version 3)' })
    expect((within(form).getByLabelText('Amount (GBP)') as HTMLInputElement).value).toBe('50.00')
    expect((within(form).getByLabelText('Tax (%)') as HTMLInputElement).value).toBe('7.5')
    await user.clear(within(form).getByLabelText('Amount (GBP)'))
    await user.type(within(form).getByLabelText('Amount (GBP)'), '55')
    await user.click(within(form).getByRole('button', { name: 'Save a new version' }))
    expect((await within(form).findByRole('alert')).textContent).toBe(
      'Someone changed this price while you were editing; reload the list and make your change again.',
    )
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({
      name: 'General consultation',
      kind: 'consultation',
      amount: 5500,
      tax_bp: 750,
      retired: false,
    })
    routes['GET /api/billing/prices'] = { body: { items: [price({ version: 4, amount: 6000 })], currency: 'GBP' } }
    await user.click(within(form).getByRole('button', { name: 'Reload' }))
    const fresh = await screen.findByRole('form', { name: 'Edit CONS-GEN (version 4)' })
    await waitFor(() => expect((within(fresh).getByLabelText('Amount (GBP)') as HTMLInputElement).value).toBe('60.00'))
  })
})
