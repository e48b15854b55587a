package billing_test

import (
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/server/internal/billing/pdf/pdftest"
	"hms/server/internal/gdpr"
	"hms/shared"
)

// TestBillingExportAndErasure: a patient's data export carries their billing (charges; invoices with
// lines, number, totals, credit notes and payments); erasing the patient keeps the financial records —
// the charges, the issued invoice with its number and totals, its credit note and its ledger, their free
// text still sealed — and deletes the stored PDF, which printed the name: the invoice's PDF is rendered
// again under the pseudonym.
func TestBillingExportAndErasure(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"), apptest.WithEnv("REACTION_POLL", "100ms"))
	h := env.Hospital()
	env.Put("/api/billing/prices/XRAY", h.Admin.Token, map[string]any{"name": "Chest X-ray", "kind": "procedure", "amount": 4500}).Want(t, 200)
	pat := env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	var p shared.Patient
	env.Get("/api/patient/"+pid, pat.Token).Want(t, 200).Decode(t, &p)
	keyed := func(path, key string, body any) *apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: path, Token: h.Staff.Token, Header: map[string]string{"Idempotency-Key": key}, Body: body})
	}
	var charge billing.Charge
	keyed("/api/patients/"+pid+"/charges", "c1", map[string]any{"code": "XRAY", "quantity": 2, "reason": "fall-6a6a"}).Want(t, 201).Decode(t, &charge)
	var inv billing.Invoice
	env.Post("/api/invoices", h.Staff.Token, billing.DraftRequest{PatientID: pid}).Want(t, 201).Decode(t, &inv)
	env.Post("/api/invoices/"+inv.ID+"/issue", h.Staff.Token, billing.RevRequest{Rev: inv.Rev}).Want(t, 200).Decode(t, &inv)
	keyed("/api/invoices/"+inv.ID+"/payments", "pay1", map[string]any{"method": "cash", "amount": 3000, "reference": "slip-7b7b"}).Want(t, 201)
	var cn billing.CreditNote
	keyed("/api/invoices/"+inv.ID+"/credit-notes", "cn1", map[string]any{"reason": "one view-8c8c", "lines": []map[string]any{{"charge_id": charge.ID, "quantity": 1}}}).
		Want(t, 201).Decode(t, &cn)
	before := pdftest.Text(t, env.Get("/api/invoices/"+inv.ID+"/pdf", h.Staff.Token).Want(t, 200).Body)
	if !strings.Contains(before, p.Name) {
		t.Fatalf("the stored PDF lacks the patient's name %q:\n%s", p.Name, before)
	}

	var x struct {
		Sections struct {
			Billing billing.Export `json:"billing"`
		} `json:"sections"`
	}
	env.Get("/api/me/export", pat.Token).Want(t, 200).Decode(t, &x)
	b := x.Sections.Billing
	if len(b.Charges) != 1 || b.Charges[0].ID != charge.ID || b.Charges[0].Reason != "fall-6a6a" || len(b.Invoices) != 1 {
		t.Fatalf("the export's billing: got %+v, want the charge and the invoice", b)
	}
	if e := b.Invoices[0]; e.Number != inv.Number || e.Totals.Total != 9000 || len(e.Lines) != 1 || e.Lines[0].Description != "Chest X-ray" ||
		len(e.Payments) != 1 || e.Payments[0].Amount != 3000 || e.Payments[0].Reference != "slip-7b7b" || e.Paid != 3000 ||
		len(e.CreditNotes) != 1 || e.CreditNotes[0].Number != cn.Number || e.Credited != 4500 || e.Balance != 1500 || e.Refunds == nil {
		t.Fatalf("the export's invoice: got %+v, want number, lines, totals, the payment and the credit note", e)
	}
	other := env.NewUser(shared.RolePatient)
	env.Get("/api/me/export", other.Token).Want(t, 200).Decode(t, &x)
	if len(x.Sections.Billing.Charges) != 0 || len(x.Sections.Billing.Invoices) != 0 {
		t.Fatalf("another patient's export holds billing: %+v", x.Sections.Billing)
	}

	env.Post("/api/patients/"+pid+"/erasure", h.Admin.Token, shared.ErasureRequest{Confirm: true}).Want(t, 200)
	eventually(t, "the stored PDF deleted", func() bool {
		return len(env.RawDocs(t, "billing_documents", bson.D{{Key: "patient_id", Value: pid}})) == 0
	})
	var after billing.InvoiceDetail
	env.Get("/api/invoices/"+inv.ID, h.Staff.Token).Want(t, 200).Decode(t, &after)
	if after.Number != inv.Number || after.Totals != inv.Totals || after.Lines[0].Description != "Chest X-ray" || len(after.Payments) != 1 ||
		len(after.CreditNotes) != 1 || after.Balance != 1500 {
		t.Fatalf("the invoice after erasure: got %+v, want it kept as issued, with its payment and credit note", after)
	}
	var cs chargeList
	env.Get("/api/patients/"+pid+"/charges", h.Staff.Token).Want(t, 200).Decode(t, &cs)
	if len(cs.Items) != 1 || cs.Items[0].Reason != "fall-6a6a" {
		t.Fatalf("the charges after erasure: got %+v, want the charge kept", cs.Items)
	}
	for col, filter := range map[string]bson.D{"billing_charges": {{Key: "patient_id", Value: pid}}, "billing_ledger": {{Key: "invoice_id", Value: inv.ID}},
		"billing_credit_notes": {{Key: "invoice_id", Value: inv.ID}}} {
		raw, err := bson.Marshal(bson.M{"docs": env.RawDocs(t, col, filter)})
		if err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{"fall-6a6a", "slip-7b7b", "view-8c8c"} {
			if strings.Contains(string(raw), plain) {
				t.Errorf("%s holds %q in clear after erasure", col, plain)
			}
		}
	}
	text := pdftest.Text(t, env.Get("/api/invoices/"+inv.ID+"/pdf", h.Staff.Token).Want(t, 200).Body)
	if strings.Contains(text, p.Name) || !strings.Contains(text, gdpr.Pseudonym(pid)) || !strings.Contains(text, inv.Number) || !strings.Contains(text, "£90.00") {
		t.Fatalf("the PDF after erasure: want the pseudonym, the number and the total, not the name %q:\n%s", p.Name, text)
	}
}
