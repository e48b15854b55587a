package app

import (
	"hms/shared"
)

// billingRoutes are the price list, a patient's charges, invoices and payments. Staff and admins bill and
// take payments, admins refund; a patient reads their own charges and invoices and pays them online
// (billing.Handlers refuses anyone else's).
func (a *App) billingRoutes() []Route {
	b := a.billing
	billers := []shared.Role{shared.RoleAdmin, shared.RoleStaff}
	billersAndPatient := []shared.Role{shared.RoleAdmin, shared.RoleStaff, shared.RolePatient}
	return []Route{
		route("GET", "/api/billing/prices", Roles, staffSide, b.PricesHandler),
		route("PUT", "/api/billing/prices/:code", Roles, adminOnly, b.SetPriceHandler).Logged("settings.price_set"),
		route("GET", "/api/patients/:id/charges", Roles, billersAndPatient, b.ChargesHandler).Audited("billing.charges.read"),
		route("POST", "/api/patients/:id/charges", Roles, billers, b.PostChargeHandler).Audited("billing.charge.post"),
		route("POST", "/api/charges/:id/void", Roles, billers, b.VoidChargeHandler),
		route("POST", "/api/invoices", Roles, billers, b.DraftHandler),
		route("GET", "/api/invoices", Roles, billersAndPatient, b.InvoicesHandler),
		route("GET", "/api/invoices/:id", Roles, billersAndPatient, b.InvoiceHandler),
		route("GET", "/api/invoices/:id/pdf", Roles, billersAndPatient, b.InvoicePDFHandler).Audited("billing.invoice.pdf"),
		route("POST", "/api/invoices/:id/credit-notes", Roles, billers, b.CreditNoteHandler).Audited("billing.credit_note.issue"),
		route("POST", "/api/invoices/:id/issue", Roles, billers, b.IssueHandler),
		route("DELETE", "/api/invoices/:id/lines/:charge_id", Roles, billers, b.RemoveLineHandler),
		// Payments: at the desk (staff, admins), refunds (admins), receipts (the payment's patient, staff,
		// admins), online through the provider's page (the invoice's patient, staff, admins), and the
		// provider's webhook, signed instead of authenticated.
		route("GET", "/api/billing/config", Roles, everyone, b.ConfigHandler),
		route("POST", "/api/invoices/:id/payments", Roles, billers, b.PayHandler),
		route("POST", "/api/payments/:id/refund", Roles, adminOnly, b.RefundHandler),
		route("GET", "/api/payments/:id/receipt", Roles, billersAndPatient, b.ReceiptHandler),
		route("POST", "/api/invoices/:id/checkout", Roles, billersAndPatient, b.CheckoutHandler),
		route("POST", "/api/payments/stripe/webhook", Public, nil, b.WebhookHandler),
		// Insurance: payers (admins keep them; staff read them), a patient's policies (staff and admins
		// add and end them; the patient reads their own), claims made from issued invoices and moved
		// through their statuses by staff and admins (the patient reads their own), and a claim as FHIR.
		route("GET", "/api/billing/payers", Roles, billers, b.PayersHandler),
		route("POST", "/api/billing/payers", Roles, adminOnly, b.CreatePayerHandler).Logged("settings.payer_create"),
		route("PUT", "/api/billing/payers/:id", Roles, adminOnly, b.UpdatePayerHandler).Logged("settings.payer_update"),
		route("GET", "/api/patients/:id/policies", Roles, billersAndPatient, b.PoliciesHandler).Audited("billing.policies.read"),
		route("POST", "/api/patients/:id/policies", Roles, billers, b.AddPolicyHandler).Audited("billing.policy.add"),
		route("POST", "/api/policies/:id/end", Roles, billers, b.EndPolicyHandler),
		route("POST", "/api/invoices/:id/claims", Roles, billers, b.CreateClaimHandler),
		route("GET", "/api/claims", Roles, billersAndPatient, b.ClaimsHandler),
		route("GET", "/api/claims/:id", Roles, billersAndPatient, b.ClaimHandler),
		route("POST", "/api/claims/:id/status", Roles, billers, b.MoveClaimHandler),
		route("GET", "/api/claims/:id/fhir", Roles, billersAndPatient, b.ClaimFHIRHandler),
	}
}
