// Canned billing answers for the billing screens' tests (never used by the app), in the server's shapes
// and the payments contract's: a patient, the price list, charges, invoices and payments.
import type { Charge, Invoice, Payment, Price } from '../../api/billing'

export const patientID = 'p0000000000000000000000b'
export const patientUserID = 'u0000000000000000000000b'
export const invoiceID = 'i00000000000000000000001'

export const patient = { id: patientID, name: 'Ben Ode', mrn: 'H22222228', date_of_birth: '1970-03-04' }

export function price(over: Partial<Price> = {}): Price {
  return {
    code: 'CONS-GEN',
    name: 'General consultation',
    kind: 'consultation',
    amount: 5000,
    tax_bp: 0,
    version: 1,
    at: '2026-12-01T09:00:00Z',
    by: 'a0000000000000000000000a',
    ...over,
  }
}

export function charge(id: string, over: Partial<Charge> = {}): Charge {
  return {
    id,
    patient_id: patientID,
    source: 'manual',
    kind: 'consultation',
    code: 'CONS-GEN',
    description: 'General consultation',
    quantity: 1,
    unit_amount: 5000,
    tax_bp: 0,
    price_version: 1,
    net: 5000,
    tax: 0,
    total: 5000,
    currency: 'USD',
    at: '2026-12-07T10:00:00Z',
    by: 'u0000000000000000000000s',
    ...over,
  }
}

export function invoice(over: Partial<Invoice> = {}): Invoice {
  return {
    id: invoiceID,
    patient_id: patientID,
    status: 'draft',
    currency: 'USD',
    lines: [
      {
        charge_id: 'chg1',
        kind: 'consultation',
        code: 'CONS-GEN',
        description: 'General consultation',
        quantity: 1,
        unit_amount: 5000,
        tax_bp: 0,
        net: 5000,
        tax: 0,
        total: 5000,
      },
      {
        charge_id: 'chg2',
        kind: 'lab_test',
        code: 'LAB-FBC',
        description: 'Full blood count',
        quantity: 2,
        unit_amount: 1000,
        tax_bp: 2000,
        net: 2000,
        tax: 400,
        total: 2400,
      },
    ],
    totals: { net: 7000, tax: 400, total: 7400 },
    rev: 1,
    changed_at: '2026-12-07T11:00:00Z',
    created_at: '2026-12-07T11:00:00Z',
    created_by: 'u0000000000000000000000s',
    ...over,
  }
}

/** The invoice issued as INV-2026-000007, with paid and balance. */
export function issued(over: Partial<Invoice> = {}): Invoice {
  return invoice({
    status: 'issued',
    number: 'INV-2026-000007',
    year: 2026,
    seq: 7,
    issued_at: '2026-12-07T11:05:00Z',
    issued_by: 'u0000000000000000000000s',
    rev: 3,
    paid: 0,
    balance: 7400,
    payment_status: 'unpaid',
    payments: [],
    ...over,
  })
}

export function payment(over: Partial<Payment> = {}): Payment {
  return {
    id: 'pay00000000000000000001',
    invoice_id: invoiceID,
    patient_id: patientID,
    method: 'cash',
    amount: 2000,
    refunded: 0,
    currency: 'USD',
    received_by: 'u0000000000000000000000s',
    received_by_name: 'Sam Desk',
    at: '2026-12-07T11:10:00Z',
    receipt_number: 'RCT-2026-000001',
    ...over,
  }
}
