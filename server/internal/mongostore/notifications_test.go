package mongostore_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/notify"
	"hms/server/internal/testenv"
	"hms/shared"
)

// Notification subjects and messages, and delivery bodies, are ciphertext at rest (docs/security.md row
// 30), bound to their place; rekey seals them under a new key, after which the old one can go.
func TestNotificationsSealedAndRekeyed(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	s := mongostore.NewNotifications(db, testKeys(t, "k1"))
	now := time.Now().UTC().Truncate(time.Millisecond)
	n := notify.Notification{ID: ident.New(), RecipientID: ident.New(), Kind: shared.KindMessage, Subject: "Tapir clinic",
		Message: "your okapi test is positive", CreatedAt: now}
	d := notify.Delivery{ID: n.ID + "-email", NotificationID: n.ID, RecipientID: n.RecipientID, Kind: n.Kind, Channel: shared.ChannelEmail,
		To: "p@example.org", Subject: "Tapir clinic", Text: "okapi result text", HTML: "<p>okapi result html</p>",
		Status: shared.DeliveryQueued, NextAt: now, CreatedAt: now, UpdatedAt: now}
	if _, err := s.Insert(ctx, []notify.Notification{n}, []notify.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	check := func(key string) {
		t.Helper()
		for _, col := range []string{"notifications", "delivery_bodies"} {
			docs := rawDocs(t, db, col)
			if len(docs) != 1 {
				t.Fatalf("%s: %d documents, want 1", col, len(docs))
			}
			for _, p := range []string{"Tapir", "okapi"} {
				if bytes.Contains(docs[0], []byte(p)) {
					t.Errorf("%s holds the plaintext %q: %s", col, p, docs[0])
				}
			}
			if !strings.Contains(docs[0].String(), `"k": "`+key+`"`) {
				t.Errorf("%s: got %s, want values sealed under %s", col, docs[0], key)
			}
		}
	}
	check("k1")
	s2 := mongostore.NewNotifications(db, testKeys(t, "k2", "k1"))
	if got, err := s2.Rekey(ctx, nil); err != nil || got != 5 {
		t.Fatalf("rekey: got %d, %v; want 5 values (subject and message, the body's subject, text and HTML)", got, err)
	}
	check("k2")
	s3 := mongostore.NewNotifications(db, testKeys(t, "k2"))
	got, err := s3.Notification(ctx, n.ID)
	if err != nil || got.Message != n.Message || got.Subject != n.Subject {
		t.Fatalf("after rekey, without k1: got %+v, %v", got, err)
	}
	ds := []notify.Delivery{{ID: d.ID}}
	if missing, err := s3.Bodies(ctx, ds); err != nil || len(missing) != 0 || ds[0].HTML != d.HTML || ds[0].Text != d.Text {
		t.Fatalf("after rekey, without k1: got body %+v, missing %v, %v", ds[0], missing, err)
	}
}
