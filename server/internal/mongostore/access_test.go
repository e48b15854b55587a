package mongostore_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/patient"
	"hms/server/internal/testenv"
)

// TestAccessStoreQueries checks every query of the access store against documents written directly:
// grant expiry at its boundary, listings and their totals, referrals, admins, and the appointment and
// queue-ticket care links.
func TestAccessStoreQueries(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	s := mongostore.NewAccessGrants(db, testKeys(t, "k1"))
	t0 := time.Date(2030, 1, 7, 8, 0, 0, 0, time.UTC)
	user, pat, other := ident.New(), ident.New(), ident.New()
	for i, g := range []patient.Grant{
		{UserID: user, PatientID: pat, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{UserID: user, PatientID: other, CreatedAt: t0.Add(time.Minute), ExpiresAt: t0.Add(time.Minute + time.Hour)},
		{UserID: ident.New(), PatientID: pat, CreatedAt: t0.Add(2 * time.Minute), ExpiresAt: t0.Add(2*time.Minute + time.Hour)},
	} {
		g.ID, g.Role, g.Reason = ident.New(), "doctor", "reason number "+string(rune('a'+i))
		if err := s.InsertGrant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{{t0, true}, {t0.Add(59 * time.Minute), true}, {t0.Add(time.Hour), false}, {t0.Add(2 * time.Hour), false}} {
		if got, err := s.ActiveGrant(ctx, user, pat, tc.at); err != nil || got != tc.want {
			t.Errorf("active grant at %v: got %v, %v, want %v", tc.at, got, err, tc.want)
		}
	}
	if got, _ := s.ActiveGrant(ctx, ident.New(), other, t0); got {
		t.Error("got an active grant for a user who has none")
	}
	gs, total, err := s.ListGrants(ctx, patient.GrantFilter{PatientID: pat}, 0, 10)
	if err != nil || total != 2 || len(gs) != 2 || !gs[0].CreatedAt.After(gs[1].CreatedAt) || gs[0].Reason != "reason number c" {
		t.Errorf("grants on the patient: got %+v, %d, %v, want two, newest first", gs, total, err)
	}
	gs, total, _ = s.ListGrants(ctx, patient.GrantFilter{ActiveAt: t0.Add(time.Hour + 30*time.Second)}, 0, 1)
	if total != 2 || len(gs) != 1 || gs[0].PatientID != pat {
		t.Errorf("grants active at 09:00:30: got %+v, total %d, want a page of 1 of 2, newest first", gs, total)
	}

	doctor := ident.New()
	if err := s.InsertReferral(ctx, patient.Referral{ID: ident.New(), PatientID: pat, DoctorID: doctor, ReferredBy: user,
		Reason: "a referral reason", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Referred(ctx, doctor, pat, t0); !ok || err != nil {
		t.Errorf("referred: got %v, %v, want true", ok, err)
	}
	if ok, err := s.Referred(ctx, doctor, pat, t0.Add(time.Millisecond)); ok || err != nil {
		t.Errorf("referred before since: got %v, %v, want false (expired)", ok, err)
	}
	if ok, _ := s.Referred(ctx, doctor, other, t0.AddDate(-1, 0, 0)); ok {
		t.Error("got a referral for a patient who was not referred")
	}
	if rs, n, err := s.ListReferrals(ctx, pat, 0, 10); err != nil || n != 1 || rs[0].DoctorID != doctor || !rs[0].CreatedAt.Equal(t0) {
		t.Errorf("referrals: got %+v, %d, %v", rs, n, err)
	}

	admin, disabled := ident.New(), ident.New()
	for _, u := range []bson.D{
		{{Key: "_id", Value: admin}, {Key: "email", Value: "a@x.org"}, {Key: "role", Value: "admin"}, {Key: "disabled", Value: false}},
		{{Key: "_id", Value: disabled}, {Key: "email", Value: "d@x.org"}, {Key: "role", Value: "admin"}, {Key: "disabled", Value: true}},
		{{Key: "_id", Value: ident.New()}, {Key: "email", Value: "s@x.org"}, {Key: "role", Value: "staff"}, {Key: "disabled", Value: false}},
	} {
		if _, err := db.Collection("users").InsertOne(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if ids, err := s.AdminIDs(ctx); err != nil || len(ids) != 1 || ids[0] != admin {
		t.Errorf("admins: got %v, %v, want the enabled admin only", ids, err)
	}

	// Care links: a cancelled appointment counts for nobody, nor does one only booked; a called ticket
	// links its doctor; a queue ticket of the day counts for staff. A ticket the doctor checked in
	// themself links nobody to that doctor, unless it is an emergency that raised an alert; a ticket
	// without checked_in_by (stored before it was recorded) counts as before.
	doc2, ticketed, queued, booked := ident.New(), ident.New(), ident.New(), ident.New()
	selfIn, selfCalled, staffIn, alerted := ident.New(), ident.New(), ident.New(), ident.New()
	desk := ident.New()
	ticket := func(checkedInBy, calledBy string, alert bool) bson.E {
		return bson.E{Key: "ticket", Value: bson.D{{Key: "day", Value: "2030-01-07"}, {Key: "checked_in_by", Value: checkedInBy},
			{Key: "called_by", Value: calledBy}, {Key: "alerted", Value: alert}}}
	}
	appts := []bson.D{
		{{Key: "_id", Value: ident.New()}, {Key: "patient_id", Value: pat}, {Key: "doctor_id", Value: doctor}, {Key: "status", Value: "completed"},
			{Key: "start", Value: t0.AddDate(0, -1, 0)}},
		{{Key: "_id", Value: ident.New()}, {Key: "patient_id", Value: other}, {Key: "doctor_id", Value: doctor}, {Key: "status", Value: "cancelled"},
			{Key: "start", Value: t0.Add(time.Hour)}},
		{{Key: "_id", Value: ident.New()}, {Key: "patient_id", Value: ticketed}, {Key: "doctor_id", Value: ""}, {Key: "status", Value: "called"},
			{Key: "start", Value: t0.AddDate(0, 0, -3)}, {Key: "ticket", Value: bson.D{{Key: "called_by", Value: doc2}, {Key: "day", Value: "2030-01-04"}}}},
		{{Key: "_id", Value: ident.New()}, {Key: "patient_id", Value: booked}, {Key: "doctor_id", Value: doctor}, {Key: "status", Value: "scheduled"},
			{Key: "start", Value: t0}},
		{{Key: "_id", Value: ident.New()}, {Key: "patient_id", Value: booked}, {Key: "doctor_id", Value: doc2}, {Key: "status", Value: "no-show"},
			{Key: "start", Value: t0.AddDate(0, 0, -1)}},
		{{Key: "_id", Value: ident.New()}, {Key: "patient_id", Value: selfIn}, {Key: "doctor_id", Value: doctor}, {Key: "status", Value: "completed"},
			{Key: "start", Value: t0}, ticket(doctor, doctor, false)},
		{{Key: "_id", Value: ident.New()}, {Key: "patient_id", Value: selfCalled}, {Key: "doctor_id", Value: ""}, {Key: "status", Value: "called"},
			{Key: "start", Value: t0}, ticket(doctor, doctor, false)},
		{{Key: "_id", Value: ident.New()}, {Key: "patient_id", Value: staffIn}, {Key: "doctor_id", Value: doctor}, {Key: "status", Value: "checked-in"},
			{Key: "start", Value: t0}, ticket(desk, "", false)},
		{{Key: "_id", Value: ident.New()}, {Key: "patient_id", Value: alerted}, {Key: "doctor_id", Value: ""}, {Key: "status", Value: "in-consultation"},
			{Key: "start", Value: t0}, {Key: "emergency", Value: true}, ticket(doctor, doctor, true)},
	}
	for _, a := range appts {
		if _, err := db.Collection("appointments").InsertOne(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Collection("queue_tickets").InsertOne(ctx, bson.D{{Key: "_id", Value: ident.New()}, {Key: "patient_id", Value: queued},
		{Key: "status", Value: "checked-in"}, {Key: "start", Value: t0.AddDate(0, 0, -1)}, {Key: "ticket", Value: bson.D{{Key: "day", Value: "2030-01-07"}}}}); err != nil {
		t.Fatal(err)
	}
	bookings := mongostore.NewAppointments(db, testKeys(t, "k1"))
	for _, tc := range []struct {
		name              string
		doctor, patientID string
		want              bool
	}{
		{"a past appointment", doctor, pat, true},
		{"a cancelled appointment", doctor, other, false},
		{"a ticket the doctor called", doc2, ticketed, true},
		{"another doctor", doc2, pat, false},
		{"an appointment only booked", doctor, booked, false},
		{"a no-show", doc2, booked, false},
		{"an appointment with the doctor he checked in himself", doctor, selfIn, false},
		{"a ticket he checked in and called himself", doctor, selfCalled, false},
		{"an appointment with the doctor checked in by the desk", doctor, staffIn, true},
		{"an emergency he admitted at ESI 1–2 and called", doctor, alerted, true},
		{"the desk's check-in links only the doctor of the appointment", doc2, staffIn, false},
	} {
		if got, err := bookings.DoctorSees(ctx, tc.doctor, tc.patientID); err != nil || got != tc.want {
			t.Errorf("%s: got %v, %v, want %v", tc.name, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name      string
		patientID string
		day       string
		want      bool
	}{
		{"no ticket that day", pat, "2030-01-07", false},
		{"an appointment that day, not checked in", booked, t0.Format(time.DateOnly), false},
		{"cancelled that day", other, "2030-01-07", false},
		{"a queue ticket of the day", queued, "2030-01-07", true},
		{"a queue ticket of another day", queued, "2030-01-08", false},
	} {
		got, err := bookings.CheckedInOn(ctx, tc.patientID, tc.day)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %v, %v, want %v", tc.name, got, err, tc.want)
		}
	}
}

// TestAccessReasonsAreSealed is docs/security.md row 30 for break-the-glass and referral reasons: the raw
// documents hold ciphertext only; a reason stored before encryption still reads; rekey seals everything
// under the active key, after which the old key can go.
func TestAccessReasonsAreSealed(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	old := mongostore.NewAccessGrants(db, testKeys(t, "k1"))
	pat, now := ident.New(), time.Now().UTC().Truncate(time.Millisecond)
	const grantReason, referralReason = "unconscious, needs the allergy list", "suspected melanoma, left arm"
	if err := old.InsertGrant(ctx, patient.Grant{ID: ident.New(), UserID: ident.New(), Role: "staff", PatientID: pat,
		Reason: grantReason, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := old.InsertReferral(ctx, patient.Referral{ID: ident.New(), PatientID: pat, DoctorID: ident.New(),
		ReferredBy: ident.New(), Reason: referralReason, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	plainID := ident.New()
	if _, err := db.Collection("referrals").InsertOne(ctx, bson.D{{Key: "_id", Value: plainID}, {Key: "patient_id", Value: pat},
		{Key: "doctor_id", Value: ident.New()}, {Key: "referred_by", Value: ident.New()}, {Key: "reason", Value: "written before encryption"},
		{Key: "created_at", Value: now.Add(-time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	raw := func(col string) []byte {
		t.Helper()
		cur, err := db.Collection(col).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		defer cur.Close(ctx)
		var all []byte
		for cur.Next(ctx) {
			all = append(all, cur.Current...)
		}
		return all
	}
	for col, text := range map[string]string{"access_grants": grantReason, "referrals": referralReason} {
		if bytes.Contains(raw(col), []byte(text)) {
			t.Errorf("%s holds the reason in plain text", col)
		}
	}

	rotated := mongostore.NewAccessGrants(db, testKeys(t, "k2", "k1"))
	n, err := rotated.Rekey(ctx, nil)
	if err != nil || n != 3 {
		t.Fatalf("rekey: got %d, %v, want 3 values re-sealed", n, err)
	}
	if bytes.Contains(raw("referrals"), []byte("written before encryption")) {
		t.Error("rekey left a plain-text reason")
	}
	onlyNew := mongostore.NewAccessGrants(db, testKeys(t, "k2"))
	gs, _, err := onlyNew.ListGrants(ctx, patient.GrantFilter{PatientID: pat}, 0, 10)
	if err != nil || len(gs) != 1 || gs[0].Reason != grantReason {
		t.Errorf("grants under the new key only: got %+v, %v", gs, err)
	}
	rs, _, err := onlyNew.ListReferrals(ctx, pat, 0, 10)
	if err != nil || len(rs) != 2 || rs[0].Reason != referralReason || rs[1].Reason != "written before encryption" {
		t.Errorf("referrals under the new key only: got %+v, %v", rs, err)
	}
}
