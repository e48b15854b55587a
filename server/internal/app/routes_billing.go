package app

import (
	"hms/shared"
)

// billingRoutes are the price list, a patient's charges and invoices. Staff and admins bill; a patient
// reads their own charges and invoices (billing.Handlers refuses anyone else's).
func (a *App) billingRoutes() []Route {
	b := a.billing
	billers := []shared.Role{shared.RoleAdmin, shared.RoleStaff}
	billersAndPatient := []shared.Role{shared.RoleAdmin, shared.RoleStaff, shared.RolePatient}
	return []Route{
		route("GET", "/api/billing/prices", Roles, staffSide, b.PricesHandler),
		route("PUT", "/api/billing/prices/:code", Roles, adminOnly, b.SetPriceHandler),
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
	}
}
