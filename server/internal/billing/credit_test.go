package billing_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hms/server/internal/billing"
	"hms/server/internal/fault"
	"hms/server/internal/mongostore"
)

// issue drafts and issues an invoice of a patient's unbilled charges.
func (f *fixture) issue(t *testing.T, svc *billing.Service, patient string) billing.Invoice {
	t.Helper()
	ctx := context.Background()
	d, err := svc.Draft(ctx, patient, nil, "staff")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := svc.Issue(ctx, d.ID, d.Rev, "staff")
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func wantCode(t *testing.T, what string, err error, category error, code string) {
	t.Helper()
	if !errors.Is(err, category) || fault.CodeOf(err) != code {
		t.Fatalf("%s: got %v (code %q), want %s", what, err, fault.CodeOf(err), code)
	}
}

// TestCreditNotes: a credit note takes back part of a line, then everything left, each under the next
// CN number with negative amounts; crediting more than was invoiced is a conflict; a retried request
// gives the same note; the invoice itself never changes.
func TestCreditNotes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PHYSIO", billing.Treatment, "", 3333, 2000)
	f.price(t, "XRAY", billing.Procedure, "", 4500, 0)
	physio := f.post(t, "physio:1", "p1", "PHYSIO", 3)
	xray := f.post(t, "xray:1", "p1", "XRAY", 1)
	inv := f.issue(t, f.svc, "p1")

	one, replayed, err := f.svc.Credit(ctx, inv.ID, billing.CreditRequest{Reason: "one session missed",
		Lines: []billing.CreditLine{{ChargeID: physio.ID, Quantity: 1}}}, "staff", "k1")
	if err != nil || replayed {
		t.Fatalf("first credit note: %v (replayed %v)", err, replayed)
	}
	if one.Number != "CN-2026-000001" || one.Status != billing.Issued || len(one.Lines) != 1 ||
		one.Lines[0].Quantity != 1 || one.Lines[0].Net != -3333 || one.Lines[0].Tax != -667 || one.Totals.Total != -4000 {
		t.Fatalf("first credit note: got %+v, want CN-2026-000001 taking back one session (-3333 - 667)", one)
	}
	_, _, err = f.svc.Credit(ctx, inv.ID, billing.CreditRequest{Reason: "another request"}, "staff", "k1")
	if !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("the same key with another request: got %v, want a conflict", err)
	}
	again, replayed, err := f.svc.Credit(ctx, inv.ID, billing.CreditRequest{Reason: "one session missed",
		Lines: []billing.CreditLine{{ChargeID: physio.ID, Quantity: 1}}}, "staff", "k1")
	if err != nil || !replayed || again.ID != one.ID || again.Number != one.Number {
		t.Fatalf("the same key again: got %+v %v replayed=%v, want the first note", again, err, replayed)
	}
	_, _, err = f.svc.Credit(ctx, inv.ID, billing.CreditRequest{Reason: "too many",
		Lines: []billing.CreditLine{{ChargeID: physio.ID, Quantity: 3}}}, "staff", "k2")
	wantCode(t, "crediting 3 of the 2 sessions left", err, fault.ErrConflict, "credit_exceeds_invoice")
	_, _, err = f.svc.Credit(ctx, inv.ID, billing.CreditRequest{Reason: "x",
		Lines: []billing.CreditLine{{ChargeID: "chg:nope"}}}, "staff", "k3")
	wantCode(t, "a charge not on the invoice", err, fault.ErrInvalid, "charge_not_on_invoice")
	if _, _, err := f.svc.Credit(ctx, inv.ID, billing.CreditRequest{}, "staff", "k4"); !errors.Is(err, fault.ErrInvalid) {
		t.Fatalf("no reason: got %v, want invalid", err)
	}

	rest, _, err := f.svc.Credit(ctx, inv.ID, billing.CreditRequest{Reason: "billed in error"}, "staff", "k5")
	if err != nil {
		t.Fatal(err)
	}
	// What is left of the sessions' amounts, exactly: 9999 + 2000 tax, less 3333 + 667.
	if rest.Number != "CN-2026-000002" || len(rest.Lines) != 2 || rest.Lines[0].Quantity != 2 ||
		rest.Lines[0].Net != -6666 || rest.Lines[0].Tax != -1333 || rest.Lines[1].ChargeID != xray.ID || rest.Lines[1].Total != -4500 {
		t.Fatalf("crediting the rest: got %+v, want CN-2026-000002 with two sessions and the x-ray", rest)
	}
	_, _, err = f.svc.Credit(ctx, inv.ID, billing.CreditRequest{Reason: "again"}, "staff", "k6")
	wantCode(t, "crediting a fully credited invoice", err, fault.ErrConflict, "credit_exceeds_invoice")

	v, err := f.svc.Detail(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Credited != inv.Totals.Total || len(v.CreditNotes) != 2 || v.Totals != inv.Totals || v.Rev != inv.Rev || len(v.Lines) != 2 {
		t.Fatalf("the invoice after its credit notes: got credited %d, %d notes, %+v; want %d credited, the invoice unchanged",
			v.Credited, len(v.CreditNotes), v.Invoice, inv.Totals.Total)
	}

	// A draft is corrected by editing it, not by a credit note.
	f.post(t, "xray:2", "p1", "XRAY", 1)
	d, err := f.svc.Draft(ctx, "p1", nil, "staff")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.Credit(ctx, d.ID, billing.CreditRequest{Reason: "x"}, "staff", "k7")
	wantCode(t, "crediting a draft", err, fault.ErrConflict, "invoice_not_issued")
}

// TestCreditNotesConcurrent: 20 requests to credit one of a line's five units, at once on two
// instances, make exactly five notes, numbered 1..5 without a gap; the others are refused.
func TestCreditNotesConcurrent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "DRESS", billing.Treatment, "", 800, 0)
	c := f.post(t, "dress:1", "p1", "DRESS", 5)
	inv := f.issue(t, f.svc, "p1")
	svcs := []*billing.Service{f.svc, f.instance()}
	var wg sync.WaitGroup
	var ok, over atomic.Int32
	for i := range 20 {
		wg.Go(func() {
			_, _, err := svcs[i%2].Credit(ctx, inv.ID, billing.CreditRequest{Reason: "unused",
				Lines: []billing.CreditLine{{ChargeID: c.ID, Quantity: 1}}}, "staff", fmt.Sprint("key-", i))
			switch {
			case err == nil:
				ok.Add(1)
			case fault.CodeOf(err) == "credit_exceeds_invoice":
				over.Add(1)
			default:
				t.Errorf("credit %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 5 || over.Load() != 15 {
		t.Fatalf("got %d notes and %d refusals, want 5 and 15", ok.Load(), over.Load())
	}
	v, err := f.svc.Detail(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for _, n := range v.CreditNotes {
		numbers = append(numbers, n.Number)
	}
	slices.Sort(numbers)
	want := []string{"CN-2026-000001", "CN-2026-000002", "CN-2026-000003", "CN-2026-000004", "CN-2026-000005"}
	if !slices.Equal(numbers, want) || v.Credited != 4000 {
		t.Fatalf("got numbers %v credited %d, want %v and 4000", numbers, v.Credited, want)
	}
	// The credit notes' series is apart from the invoices': the next invoice is still INV-2026-000002.
	f.post(t, "dress:2", "p1", "DRESS", 1)
	if next := f.issue(t, f.svc, "p1"); next.Number != "INV-2026-000002" {
		t.Fatalf("the next invoice: got %s, want INV-2026-000002", next.Number)
	}
}

// TestRecoverFinishesCreditNote: a credit note left issuing by a crash is numbered by Recover.
func TestRecoverFinishesCreditNote(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "XRAY", billing.Procedure, "", 4500, 0)
	f.post(t, "xray:1", "p1", "XRAY", 1)
	inv := f.issue(t, f.svc, "p1")
	stuck := billing.CreditNote{ID: "cn_stuck", InvoiceID: inv.ID, PatientID: "p1", N: 1, Status: billing.Issuing, Currency: "GBP",
		Reason: "crash", Lines: []billing.Line{{ChargeID: inv.Lines[0].ChargeID, Quantity: 1, UnitAmount: -4500, Net: -4500, Total: -4500}},
		Totals: billing.Totals{Net: -4500, Total: -4500}, CreatedAt: f.clock(), CreatedBy: "staff"}
	if err := f.store.InsertCreditNote(ctx, stuck); err != nil {
		t.Fatal(err)
	}
	f.advance(time.Minute)
	if n, err := f.svc.Recover(ctx, 30*time.Second); err != nil || n != 1 {
		t.Fatalf("recover: got %d %v, want 1 fixed", n, err)
	}
	v, err := f.svc.Detail(ctx, inv.ID)
	if err != nil || len(v.CreditNotes) != 1 || v.CreditNotes[0].Number != "CN-2026-000001" || v.Credited != 4500 {
		t.Fatalf("after recovery: got %+v %v, want the note numbered CN-2026-000001", v, err)
	}
}

// TestInvoicePDFStoredOnce: an issued invoice's PDF is rendered once at issue and served as stored:
// the same bytes every time, on every instance, after a price change too; a draft has none; erasing the
// patient deletes it.
func TestInvoicePDFStoredOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var renders atomic.Int32
	render := func(_ context.Context, inv billing.Invoice) ([]byte, error) {
		renders.Add(1)
		return fmt.Appendf(nil, "%%PDF %s %d render %d", inv.Number, inv.Totals.Total, renders.Load()), nil
	}
	svc := func() *billing.Service {
		return billing.NewService(mongostore.NewBilling(f.db, keys), billing.Options{Currency: "GBP", Now: f.clock, RenderInvoice: render})
	}
	a, b := svc(), svc()
	f.price(t, "XRAY", billing.Procedure, "", 4500, 0)
	f.post(t, "xray:1", "p1", "XRAY", 1)
	d, err := a.Draft(ctx, "p1", nil, "staff")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = a.InvoicePDF(ctx, d.ID)
	wantCode(t, "the PDF of a draft", err, fault.ErrConflict, "invoice_not_issued")
	inv, err := a.Issue(ctx, d.ID, d.Rev, "staff")
	if err != nil {
		t.Fatal(err)
	}
	_, first, err := a.InvoicePDF(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.price(t, "XRAY", billing.Procedure, "", 9900, 0)
	_, second, err := b.InvoicePDF(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) || string(first) != "%PDF INV-2026-000001 4500 render 1" || renders.Load() != 1 {
		t.Fatalf("got %q then %q after %d renders, want one rendering at issue, served twice", first, second, renders.Load())
	}
	// Erasure deletes the stored PDF (it carries the old name); asked for again, it is rendered anew.
	if err := b.ErasePatient(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	if _, third, err := a.InvoicePDF(ctx, inv.ID); err != nil || string(third) != "%PDF INV-2026-000001 4500 render 2" {
		t.Fatalf("after erasure: got %q %v, want a new rendering", third, err)
	}
}
