package app

import (
	"hms/shared"
)

// billingRoutes are the price list, a patient's charges, invoices and payments. Staff and admins bill and
// take payments, admins refund; a patient reads their own charges and invoices and pays them online
// (billing.Handlers refuses anyone else's).
func (a *App) billingRoutes() []Route {
	b := a.billing
	return []Route{
		route("GET", "/api/billing/prices", Granted, shared.PermBillingPrices, b.PricesHandler),
		route("PUT", "/api/billing/prices/:code", Granted, shared.PermSettings, b.SetPriceHandler).Logged("settings.price_set"),
		route("GET", "/api/patients/:id/charges", Granted, shared.PermBillingRead, b.ChargesHandler).Audited("billing.charges.read"),
		route("POST", "/api/patients/:id/charges", Granted, shared.PermInvoice, b.PostChargeHandler).Audited("billing.charge.post"),
		route("POST", "/api/charges/:id/void", Granted, shared.PermInvoice, b.VoidChargeHandler),
		route("POST", "/api/invoices", Granted, shared.PermInvoice, b.DraftHandler),
		route("GET", "/api/invoices", Granted, shared.PermBillingRead, b.InvoicesHandler),
		route("GET", "/api/invoices/:id", Granted, shared.PermBillingRead, b.InvoiceHandler),
		route("GET", "/api/invoices/:id/pdf", Granted, shared.PermBillingRead, b.InvoicePDFHandler).Audited("billing.invoice.pdf"),
		route("POST", "/api/invoices/:id/credit-notes", Granted, shared.PermInvoice, b.CreditNoteHandler).Audited("billing.credit_note.issue"),
		route("POST", "/api/invoices/:id/issue", Granted, shared.PermInvoice, b.IssueHandler),
		route("DELETE", "/api/invoices/:id/lines/:charge_id", Granted, shared.PermInvoice, b.RemoveLineHandler),
		// Payments: at the desk (staff, admins), refunds (admins), receipts (the payment's patient, staff,
		// admins), online through the provider's page (the invoice's patient, staff, admins), and the
		// provider's webhook, signed instead of authenticated.
		route("GET", "/api/billing/config", SignedIn, "", b.ConfigHandler),
		route("POST", "/api/invoices/:id/payments", Granted, shared.PermPayment, b.PayHandler),
		route("POST", "/api/payments/:id/refund", Granted, shared.PermRefund, b.RefundHandler),
		route("GET", "/api/payments/:id/receipt", Granted, shared.PermBillingRead, b.ReceiptHandler),
		route("POST", "/api/invoices/:id/checkout", Granted, shared.PermPayOnline, b.CheckoutHandler),
		route("POST", "/api/payments/stripe/webhook", Public, "", b.WebhookHandler),
		// Insurance: payers (admins keep them; staff read them), a patient's policies (staff and admins
		// add and end them; the patient reads their own), claims made from issued invoices and moved
		// through their statuses by staff and admins (the patient reads their own), and a claim as FHIR.
		route("GET", "/api/billing/payers", Granted, shared.PermInvoice, b.PayersHandler),
		route("POST", "/api/billing/payers", Granted, shared.PermSettings, b.CreatePayerHandler).Logged("settings.payer_create"),
		route("PUT", "/api/billing/payers/:id", Granted, shared.PermSettings, b.UpdatePayerHandler).Logged("settings.payer_update"),
		route("GET", "/api/patients/:id/policies", Granted, shared.PermBillingRead, b.PoliciesHandler).Audited("billing.policies.read"),
		route("POST", "/api/patients/:id/policies", Granted, shared.PermClaims, b.AddPolicyHandler).Audited("billing.policy.add"),
		route("POST", "/api/policies/:id/end", Granted, shared.PermClaims, b.EndPolicyHandler),
		route("POST", "/api/invoices/:id/claims", Granted, shared.PermClaims, b.CreateClaimHandler),
		route("GET", "/api/claims", Granted, shared.PermBillingRead, b.ClaimsHandler),
		route("GET", "/api/claims/:id", Granted, shared.PermBillingRead, b.ClaimHandler),
		route("POST", "/api/claims/:id/status", Granted, shared.PermClaims, b.MoveClaimHandler),
		route("GET", "/api/claims/:id/fhir", Granted, shared.PermBillingRead, b.ClaimFHIRHandler),
	}
}
