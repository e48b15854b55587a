package mongostore_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
	"hms/shared"
)

// TestEventHead: the head of a channel comes from its hint plus lookups by _id, including for events
// stored before hints existed (migrated once) and when the hint lags.
func TestEventHead(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	// Two events as an older version stored them: ObjectID _id, no hint.
	for seq := int64(1); seq <= 2; seq++ {
		if _, err := db.Collection("events").InsertOne(ctx, bson.D{{Key: "channel", Value: "alerts"}, {Key: "seq", Value: seq},
			{Key: "type", Value: "t"}, {Key: "at", Value: time.Now().UTC()}, {Key: "data", Value: "{}"}}); err != nil {
			t.Fatal(err)
		}
	}
	events := mongostore.NewEvents(db)
	head := func(ch string) int64 {
		t.Helper()
		h, err := events.Head(ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if err := events.MigrateHeads(ctx); err != nil {
		t.Fatal(err)
	}
	if h := head("alerts"); h != 2 {
		t.Fatalf("got head %d after migration, want 2", h)
	}
	if h := head("display:er"); h != 0 {
		t.Fatalf("got head %d for a new channel, want 0", h)
	}
	for seq := int64(3); seq <= 5; seq++ {
		if err := events.InsertEvent(ctx, shared.Event{Channel: "alerts", Seq: seq, Type: "t", At: time.Now().UTC(), Data: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	// The hint lags (as after a crash between the event and its hint): Head still finds 5.
	if _, err := db.Collection("event_heads").UpdateOne(ctx, bson.D{{Key: "_id", Value: "alerts"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: 3}}}}); err != nil {
		t.Fatal(err)
	}
	if h := head("alerts"); h != 5 {
		t.Fatalf("got head %d with a lagging hint, want 5", h)
	}
	if err := events.InsertEvent(ctx, shared.Event{Channel: "alerts", Seq: 5, Type: "t", At: time.Now().UTC(), Data: []byte("{}")}); err == nil {
		t.Fatal("inserting seq 5 twice succeeded, want ErrSeqTaken")
	}
	got, err := events.EventsAfter(ctx, "alerts", 1, 10)
	if err != nil || len(got) != 4 || got[0].Seq != 2 || got[3].Seq != 5 {
		t.Fatalf("got %d events after 1 (%v), want 2..5 across old and new documents", len(got), err)
	}
	// A longer replay: the first events by _id, the rest from one query, in order and complete.
	for seq := int64(6); seq <= 40; seq++ {
		if err := events.InsertEvent(ctx, shared.Event{Channel: "alerts", Seq: seq, Type: "t", At: time.Now().UTC(), Data: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ since, limit, want int }{{0, 100, 40}, {3, 30, 30}, {20, 10, 10}, {40, 10, 0}} {
		got, err := events.EventsAfter(ctx, "alerts", int64(tc.since), tc.limit)
		if err != nil || len(got) != tc.want {
			t.Fatalf("after %d limit %d: got %d events (%v), want %d", tc.since, tc.limit, len(got), err, tc.want)
		}
		for i, ev := range got {
			if ev.Seq != int64(tc.since+1+i) {
				t.Fatalf("after %d: event %d has seq %d, want %d", tc.since, i, ev.Seq, tc.since+1+i)
			}
		}
	}
}
