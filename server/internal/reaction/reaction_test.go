package reaction_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hms/server/internal/mongostore"
	"hms/server/internal/reaction"
	"hms/server/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// visited is a test event: a visit finished.
type visited struct {
	Visit string `json:"visit"`
}

func (visited) EventType() string { return "test.visited" }
func (v visited) Key() string     { return v.Visit }

// clock is a settable clock shared by the buses of one test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)} }
func (c *clock) cfg(name string) reaction.Config {
	return reaction.Config{Instance: name, Lease: 30 * time.Second, RetryBase: 5 * time.Second, RetryMax: time.Minute,
		MaxAttempts: 4, Now: c.now}
}

// world is a store of facts (the "domain"): which visits finished, and the effects of the reactions
// keyed by event (the charges), counting every run.
type world struct {
	mu       sync.Mutex
	finished map[string]bool
	charges  map[string]int // effect, keyed by visit: must end at 1 each
	runs     atomic.Int64
	fail     atomic.Int64 // fail this many more runs
}

func newWorld() *world { return &world{finished: map[string]bool{}, charges: map[string]int{}} }

func (w *world) happened(_ context.Context, v visited) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.finished[v.Visit], nil
}

func (w *world) charge(_ context.Context, v visited) error {
	w.runs.Add(1)
	if w.fail.Load() > 0 {
		w.fail.Add(-1)
		return errors.New("billing is down")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.charges[v.Visit] == 0 { // keyed: a second run changes nothing
		w.charges[v.Visit] = 1
	}
	return nil
}

func (w *world) finish(visit string) { w.mu.Lock(); w.finished[visit] = true; w.mu.Unlock() }

func bus(store reaction.Store, w *world, c *clock, name string) *reaction.Bus {
	b := reaction.New(store, quiet, c.cfg(name))
	reaction.Verify(b, w.happened)
	reaction.Must(b, "billing.charge", w.charge)
	return b
}

func newStore(t *testing.T) *mongostore.Reactions {
	t.Helper()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	return mongostore.NewReactions(db)
}

// TestMustRunsOnceAtOnce: a change that happens runs its Must and On reactions in the request, once;
// the workers find nothing left to do.
func TestMustRunsOnceAtOnce(t *testing.T) {
	ctx := context.Background()
	store, w, c := newStore(t), newWorld(), newClock()
	b := bus(store, w, c, "a")
	var told atomic.Int64
	reaction.On(b, "screen.refresh", func(context.Context, visited) error { told.Add(1); return nil })
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	p, err := b.Expect(ctx, visited{"v1"})
	if err != nil {
		t.Fatal(err)
	}
	w.finish("v1")
	p.Happened(ctx)
	if got := w.runs.Load(); got != 1 {
		t.Fatalf("charge ran %d times, want 1", got)
	}
	if got := told.Load(); got != 1 {
		t.Fatalf("On reaction ran %d times, want 1", got)
	}
	c.add(time.Hour)
	if n, err := b.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("Recover = %d, %v; want 0, nil (nothing left)", n, err)
	}
	if got := w.runs.Load(); got != 1 {
		t.Fatalf("charge ran %d times after recovery, want 1", got)
	}
}

// TestCrashBetweenChangeAndReaction: the process stops after the change is stored and before its
// reactions run (Happened is never called). After the lease, two instances' workers recover it at the
// same time: the reaction runs exactly once. A second recovery finds nothing.
func TestCrashBetweenChangeAndReaction(t *testing.T) {
	ctx := context.Background()
	store, w, c := newStore(t), newWorld(), newClock()
	crashed := bus(store, w, c, "crashed")
	for _, v := range []string{"v1", "v2", "v3"} {
		if _, err := crashed.Expect(ctx, visited{v}); err != nil {
			t.Fatal(err)
		}
		w.finish(v) // the change is stored; the process dies before Happened
	}
	a, b2 := bus(store, w, c, "a"), bus(store, w, c, "b")
	if n, _ := a.Recover(ctx); n != 0 || w.runs.Load() != 0 {
		t.Fatalf("recovered %d (ran %d) within the lease, want nothing: the change may still be in flight", n, w.runs.Load())
	}
	c.add(31 * time.Second)
	var wg sync.WaitGroup
	for _, x := range []*reaction.Bus{a, b2} {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = x.Recover(ctx) }()
	}
	wg.Wait()
	if got := w.runs.Load(); got != 3 {
		t.Fatalf("charges ran %d times for 3 visits, want 3 (once each)", got)
	}
	for _, v := range []string{"v1", "v2", "v3"} {
		if w.charges[v] != 1 {
			t.Errorf("visit %s charged %d times, want 1", v, w.charges[v])
		}
	}
	c.add(time.Hour)
	if n, _ := a.Recover(ctx); n != 0 || w.runs.Load() != 3 {
		t.Fatalf("a later recovery ran again (finished %d, runs %d)", n, w.runs.Load())
	}
}

// TestChangeThatNeverHappened: an occurrence recorded before a change that failed (and whose Drop was
// lost) runs no reaction, and is forgotten after ten leases.
func TestChangeThatNeverHappened(t *testing.T) {
	ctx := context.Background()
	store, w, c := newStore(t), newWorld(), newClock()
	b := bus(store, w, c, "a")
	if _, err := b.Expect(ctx, visited{"v1"}); err != nil {
		t.Fatal(err)
	}
	c.add(time.Minute)
	_, _ = b.Recover(ctx)
	c.add(10 * time.Minute)
	_, _ = b.Recover(ctx)
	if w.runs.Load() != 0 {
		t.Fatalf("the reaction ran for a change that never happened")
	}
	left, err := store.Unfinished(ctx, c.now().Add(time.Hour), 10)
	if err != nil || len(left) != 0 {
		t.Fatalf("unfinished after ten leases: %v, %v; want none", left, err)
	}
	// Drop forgets at once.
	p, _ := b.Expect(ctx, visited{"v2"})
	p.Drop(ctx)
	if left, _ := store.Unfinished(ctx, c.now().Add(time.Hour), 10); len(left) != 0 {
		t.Fatalf("a dropped occurrence is still there: %v", left)
	}
}

// TestFailedReactionRetriedWithBackoff: a reaction that fails is tried again after its backoff (5 s,
// then 10 s), not before, and stops once it succeeds.
func TestFailedReactionRetriedWithBackoff(t *testing.T) {
	ctx := context.Background()
	store, w, c := newStore(t), newWorld(), newClock()
	b := bus(store, w, c, "a")
	w.fail.Store(2)
	p, _ := b.Expect(ctx, visited{"v1"})
	w.finish("v1")
	p.Happened(ctx) // attempt 1 fails
	steps := []struct {
		advance time.Duration
		runs    int64
	}{
		{31 * time.Second, 2}, // past the lease and the 5 s backoff: attempt 2 fails
		{5 * time.Second, 2},  // within the 10 s backoff: nothing
		{6 * time.Second, 3},  // attempt 3 succeeds
		{time.Hour, 3},        // finished
	}
	for i, s := range steps {
		c.add(s.advance)
		_, _ = b.Recover(ctx)
		if got := w.runs.Load(); got != s.runs {
			t.Fatalf("step %d: runs = %d, want %d", i, got, s.runs)
		}
	}
	if w.charges["v1"] != 1 {
		t.Fatalf("charged %d, want 1", w.charges["v1"])
	}
}

// TestAbandonedAttemptClaimedAgain: an attempt claimed by an instance that died mid-reaction (no
// outcome) is left alone during the lease, then run as the next attempt by another instance.
func TestAbandonedAttemptClaimedAgain(t *testing.T) {
	ctx := context.Background()
	store, w, c := newStore(t), newWorld(), newClock()
	b := bus(store, w, c, "a")
	p, _ := b.Expect(ctx, visited{"v1"})
	w.finish("v1")
	// The dead instance's claim of attempt 1, with no outcome.
	id := "test.visited:v1"
	if err := store.MarkHappened(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := store.ClaimAttempt(ctx, reaction.Attempt{Occurrence: id, Reaction: "billing.charge", N: 1, At: c.now(), Instance: "dead"}); err != nil {
		t.Fatal(err)
	}
	_ = p // its Happened never ran: the instance died during the reaction
	c.add(31 * time.Second)
	_, _ = b.Recover(ctx)
	if w.runs.Load() != 1 {
		t.Fatalf("runs = %d after the lease, want 1 (attempt 2)", w.runs.Load())
	}
	if a, found, err := store.Attempt(ctx, id+"|billing.charge|2"); err != nil || !found || a.Ended.IsZero() || a.Err != "" {
		t.Fatalf("attempt 2 = %+v, %v, %v; want ended without error", a, found, err)
	}
}

// TestCheckWantsVerify: a Must reaction to an event whose domain gave no Verify is a wiring error.
func TestCheckWantsVerify(t *testing.T) {
	b := reaction.New(nil, quiet, reaction.Config{})
	reaction.Must(b, "x", func(context.Context, visited) error { return nil })
	if err := b.Check(); err == nil {
		t.Fatal("Check accepted a Must reaction without Verify")
	}
}
