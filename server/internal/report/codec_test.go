package report

import (
	"reflect"
	"testing"
	"time"
)

// TestEncodeRoundTrip: a day of every kind of fact decodes to the same figures, and damaged bytes are
// an error, not wrong figures.
func TestEncodeRoundTrip(t *testing.T) {
	s := NewService(nil, Config{})
	at := time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)
	facts := s.VisitFacts(Visit{AppointmentID: "a", Step: 1, Action: "booked", At: at, Department: "general", DoctorID: "d1"})
	facts = append(facts, s.VisitFacts(Visit{AppointmentID: "a", Step: 3, Action: "called", At: at, Department: "general",
		TicketDepartment: "general", TicketDay: "2030-01-07", CheckedInAt: at, CalledAt: at.Add(95 * time.Minute)})...)
	facts = append(facts, s.VisitFacts(Visit{AppointmentID: "a", Step: 5, Action: "finished", At: at.Add(2 * time.Hour), Department: "general",
		CheckedInAt: at, CalledAt: at.Add(95 * time.Minute), CalledBy: "d1", StartedAt: at.Add(100 * time.Minute), FinishedAt: at.Add(2 * time.Hour)})...)
	facts = append(facts, s.DischargedFacts(Stay{AdmissionID: "x", Department: "ward", AdmittedAt: at.Add(-48 * time.Hour), DischargedAt: at})...)
	facts = append(facts, Fact{ID: "census:ward", Kind: Census, Dept: "ward", Beds: 10, Occupied: 7})
	facts = append(facts, s.EntryFacts(Entry{Op: "p", InvoiceID: "i", Amount: 500, At: at, SettledFrom: at.Add(-72 * time.Hour)})...)
	facts = append(facts, s.RevenueFacts("c", "d1", "general", at, 500)...)
	facts = append(facts, s.ClaimFacts(ClaimMove{ClaimID: "k", Seq: 3, Status: "approved", At: at, Amount: 800, Approved: 800})...)
	facts = append(facts, s.ClaimFacts(ClaimMove{ClaimID: "k", Seq: 4, Status: "paid", At: at, Amount: 800, Approved: 800, Paid: 700})...)
	d := Sum("2030-01-07", facts)
	data := Encode(d)
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Fatalf("got %+v, want %+v", got, d)
	}
	if x := got.Billing.Claims["paid"]; x == nil || *x != (ClaimMoney{Claims: 1, Claimed: 800, Approved: 800, Paid: 700}) {
		t.Fatalf("claims paid: got %+v", x)
	}
	// A day stored by version 1 (no claims) still reads.
	d.Billing.Claims = nil
	v1 := Encode(d)
	v1 = append([]byte{1}, v1[1:len(v1)-1]...) // version 1, without the (empty) claims section
	if old, err := Decode(v1); err != nil || !reflect.DeepEqual(old, d) {
		t.Fatalf("a version 1 day: got %+v, %v", old, err)
	}
	for _, cut := range []int{0, 1, len(data) / 2, len(data) - 1} {
		if _, err := Decode(data[:cut]); err == nil {
			t.Errorf("decoding %d of %d bytes: got no error", cut, len(data))
		}
	}
}

// TestPercentilesMergeHistograms: percentiles come from the merged counts, exact to the minute under
// an hour and the middle of the bucket above.
func TestPercentilesMergeHistograms(t *testing.T) {
	var a, b Hist
	for m := range int64(10) {
		a.Add(m) // 0..9
	}
	b.Add(100) // bucket 100–104
	b.Add(800) // twelve hours or more
	a.Merge(b)
	for _, c := range []struct {
		p    float64
		want float64
	}{{0.5, 5}, {0.1, 1}, {0.9, 102.5}, {1, 720}} {
		if got := a.Percentile(c.p); got == nil || *got != c.want {
			t.Errorf("p%v: got %v, want %v", c.p*100, got, c.want)
		}
	}
	if (Hist{}).Percentile(0.5) != nil {
		t.Error("an empty histogram's percentile: want none")
	}
}
