package mongostore_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
)

// BenchmarkAccessRefusal measures the worst case of the access rule's queries: a doctor with no
// relationship to the patient, so every query runs (appointments twice, referrals, grants), over
// 10,000 appointments and 1,000 grants. FerretDB scans each collection on every read (docs/architecture.md).
func BenchmarkAccessRefusal(b *testing.B) {
	ctx := context.Background()
	db := testenv.DB(b)
	if err := db.EnsureIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	s, bookings := mongostore.NewAccessGrants(db, testKeys(b, "k1")), mongostore.NewAppointments(db, testKeys(b, "k1"))
	t0 := time.Date(2030, 1, 7, 8, 0, 0, 0, time.UTC)
	var appts, grants []any
	for i := range 10_000 {
		appts = append(appts, bson.D{{Key: "_id", Value: ident.New()}, {Key: "patient_id", Value: ident.New()},
			{Key: "doctor_id", Value: ident.New()}, {Key: "status", Value: "completed"}, {Key: "start", Value: t0.Add(-time.Duration(i) * time.Hour)}})
	}
	for range 1_000 {
		grants = append(grants, bson.D{{Key: "_id", Value: ident.New()}, {Key: "user_id", Value: ident.New()},
			{Key: "patient_id", Value: ident.New()}, {Key: "expires_at", Value: t0}})
	}
	if _, err := db.Collection("appointments").InsertMany(ctx, appts); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Collection("access_grants").InsertMany(ctx, grants); err != nil {
		b.Fatal(err)
	}
	doctor, pat := ident.New(), ident.New()
	b.ResetTimer()
	for b.Loop() {
		if ok, err := bookings.DoctorSees(ctx, doctor, pat); ok || err != nil {
			b.Fatal(ok, err)
		}
		if ok, err := s.Referred(ctx, doctor, pat, t0.AddDate(0, 0, -30)); ok || err != nil {
			b.Fatal(ok, err)
		}
		if ok, err := s.ActiveGrant(ctx, doctor, pat, t0); ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
