package mongostore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/idem"
	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
)

// TestIdempotencyKeys: the booking and registration stores claim a key once, return the earlier claim
// to a repeat, complete and release it, and read keys stored before the common protocol (same
// collections and fields).
func TestIdempotencyKeys(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 3, 7, 30, 0, 0, time.UTC)
	stores := []struct {
		name, collection, result string
		s                        idem.Store
	}{
		{"bookings", "idempotency_keys", "appointment_id", mongostore.NewAppointments(db, testKeys(t, "k1"))},
		{"registrations", "patient_registration_keys", "patient_id", mongostore.NewPatients(db, testKeys(t, "k1"))},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			k := idem.Key{ID: idem.Scope("u1", "k1"), Fingerprint: idem.Fingerprint([]byte("a")), At: at}
			if _, err := st.s.ClaimKey(ctx, k); err != nil {
				t.Fatalf("first claim: got %v, want none", err)
			}
			prev, err := st.s.ClaimKey(ctx, idem.Key{ID: k.ID, Fingerprint: "other", At: at.Add(time.Second)})
			if !errors.Is(err, idem.ErrClaimed) || prev.Fingerprint != k.Fingerprint || prev.ResultID != "" {
				t.Fatalf("repeat: got %+v, %v; want the first claim, in progress, and ErrClaimed", prev, err)
			}
			if err := st.s.CompleteKey(ctx, k.ID, "r1"); err != nil {
				t.Fatal(err)
			}
			if prev, _ = st.s.ClaimKey(ctx, k); prev.ResultID != "r1" {
				t.Errorf("after complete: got result %q, want r1", prev.ResultID)
			}
			if err := st.s.ReleaseKey(ctx, k.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := st.s.ClaimKey(ctx, k); err != nil {
				t.Errorf("after release: got %v, want the key free", err)
			}

			old := idem.Scope("u1", "stored-before")
			if _, err := db.Collection(st.collection).InsertOne(ctx, bson.D{{Key: "_id", Value: old},
				{Key: "fingerprint", Value: "f"}, {Key: st.result, Value: "r0"}, {Key: "at", Value: at}}); err != nil {
				t.Fatal(err)
			}
			prev, err = st.s.ClaimKey(ctx, idem.Key{ID: old, Fingerprint: "f", At: at})
			if !errors.Is(err, idem.ErrClaimed) || prev.ResultID != "r0" || !prev.At.Equal(at) {
				t.Errorf("stored before: got %+v, %v; want result r0 at %v and ErrClaimed", prev, err, at)
			}
		})
	}
}
