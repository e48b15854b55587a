package billing_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"hms/server/internal/billing"
	"hms/server/internal/mongostore"
)

// TestBedDaysChargedOnce: each midnight a patient spends admitted is one bed_day charge, priced by the
// ward they were in at that midnight and dated by the night, however often and on however many
// instances the nights are charged; the discharge charges the last nights and nothing after; a
// same-day stay has no night; a ward with no price charges nothing.
func TestBedDaysChargedOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "BED-A", billing.BedDay, "ward-a", 10000, 0)
	f.price(t, "BED-B", billing.BedDay, "ward-b", 15000, 0)
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, time.UTC) }
	st := billing.Stay{AdmissionID: "adm1", PatientID: "p1", AdmittedAt: at(7, 14),
		Wards: []billing.WardSpan{{WardID: "ward-a", From: at(7, 14)}, {WardID: "ward-b", From: at(8, 20)}}}
	f.advance(at(10, 9).Sub(f.clock())) // three midnights later, still admitted

	charge := func() {
		f.twice(t, func(svc *billing.Service) error { _, err := svc.ChargeNights(ctx, st); return err })
	}
	nights := func() []string {
		cs, err := f.svc.Charges(ctx, "p1", false)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			if c.Kind != billing.BedDay {
				t.Errorf("a %s charge, want only bed-days", c.Kind)
			}
			out = append(out, c.ID+"="+c.Code)
		}
		slices.Sort(out)
		return out
	}
	charge()
	want := []string{"chg:bed:adm1:2026-12-07=BED-A", "chg:bed:adm1:2026-12-08=BED-B", "chg:bed:adm1:2026-12-09=BED-B"}
	if got := nights(); !slices.Equal(got, want) {
		t.Fatalf("admitted three nights: got %v, want %v", got, want)
	}

	st.DischargedAt = at(11, 10)
	f.advance(at(13, 9).Sub(f.clock()))
	charge()
	want = append(want, "chg:bed:adm1:2026-12-10=BED-B")
	if got := nights(); !slices.Equal(got, want) {
		t.Fatalf("discharged on the 11th: got %v, want %v (nothing after the discharge)", got, want)
	}

	sameDay := billing.Stay{AdmissionID: "adm2", PatientID: "p2", AdmittedAt: at(12, 8), DischargedAt: at(12, 18),
		Wards: []billing.WardSpan{{WardID: "ward-a", From: at(12, 8)}}}
	unpriced := billing.Stay{AdmissionID: "adm3", PatientID: "p2", AdmittedAt: at(10, 8),
		Wards: []billing.WardSpan{{WardID: "ward-c", From: at(10, 8)}}}
	for _, s := range []billing.Stay{sameDay, unpriced} {
		if n, err := f.svc.ChargeNights(ctx, s); err != nil || n != 0 {
			t.Errorf("%s: got %d charges %v, want none", s.AdmissionID, n, err)
		}
	}
	if cs, _ := f.svc.Charges(ctx, "p2", false); len(cs) != 0 {
		t.Errorf("got %+v, want no charge for a same-day stay or an unpriced ward", cs)
	}
}

// TestBedDaysInHospitalZone: nights are counted at the hospital's midnights (HOSPITAL_TZ), not UTC's.
func TestBedDaysInHospitalZone(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	svc := billing.NewService(mongostore.NewBilling(f.db, keys), billing.Options{Currency: "USD", Now: f.clock, Location: ny})
	f.price(t, "BED-A", billing.BedDay, "ward-a", 10000, 0)
	in := time.Date(2026, 12, 7, 20, 0, 0, 0, ny) // 01:00 UTC on the 8th
	f.advance(time.Date(2026, 12, 8, 6, 0, 0, 0, ny).Sub(f.clock()))
	st := billing.Stay{AdmissionID: "adm-ny", PatientID: "p1", AdmittedAt: in, Wards: []billing.WardSpan{{WardID: "ward-a", From: in}}}
	if n, err := svc.ChargeNights(ctx, st); err != nil || n != 1 {
		t.Fatalf("got %d nights %v, want the one New York midnight (no UTC midnight has passed since admission)", n, err)
	}
	if _, err := f.store.Charge(ctx, "chg:bed:adm-ny:2026-12-07"); err != nil {
		t.Fatalf("the night of 7 Dec (New York): %v", err)
	}
}
