package billing_test

import (
	"context"
	"sync"
	"testing"

	"hms/server/internal/billing"
)

// twice runs fn on two instances at once, twice each: a reaction run again after a crash, and by
// another instance.
func (f *fixture) twice(t *testing.T, fn func(svc *billing.Service) error) {
	t.Helper()
	svcs := []*billing.Service{f.svc, f.instance()}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if err := fn(svcs[i%2]); err != nil {
				t.Errorf("run %d: %v", i, err)
			}
		})
	}
	wg.Wait()
}

// TestLabOrderChargedOnce: each test of an order is charged once at its price however often the
// reaction runs; a test with no price is not charged; cancelling voids the unbilled charges with the
// reason "order cancelled" and leaves a billed one for a credit note.
func TestLabOrderChargedOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "LAB-FBC", billing.LabTest, "FBC", 1550, 0)
	f.price(t, "LAB-CRP", billing.LabTest, "CRP", 900, 0)
	order := billing.LabOrder{OrderID: "o1", PatientID: "p1", By: "doctor",
		Tests: []billing.LabTestRef{{Code: "FBC", Name: "Full blood count"}, {Code: "CRP", Name: "C-reactive protein"}, {Code: "RARE", Name: "Rare test"}}}
	f.twice(t, func(svc *billing.Service) error { _, err := svc.ChargeLabOrder(ctx, order); return err })
	cs, err := f.svc.Charges(ctx, "p1", false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]billing.Charge{}
	for _, c := range cs {
		got[c.Code] = c
	}
	if len(cs) != 2 || got["LAB-FBC"].Total != 1550 || got["LAB-CRP"].Total != 900 || got["LAB-FBC"].Description != "Full blood count" ||
		got["LAB-FBC"].Kind != billing.LabTest || got["LAB-FBC"].Source != "lab_order:o1" {
		t.Fatalf("got %+v, want one FBC (1550) and one CRP (900), nothing for the unpriced test", cs)
	}

	// The CRP goes on an invoice; then the order is cancelled.
	if _, err := f.svc.Draft(ctx, "p1", []string{got["LAB-CRP"].ID}, "staff"); err != nil {
		t.Fatal(err)
	}
	order.By = "canceller"
	f.twice(t, func(svc *billing.Service) error { return svc.VoidLabOrder(ctx, order) })
	fbc, err := f.store.Charge(ctx, got["LAB-FBC"].ID)
	if err != nil || fbc.Void == nil || fbc.Void.Reason != "order cancelled" || fbc.Void.By != "canceller" {
		t.Fatalf("the FBC after cancelling: got %+v %v, want it voided: order cancelled", fbc, err)
	}
	crp, err := f.store.Charge(ctx, got["LAB-CRP"].ID)
	if err != nil || crp.Void != nil || crp.InvoiceID == "" {
		t.Fatalf("the billed CRP after cancelling: got %+v %v, want it on its invoice, not void", crp, err)
	}
}

// TestDispensedChargedOnce: a fill is charged quantity × the medication's price once, however often
// the reaction runs; a medication with no price is not charged.
func TestDispensedChargedOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "MED-AMOX", billing.Medication, "med-amox", 25, 0)
	fill := billing.Dispensation{FillID: "rx1#1", PatientID: "p1", MedicationID: "med-amox", Description: "Amoxicillin 500 mg", Quantity: 21, By: "pharm"}
	f.twice(t, func(svc *billing.Service) error { _, _, err := svc.ChargeDispensed(ctx, fill); return err })
	none := fill
	none.FillID, none.MedicationID = "rx2#1", "med-unpriced"
	if _, charged, err := f.svc.ChargeDispensed(ctx, none); err != nil || charged {
		t.Fatalf("an unpriced medication: got charged=%v %v, want nothing charged", charged, err)
	}
	cs, err := f.svc.Charges(ctx, "p1", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Quantity != 21 || cs[0].Total != 525 || cs[0].Kind != billing.Medication || cs[0].Description != "Amoxicillin 500 mg" {
		t.Fatalf("got %+v, want one charge of 21 × 25", cs)
	}
}

// TestProcedureChargedOnce: a recorded procedure is charged quantity × its code's price once, however
// often and on however many instances the reaction runs, with the price's kind; a retired code is not
// charged; entering it in error voids the unbilled charge with the reason "procedure entered in error"
// and leaves a billed one for a credit note.
func TestProcedureChargedOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC-SUTURE", billing.Procedure, "", 6000, 0)
	f.price(t, "TRT-NEB", billing.Treatment, "", 1500, 2000)
	suture := billing.PerformedProcedure{ProcedureID: "pr1", PatientID: "p1", Code: "PROC-SUTURE", Description: "Wound suturing", Quantity: 2, By: "doctor"}
	neb := billing.PerformedProcedure{ProcedureID: "pr2", PatientID: "p1", Code: "TRT-NEB", Description: "Nebuliser", Quantity: 1, By: "doctor"}
	for _, p := range []billing.PerformedProcedure{suture, neb} {
		f.twice(t, func(svc *billing.Service) error { _, _, err := svc.ChargeProcedure(ctx, p); return err })
	}
	if _, err := f.svc.SetPrice(ctx, billing.Price{Code: "PROC-GONE", Name: "Gone", Kind: billing.Procedure, Amount: 1, Retired: true}, "admin"); err != nil {
		t.Fatal(err)
	}
	if _, charged, err := f.svc.ChargeProcedure(ctx, billing.PerformedProcedure{ProcedureID: "pr3", PatientID: "p1", Code: "PROC-GONE", Quantity: 1}); err != nil || charged {
		t.Fatalf("a retired code: got charged=%v %v, want nothing charged", charged, err)
	}
	cs, err := f.svc.Charges(ctx, "p1", false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]billing.Charge{}
	for _, c := range cs {
		got[c.Code] = c
	}
	if s, n := got["PROC-SUTURE"], got["TRT-NEB"]; len(cs) != 2 || s.ID != "chg:procedure:pr1" || s.Total != 12000 || s.Quantity != 2 ||
		s.Kind != billing.Procedure || s.Source != "procedure:pr1" || s.Description != "Wound suturing" ||
		n.Kind != billing.Treatment || n.Total != 1800 {
		t.Fatalf("got %+v, want the sutures (2 × 6000, procedure) and the nebuliser (1500 + 20%%, treatment) once each", cs)
	}
	if p, err := f.svc.ProcedureCode(ctx, "TRT-NEB"); err != nil || p.Name != "Item TRT-NEB" || p.Kind != billing.Treatment {
		t.Errorf("ProcedureCode: got %+v %v", p, err)
	}
	if _, err := f.svc.ProcedureCode(ctx, "PROC-GONE"); err == nil {
		t.Error("ProcedureCode accepted a retired code")
	}

	// The nebuliser goes on an invoice; then both are entered in error.
	if _, err := f.svc.Draft(ctx, "p1", []string{got["TRT-NEB"].ID}, "staff"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []billing.PerformedProcedure{suture, neb} {
		p.By = "marker"
		f.twice(t, func(svc *billing.Service) error { return svc.VoidProcedure(ctx, p) })
	}
	if err := f.svc.VoidProcedure(ctx, billing.PerformedProcedure{ProcedureID: "never-charged", PatientID: "p1"}); err != nil {
		t.Errorf("voiding a procedure never charged: %v, want nothing to do", err)
	}
	s, err := f.store.Charge(ctx, "chg:procedure:pr1")
	if err != nil || s.Void == nil || s.Void.Reason != "procedure entered in error" || s.Void.By != "marker" {
		t.Fatalf("the sutures after entered in error: got %+v %v, want voided", s, err)
	}
	n, err := f.store.Charge(ctx, "chg:procedure:pr2")
	if err != nil || n.Void != nil || n.InvoiceID == "" {
		t.Fatalf("the billed nebuliser: got %+v %v, want it on its invoice, not void", n, err)
	}
}
