package mongostore_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
	"hms/server/internal/ward"
)

// TestWardClaimChain: the newest claim is found by number (12 after 9, not by text); a number taken
// is ErrClaimTaken; the two chains are apart.
func TestWardClaimChain(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	s := mongostore.NewWards(db, testKeys(t, "k1"))
	bed := ident.New()
	if c, err := s.LastClaim(ctx, ward.BedChain, bed); err != nil || c.N != 0 || c.Hold {
		t.Fatalf("empty chain: got %+v, %v; want N 0", c, err)
	}
	for n := 1; n <= 12; n++ {
		if err := s.InsertClaim(ctx, ward.Claim{Chain: ward.BedChain, Key: bed, N: n, Hold: n%2 == 1, AdmissionID: "a", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	err := s.InsertClaim(ctx, ward.Claim{Chain: ward.BedChain, Key: bed, N: 7, Hold: true, AdmissionID: "b"})
	if !errors.Is(err, ward.ErrClaimTaken) {
		t.Fatalf("taken number: got %v, want ErrClaimTaken", err)
	}
	if c, err := s.LastClaim(ctx, ward.BedChain, bed); err != nil || c.N != 12 || c.Hold {
		t.Fatalf("got last %+v, %v; want release 12", c, err)
	}
	if c, err := s.LastClaim(ctx, ward.PatientChain, bed); err != nil || c.N != 0 {
		t.Fatalf("patient chain: got %+v, %v; want empty", c, err)
	}
}

// TestWardAdmissionsSealedAndRekeyed is SECURITY row 30 for admissions: reason and summary are
// ciphertext in the admission and its steps, bound to the admission, re-sealed by Rekey; SetState
// never goes back to an older step; the filters select what they say.
func TestWardAdmissionsSealedAndRekeyed(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	s := mongostore.NewWards(db, testKeys(t, "k1"))
	now := time.Now().UTC().Truncate(time.Millisecond)
	r := ward.Record{ID: ident.New(), PatientID: ident.New(), WardID: "w", BedID: ident.New(), DoctorID: "d", Source: "planned",
		Reason: "sepsis of unknown origin", Status: "active", AdmittedAt: now, Step: 1, BedClaim: 1, PatientClaim: 1}
	if err := s.InsertAdmission(ctx, r, ward.Step{AdmissionID: r.ID, Step: 1, Action: "admitted", At: now, State: r}); err != nil {
		t.Fatal(err)
	}
	d := r
	d.Status, d.DischargeSummary, d.DischargedAt, d.Step = "discharged", "cultures negative; home", now, 2
	if err := s.InsertStep(ctx, ward.Step{AdmissionID: r.ID, Step: 2, Action: "discharged", At: now, State: d}); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertStep(ctx, ward.Step{AdmissionID: r.ID, Step: 2, Action: "discharged", At: now, State: d}); !errors.Is(err, ward.ErrStepTaken) {
		t.Fatalf("second step 2: got %v, want ErrStepTaken", err)
	}
	if err := s.SetState(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := s.SetState(ctx, r); err != nil { // older: ignored
		t.Fatal(err)
	}
	got, err := s.Admission(ctx, r.ID)
	if err != nil || got.Status != "discharged" || got.DischargeSummary != d.DischargeSummary || got.Reason != r.Reason {
		t.Fatalf("got %+v, %v; want the discharged state", got, err)
	}
	for _, tc := range []struct {
		f    ward.Filter
		want int
	}{{ward.Filter{PatientID: r.PatientID}, 1}, {ward.Filter{WardID: "w", ActiveOnly: true}, 0}, {ward.Filter{DoctorID: "d"}, 1}, {ward.Filter{DoctorID: "x"}, 0}} {
		if l, err := s.Admissions(ctx, tc.f); err != nil || len(l) != tc.want {
			t.Errorf("Admissions(%+v): got %d, %v; want %d", tc.f, len(l), err, tc.want)
		}
	}

	raw := func() []bson.Raw {
		var out []bson.Raw
		for _, col := range []string{"admissions", "admission_steps"} {
			cur, err := db.Collection(col).Find(ctx, bson.D{})
			if err != nil {
				t.Fatal(err)
			}
			var docs []bson.Raw
			if err := cur.All(ctx, &docs); err != nil {
				t.Fatal(err)
			}
			out = append(out, docs...)
		}
		return out
	}
	for _, doc := range raw() {
		if bytes.Contains(doc, []byte("sepsis")) || bytes.Contains(doc, []byte("cultures")) {
			t.Fatalf("plaintext in a raw document: %s", doc)
		}
	}

	rotated := mongostore.NewWards(db, testKeys(t, "k2", "k1"))
	n, err := rotated.Rekey(ctx, nil)
	if err != nil || n != 5 {
		t.Fatalf("rekey re-sealed %d (%v), want 5: reason and summary of the admission, reason of step 1, both of step 2", n, err)
	}
	if n, err := rotated.Rekey(ctx, nil); err != nil || n != 0 {
		t.Fatalf("second rekey re-sealed %d (%v), want 0", n, err)
	}
	onlyNew := mongostore.NewWards(db, testKeys(t, "k2"))
	got, err = onlyNew.Admission(ctx, r.ID)
	if err != nil || got.Reason != r.Reason || got.DischargeSummary != d.DischargeSummary {
		t.Fatalf("with only k2: got %+v, %v", got, err)
	}
	if steps, err := onlyNew.Steps(ctx, r.ID, 2); err != nil || len(steps) != 2 || steps[1].State.DischargeSummary != d.DischargeSummary {
		t.Fatalf("steps with only k2: got %+v, %v", steps, err)
	}
}
