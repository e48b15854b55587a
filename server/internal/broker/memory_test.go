package broker_test

import (
	"fmt"
	"testing"
	"time"

	"hms/server/internal/broker"
)

func TestMemorySlowSubscriberIsResynced(t *testing.T) {
	b := broker.NewMemory()
	t.Cleanup(func() { _ = b.Close() })
	release := make(chan struct{})
	started := make(chan struct{})
	r := &recorder{}
	deliver := func(p []byte) {
		if string(p) == "first" {
			close(started)
			<-release // stuck: everything after queues up
		}
		r.deliver(p)
	}
	if err := b.Subscribe(t.Context(), deliver, r.resync); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	fast := &recorder{}
	if err := b.Subscribe(t.Context(), fast.deliver, fast.resync); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	if err := b.Publish(t.Context(), []byte("first")); err != nil {
		t.Fatal(err)
	}
	<-started
	const n = 70_000 // more than a subscriber may fall behind
	for i := range n {
		if err := b.Publish(t.Context(), fmt.Appendf(nil, "m%d", i)); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		if i%10_000 == 0 { // keep the fast subscriber within its limit however slow this machine is
			eventually(t, 10*time.Second, "fast subscriber keeps up", func() bool { return fast.count() == i+2 })
		}
	}
	if err := b.Publish(t.Context(), []byte("last")); err != nil {
		t.Fatal(err)
	}
	close(release)

	eventually(t, 10*time.Second, "slow subscriber gets the last message", func() bool { return r.has("last") })
	got, resyncs := r.snapshot()
	if resyncs != 1 {
		t.Errorf("slow subscriber: got %d resyncs, want 1", resyncs)
	}
	if len(got) >= n+2 {
		t.Errorf("slow subscriber: got all %d messages, want the backlog dropped", len(got))
	}
	eventually(t, 10*time.Second, "fast subscriber gets everything", func() bool { return fast.count() == n+2 })
	if got := fast.resyncCount(); got != 0 {
		t.Errorf("fast subscriber: got %d resyncs, want 0", got)
	}
}

func TestMemoryPublishCopiesPayload(t *testing.T) {
	b := broker.NewMemory()
	t.Cleanup(func() { _ = b.Close() })
	r := &recorder{}
	if err := b.Subscribe(t.Context(), r.deliver, r.resync); err != nil {
		t.Fatal(err)
	}
	p := []byte("before")
	if err := b.Publish(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	copy(p, "after!")
	eventually(t, 5*time.Second, "message received", func() bool { return r.count() == 1 })
	if got, _ := r.snapshot(); got[0] != "before" {
		t.Fatalf("got %q, want %q (Publish must copy)", got[0], "before")
	}
}
