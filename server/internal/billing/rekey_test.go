package billing_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/billing"
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
)

// keyring makes a keyring of the keys named, the first one active.
func keyring(t *testing.T, ids ...string) *seal.Keyring {
	t.Helper()
	var ks []seal.Key
	for _, id := range ids {
		k := seal.Key{ID: id}
		secret := id[len(id)-1:]
		if id == "k1" {
			secret = "k" // the fixture's key
		}
		copy(k.Secret[:], bytes.Repeat([]byte(secret), 32))
		ks = append(ks, k)
	}
	r, err := seal.NewKeyring(ks...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestBillingRekey: every sealed value of a bill sealed under the old key — a charge's description,
// reason and void reason, an invoice's and a credit note's lines, the note's reason, a payment's
// reference, a refund's reason, a stored PDF, a policy's member id, a denied claim's reason — is sealed again under the new key by Rekey, after which
// the old key can be dropped and everything still reads; a second Rekey has nothing to do.
func TestBillingRekey(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t) // sealed under k1
	f.price(t, "PROC-SUTURE", billing.Procedure, "", 6000, 2000)
	sut, err := f.svc.Post(ctx, billing.ChargeRequest{Key: "procedure:pr1", PatientID: "p1", Code: "PROC-SUTURE", Quantity: 2,
		Description: "Wound suturing, left palm", Reason: "cut-8e2f", By: "doctor"})
	if err != nil {
		t.Fatal(err)
	}
	gone := f.post(t, "manual:x", "p1", "PROC-SUTURE", 1)
	if _, err := f.svc.VoidCharge(ctx, gone.ID, "staff", "posted twice-41aa"); err != nil {
		t.Fatal(err)
	}
	d, err := f.svc.Draft(ctx, "p1", []string{sut.ID}, "staff")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := f.svc.Issue(ctx, d.ID, d.Rev, "staff")
	if err != nil {
		t.Fatal(err)
	}
	cn, _, err := f.svc.Credit(ctx, inv.ID, billing.CreditRequest{Reason: "one stitch-77b0", Lines: []billing.CreditLine{{ChargeID: sut.ID, Quantity: 1}}}, "staff", "c1")
	if err != nil {
		t.Fatal(err)
	}
	pay, _, err := f.svc.Pay(ctx, billing.PaymentRequest{InvoiceID: inv.ID, Method: billing.Cash, Amount: 5000, Reference: "slip-0c0c", Key: "p1", By: "staff"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Refund(ctx, billing.RefundRequest{PaymentID: pay.ID, Amount: 1000, Reason: "overpaid-3d3d", Key: "r1", By: "admin"}); err != nil {
		t.Fatal(err)
	}
	// Insurance: p2's policy (its member id) and a claim on p2's invoice, denied (its reason).
	_, pol := f.insured(t, "p2", 8000, 0, "2026-01-01")
	claim, err := f.svc.CreateClaim(ctx, f.issued(t, "p2", "PROC-SUTURE").ID, "staff")
	if err != nil {
		t.Fatal(err)
	}
	if claim, err = move(f.svc, claim, billing.ClaimSubmitted, nil, nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, err = move(f.svc, claim, billing.ClaimDenied, nil, nil, "not covered-9a9a"); err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF invoice of Ada-5e5e")
	if err := f.store.InsertDocument(ctx, inv.ID, "p1", pdf, f.clock()); err != nil {
		t.Fatal(err)
	}

	// k2 becomes the active key; k1 is still there to read what it sealed.
	rotated := mongostore.NewBilling(f.db, keyring(t, "k2", "k1"))
	reports := map[string]int{}
	n, err := rotated.Rekey(ctx, func(col string, scanned, resealed int) { reports[col] += resealed })
	// charge: description, reason (sutures); description, void reason (the other); invoice line; credit
	// note line and reason; payment reference; refund reason; the PDF; p2's charge description and
	// invoice line, policy member id and the denial's reason.
	if err != nil || n != 14 {
		t.Fatalf("rekey: got %d re-sealed (%v), %v; want 14", n, reports, err)
	}
	if reports["billing_policies"] != 1 || reports["billing_claim_events"] != 1 {
		t.Fatalf("rekey: got %v, want a policy's member id and a denial's reason", reports)
	}
	if n, err := rotated.Rekey(ctx, nil); err != nil || n != 0 {
		t.Fatalf("a second rekey re-sealed %d, %v; want 0", n, err)
	}
	for _, col := range []string{"billing_charges", "billing_invoices", "billing_credit_notes", "billing_ledger", "billing_documents",
		"billing_policies", "billing_claim_events"} {
		cur, err := f.db.Collection(col).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(ctx) {
			if s := cur.Current.String(); strings.Contains(s, `"k": "k1"`) || strings.Contains(s, `"k":"k1"`) {
				t.Errorf("%s still holds a value sealed under k1: %s", col, s)
			}
		}
		_ = cur.Close(ctx)
	}

	// Dropping k1: everything reads under k2 alone.
	onlyNew := mongostore.NewBilling(f.db, keyring(t, "k2"))
	svc := billing.NewService(onlyNew, billing.Options{Currency: "GBP", Now: f.clock})
	cs, err := svc.Charges(ctx, "p1", false)
	if err != nil || len(cs) != 2 {
		t.Fatalf("charges under k2 only: got %+v, %v", cs, err)
	}
	for _, c := range cs {
		if c.ID == sut.ID && (c.Description != "Wound suturing, left palm" || c.Reason != "cut-8e2f") ||
			c.ID == gone.ID && (c.Void == nil || c.Void.Reason != "posted twice-41aa") {
			t.Errorf("charge under k2 only: got %+v", c)
		}
	}
	det, err := svc.Detail(ctx, inv.ID)
	if err != nil || det.Lines[0].Description != "Wound suturing, left palm" || len(det.CreditNotes) != 1 ||
		det.CreditNotes[0].ID != cn.ID || det.CreditNotes[0].Reason != "one stitch-77b0" ||
		det.CreditNotes[0].Lines[0].Description != "Wound suturing, left palm" || len(det.Payments) != 1 ||
		det.Payments[0].Reference != "slip-0c0c" || det.Payments[0].Refunded != 1000 {
		t.Fatalf("the invoice under k2 only: got %+v, %v", det, err)
	}
	_, x, err := svc.ExportPatient(ctx, "p1")
	if err != nil || x.(billing.Export).Invoices[0].Refunds[0].Reason != "overpaid-3d3d" {
		t.Fatalf("the refund under k2 only: got %+v, %v", x, err)
	}
	if back, err := svc.Policy(ctx, pol.ID); err != nil || back.MemberID != "M-p2-77" {
		t.Fatalf("the policy under k2 only: got %+v, %v", back, err)
	}
	if back, err := svc.Claim(ctx, claim.ID); err != nil || back.Status != billing.ClaimDenied || back.DenialReason != "not covered-9a9a" {
		t.Fatalf("the denied claim under k2 only: got %+v, %v", back, err)
	}
	if got, err := onlyNew.Document(ctx, inv.ID); err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("the stored PDF under k2 only: got %q, %v", got, err)
	}
}
