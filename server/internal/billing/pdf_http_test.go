package billing_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/server/internal/billing/pdf/pdftest"
	"hms/shared"
)

// TestInvoicePDFAndCreditNotes: through the router, an issued invoice's PDF carries the hospital, the
// patient, the lines, taxes and totals, is the same bytes on every fetch and after a price change, and
// is refused for a draft; the patient gets their own, no one else's. A credit note needs an
// Idempotency-Key, is made once per key, shows on the invoice, and cannot exceed it. All audited.
func TestInvoicePDFAndCreditNotes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"), apptest.WithEnv("HOSPITAL_NAME", "St Mary's Hospital"),
		apptest.WithEnv("HOSPITAL_ADDRESS", "1 Praed Street, London W2 1NY"), apptest.WithEnv("HOSPITAL_TAX_ID", "GB123456789"))
	h := env.Hospital()
	env.Put("/api/billing/prices/XRAY", h.Admin.Token, map[string]any{"name": "Chest X-ray", "kind": "procedure", "amount": 4500, "tax_bp": 2000}).Want(t, 200)
	env.Put("/api/billing/prices/DRESS", h.Admin.Token, map[string]any{"name": "Wound dressing", "kind": "treatment", "amount": 800}).Want(t, 200)
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	var p shared.Patient
	env.Get("/api/patient/"+pid, pat.Token).Want(t, 200).Decode(t, &p)
	charges := "/api/patients/" + pid + "/charges"
	var xray, dress billing.Charge
	env.Do(apptest.Request{Method: "POST", Path: charges, Token: h.Staff.Token, Header: map[string]string{"Idempotency-Key": "x1"},
		Body: map[string]any{"code": "XRAY", "reason": "fall"}}).Want(t, 201).Decode(t, &xray)
	env.Do(apptest.Request{Method: "POST", Path: charges, Token: h.Staff.Token, Header: map[string]string{"Idempotency-Key": "d1"},
		Body: map[string]any{"code": "DRESS", "quantity": 3, "reason": "fall"}}).Want(t, 201).Decode(t, &dress)

	var inv billing.Invoice
	env.Post("/api/invoices", h.Staff.Token, billing.DraftRequest{PatientID: pid}).Want(t, 201).Decode(t, &inv)
	env.Get("/api/invoices/"+inv.ID+"/pdf", h.Staff.Token).WantError(t, 409, "invoice_not_issued")
	env.Post("/api/invoices/"+inv.ID+"/issue", h.Staff.Token, billing.RevRequest{Rev: inv.Rev}).Want(t, 200).Decode(t, &inv)

	first := env.Get("/api/invoices/"+inv.ID+"/pdf", h.Staff.Token).Want(t, 200)
	if ct, cd := first.Header.Get("Content-Type"), first.Header.Get("Content-Disposition"); ct != "application/pdf" ||
		cd != `attachment; filename="`+inv.Number+`.pdf"` {
		t.Fatalf("got Content-Type %q, Content-Disposition %q; want a PDF attachment named %s.pdf", ct, cd, inv.Number)
	}
	text := pdftest.Text(t, first.Body)
	for _, want := range []string{"St Mary's Hospital", "1 Praed Street, London W2 1NY", "Tax ID: GB123456789", "INVOICE " + inv.Number,
		p.Name, p.MRN, "Chest X-ray", "£45.00", "£9.00 (20%)", "£54.00", "Wound dressing", "3", "£8.00", "£0.00 (0%)", "£24.00",
		"Subtotal (before tax)", "£69.00", "Tax 20% on £45.00", "Total tax", "Total", "£78.00", "Balance due"} {
		if !strings.Contains(text, want) {
			t.Errorf("the invoice's PDF lacks %q:\n%s", want, text)
		}
	}
	env.Put("/api/billing/prices/XRAY", h.Admin.Token, map[string]any{"name": "Chest X-ray", "kind": "procedure", "amount": 9900, "tax_bp": 2000}).Want(t, 200)
	again := env.Get("/api/invoices/"+inv.ID+"/pdf", pat.Token).Want(t, 200)
	if !bytes.Equal(first.Body, again.Body) {
		t.Fatal("the second fetch (after a price change) is not the same bytes")
	}
	var after billing.InvoiceDetail
	env.Get("/api/invoices/"+inv.ID, h.Staff.Token).Want(t, 200).Decode(t, &after)
	if after.Totals != inv.Totals || after.Lines[0].UnitAmount != inv.Lines[0].UnitAmount {
		t.Fatalf("the invoice after a price change: got %+v, want it as issued %+v", after.Invoice, inv)
	}
	env.Get("/api/invoices/"+inv.ID+"/pdf", other.Token).Want(t, 404)
	env.Get("/api/invoices/"+inv.ID+"/pdf", h.Doctor.Token).Want(t, 403)

	notes := "/api/invoices/" + inv.ID + "/credit-notes"
	body := map[string]any{"reason": "one dressing not done", "lines": []map[string]any{{"charge_id": dress.ID, "quantity": 1}}}
	env.Post(notes, h.Staff.Token, body).WantError(t, 400, "invalid_request")
	env.Do(apptest.Request{Method: "POST", Path: notes, Token: pat.Token, Header: map[string]string{"Idempotency-Key": "c1"}, Body: body}).Want(t, 403)
	var cn, replay billing.CreditNote
	env.Do(apptest.Request{Method: "POST", Path: notes, Token: h.Staff.Token, Header: map[string]string{"Idempotency-Key": "c1"}, Body: body}).
		Want(t, 201).Decode(t, &cn)
	r := env.Do(apptest.Request{Method: "POST", Path: notes, Token: h.Staff.Token, Header: map[string]string{"Idempotency-Key": "c1"}, Body: body}).Want(t, 201)
	r.Decode(t, &replay)
	if cn.Number != fmt.Sprintf("CN-%d-000001", apptest.Monday.Year()) || cn.Totals.Total != -800 || replay.ID != cn.ID || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("got %+v then %+v, want the year's first credit note, of -800, made once", cn, replay)
	}
	env.Do(apptest.Request{Method: "POST", Path: notes, Token: h.Staff.Token, Header: map[string]string{"Idempotency-Key": "c2"},
		Body: map[string]any{"reason": "x", "lines": []map[string]any{{"charge_id": dress.ID, "quantity": 3}}}}).WantError(t, 409, "credit_exceeds_invoice")
	env.Do(apptest.Request{Method: "POST", Path: notes, Token: h.Staff.Token, Header: map[string]string{"Idempotency-Key": "c3"},
		Body: map[string]any{"reason": "x", "amount": -1}}).WantError(t, 400, "invalid_request")
	env.Get("/api/invoices/"+inv.ID, pat.Token).Want(t, 200).Decode(t, &after)
	if after.Credited != 800 || len(after.CreditNotes) != 1 || after.CreditNotes[0].Number != cn.Number {
		t.Fatalf("the invoice: got credited %d and %+v, want 800 and the one note", after.Credited, after.CreditNotes)
	}
	if !bytes.Equal(env.Get("/api/invoices/"+inv.ID+"/pdf", h.Staff.Token).Want(t, 200).Body, first.Body) {
		t.Fatal("the invoice's PDF changed after a credit note")
	}
	for _, action := range []string{"billing.invoice.pdf", "billing.credit_note.issue"} {
		if docs := env.RawDocs(t, "audit", bson.D{{Key: "action", Value: action}, {Key: "patient_id", Value: pid}}); len(docs) == 0 {
			t.Errorf("no audit entry for %s", action)
		}
	}
}
