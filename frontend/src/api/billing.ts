// The billing calls the screens make beyond the invoice reads: payments, refunds, online checkout and
// the billing configuration, with the generated types of the API description, and the server's
// refusals in people's words.
import { useQuery } from '@tanstack/react-query'
import { ApiError, authFetch } from './client'
import { fetchBlob } from './download'
import { formatMoney } from './money'
import type { components } from './schema'
import { errorFrom } from './session'

type Schemas = components['schemas']
export type Price = Schemas['Price']
export type Charge = Schemas['Charge']
export type InvoiceLine = Schemas['InvoiceLine']
export type Payment = Schemas['Payment']
export type PaymentMethod = Payment['method']
export type PaymentStatus = NonNullable<Schemas['Invoice']['payment_status']>
/** An invoice as listed, or as read alone (GET /api/invoices/{id}: with its payments and credit notes). */
export type Invoice = Schemas['Invoice'] & Partial<Pick<Schemas['InvoiceDetail'], 'payments' | 'credit_notes'>>
export type BillingConfig = Schemas['BillingConfig']
export type Checkout = Schemas['CheckoutSession']
export type CreditNote = Schemas['CreditNote']
export type CreditRequest = Schemas['CreditRequest']
export type Payer = Schemas['Payer']
export type Policy = Schemas['Policy']
export type PolicyRequest = Schemas['PolicyRequest']
export type Coverage = Schemas['Coverage']
export type Claim = Schemas['Claim']
export type ClaimStatus = Schemas['ClaimStatus']
export type ClaimSummary = Schemas['ClaimSummary']
export type MoveClaimRequest = Schemas['MoveClaimRequest']

/** What is paid of an invoice: the server's figure, or nothing yet when it does not say. */
export function paidOf(inv: Invoice): number {
  return inv.paid ?? 0
}

/** What the patient owes of an invoice in all (before their payments): the server's figure, else the total less credits. */
export function patientDueOf(inv: Invoice): number {
  return inv.patient_due ?? inv.totals.total - (inv.credited ?? 0)
}

/** What is left to pay of an invoice (the patient's part only): the server's balance, else its total less what is paid. */
export function balanceOf(inv: Invoice): number {
  return inv.balance ?? inv.totals.total - paidOf(inv)
}

/** Where an issued invoice stands with payments: the server's word, else one made from the balance. */
export function paymentStatusOf(inv: Invoice): PaymentStatus {
  if (inv.payment_status) return inv.payment_status
  const b = balanceOf(inv)
  if (b <= 0) return 'paid'
  return b < inv.totals.total ? 'partially_paid' : 'unpaid'
}

/** Sends a JSON request with the access token; the answer's JSON, or an ApiError with the server's words. */
async function send<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const init: RequestInit = { method, headers: { ...headers } }
  if (body !== undefined) {
    init.body = JSON.stringify(body)
    ;(init.headers as Record<string, string>)['Content-Type'] = 'application/json'
  }
  const res = await authFetch(new Request(new URL(path, window.location.origin), init))
  const data: unknown = await res.json().catch(() => null)
  if (!res.ok) throw errorFrom(res.status, data)
  return data as T
}

/** GET /api/billing/config. */
export function getBillingConfig(): Promise<BillingConfig> {
  return send<BillingConfig>('GET', '/api/billing/config')
}

/** POST /api/invoices/{id}/payments (staff, admins), once per Idempotency-Key. */
export function takePayment(
  invoiceID: string,
  body: { method: 'cash' | 'card'; amount: number; reference?: string },
  idempotencyKey: string,
): Promise<Payment> {
  return send<Payment>('POST', `/api/invoices/${encodeURIComponent(invoiceID)}/payments`, body, {
    'Idempotency-Key': idempotencyKey,
  })
}

/** POST /api/payments/{id}/refund (admins), once per Idempotency-Key. */
export function refundPayment(paymentID: string, body: { amount: number; reason: string }, idempotencyKey: string): Promise<Payment> {
  return send<Payment>('POST', `/api/payments/${encodeURIComponent(paymentID)}/refund`, body, {
    'Idempotency-Key': idempotencyKey,
  })
}

/** POST /api/invoices/{id}/checkout: a Stripe Checkout Session for the invoice's balance. */
export function startCheckout(invoiceID: string): Promise<Checkout> {
  return send<Checkout>('POST', `/api/invoices/${encodeURIComponent(invoiceID)}/checkout`)
}

/** A claim as a FHIR R4 Claim resource (GET /api/claims/{id}/fhir), fetched with the access token. */
export const fetchClaimFHIR = (claimID: string) => fetchBlob(`/api/claims/${encodeURIComponent(claimID)}/fhir`)
/** An issued invoice's PDF (GET /api/invoices/{id}/pdf), fetched with the access token. */
export const fetchInvoicePDF = (invoiceID: string) => fetchBlob(`/api/invoices/${encodeURIComponent(invoiceID)}/pdf`)
/** A payment's receipt as PDF (GET /api/payments/{id}/receipt), fetched with the access token. */
export const fetchReceiptPDF = (paymentID: string) => fetchBlob(`/api/payments/${encodeURIComponent(paymentID)}/receipt`)

/** POST /api/invoices/{id}/credit-notes (staff, admins), once per Idempotency-Key. */
export function creditInvoice(invoiceID: string, body: CreditRequest, idempotencyKey: string): Promise<CreditNote> {
  return send<CreditNote>('POST', `/api/invoices/${encodeURIComponent(invoiceID)}/credit-notes`, body, {
    'Idempotency-Key': idempotencyKey,
  })
}

/** The billing configuration (GET /api/billing/config): the currency and whether patients may pay online. */
export function useBillingConfig() {
  return useQuery<BillingConfig>({ queryKey: ['billing-config'], staleTime: Infinity, queryFn: getBillingConfig })
}

/**
 * The server's refusal of a billing action in words for the desk or the patient. balance is the
 * invoice's balance at the time (for "more than the balance of …"); left is what can still be refunded.
 */
export function billingError(e: unknown, ctx: { currency?: string; balance?: number; left?: number } = {}): string {
  const money = (n: number | undefined) => (n === undefined || !ctx.currency ? '' : formatMoney(n, ctx.currency))
  if (!(e instanceof ApiError)) return e instanceof Error ? e.message : String(e)
  switch (e.code) {
    case 'overpayment':
      return ctx.balance !== undefined && ctx.currency
        ? `That is more than the balance of ${money(ctx.balance)}. Take at most the balance.`
        : 'That is more than the balance of this invoice. Take at most the balance.'
    case 'over_refund':
      return ctx.left !== undefined && ctx.currency
        ? `That is more than can be refunded on this payment (${money(ctx.left)} left).`
        : 'That is more than can be refunded on this payment.'
    case 'invoice_not_issued':
      return 'This invoice is not issued yet: issue it before taking a payment.'
    case 'invoice_changed':
      return 'Someone changed this invoice meanwhile; it has been reloaded. Check it and try again.'
    case 'online_payment_off':
      return 'Online payment is not available. Please pay at the hospital’s billing desk.'
    case 'credit_exceeds_invoice':
      return 'That is more than is left to credit on this invoice.'
    case 'nothing_to_pay':
      return 'Nothing is left to pay on this invoice.'
    case 'price_changed':
      return 'Someone changed this price while you were editing; reload the list and make your change again.'
    case 'payer_changed':
      return 'Someone changed this payer while you were editing; it has been reloaded. Make your change again.'
    case 'payer_code_taken':
      return 'Another payer has that code. Choose another code.'
    case 'payer_retired':
      return 'That payer is retired: a new policy cannot name it.'
    case 'policy_ended':
      return 'This policy is ended already.'
    case 'claim_changed':
      return 'Someone moved this claim meanwhile; it has been reloaded. Check it and try again.'
    case 'claim_exists':
      return 'This invoice has a claim already.'
    case 'not_insured':
      return 'No policy covered the patient when this invoice was issued: the patient pays it all.'
    case 'nothing_to_claim':
      return 'The insurer’s share of this invoice is nothing (the co-pay covers it), so there is nothing to claim.'
    case 'claim_transition':
      return e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.'
    default:
      return e.message
  }
}
