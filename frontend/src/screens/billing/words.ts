// The billing screens' words for an invoice's state, a charge's kind and a payment's method, and the
// tone of each tag: the desk and the patient's "My bills" say them the same way.
import type { Invoice, PaymentMethod } from '../../api/billing'
import { paymentStatusOf } from '../../api/billing'
import type { Wording } from '../../components/labels'

/** A price-list entry's or a charge's kind in words. */
export const kindWords: Record<string, string> = {
  consultation: 'Consultation',
  procedure: 'Procedure',
  treatment: 'Treatment',
  lab_test: 'Lab test',
  medication: 'Medication',
  bed_day: 'Bed-day',
}

export const methodWords: Record<PaymentMethod, string> = { cash: 'Cash', card: 'Card', online: 'Online' }

/** An invoice's state in words: draft, being issued, or issued with where it stands with payments. */
export function invoiceState(inv: Invoice): Wording {
  if (inv.status === 'draft') return { text: 'Draft', tone: '' }
  if (inv.status === 'issuing') return { text: 'Being issued', tone: 'tag-warn' }
  switch (paymentStatusOf(inv)) {
    case 'paid':
      return { text: 'Paid', tone: 'tag-ok' }
    case 'partially_paid':
      return { text: 'Partly paid', tone: 'tag-warn' }
    default:
      return { text: 'Unpaid', tone: 'tag-urgent' }
  }
}

/** "INV-2026-000123", or "Draft" before an invoice has its number. */
export function invoiceName(inv: Invoice): string {
  return inv.number ?? (inv.status === 'draft' ? 'Draft' : 'Being issued')
}
