package app_test

import (
	"net/http"
	"testing"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/shared"
)

// exerciseInsurance is the insurance part of TestResponsesMatchDocument: payers, a patient's policies,
// an invoice issued under one (its shares), a claim made, moved, listed, read and exported as FHIR,
// each through the contract helper, errors included.
func exerciseInsurance(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	admin, staff := env.Admin(), env.NewUser(shared.RoleStaff)
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID

	var payer billing.Payer
	c.call(t, "the admin adds a payer", send("POST", "/api/billing/payers", admin.Token,
		map[string]any{"code": "MUTUAL", "name": "Mutual Health", "contact": "claims@mutual.example"}), http.StatusCreated).Decode(t, &payer)
	c.call(t, "the same code again", send("POST", "/api/billing/payers", admin.Token,
		map[string]any{"code": "MUTUAL", "name": "Copy"}), http.StatusConflict)
	c.exchange(t, "a payer without a name", send("POST", "/api/billing/payers", admin.Token, map[string]any{"code": "X"}), http.StatusBadRequest, true)
	c.call(t, "staff may not add payers", send("POST", "/api/billing/payers", staff.Token,
		map[string]any{"code": "S", "name": "S"}), http.StatusForbidden)
	c.call(t, "the admin renames it", send("PUT", "/api/billing/payers/"+payer.ID, admin.Token,
		map[string]any{"code": "MUTUAL", "name": "Mutual Health plc", "rev": payer.Rev}), http.StatusOK).Decode(t, &payer)
	c.call(t, "from a stale revision", send("PUT", "/api/billing/payers/"+payer.ID, admin.Token,
		map[string]any{"code": "MUTUAL", "name": "Stale", "rev": 1}), http.StatusConflict)
	c.call(t, "an unknown payer", send("PUT", "/api/billing/payers/0123456789abcdef01234567", admin.Token,
		map[string]any{"code": "Z", "name": "Z", "rev": 1}), http.StatusNotFound)
	c.call(t, "staff list the payers", get("/api/billing/payers", staff.Token), http.StatusOK)

	policies := "/api/patients/" + pid + "/policies"
	var pol billing.Policy
	c.call(t, "staff add a policy", send("POST", policies, staff.Token, map[string]any{"payer_id": payer.ID, "member_id": "MH-1234",
		"plan": "Silver", "coverage_bp": 7500, "copay": 500, "valid_from": "2020-01-01"}), http.StatusCreated).Decode(t, &pol)
	c.exchange(t, "a policy without coverage", send("POST", policies, staff.Token, map[string]any{"payer_id": payer.ID,
		"member_id": "MH-1234", "valid_from": "2020-01-01"}), http.StatusBadRequest, true)
	c.call(t, "the patient may not add one", send("POST", policies, pat.Token, map[string]any{"payer_id": payer.ID,
		"member_id": "MH-1234", "coverage_bp": 1, "valid_from": "2020-01-01"}), http.StatusForbidden)
	c.call(t, "the patient reads their policies", get(policies, pat.Token), http.StatusOK)
	c.call(t, "another patient may not", get(policies, other.Token), http.StatusForbidden)
	var ended billing.Policy
	c.call(t, "a second policy", send("POST", policies, staff.Token, map[string]any{"payer_id": payer.ID, "member_id": "MH-9",
		"coverage_bp": 1000, "valid_from": "2019-01-01", "valid_to": "2019-12-31"}), http.StatusCreated).Decode(t, &ended)
	c.call(t, "staff end it", send("POST", "/api/policies/"+ended.ID+"/end", staff.Token, map[string]any{"from": "2019-06-01"}), http.StatusOK)
	c.call(t, "ended already", send("POST", "/api/policies/"+ended.ID+"/end", staff.Token, map[string]any{}), http.StatusConflict)

	c.env.Put("/api/billing/prices/MRI", admin.Token, map[string]any{"name": "MRI scan", "kind": "procedure", "amount": 20000}).Want(t, http.StatusOK)
	c.env.Do(apptest.Request{Method: "POST", Path: "/api/patients/" + pid + "/charges", Token: staff.Token,
		Body: map[string]any{"code": "MRI", "reason": "r"}, Header: map[string]string{"Idempotency-Key": "mri-1"}}).Want(t, http.StatusCreated)
	var inv billing.Invoice
	c.call(t, "draft", send("POST", "/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}), http.StatusCreated).Decode(t, &inv)
	c.call(t, "no claim from a draft", send("POST", "/api/invoices/"+inv.ID+"/claims", staff.Token, nil), http.StatusConflict)
	c.call(t, "issued with its shares", send("POST", "/api/invoices/"+inv.ID+"/issue", staff.Token, billing.RevRequest{Rev: inv.Rev}),
		http.StatusOK).Decode(t, &inv)
	var cl billing.Claim
	c.call(t, "staff make a claim", send("POST", "/api/invoices/"+inv.ID+"/claims", staff.Token, nil), http.StatusCreated).Decode(t, &cl)
	c.call(t, "a second claim", send("POST", "/api/invoices/"+inv.ID+"/claims", staff.Token, nil), http.StatusConflict)
	c.call(t, "the patient may not", send("POST", "/api/invoices/"+inv.ID+"/claims", pat.Token, nil), http.StatusForbidden)

	status := "/api/claims/" + cl.ID + "/status"
	c.call(t, "submitted", send("POST", status, staff.Token, map[string]any{"status": "submitted", "rev": cl.Rev}), http.StatusOK).Decode(t, &cl)
	c.call(t, "the same move again", send("POST", status, staff.Token, map[string]any{"status": "submitted", "rev": cl.Rev - 1}), http.StatusOK)
	c.call(t, "a move its life does not have", send("POST", status, staff.Token, map[string]any{"status": "paid", "rev": cl.Rev}), http.StatusConflict)
	c.exchange(t, "a move without its revision", send("POST", status, staff.Token, map[string]any{"status": "in_review"}), http.StatusBadRequest, true)
	c.call(t, "denied without a reason", send("POST", status, staff.Token, map[string]any{"status": "denied", "rev": cl.Rev}), http.StatusBadRequest)
	c.call(t, "approved", send("POST", status, staff.Token, map[string]any{"status": "approved", "rev": cl.Rev}), http.StatusOK).Decode(t, &cl)
	c.call(t, "paid", send("POST", status, admin.Token, map[string]any{"status": "paid", "rev": cl.Rev, "paid_amount": cl.ApprovedAmount}), http.StatusOK)
	c.call(t, "the patient may not move it", send("POST", status, pat.Token, map[string]any{"status": "paid", "rev": cl.Rev}), http.StatusForbidden)

	c.call(t, "the board", get("/api/claims?status=paid&payer_id="+payer.ID, staff.Token), http.StatusOK)
	c.exchange(t, "an unknown status", get("/api/claims?status=closed", staff.Token), http.StatusBadRequest, true)
	c.call(t, "the patient's own claims", get("/api/claims", pat.Token), http.StatusOK)
	c.call(t, "another patient's", get("/api/claims?patient_id="+pid, other.Token), http.StatusForbidden)
	c.call(t, "the claim", get("/api/claims/"+cl.ID, pat.Token), http.StatusOK)
	c.call(t, "another patient's claim", get("/api/claims/"+cl.ID, other.Token), http.StatusNotFound)
	c.call(t, "the claim as FHIR", get("/api/claims/"+cl.ID+"/fhir", staff.Token), http.StatusOK)
	c.call(t, "another patient's as FHIR", get("/api/claims/"+cl.ID+"/fhir", other.Token), http.StatusNotFound)
	c.call(t, "the invoice with its claim", get("/api/invoices/"+inv.ID, pat.Token), http.StatusOK)
	c.call(t, "the patient's invoices with theirs", get("/api/invoices?patient_id="+pid, pat.Token), http.StatusOK)
}
