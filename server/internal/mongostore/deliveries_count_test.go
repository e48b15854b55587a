package mongostore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/notify"
	"hms/server/internal/testenv"
	"hms/shared"
)

// TestCountDeliveries: the outbox counts by channel and state are right (one $group, one accumulator),
// not only computed.
func TestCountDeliveries(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	s := mongostore.NewNotifications(db, testKeys(t, "k1"))
	if got, err := s.CountDeliveries(ctx); err != nil || len(got) != 0 {
		t.Fatalf("an empty outbox: got %v, %v; want none", got, err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	var ns []notify.Notification
	var ds []notify.Delivery
	add := func(channel, status string, n int) {
		for range n {
			no := notify.Notification{ID: ident.New(), RecipientID: ident.New(), Kind: shared.KindMessage, Subject: "s", Message: "m", CreatedAt: now}
			ns = append(ns, no)
			ds = append(ds, notify.Delivery{ID: no.ID + "-" + channel, NotificationID: no.ID, RecipientID: no.RecipientID, Kind: no.Kind,
				Channel: channel, To: "p@example.org", Text: "t", Status: status, NextAt: now, CreatedAt: now, UpdatedAt: now})
		}
	}
	add(shared.ChannelEmail, shared.DeliveryQueued, 3)
	add(shared.ChannelEmail, shared.DeliveryDead, 2)
	add(shared.ChannelSMS, shared.DeliveryDead, 1)
	add(shared.ChannelSMS, shared.DeliverySent, 4)
	if _, err := s.Insert(ctx, ns, ds); err != nil {
		t.Fatal(err)
	}
	got, err := s.CountDeliveries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []mongostore.DeliveryCount{
		{Channel: shared.ChannelEmail, Status: shared.DeliveryDead, N: 2},
		{Channel: shared.ChannelEmail, Status: shared.DeliveryQueued, N: 3},
		{Channel: shared.ChannelSMS, Status: shared.DeliveryDead, N: 1},
		{Channel: shared.ChannelSMS, Status: shared.DeliverySent, N: 4},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

// TestObserveCommands: the command observer sees this database's commands with their durations, and
// nothing after it is stopped.
func TestObserveCommands(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	var seen []string
	stop := db.ObserveCommands(func(command string, took time.Duration) {
		if took < 0 {
			t.Errorf("%s took %v", command, took)
		}
		seen = append(seen, command)
	})
	if _, err := db.Collection("observed").InsertOne(ctx, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if err := db.Collection("observed").FindOne(ctx, map[string]int{"a": 1}).Err(); err != nil {
		t.Fatal(err)
	}
	stop()
	if err := db.Collection("observed").FindOne(ctx, map[string]int{"a": 1}).Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"insert", "find"}; !slices.Equal(seen, want) {
		t.Fatalf("got commands %q, want %q", seen, want)
	}
}
