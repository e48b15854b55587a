package billing_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/billing"
	"hms/server/internal/fault"
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
	"hms/server/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type fixture struct {
	db    *mongostore.DB
	store *mongostore.Billing
	svc   *billing.Service
	now   time.Time
	mu    sync.Mutex
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db := testenv.IndexedDB(t)
	f := &fixture{db: db, store: mongostore.NewBilling(db, keys), now: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	f.svc = f.instance()
	return f
}

// instance is another server instance's service on the same database, with its own store.
func (f *fixture) instance() *billing.Service {
	return billing.NewService(mongostore.NewBilling(f.db, keys), billing.Options{Currency: "GBP", Now: f.clock})
}

// keys seal the bills' free text in every test (one keyring, as every instance of a hospital shares).
var keys = func() *seal.Keyring {
	k := seal.Key{ID: "k1"}
	copy(k.Secret[:], bytes.Repeat([]byte("k"), 32))
	r, err := seal.NewKeyring(k)
	if err != nil {
		panic(err)
	}
	return r
}()

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fixture) price(t testing.TB, code string, kind billing.Kind, ref string, amount int64, taxBP int) billing.Price {
	t.Helper()
	p, err := f.svc.SetPrice(context.Background(), billing.Price{Code: code, Name: "Item " + code, Kind: kind, Ref: ref,
		Amount: amount, TaxBP: taxBP}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) post(t testing.TB, key, patient, code string, qty int) billing.Charge {
	t.Helper()
	c, err := f.svc.Post(context.Background(), billing.ChargeRequest{Key: key, PatientID: patient, Source: "test", Code: code, Quantity: qty, By: "staff"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestChargePostedOnce: the same billable act posted 20 times at once on two instances is one charge.
func TestChargePostedOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "CONS-CARD", billing.Consultation, "cardiology", 12000, 0)
	svcs := []*billing.Service{f.svc, f.instance()}
	var wg sync.WaitGroup
	got := make([]billing.Charge, 20)
	for i := range 20 {
		wg.Go(func() {
			c, err := svcs[i%2].Post(ctx, billing.ChargeRequest{Key: "consultation:appt-1", PatientID: "p1",
				Source: "appointment:appt-1", Kind: billing.Consultation, Ref: "cardiology", By: "system"})
			if err != nil {
				t.Errorf("post %d: %v", i, err)
			}
			got[i] = c
		})
	}
	wg.Wait()
	cs, err := f.svc.Charges(ctx, "p1", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Total != 12000 || cs[0].Kind != billing.Consultation {
		t.Fatalf("got %d charges %+v, want one consultation of 12000", len(cs), cs)
	}
	for i, c := range got {
		if c.ID != cs[0].ID {
			t.Errorf("post %d answered charge %q, want %q", i, c.ID, cs[0].ID)
		}
	}
}

// TestIssueNumbersGapless: 50 invoices issued at once on two instances get INV-2026-000001 … 000050, each
// number once, none missing; issuing one again answers the same number.
func TestIssueNumbersGapless(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 1000, 2000)
	invs := make([]billing.Invoice, 50)
	for i := range invs {
		p := fmt.Sprintf("patient-%02d", i)
		f.post(t, "proc:"+p, p, "PROC", 1)
		inv, err := f.svc.Draft(ctx, p, nil, "staff")
		if err != nil {
			t.Fatal(err)
		}
		invs[i] = inv
	}
	svcs := []*billing.Service{f.svc, f.instance()}
	var wg sync.WaitGroup
	issued := make([]billing.Invoice, len(invs))
	for i, inv := range invs {
		wg.Go(func() {
			out, err := svcs[i%2].Issue(ctx, inv.ID, inv.Rev, "staff")
			if err != nil {
				t.Errorf("issue %d: %v", i, err)
			}
			issued[i] = out
		})
	}
	wg.Wait()
	var seqs []int
	for _, inv := range issued {
		if inv.Status != billing.Issued || inv.Number != billing.Number(2026, inv.Seq) || inv.Totals.Total != 1200 {
			t.Fatalf("got %+v, want issued with its number and a total of 1200", inv)
		}
		seqs = append(seqs, inv.Seq)
	}
	slices.Sort(seqs)
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("numbers %v: want 1..50 with no gap or repeat", seqs)
		}
	}
	again, err := f.instance().Issue(ctx, issued[7].ID, 1, "staff")
	if err != nil || again.Number != issued[7].Number {
		t.Fatalf("issuing again: got %q %v, want %q", again.Number, err, issued[7].Number)
	}
}

// TestIssuedInvoiceIsImmutable: a price change leaves an issued invoice as it was; a draft cannot be
// issued from a stale revision, nor changed once issued; a billed charge cannot be voided.
func TestIssuedInvoiceIsImmutable(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "XRAY", billing.Procedure, "", 4500, 0)
	c := f.post(t, "xray:1", "p1", "XRAY", 2)
	f.post(t, "xray:2", "p1", "XRAY", 1)
	draft, err := f.svc.Draft(ctx, "p1", []string{c.ID}, "staff")
	if err != nil {
		t.Fatal(err)
	}
	if len(draft.Lines) != 1 || draft.Totals.Total != 9000 {
		t.Fatalf("draft: got %+v, want the one named charge, 9000", draft)
	}
	if _, err := f.svc.Issue(ctx, draft.ID, draft.Rev-1, "staff"); !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("issue from a stale revision: got %v, want a conflict", err)
	}
	issued, err := f.svc.Issue(ctx, draft.ID, draft.Rev, "staff")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetPrice(ctx, billing.Price{Code: "XRAY", Name: "X-ray", Kind: billing.Procedure, Amount: 9900}, "admin"); err != nil {
		t.Fatal(err)
	}
	now, err := f.svc.Invoice(ctx, issued.ID)
	if err != nil || now.Totals.Total != 9000 || now.Lines[0].UnitAmount != 4500 || now.Number != issued.Number {
		t.Fatalf("after a price change: got %+v %v, want the invoice as issued", now, err)
	}
	if later := f.post(t, "xray:3", "p1", "XRAY", 1); later.UnitAmount != 9900 || later.PriceVersion != 2 {
		t.Fatalf("a charge after the change: got %+v, want the new price, version 2", later)
	}
	if _, err := f.svc.RemoveLine(ctx, issued.ID, c.ID, issued.Rev); !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("changing an issued invoice: got %v, want a conflict", err)
	}
	if _, err := f.svc.VoidCharge(ctx, c.ID, "staff", "entered twice"); !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("voiding a billed charge: got %v, want a conflict", err)
	}
}

// TestDraftEditsAndVoids: a line taken off a draft is unbilled again; a voided charge is kept, with its
// reason, and goes on no invoice; a patient with nothing unbilled gets a 400.
func TestDraftEditsAndVoids(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "DRESS", billing.Treatment, "", 800, 500)
	a := f.post(t, "dress:1", "p1", "DRESS", 1)
	b := f.post(t, "dress:2", "p1", "DRESS", 3)
	v := f.post(t, "dress:3", "p1", "DRESS", 1)
	if _, err := f.svc.VoidCharge(ctx, v.ID, "staff", "not given"); err != nil {
		t.Fatal(err)
	}
	draft, err := f.svc.Draft(ctx, "p1", nil, "staff")
	if err != nil {
		t.Fatal(err)
	}
	if len(draft.Lines) != 2 || draft.Totals.Net != 3200 || draft.Totals.Tax != 160 || draft.Totals.Total != 3360 {
		t.Fatalf("draft: got %+v, want the two unvoided charges, 3200 + 160 tax", draft)
	}
	draft, err = f.svc.RemoveLine(ctx, draft.ID, a.ID, draft.Rev)
	if err != nil || len(draft.Lines) != 1 || draft.Lines[0].ChargeID != b.ID || draft.Totals.Total != 2520 {
		t.Fatalf("after taking a line off: got %+v %v", draft, err)
	}
	unbilled, err := f.svc.Charges(ctx, "p1", true)
	if err != nil || len(unbilled) != 1 || unbilled[0].ID != a.ID {
		t.Fatalf("unbilled: got %+v %v, want the charge taken off", unbilled, err)
	}
	all, _ := f.svc.Charges(ctx, "p1", false)
	i := slices.IndexFunc(all, func(c billing.Charge) bool { return c.ID == v.ID })
	if i < 0 || all[i].Void == nil || all[i].Void.Reason != "not given" {
		t.Fatalf("the voided charge: got %+v, want it kept with its reason", all)
	}
	if _, err := f.svc.Draft(ctx, "p2", nil, "staff"); !errors.Is(err, fault.ErrInvalid) {
		t.Fatalf("nothing to bill: got %v, want invalid", err)
	}
}

// TestRecoverFinishesAfterCrash: an invoice left issuing (a crash after freezing it) is numbered and
// issued by Recover; a charge claimed by a draft that never listed it (a crash while drafting) is
// unbilled again.
func TestRecoverFinishesAfterCrash(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "LAB", billing.LabTest, "", 2500, 0)
	f.post(t, "lab:1", "p1", "LAB", 1)
	orphan := f.post(t, "lab:2", "p2", "LAB", 1)
	draft, err := f.svc.Draft(ctx, "p1", nil, "staff")
	if err != nil {
		t.Fatal(err)
	}
	// The crash: frozen, never numbered.
	stuck := draft
	stuck.Status, stuck.Rev = billing.Issuing, draft.Rev+1
	if err := f.store.UpdateInvoice(ctx, stuck, billing.Draft, draft.Rev); err != nil {
		t.Fatal(err)
	}
	// The other crash: a charge claimed for a draft whose lines were never written.
	if err := f.store.ClaimCharge(ctx, orphan.ID, "lost-draft", f.clock()); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.Recover(ctx, time.Minute); err != nil || n != 0 {
		t.Fatalf("within the grace period: fixed %d, %v; want nothing touched", n, err)
	}
	f.advance(2 * time.Minute)
	if n, err := f.instance().Recover(ctx, time.Minute); err != nil || n != 2 {
		t.Fatalf("recover: fixed %d, %v; want 2", n, err)
	}
	inv, err := f.svc.Invoice(ctx, draft.ID)
	if err != nil || inv.Status != billing.Issued || inv.Number != "INV-2026-000001" {
		t.Fatalf("after recovery: got %+v %v, want issued as INV-2026-000001", inv, err)
	}
	unbilled, _ := f.svc.Charges(ctx, "p2", true)
	if len(unbilled) != 1 || unbilled[0].ID != orphan.ID {
		t.Fatalf("the orphaned charge: got %+v, want it unbilled again", unbilled)
	}
}

// TestBillIsCiphertextAtRest: what a bill says about care (a charge's description and reason, an
// invoice line's description) is sealed in the raw documents.
func TestBillIsCiphertextAtRest(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "MED-AMOX", billing.Medication, "amox", 35, 0)
	c, err := f.svc.Post(ctx, billing.ChargeRequest{Key: "dispense:1", PatientID: "p1", Code: "MED-AMOX", Quantity: 21,
		Description: "Amoxicillin 500 mg capsules", Reason: "course for pneumonia", By: "pharmacist"})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := f.svc.Draft(ctx, "p1", nil, "staff")
	if err != nil {
		t.Fatal(err)
	}
	for col, id := range map[string]string{"billing_charges": c.ID, "billing_invoices": inv.ID} {
		raw, err := f.db.Collection(col).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ToLower(raw.String())
		for _, secret := range []string{"amoxicillin", "pneumonia"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %q in clear: %s", col, secret, raw)
			}
		}
	}
	back, err := f.svc.Invoice(ctx, inv.ID)
	if err != nil || back.Lines[0].Description != "Amoxicillin 500 mg capsules" || back.Totals.Total != 735 {
		t.Fatalf("read back: got %+v %v", back, err)
	}
}
