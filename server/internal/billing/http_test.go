package billing_test

import (
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/shared"
)

// eventually waits up to 15 s for ok.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type chargeList struct {
	Items []billing.Charge `json:"items"`
}

// TestFinishedVisitChargedOnceAndBilled: a finished visit posts one consultation charge, priced by the
// seeing doctor's specialty; staff draft and issue an invoice of it; the patient reads their own bills and
// no one else's; a doctor does not bill; every action is audited.
func TestFinishedVisitChargedOnceAndBilled(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"), apptest.WithEnv("REACTION_POLL", "100ms"))
	h := env.Hospital()
	var doc shared.Doctor
	env.Get("/api/doctors/"+h.Doctor.ID(), h.Staff.Token).Want(t, 200).Decode(t, &doc)
	env.Put("/api/billing/prices/CONS-GEN", h.Admin.Token, map[string]any{"name": "Consultation", "kind": "consultation", "amount": 5000}).Want(t, 200)
	env.Put("/api/billing/prices/CONS-SPEC", h.Admin.Token, map[string]any{"name": "Specialist consultation",
		"kind": "consultation", "ref": doc.Specialty, "amount": 12000, "tax_bp": 2000}).Want(t, 200)
	env.Put("/api/billing/prices/CONS-X", h.Staff.Token, map[string]any{"name": "X", "kind": "consultation", "amount": 1}).Want(t, 403)
	env.Put("/api/billing/prices/BAD", h.Admin.Token, map[string]any{"name": "X", "kind": "spa", "amount": 1}).WantError(t, 400, "invalid_request")

	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	a := env.Attend(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0))
	env.Post("/api/queues/"+h.Dept+"/next", h.Doctor.Token, nil).Want(t, 200)
	env.Post("/api/queue/tickets/"+a.ID+"/start", h.Doctor.Token, nil).Want(t, 200)
	env.Post("/api/queue/tickets/"+a.ID+"/finish", h.Doctor.Token, nil).Want(t, 200)

	charges := "/api/patients/" + pid + "/charges"
	var cs chargeList
	eventually(t, "the consultation charge", func() bool {
		env.Get(charges, h.Staff.Token).Want(t, 200).Decode(t, &cs)
		return len(cs.Items) > 0
	})
	time.Sleep(300 * time.Millisecond) // a second run of the reaction (another poll) would show now
	env.Get(charges, h.Staff.Token).Want(t, 200).Decode(t, &cs)
	if len(cs.Items) != 1 || cs.Items[0].Code != "CONS-SPEC" || cs.Items[0].Total != 14400 || cs.Items[0].Currency != "GBP" {
		t.Fatalf("got %+v, want one specialist consultation of 12000 + 20%% tax in GBP", cs.Items)
	}

	env.Get(charges, pat.Token).Want(t, 200)
	env.Get(charges, other.Token).Want(t, 403)
	env.Get(charges, h.Doctor.Token).Want(t, 403)

	var inv billing.Invoice
	env.Post("/api/invoices", h.Staff.Token, billing.DraftRequest{PatientID: pid}).Want(t, 201).Decode(t, &inv)
	env.Post("/api/invoices", h.Staff.Token, billing.DraftRequest{PatientID: pid}).WantError(t, 400, "no_unbilled_charges")
	env.Post("/api/invoices/"+inv.ID+"/issue", h.Staff.Token, billing.RevRequest{Rev: inv.Rev - 1}).WantError(t, 409, "invoice_changed")
	env.Post("/api/invoices/"+inv.ID+"/issue", h.Staff.Token, billing.RevRequest{Rev: inv.Rev}).Want(t, 200).Decode(t, &inv)
	if inv.Number != fmt.Sprintf("INV-%d-000001", apptest.Monday.Year()) || inv.Totals.Total != 14400 {
		t.Fatalf("issued: got %+v, want the year's first number and 14400", inv)
	}
	env.Get("/api/invoices/"+inv.ID, pat.Token).Want(t, 200)
	env.Get("/api/invoices/"+inv.ID, other.Token).Want(t, 404)
	env.Get("/api/invoices?patient_id="+pid, pat.Token).Want(t, 200)
	// A patient who names no patient lists their own invoices.
	var own struct {
		Items []billing.Invoice `json:"items"`
	}
	env.Get("/api/invoices", pat.Token).Want(t, 200).Decode(t, &own)
	if len(own.Items) != 1 || own.Items[0].ID != inv.ID {
		t.Fatalf("the patient's own list: got %+v, want their one invoice", own.Items)
	}
	env.Get("/api/invoices", other.Token).Want(t, 200).Decode(t, &own)
	if len(own.Items) != 0 {
		t.Fatalf("another patient's own list: got %+v, want none", own.Items)
	}
	env.Get("/api/invoices?patient_id="+pid, other.Token).Want(t, 403)

	// A charge by hand needs a reason and a key; the same key posts it once.
	manual := map[string]any{"code": "CONS-GEN", "reason": "second opinion on the ward"}
	env.Post(charges, h.Staff.Token, manual).WantError(t, 400, "invalid_request")
	// The server prices every charge: a client-sent amount is refused, not used.
	env.Do(apptest.Request{Method: "POST", Path: charges, Token: h.Staff.Token, Header: map[string]string{"Idempotency-Key": "priced-by-client"},
		Body: map[string]any{"code": "CONS-GEN", "reason": "x", "total": 1}}).WantError(t, 400, "invalid_request")
	for range 2 {
		env.Do(apptest.Request{Method: "POST", Path: charges, Token: h.Staff.Token, Body: manual,
			Header: map[string]string{"Idempotency-Key": "ward-round-1"}}).Want(t, 201)
	}
	env.Get(charges+"?unbilled=true", h.Staff.Token).Want(t, 200).Decode(t, &cs)
	if len(cs.Items) != 1 || cs.Items[0].Total != 5000 || cs.Items[0].Reason != "second opinion on the ward" {
		t.Fatalf("unbilled after two posts with one key: got %+v, want one charge of 5000", cs.Items)
	}
	env.Post("/api/charges/"+cs.Items[0].ID+"/void", h.Staff.Token, billing.VoidRequest{}).WantError(t, 400, "invalid_request")
	env.Post("/api/charges/"+cs.Items[0].ID+"/void", h.Staff.Token, billing.VoidRequest{Reason: "posted in error"}).Want(t, 200)

	for _, action := range []string{"billing.price.set", "billing.charges.read", "billing.invoice.draft", "billing.invoice.issue",
		"billing.invoice.read", "billing.charge.post", "billing.charge.void"} {
		if docs := env.RawDocs(t, "audit", bson.D{{Key: "action", Value: action}}); len(docs) == 0 {
			t.Errorf("no audit entry for %s", action)
		}
	}
}
