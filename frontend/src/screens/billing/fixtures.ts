// Canned billing answers for the billing screens' tests (never used by the app), in the server's shapes
// and the payments contract's: a patient, the price list, charges, invoices and payments; payers,
// policies and claims.
import type { Charge, Claim, Invoice, Payer, Payment, Policy, Price } from '../../api/billing'

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

export function claim(over: Partial<Claim> = {}): Claim {
  return {
    id: 'c00000000000000000000001',
    invoice_id: 'i00000000000000000000001',
    invoice_number: 'INV-2026-000007',
    patient_id: 'p0000000000000000000000b',
    patient_name: 'Ben Ode',
    payer_id: 'y00000000000000000000001',
    payer_name: 'Acme Health',
    policy_id: 'o00000000000000000000001',
    plan: 'Gold',
    currency: 'USD',
    amount: 7200,
    status: 'submitted',
    rev: 2,
    approved_amount: 0,
    paid_amount: 0,
    created_at: '2026-12-07T11:10:00Z',
    created_by: 'u0000000000000000000000s',
    changed_at: '2026-12-07T11:20:00Z',
    history: [],
    ...over,
  }
}

export function policy(over: Partial<Policy> = {}): Policy {
  return {
    id: 'o00000000000000000000001',
    patient_id: 'p0000000000000000000000b',
    payer_id: 'y00000000000000000000001',
    payer_name: 'Acme Health',
    member_id: 'ACM-0042',
    coverage_bp: 8000,
    copay: 1000,
    valid_from: '2026-01-01',
    created_at: '2026-01-01T09:00:00Z',
    created_by: 'u0000000000000000000000s',
    ...over,
  }
}

export function payer(over: Partial<Payer> = {}): Payer {
  return {
    id: 'y00000000000000000000001',
    code: 'ACME',
    name: 'Acme Health',
    contact: 'claims@acme.example',
    rev: 1,
    changed_at: '2026-12-01T09:00:00Z',
    changed_by: 'a0000000000000000000000a',
    ...over,
  }
}

/** The coverage an invoice issued under policy() carries: 80% after a co-pay of $10.00. */
export const coverage = { policy_id: 'o00000000000000000000001', payer_id: 'y00000000000000000000001', payer_name: 'Acme Health', plan: 'Gold', coverage_bp: 8000, copay: 1000 }
