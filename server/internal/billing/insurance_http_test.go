package billing_test

import (
	"encoding/json"
	"testing"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"
	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/shared"
)

type claimList struct {
	Items    []billing.Claim       `json:"items"`
	Statuses []billing.ClaimStatus `json:"statuses"`
}

// TestInsuranceThroughRouter: admins keep payers (staff read them); staff add a policy to a patient and
// end it; the patient reads their own policies and claims and no one else's (403 for another's
// policies, 404 for another's claim); an invoice issued under the policy shows the shares; a claim is
// made, moved on the board (an invalid move is 409 with words) and exported as FHIR; every change
// reaches the billing desk and the patient's portal as billing.changed; every action is audited
// against the patient.
func TestInsuranceThroughRouter(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"), apptest.WithEnv("HOSPITAL_NAME", "St Test's"))
	admin, staff, doctor := env.Admin(), env.NewUser(shared.RoleStaff), env.NewUser(shared.RoleDoctor)
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	desk := env.MustDialWS(staff.Token, "")
	if ans, _ := desk.Subscribe(shared.ChannelBilling, nil); ans.Op != shared.OpSubscribed {
		t.Fatalf("subscribe: %+v", ans)
	}
	portal := env.MustDialWS(pat.Token, "")

	// Payers: admins only create and change; staff read.
	payer := map[string]any{"code": "ACME", "name": "Acme Health", "contact": "claims@acme.example"}
	env.Post("/api/billing/payers", staff.Token, payer).Want(t, 403)
	var p billing.Payer
	env.Post("/api/billing/payers", admin.Token, payer).Want(t, 201).Decode(t, &p)
	env.Post("/api/billing/payers", admin.Token, payer).WantError(t, 409, "payer_code_taken")
	env.Post("/api/billing/payers", admin.Token, map[string]any{"code": "X"}).WantError(t, 400, "invalid_request")
	env.Put("/api/billing/payers/"+p.ID, admin.Token, map[string]any{"code": "ACME", "name": "Acme Health plc"}).WantError(t, 400, "invalid_request")
	env.Put("/api/billing/payers/"+p.ID, admin.Token, map[string]any{"code": "ACME", "name": "Acme Health plc", "rev": p.Rev}).Want(t, 200).Decode(t, &p)
	env.Put("/api/billing/payers/"+p.ID, admin.Token, map[string]any{"code": "ACME", "name": "Stale", "rev": 1}).WantError(t, 409, "payer_changed")
	var payers struct {
		Items []billing.Payer `json:"items"`
	}
	env.Get("/api/billing/payers", staff.Token).Want(t, 200).Decode(t, &payers)
	if len(payers.Items) != 1 || payers.Items[0].Name != "Acme Health plc" {
		t.Fatalf("payers: %+v", payers.Items)
	}
	env.Get("/api/billing/payers", pat.Token).Want(t, 403)
	env.Get("/api/billing/payers", doctor.Token).Want(t, 403)

	// Policies.
	policies := "/api/patients/" + pid + "/policies"
	policy := map[string]any{"payer_id": p.ID, "member_id": "ACM-0042", "plan": "Gold", "coverage_bp": 8000, "copay": 1000,
		"valid_from": "2020-01-01"}
	env.Post(policies, pat.Token, policy).Want(t, 403)
	env.Post(policies, doctor.Token, policy).Want(t, 403)
	env.Post(policies, staff.Token, map[string]any{"payer_id": p.ID, "member_id": "x", "valid_from": "2020-01-01"}).WantError(t, 400, "invalid_request")
	var pol billing.Policy
	env.Post(policies, staff.Token, policy).Want(t, 201).Decode(t, &pol)
	if pol.PayerName != "Acme Health plc" || pol.MemberID != "ACM-0042" || pol.CoverageBP != 8000 {
		t.Fatalf("policy: %+v", pol)
	}
	if ev := billingEvent(t, desk, shared.ChannelBilling); ev.Kind != "policy" || ev.PatientID != pid {
		t.Fatalf("desk: %+v, want the policy", ev)
	}
	var list struct {
		Items []billing.Policy `json:"items"`
	}
	env.Get(policies, pat.Token).Want(t, 200).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].MemberID != "ACM-0042" {
		t.Fatalf("the patient's policies: %+v", list.Items)
	}
	env.Get(policies, other.Token).Want(t, 403)
	env.Get(policies, doctor.Token).Want(t, 403)
	var spare billing.Policy
	env.Post("/api/patients/"+other.User.PatientID+"/policies", staff.Token, policy).Want(t, 201).Decode(t, &spare)
	env.Post("/api/policies/"+spare.ID+"/end", other.Token, map[string]any{}).Want(t, 403)
	env.Post("/api/policies/"+spare.ID+"/end", staff.Token, map[string]any{"from": "2021-01-01"}).Want(t, 200).Decode(t, &spare)
	if spare.ValidTo != "2020-12-31" || spare.Ended == nil {
		t.Fatalf("ended: %+v", spare)
	}
	env.Post("/api/policies/"+spare.ID+"/end", staff.Token, map[string]any{}).WantError(t, 409, "policy_ended")
	env.Post("/api/policies/0123456789abcdef01234567/end", staff.Token, map[string]any{}).WantError(t, 404, "not_found")
	for range 2 { // the other patient's policy added and ended
		if ev := billingEvent(t, desk, shared.ChannelBilling); ev.Kind != "policy" || ev.PatientID != other.User.PatientID {
			t.Fatalf("desk: %+v, want the other patient's policy", ev)
		}
	}

	// An invoice issued under the policy.
	env.Put("/api/billing/prices/PROC", admin.Token, map[string]any{"name": "Procedure", "kind": "procedure", "amount": 10000}).Want(t, 200)
	env.Do(keyed("POST", "/api/patients/"+pid+"/charges", staff.Token, "c1", map[string]any{"code": "PROC", "reason": "done in clinic"})).Want(t, 201)
	var inv billing.Invoice
	env.Post("/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}).Want(t, 201).Decode(t, &inv)
	env.Post("/api/invoices/"+inv.ID+"/claims", staff.Token, nil).WantError(t, 409, "invoice_not_issued")
	env.Post("/api/invoices/"+inv.ID+"/issue", staff.Token, billing.RevRequest{Rev: inv.Rev}).Want(t, 200).Decode(t, &inv)
	if inv.Coverage == nil || inv.InsurerShare != 7200 || inv.PatientShare != 2800 || inv.Balance != 2800 {
		t.Fatalf("issued: %+v %d/%d balance %d", inv.Coverage, inv.InsurerShare, inv.PatientShare, inv.Balance)
	}
	for _, want := range []string{"charged", "drafted", "issued"} {
		if ev := billingEvent(t, desk, shared.ChannelBilling); ev.Kind != want {
			t.Fatalf("desk: %+v, want %s", ev, want)
		}
	}

	// The claim.
	claims := "/api/invoices/" + inv.ID + "/claims"
	env.Post(claims, pat.Token, nil).Want(t, 403)
	var c billing.Claim
	env.Post(claims, staff.Token, nil).Want(t, 201).Decode(t, &c)
	if c.Status != billing.ClaimDraft || c.Amount != 7200 || c.PatientName == "" || c.PayerName != "Acme Health plc" {
		t.Fatalf("created: %+v", c)
	}
	env.Post(claims, staff.Token, nil).WantError(t, 409, "claim_exists")
	status := "/api/claims/" + c.ID + "/status"
	env.Post(status, staff.Token, map[string]any{"status": "approved", "rev": c.Rev}).WantError(t, 409, "claim_transition")
	env.Post(status, staff.Token, map[string]any{"status": "submitted"}).WantError(t, 400, "invalid_request")
	env.Post(status, pat.Token, map[string]any{"status": "submitted", "rev": c.Rev}).Want(t, 403)
	env.Post(status, staff.Token, map[string]any{"status": "submitted", "rev": c.Rev}).Want(t, 200).Decode(t, &c)
	env.Post(status, admin.Token, map[string]any{"status": "in_review", "rev": c.Rev - 1}).WantError(t, 409, "claim_changed")
	env.Post(status, staff.Token, map[string]any{"status": "partially_approved", "rev": c.Rev, "approved_amount": 6000}).Want(t, 200).Decode(t, &c)
	var detail billing.InvoiceDetail
	env.Get("/api/invoices/"+inv.ID, pat.Token).Want(t, 200).Decode(t, &detail)
	if detail.Claim == nil || detail.Claim.Status != billing.ClaimPartiallyApproved || detail.Balance != 4000 || detail.InsurerDue != 6000 {
		t.Fatalf("the patient's invoice: claim %+v balance %d insurer %d; want 4000 for the patient", detail.Claim, detail.Balance, detail.InsurerDue)
	}
	env.Do(keyed("POST", "/api/invoices/"+inv.ID+"/payments", staff.Token, "pay-1", map[string]any{"method": "cash", "amount": 4001})).
		WantError(t, 409, "overpayment")

	// Reading: the board, one claim, the patient's own.
	var board claimList
	env.Get("/api/claims?status=partially_approved&payer_id="+p.ID, staff.Token).Want(t, 200).Decode(t, &board)
	if len(board.Items) != 1 || board.Items[0].ID != c.ID || len(board.Statuses) != 7 {
		t.Fatalf("the board: %+v", board)
	}
	env.Get("/api/claims?status=paid", staff.Token).Want(t, 200).Decode(t, &board)
	if len(board.Items) != 0 {
		t.Fatalf("the paid column: %+v", board.Items)
	}
	env.Get("/api/claims?status=closed", staff.Token).WantError(t, 400, "invalid_request")
	env.Get("/api/claims", pat.Token).Want(t, 200).Decode(t, &board)
	if len(board.Items) != 1 || board.Items[0].PatientName != "" {
		t.Fatalf("the patient's own claims: %+v", board.Items)
	}
	env.Get("/api/claims", other.Token).Want(t, 200).Decode(t, &board)
	if len(board.Items) != 0 {
		t.Fatalf("another patient's list: %+v", board.Items)
	}
	env.Get("/api/claims?patient_id="+pid, other.Token).Want(t, 403)
	env.Get("/api/claims", doctor.Token).Want(t, 403)
	var one billing.Claim
	env.Get("/api/claims/"+c.ID, pat.Token).Want(t, 200).Decode(t, &one)
	if len(one.History) != 3 || one.ApprovedAmount != 6000 {
		t.Fatalf("the claim: %+v", one)
	}
	env.Get("/api/claims/"+c.ID, other.Token).WantError(t, 404, "not_found")
	env.Get("/api/claims/0123456789abcdef01234567", staff.Token).WantError(t, 404, "not_found")

	// FHIR.
	env.Get("/api/claims/"+c.ID+"/fhir", other.Token).WantError(t, 404, "not_found")
	resp := env.Get("/api/claims/"+c.ID+"/fhir", staff.Token).Want(t, 200)
	if ct := resp.Header.Get("Content-Type"); ct != "application/fhir+json; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	var raw map[string]any
	if err := json.Unmarshal(resp.Body, &raw); err != nil || raw["resourceType"] != "Claim" {
		t.Fatalf("FHIR body: %s %v", resp.Body, err)
	}
	r, err := fhir.UnmarshalClaim(resp.Body)
	if err != nil || r.Provider.Display == nil || *r.Provider.Display != "St Test's" || *r.Total.Value != "100.00" || *r.Total.Currency != "GBP" ||
		*r.Insurance[0].Coverage.Identifier.Value != "ACM-0042" {
		t.Fatalf("FHIR: %s %v", resp.Body, err)
	}
	env.Get("/api/claims/"+c.ID+"/fhir", pat.Token).Want(t, 200)

	// Events on both channels, ids only.
	for range 3 { // created, submitted, partially approved
		if ev := billingEvent(t, desk, shared.ChannelBilling); ev.Kind != "claim" || ev.InvoiceID != inv.ID {
			t.Fatalf("desk: %+v, want the claim", ev)
		}
	}
	kinds := map[string]int{}
	for range 7 { // policy, charged, drafted, issued, claim ×3
		kinds[billingEvent(t, portal, shared.ChannelUser+":"+pat.ID()).Kind]++
	}
	if kinds["claim"] != 3 || kinds["policy"] != 1 {
		t.Fatalf("the portal heard %v", kinds)
	}

	for _, action := range []string{"billing.payer.create", "billing.payer.update", "billing.policy.add", "billing.policies.read",
		"billing.policy.end", "billing.claim.create", "billing.claim.status", "billing.claims.read", "billing.claim.read", "billing.claim.fhir"} {
		if docs := env.RawDocs(t, "audit", bson.D{{Key: "action", Value: action}}); len(docs) == 0 {
			t.Errorf("no audit entry for %s", action)
		}
	}
	for _, action := range []string{"billing.policy.add", "billing.claim.status", "billing.claim.fhir", "billing.claim.read"} {
		docs := env.RawDocs(t, "audit", bson.D{{Key: "action", Value: action}, {Key: "patient_id", Value: pid}})
		if len(docs) == 0 {
			t.Errorf("no audit entry for %s against the patient", action)
		}
	}
	// Refusals are audited too: another patient's claim read, a patient's move.
	if docs := env.RawDocs(t, "audit", bson.D{{Key: "action", Value: "billing.claim.read"}, {Key: "actor_id", Value: other.ID()},
		{Key: "outcome", Value: bson.D{{Key: "$ne", Value: "ok"}}}}); len(docs) == 0 {
		t.Errorf("another patient's refused read is not audited")
	}
}
