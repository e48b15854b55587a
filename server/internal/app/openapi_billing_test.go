package app_test

import (
	"net/http"
	"testing"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/shared"
)

// exerciseBilling is the billing part of TestResponsesMatchDocument: the price list, a charge posted by
// hand (with and without its key), voiding, drafting, issuing and reading invoices, each through the
// contract helper, errors included.
func exerciseBilling(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	admin, staff := env.Admin(), env.NewUser(shared.RoleStaff)
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID

	c.call(t, "the admin prices a procedure", send("PUT", "/api/billing/prices/XRAY-CHEST", admin.Token,
		map[string]any{"name": "Chest X-ray", "kind": "procedure", "amount": 4500, "tax_bp": 0}), http.StatusOK)
	c.exchange(t, "a price without an amount", send("PUT", "/api/billing/prices/XRAY-CHEST", admin.Token,
		map[string]any{"name": "Chest X-ray", "kind": "procedure"}), http.StatusBadRequest, true)
	c.call(t, "staff may not set prices", send("PUT", "/api/billing/prices/XRAY-CHEST", staff.Token,
		map[string]any{"name": "Chest X-ray", "kind": "procedure", "amount": 1}), http.StatusForbidden)
	c.call(t, "staff read the price list", get("/api/billing/prices", staff.Token), http.StatusOK)

	charges := "/api/patients/" + pid + "/charges"
	keyed := func(key string, body any) apptest.Request {
		r := send("POST", charges, staff.Token, body)
		r.Header = map[string]string{"Idempotency-Key": key}
		return r
	}
	charge := map[string]any{"code": "XRAY-CHEST", "quantity": 1, "reason": "X-ray in the emergency room"}
	var ch billing.Charge
	c.call(t, "staff post a charge by hand", keyed("er-xray-1", charge), http.StatusCreated).Decode(t, &ch)
	c.call(t, "the same key again", keyed("er-xray-1", charge), http.StatusCreated)
	c.call(t, "a charge without a key", send("POST", charges, staff.Token, charge), http.StatusBadRequest)
	c.call(t, "a price that is not on the list", keyed("er-2", map[string]any{"code": "NOPE", "reason": "r"}), http.StatusBadRequest)
	c.call(t, "the patient reads their charges", get(charges+"?unbilled=true", pat.Token), http.StatusOK)
	c.call(t, "another patient may not", get(charges, other.Token), http.StatusForbidden)

	var spare billing.Charge
	c.call(t, "a second charge", keyed("er-xray-2", charge), http.StatusCreated).Decode(t, &spare)
	c.call(t, "staff void it", send("POST", "/api/charges/"+spare.ID+"/void", staff.Token, billing.VoidRequest{Reason: "entered twice"}), http.StatusOK)
	c.exchange(t, "a void without a reason", send("POST", "/api/charges/"+spare.ID+"/void", staff.Token, map[string]any{}), http.StatusBadRequest, true)

	var inv billing.Invoice
	c.call(t, "staff draft an invoice", send("POST", "/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}), http.StatusCreated).Decode(t, &inv)
	c.call(t, "nothing left to bill", send("POST", "/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}), http.StatusBadRequest)
	c.call(t, "a charge on the draft cannot be voided", send("POST", "/api/charges/"+ch.ID+"/void", staff.Token,
		billing.VoidRequest{Reason: "x"}), http.StatusConflict)
	c.call(t, "take the line off", send("DELETE", "/api/invoices/"+inv.ID+"/lines/"+ch.ID+"?rev=2", staff.Token, nil), http.StatusOK).Decode(t, &inv)
	c.call(t, "from a stale revision", send("DELETE", "/api/invoices/"+inv.ID+"/lines/"+ch.ID+"?rev=2", staff.Token, nil), http.StatusConflict)
	c.call(t, "an empty draft cannot be issued", send("POST", "/api/invoices/"+inv.ID+"/issue", staff.Token, billing.RevRequest{Rev: inv.Rev}), http.StatusBadRequest)
	c.call(t, "draft again", send("POST", "/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}), http.StatusCreated).Decode(t, &inv)
	c.call(t, "a draft has no PDF", get("/api/invoices/"+inv.ID+"/pdf", staff.Token), http.StatusConflict)
	c.call(t, "issue it", send("POST", "/api/invoices/"+inv.ID+"/issue", staff.Token, billing.RevRequest{Rev: inv.Rev}), http.StatusOK).Decode(t, &inv)
	c.call(t, "the patient reads it", get("/api/invoices/"+inv.ID, pat.Token), http.StatusOK)
	c.call(t, "another patient cannot", get("/api/invoices/"+inv.ID, other.Token), http.StatusNotFound)
	c.call(t, "the patient lists their invoices", get("/api/invoices?patient_id="+pid+"&status=issued", pat.Token), http.StatusOK)
	c.call(t, "staff list every draft", get("/api/invoices?status=draft&limit=5", staff.Token), http.StatusOK)
	c.exchange(t, "an unknown status", get("/api/invoices?status=paid", staff.Token), http.StatusBadRequest, true)
	c.call(t, "an unknown invoice", get("/api/invoices/0123456789abcdef01234567", staff.Token), http.StatusNotFound)
	exerciseBillingDocuments(t, c, staff, pat, other, inv)
}

// exerciseBillingDocuments is the part of exerciseBilling on an issued invoice: its PDF and its credit
// notes, and the invoice read back with them.
func exerciseBillingDocuments(t *testing.T, c *contract, staff, pat, other apptest.User, inv billing.Invoice) {
	t.Helper()
	c.call(t, "staff fetch the invoice's PDF", get("/api/invoices/"+inv.ID+"/pdf", staff.Token), http.StatusOK)
	c.call(t, "the patient fetches theirs", get("/api/invoices/"+inv.ID+"/pdf", pat.Token), http.StatusOK)
	c.call(t, "another patient cannot", get("/api/invoices/"+inv.ID+"/pdf", other.Token), http.StatusNotFound)

	notes := "/api/invoices/" + inv.ID + "/credit-notes"
	keyed := func(key string, body any) apptest.Request {
		r := send("POST", notes, staff.Token, body)
		r.Header = map[string]string{"Idempotency-Key": key}
		return r
	}
	part := billing.CreditRequest{Reason: "charged in error", Lines: []billing.CreditLine{{ChargeID: inv.Lines[0].ChargeID}}}
	c.call(t, "staff credit the invoice", keyed("cn-1", part), http.StatusCreated)
	c.call(t, "the same key again", keyed("cn-1", part), http.StatusCreated)
	c.call(t, "a credit note without a key", send("POST", notes, staff.Token, part), http.StatusBadRequest)
	c.exchange(t, "a credit note without a reason", keyed("cn-2", map[string]any{}), http.StatusBadRequest, true)
	c.call(t, "more than was invoiced", keyed("cn-3", part), http.StatusConflict)
	c.call(t, "the patient may not credit", send("POST", notes, pat.Token, part), http.StatusForbidden)
	c.call(t, "the invoice with its credit note", get("/api/invoices/"+inv.ID, staff.Token), http.StatusOK)
}
