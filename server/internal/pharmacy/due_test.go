package pharmacy_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"hms/server/internal/ident"
	"hms/server/internal/pharmacy"
	"hms/shared"
)

// hospital is the zone the due-alert tests count days in: ten hours ahead of UTC, so that a morning
// dispense falls on the day before in UTC.
var hospital = time.FixedZone("hospital", 10*3600)

// local is hh:mm on date (YYYY-MM-DD) in the hospital's zone.
func local(t *testing.T, date string, hh, mm int) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, hospital)
}

func (f *fixture) prescribe(t *testing.T, durationDays, refills int) string {
	t.Helper()
	rx, err := f.svc.Prescribe(context.Background(), f.doctor, ident.New(), shared.PrescribeRequest{MedicationID: f.med.ID,
		Dose: "1 tablet", Frequency: "QD", DurationDays: durationDays, Quantity: 5, Refills: refills})
	if err != nil {
		t.Fatal(err)
	}
	return rx.ID
}

// dispenseAt dispenses the next fill of a prescription with the service's clock at at.
func (f *fixture) dispenseAt(t *testing.T, rxID string, at time.Time) {
	t.Helper()
	f.clock.Set(func() time.Time { return at })
	if _, _, err := f.svc.Dispense(context.Background(), f.staff, rxID, ident.New(), shared.DispenseRequest{}); err != nil {
		t.Fatal(err)
	}
}

// dueCheck says which alerts (as "key@due date") a prescription gives at now.
type dueCheck struct {
	name string
	now  time.Time
	loc  *time.Location
	rx   string
	want []string
}

func (f *fixture) checkDue(t *testing.T, checks []dueCheck) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			all, err := f.svc.DueAlerts(context.Background(), c.now, c.loc)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range all {
				if d.PrescriptionID == c.rx {
					got = append(got, d.Key+"@"+d.DueDate)
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("at %s: got %q, want %q", c.now.In(hospital).Format(time.DateTime), got, c.want)
			}
		})
	}
}

// TestDueAlerts: refill and follow-up alerts from prescriptions, counted in hospital days, through the
// real service and store: due on their day and for 30 days after, not before; a newer fill replaces
// the refill alert of the one before (a pending claim ends it, and its movement makes it dispensed
// even when the claim does not note it); a last fill gives a follow-up once its supply has ended; a
// cancellation, even one whose cached status was never written, silences a prescription; an
// undispensed one never alerts; the longest course is still found at the end of its window.
func TestDueAlerts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.svc.MoveStock(ctx, f.staff, f.med.ID, shared.StockRequest{Quantity: 1000}); err != nil {
		t.Fatal(err)
	}
	a := f.rx.ID // 30 days, 3 refills
	b := f.prescribe(t, 7, 1)
	c := f.prescribe(t, 7, 2)
	d := f.prescribe(t, 7, 2)
	e := f.prescribe(t, 7, 2)
	fx := f.prescribe(t, 7, 2)
	g := f.prescribe(t, 365, 0)
	start := local(t, "2030-03-10", 6, 0) // 2030-03-09 20:00 UTC
	for _, id := range []string{a, b, c, d, fx, g} {
		f.dispenseAt(t, id, start)
	}
	f.dispenseAt(t, b, local(t, "2030-03-16", 10, 0)) // b's last fill
	refill := func(id string, fill int, date string) []string {
		return []string{"refill:" + id + ":" + strconv.Itoa(fill) + "@" + date}
	}
	followUp := func(id, date string) []string { return []string{"follow_up:" + id + "@" + date} }
	f.checkDue(t, []dueCheck{
		{"refill not yet due in the hospital's zone", local(t, "2030-04-06", 22, 0), hospital, a, nil},
		{"the same instant in UTC (nil)", local(t, "2030-04-06", 22, 0), nil, a, refill(a, 1, "2030-04-06")},
		{"refill due", local(t, "2030-04-07", 0, 30), hospital, a, refill(a, 1, "2030-04-07")},
		{"refill due 30 days ago", local(t, "2030-05-07", 23, 0), hospital, a, refill(a, 1, "2030-04-07")},
		{"refill due 31 days ago", local(t, "2030-05-08", 0, 30), hospital, a, nil},
		{"last fill made: refill over, supply not ended", local(t, "2030-03-16", 12, 0), hospital, b, nil},
		{"supply ends tomorrow", local(t, "2030-03-22", 23, 0), hospital, b, nil},
		{"supply ended today", local(t, "2030-03-23", 0, 30), hospital, b, followUp(b, "2030-03-23")},
		{"supply ended 30 days ago", local(t, "2030-04-22", 23, 0), hospital, b, followUp(b, "2030-03-23")},
		{"supply ended 31 days ago", local(t, "2030-04-23", 0, 30), hospital, b, nil},
		{"c due before its cancellation", local(t, "2030-03-15", 9, 0), hospital, c, refill(c, 1, "2030-03-15")},
		{"d due before its cancellation", local(t, "2030-03-15", 9, 0), hospital, d, refill(d, 1, "2030-03-15")},
		{"f due before its next claim", local(t, "2030-03-15", 9, 0), hospital, fx, refill(fx, 1, "2030-03-15")},
		{"undispensed", local(t, "2030-03-15", 9, 0), hospital, e, nil},
		{"undispensed, later", local(t, "2030-04-07", 9, 0), hospital, e, nil},
		{"longest course not ended", local(t, "2031-03-09", 23, 0), hospital, g, nil},
		{"longest course ended", local(t, "2031-03-10", 0, 30), hospital, g, followUp(g, "2031-03-10")},
		{"longest course ended 30 days ago (fill 395 days old)", local(t, "2031-04-09", 23, 0), hospital, g, followUp(g, "2031-03-10")},
		{"longest course ended 31 days ago", local(t, "2031-04-10", 0, 30), hospital, g, nil},
	})

	// An alert in full, and the same answer on every call.
	now := local(t, "2030-04-10", 12, 0)
	first, err := f.svc.DueAlerts(ctx, now, hospital)
	if err != nil {
		t.Fatal(err)
	}
	want := pharmacy.Due{Kind: shared.KindRefillDue, Key: "refill:" + a + ":1", PrescriptionID: a, PatientID: f.rx.PatientID,
		MedicationName: "Metformin 500 mg", Dose: "500 mg", Frequency: "BID", DueDate: "2030-04-07", RefillsLeft: 3,
		PrescribedBy: f.doctor.UserID}
	var dates []string
	found := false
	for _, d := range first {
		dates = append(dates, d.DueDate)
		found = found || d == want
	}
	if !found {
		t.Errorf("got %+v, want among them %+v", first, want)
	}
	// Due then, by date: c's, d's and f's refills, b's follow-up, a's refill.
	if wantDates := []string{"2030-03-15", "2030-03-15", "2030-03-15", "2030-03-23", "2030-04-07"}; !reflect.DeepEqual(dates, wantDates) {
		t.Errorf("got due dates %q, want %q", dates, wantDates)
	}
	again, err := f.svc.DueAlerts(ctx, now, hospital)
	if err != nil || !reflect.DeepEqual(again, first) {
		t.Errorf("second call: got %+v, %v, want the first call's %+v", again, err, first)
	}

	// a's second fill, c cancelled, d's cancellation recorded without its cached status, f's next fill
	// claimed and not yet dispensed.
	f.dispenseAt(t, a, local(t, "2030-04-08", 9, 0))
	if _, err := f.svc.Cancel(ctx, f.doctor, c, shared.ReasonRequest{Reason: "stopped"}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.InsertCancellation(ctx, pharmacy.Cancellation{PrescriptionID: d, By: f.doctor.UserID, At: start}); err != nil {
		t.Fatal(err)
	}
	if rx, err := f.store.Prescription(ctx, d); err != nil || rx.Status != shared.PrescriptionActive {
		t.Fatalf("d: got status %q, %v, want it still cached active", rx.Status, err)
	}
	claimedAt := local(t, "2030-03-14", 10, 0)
	fill2 := pharmacy.FillClaim{ID: pharmacy.FillID(fx, 2), PrescriptionID: fx, MedicationID: f.med.ID, Fill: 2, Quantity: 5,
		Key: pharmacy.FillID(fx, 2), By: f.staff.UserID, At: claimedAt}
	if err := f.store.ClaimFill(ctx, fill2); err != nil {
		t.Fatal(err)
	}
	f.checkDue(t, []dueCheck{
		{"a after its second fill", local(t, "2030-04-08", 12, 0), hospital, a, nil},
		{"a's second refill due, not the first", local(t, "2030-05-06", 8, 0), hospital, a, refill(a, 2, "2030-05-06")},
		{"c cancelled", local(t, "2030-03-15", 9, 0), hospital, c, nil},
		{"d cancelled by its record", local(t, "2030-03-15", 9, 0), hospital, d, nil},
		{"f's next fill pending", local(t, "2030-03-15", 9, 0), hospital, fx, nil},
		{"f's next fill pending, later", local(t, "2030-03-19", 9, 0), hospital, fx, nil},
	})

	// f's second fill moved stock, and the server stopped before noting it on the claim.
	last, err := f.store.LastMovement(ctx, f.med.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.InsertMovement(ctx, pharmacy.Movement{MedicationID: f.med.ID, Seq: last.Seq + 1, Kind: shared.MoveDispense,
		Quantity: -5, Balance: last.Balance - 5, FillID: fill2.ID, PrescriptionID: fx, Fill: 2, By: f.staff.UserID, At: claimedAt}); err != nil {
		t.Fatal(err)
	}
	f.checkDue(t, []dueCheck{
		{"f's second refill not yet due", local(t, "2030-03-18", 23, 0), hospital, fx, nil},
		{"f's second refill due", local(t, "2030-03-19", 9, 0), hospital, fx, refill(fx, 2, "2030-03-19")},
	})
}
