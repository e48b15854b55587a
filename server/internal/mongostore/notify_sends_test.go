package mongostore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/notify"
	"hms/server/internal/testenv"
)

// TestSendClaims: a sender's n-th send of an hour is claimed once (the second claim is ErrSendTaken,
// on this backend's unique _id), another hour or sender is another claim, and Prune deletes the claims
// of hours that ended before its cut, keeping the rest.
func TestSendClaims(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	s := mongostore.NewNotifications(db, testKeys(t, "k1"))
	alice, bob := ident.New(), ident.New()
	nine := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	ten := nine.Add(time.Hour)
	tests := []struct {
		name  string
		claim notify.SendClaim
		want  error
	}{
		{"alice's first at nine", notify.SendClaim{SenderID: alice, Hour: nine, N: 1, At: nine}, nil},
		{"alice's first at nine again", notify.SendClaim{SenderID: alice, Hour: nine, N: 1, At: nine.Add(time.Minute)}, notify.ErrSendTaken},
		{"alice's second at nine", notify.SendClaim{SenderID: alice, Hour: nine, N: 2, At: nine}, nil},
		{"bob's first at nine", notify.SendClaim{SenderID: bob, Hour: nine, N: 1, At: nine}, nil},
		{"alice's first at ten", notify.SendClaim{SenderID: alice, Hour: ten, N: 1, At: ten}, nil},
	}
	for _, tt := range tests {
		if err := s.ClaimSend(ctx, tt.claim); !errors.Is(err, tt.want) {
			t.Fatalf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	// The nine o'clock hour ended at ten: a cut at 10:30 deletes its claims, not ten o'clock's.
	if _, err := s.Prune(ctx, ten.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := len(rawDocs(t, db, "notify_send_claims")); got != 1 {
		t.Fatalf("got %d send claims after the prune, want 1 (alice's at ten)", got)
	}
	if err := s.ClaimSend(ctx, notify.SendClaim{SenderID: alice, Hour: ten, N: 1, At: ten}); !errors.Is(err, notify.ErrSendTaken) {
		t.Fatalf("alice's first at ten after the prune: got %v, want %v", err, notify.ErrSendTaken)
	}
}
