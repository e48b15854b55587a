package event_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"hms/server/internal/broker"
	"hms/server/internal/event"
	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newStore(t *testing.T) *mongostore.Events {
	t.Helper()
	db := testenv.IndexedDB(t)
	return mongostore.NewEvents(db)
}

type sink struct {
	mu   sync.Mutex
	seqs []int64
}

func (s *sink) Deliver(payload []byte) { s.mu.Lock(); s.seqs = append(s.seqs, 0); s.mu.Unlock() }

// TestPublishNumbersStoresAndReplays: concurrent publishers on one channel get distinct, gap-free
// numbers; every event is stored and replayable in order.
func TestPublishNumbersStoresAndReplays(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	s := event.NewStream(store, broker.NewMemory(), quiet, nil)
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.Publish(ctx, "display:er", "t", map[string]int{"i": i}); err != nil {
					t.Errorf("publish: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	evs, err := s.After(ctx, "display:er", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != writers*each {
		t.Fatalf("got %d stored events, want %d", len(evs), writers*each)
	}
	for i, ev := range evs {
		if ev.Seq != int64(i+1) || ev.Channel != "display:er" || string(ev.Data) == "" {
			t.Fatalf("event %d: got seq %d, want %d", i, ev.Seq, i+1)
		}
	}
	if head, _ := s.Head(ctx, "display:er"); head != writers*each {
		t.Fatalf("got head %d, want %d", head, writers*each)
	}
	if evs, _ := s.After(ctx, "display:er", 195, 3); len(evs) != 3 || evs[0].Seq != 196 {
		t.Fatalf("got %v, want seqs 196..198", evs)
	}
}

// downBroker is a broker whose Redis is away: every call fails.
type downBroker struct{ broker.Broker }

var errDown = errors.New("redis down")

func (downBroker) Lock(context.Context, string) (func(), error) { return nil, errDown }
func (downBroker) Publish(context.Context, []byte) error        { return errDown }

// TestPublishWithoutBroker: with the broker down, events are still numbered (from the store), stored
// and delivered to this instance's hub.
func TestPublishWithoutBroker(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	up := event.NewStream(store, broker.NewMemory(), quiet, nil)
	for i := 0; i < 3; i++ {
		if _, err := up.Publish(ctx, "alerts", "t", i); err != nil {
			t.Fatal(err)
		}
	}
	down := event.NewStream(store, downBroker{}, quiet, nil)
	local := &sink{}
	down.SetLocal(local)
	ev, err := down.Publish(ctx, "alerts", "t", "during outage")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Seq != 4 || len(local.seqs) != 1 {
		t.Fatalf("got seq %d and %d local deliveries, want seq 4 delivered locally", ev.Seq, len(local.seqs))
	}
	// Back up: the broker's counter (still at 3) is behind the store; the taken number is detected and
	// the counter reloaded, so the next event is 5, not a duplicate 4.
	ev, err = up.Publish(ctx, "alerts", "t", "after")
	if err != nil || ev.Seq != 5 {
		t.Fatalf("got seq %d, %v, want 5", ev.Seq, err)
	}
}

// TestPruneKeepsNewest: pruning removes old events but keeps each channel's newest, so numbering
// continues after a restart.
func TestPruneKeepsNewest(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	s := event.NewStream(store, broker.NewMemory(), quiet, nil)
	for i := 0; i < 5; i++ {
		if _, err := s.Publish(ctx, "broadcast", "t", i); err != nil {
			t.Fatal(err)
		}
	}
	n, err := store.PruneEvents(ctx, farFuture)
	if err != nil || n != 4 {
		t.Fatalf("got %d pruned, %v, want 4", n, err)
	}
	if head, _ := store.Head(ctx, "broadcast"); head != 5 {
		t.Fatalf("got head %d after pruning, want 5 kept", head)
	}
	s2 := event.NewStream(store, broker.NewMemory(), quiet, nil) // a restarted instance: empty counter
	if ev, err := s2.Publish(ctx, "broadcast", "t", "next"); err != nil || ev.Seq != 6 {
		t.Fatalf("got seq %d, %v, want 6", ev.Seq, err)
	}
}

var farFuture = time.Now().Add(24 * time.Hour)
