package billing_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/server/internal/billing/pdf/pdftest"
	"hms/shared"
)

// TestPaymentReceipt: through the router, a payment's receipt is a PDF named by its receipt number that
// carries the receipt number, the date, the patient, the invoice's number, the method, the amount and
// the invoice's balance right after the payment: a second partial payment's receipt shows the lower
// balance; a refund made before a payment counts in its balance, a refund made after shows on the
// refunded payment's receipt (which then changes) and nowhere else; a credit note counts only from the
// payment after it. Two fetches of one state are byte-identical. The patient gets their own receipts;
// another patient and an unknown or refund id get 404, a doctor 403. Audited.
func TestPaymentReceipt(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"), apptest.WithEnv("HOSPITAL_NAME", "St Mary's Hospital"))
	h := env.Hospital()
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	var p shared.Patient
	env.Get("/api/patient/"+pid, pat.Token).Want(t, 200).Decode(t, &p)

	// An invoice of 4 × £50.00 = £200.00, no tax.
	env.Put("/api/billing/prices/PHYSIO", h.Admin.Token, map[string]any{"name": "Physiotherapy session", "kind": "treatment", "amount": 5000}).Want(t, 200)
	var charge billing.Charge
	env.Do(keyed("POST", "/api/patients/"+pid+"/charges", h.Staff.Token, "c1", map[string]any{"code": "PHYSIO", "quantity": 4, "reason": "course"})).
		Want(t, 201).Decode(t, &charge)
	var inv billing.Invoice
	env.Post("/api/invoices", h.Staff.Token, billing.DraftRequest{PatientID: pid}).Want(t, 201).Decode(t, &inv)
	env.Post("/api/invoices/"+inv.ID+"/issue", h.Staff.Token, billing.RevRequest{Rev: inv.Rev}).Want(t, 200).Decode(t, &inv)
	if inv.Totals.Total != 20000 {
		t.Fatalf("the invoice's total: got %d, want 20000", inv.Totals.Total)
	}

	payments := "/api/invoices/" + inv.ID + "/payments"
	pay := func(key string, method billing.Method, amount int64) billing.Payment {
		t.Helper()
		h.Clock.Advance(time.Minute)
		var out billing.Payment
		env.Do(keyed("POST", payments, h.Staff.Token, key, map[string]any{"method": method, "amount": amount})).Want(t, 201).Decode(t, &out)
		return out
	}
	receipt := func(id, token string) *apptest.Response {
		t.Helper()
		return env.Get("/api/payments/"+id+"/receipt", token)
	}
	// shows checks a receipt's text: everything in want, nothing in unwanted.
	shows := func(name string, doc []byte, want []string, unwanted ...string) {
		t.Helper()
		text := pdftest.Text(t, doc)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the receipt lacks %q:\n%s", name, w, text)
			}
		}
		for _, u := range unwanted {
			if strings.Contains(text, u) {
				t.Errorf("%s: the receipt shows %q:\n%s", name, u, text)
			}
		}
	}

	first := pay("p1", billing.Cash, 3000)
	r1 := receipt(first.ID, h.Staff.Token).Want(t, 200)
	if ct, cd := r1.Header.Get("Content-Type"), r1.Header.Get("Content-Disposition"); ct != "application/pdf" ||
		cd != `attachment; filename="`+first.ReceiptNumber+`.pdf"` || first.ReceiptNumber == "" {
		t.Fatalf("got Content-Type %q, Content-Disposition %q; want a PDF attachment named %s.pdf", ct, cd, first.ReceiptNumber)
	}
	shows("the first payment", r1.Body, []string{"St Mary's Hospital", "RECEIPT " + first.ReceiptNumber, "7 January 2030",
		p.Name, p.MRN, inv.Number, "Cash", "Amount paid", "£30.00", "Balance after this payment", "£170.00"}, "Refunded")
	if again := receipt(first.ID, pat.Token).Want(t, 200); !bytes.Equal(again.Body, r1.Body) {
		t.Fatal("two fetches of one receipt (staff, then the patient) are not the same bytes")
	}

	second := pay("p2", billing.Card, 2000)
	r2 := receipt(second.ID, pat.Token).Want(t, 200)
	shows("the second payment", r2.Body, []string{"RECEIPT " + second.ReceiptNumber, inv.Number, "Card", "£20.00", "£150.00"}, "£170.00", "Refunded")
	if second.ReceiptNumber == first.ReceiptNumber {
		t.Fatalf("two payments share receipt number %s", first.ReceiptNumber)
	}
	if !bytes.Equal(receipt(first.ID, h.Staff.Token).Want(t, 200).Body, r1.Body) {
		t.Fatal("a later payment changed the first payment's receipt")
	}

	// A refund of the first payment shows on its receipt; its balance after stays what it was.
	h.Clock.Advance(time.Minute)
	env.Do(keyed("POST", "/api/payments/"+first.ID+"/refund", h.Admin.Token, "r1", map[string]any{"amount": 500, "reason": "overcharged"})).Want(t, 201)
	r1refunded := receipt(first.ID, h.Staff.Token).Want(t, 200).Body
	shows("the first payment, refunded in part", r1refunded, []string{"£30.00", "Refunded", "£5.00", "£170.00"})
	if bytes.Equal(r1refunded, r1.Body) {
		t.Fatal("the receipt did not change after a refund")
	}
	if !bytes.Equal(receipt(second.ID, h.Staff.Token).Want(t, 200).Body, r2.Body) {
		t.Fatal("a refund of another payment changed the second payment's receipt")
	}

	// A payment after the refund: 200 − (30 + 20 − 5 + 10) = 145.
	third := pay("p3", billing.Cash, 1000)
	shows("the payment after a refund", receipt(third.ID, h.Staff.Token).Want(t, 200).Body, []string{"£10.00", "£145.00"}, "Refunded")

	// A credit note of one session (£50.00) counts from the next payment on: 200 − 50 − (55 + 45) = 50.
	h.Clock.Advance(time.Minute)
	env.Do(keyed("POST", "/api/invoices/"+inv.ID+"/credit-notes", h.Staff.Token, "cn1",
		map[string]any{"reason": "session not held", "lines": []map[string]any{{"charge_id": charge.ID, "quantity": 1}}})).Want(t, 201)
	fourth := pay("p4", billing.Card, 4500)
	shows("the payment after a credit note", receipt(fourth.ID, pat.Token).Want(t, 200).Body, []string{"£45.00", "£50.00"}, "£100.00")
	shows("the first payment, after a credit note", receipt(first.ID, pat.Token).Want(t, 200).Body, []string{"£170.00", "£5.00"}, "£120.00")

	// Who may not: another patient (404, as if it did not exist), a doctor (403); a refund's id and an
	// unknown id are no payments (404).
	receipt(first.ID, other.Token).Want(t, 404)
	receipt(first.ID, h.Doctor.Token).WantError(t, 403, "forbidden")
	receipt("pay_0123456789abcdef0123456789abcdef", h.Staff.Token).Want(t, 404)
	refunds := env.RawDocs(t, "billing_ledger", bson.D{{Key: "invoice_id", Value: inv.ID}, {Key: "kind", Value: "refund"}})
	if len(refunds) != 1 {
		t.Fatalf("got %d refunds in the ledger, want 1", len(refunds))
	}
	refundID, _ := refunds[0]["op"].(string)
	if refundID == "" {
		t.Fatalf("the refund's ledger entry has no op: %v", refunds[0])
	}
	receipt(refundID, h.Admin.Token).Want(t, 404)

	audits := env.RawDocs(t, "audit", bson.D{{Key: "action", Value: "billing.receipt.pdf"}, {Key: "patient_id", Value: pid}})
	if len(audits) != 9 {
		t.Errorf("got %d audit entries of billing.receipt.pdf for the patient, want one per fetch (9)", len(audits))
	}
	if refused := env.RawDocs(t, "audit", bson.D{{Key: "action", Value: "billing.receipt.pdf"}, {Key: "actor_id", Value: other.ID()}}); len(refused) != 1 {
		t.Errorf("got %d audit entries of another patient's refused fetch, want 1", len(refused))
	}
}
