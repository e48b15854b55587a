package broker_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hms/server/internal/broker"
	"hms/server/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestMemory(t *testing.T) {
	// The brokers of one test are "instances" of one cluster; in a single process that is one broker.
	var mu sync.Mutex
	perTest := map[*testing.T]*broker.Memory{}
	testContract(t, func(t *testing.T) broker.Broker {
		mu.Lock()
		defer mu.Unlock()
		if b, ok := perTest[t]; ok {
			return b
		}
		b := broker.NewMemory()
		t.Cleanup(func() { _ = b.Close() })
		perTest[t] = b
		return b
	})
}

func TestRedis(t *testing.T) {
	// Brokers made for the same test share a server and a key prefix: two instances of one cluster.
	var mu sync.Mutex
	prefixes := map[*testing.T]string{}
	testContract(t, func(t *testing.T) broker.Broker {
		srv, prefix := testenv.Redis(t)
		mu.Lock()
		if p, ok := prefixes[t]; ok {
			prefix = p
		} else {
			prefixes[t] = prefix
		}
		mu.Unlock()
		// Frequent pings, so that the suite also checks they never reach deliver nor cause a resync.
		return newRedis(t, srv.URL(), prefix, func(o *broker.RedisOptions) {
			o.PingInterval = 100 * time.Millisecond
			o.PingTimeout = 2 * time.Second
		})
	})
}

// testContract is the behaviour every Broker promises. newBroker returns a new instance of the test's
// cluster: brokers made for the same *testing.T see each other's messages, counters and locks.
func testContract(t *testing.T, newBroker func(t *testing.T) broker.Broker) {
	t.Run("PublishReachesEverySubscriberInOrder", func(t *testing.T) {
		b1, b2 := newBroker(t), newBroker(t)
		recs := []*recorder{{}, {}, {}}
		for i, b := range []broker.Broker{b1, b1, b2} {
			if err := b.Subscribe(t.Context(), recs[i].deliver, recs[i].resync); err != nil {
				t.Fatalf("subscribe: %v", err)
			}
		}
		const n = 1000
		want := make([]string, n)
		for i := range n {
			want[i] = fmt.Sprintf(`{"channel":"ward","seq":%d}`, i+1)
			from := b1
			if i >= n/2 {
				from = b2 // the second half comes from the other instance
			}
			if err := from.Publish(t.Context(), []byte(want[i])); err != nil {
				t.Fatalf("publish %d: %v", i, err)
			}
		}
		for i, r := range recs {
			eventually(t, 10*time.Second, fmt.Sprintf("subscriber %d receives %d messages", i, n),
				func() bool { return r.count() >= n })
			got, resyncs := r.snapshot()
			if !slices.Equal(got, want) {
				t.Errorf("subscriber %d: got %d messages, not the %d published in order (first %q)", i, len(got), n, first(got))
			}
			if resyncs != 0 {
				t.Errorf("subscriber %d: got %d resyncs, want 0", i, resyncs)
			}
		}
	})

	t.Run("NextIsDistinctAndGapFree", func(t *testing.T) {
		bs := []broker.Broker{newBroker(t), newBroker(t)}
		const workers, each = 16, 50
		var mu sync.Mutex
		seen := map[int64]bool{}
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				b := bs[w%len(bs)]
				for range each {
					n, err := b.Next(t.Context(), "next", func(context.Context) (int64, error) { return 0, nil })
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					if seen[n] {
						errs <- fmt.Errorf("number %d given twice", n)
					}
					seen[n] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for n := int64(1); n <= workers*each; n++ {
			if !seen[n] {
				t.Fatalf("number %d never given; got %d distinct numbers, want 1..%d", n, len(seen), workers*each)
			}
		}
		if len(seen) != workers*each {
			t.Fatalf("got %d distinct numbers, want %d", len(seen), workers*each)
		}
	})

	t.Run("NextLoadsMissingCounterAndResetReloads", func(t *testing.T) {
		b := newBroker(t)
		var loads atomic.Int32
		head := int64(41)
		load := func(context.Context) (int64, error) { loads.Add(1); return head, nil }
		for _, want := range []int64{42, 43} {
			if got, err := b.Next(t.Context(), "ch", load); err != nil || got != want {
				t.Fatalf("Next: got %d, %v; want %d", got, err, want)
			}
		}
		if got := loads.Load(); got != 1 {
			t.Fatalf("load called %d times, want 1", got)
		}
		if err := b.Reset(t.Context(), "ch"); err != nil {
			t.Fatalf("Reset: %v", err)
		}
		head = 100
		if got, err := b.Next(t.Context(), "ch", load); err != nil || got != 101 {
			t.Fatalf("Next after Reset: got %d, %v; want 101", got, err)
		}
		if got := loads.Load(); got != 2 {
			t.Fatalf("load called %d times, want 2", got)
		}

		errLoad := errors.New("store down")
		if _, err := b.Next(t.Context(), "other", func(context.Context) (int64, error) { return 0, errLoad }); !errors.Is(err, errLoad) {
			t.Fatalf("Next with a failing load: got %v, want %v", err, errLoad)
		}
		if got, err := b.Next(t.Context(), "other", func(context.Context) (int64, error) { return 7, nil }); err != nil || got != 8 {
			t.Fatalf("Next after a failed load: got %d, %v; want 8", got, err)
		}
	})

	t.Run("LockExcludes", func(t *testing.T) {
		bs := []broker.Broker{newBroker(t), newBroker(t)}
		const workers, each = 16, 50
		var holders atomic.Int32 // catches overlap even where the race detector cannot see through Redis
		var overlaps atomic.Int32
		counter := 0
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				b := bs[w%len(bs)]
				for range each {
					unlock, err := b.Lock(t.Context(), "lk")
					if err != nil {
						errs <- err
						return
					}
					if holders.Add(1) != 1 {
						overlaps.Add(1)
					}
					counter++
					holders.Add(-1)
					unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got := overlaps.Load(); got != 0 {
			t.Fatalf("two holders at once %d times, want never", got)
		}
		if counter != workers*each {
			t.Fatalf("counter: got %d, want %d", counter, workers*each)
		}
	})

	t.Run("LockWaitRespectsDeadline", func(t *testing.T) {
		b1, b2 := newBroker(t), newBroker(t)
		unlock, err := b1.Lock(t.Context(), "lk")
		if err != nil {
			t.Fatalf("Lock: %v", err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		if _, err := b2.Lock(ctx, "lk"); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Lock while held: got %v, want %v", err, context.DeadlineExceeded)
		}
		unlock()
		unlock() // a second call does nothing
		unlock2, err := b2.Lock(t.Context(), "lk")
		if err != nil {
			t.Fatalf("Lock after unlock: %v", err)
		}
		unlock2()
	})

	t.Run("Health", func(t *testing.T) {
		if err := newBroker(t).Health(t.Context()); err != nil {
			t.Fatalf("Health: got %v, want nil", err)
		}
	})

	t.Run("Close", func(t *testing.T) {
		b := newBroker(t)
		r := &recorder{}
		if err := b.Subscribe(t.Context(), r.deliver, r.resync); err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
		for i := range 2 {
			if err := b.Close(); err != nil {
				t.Fatalf("Close #%d: %v", i+1, err)
			}
		}
		load := func(context.Context) (int64, error) { return 0, nil }
		_, lockErr := b.Lock(t.Context(), "lk")
		_, nextErr := b.Next(t.Context(), "ch", load)
		for name, err := range map[string]error{
			"Publish":   b.Publish(t.Context(), []byte(`{"channel":"x"}`)),
			"Subscribe": b.Subscribe(t.Context(), r.deliver, r.resync),
			"Next":      nextErr,
			"Lock":      lockErr,
			"Reset":     b.Reset(t.Context(), "ch"),
			"Health":    b.Health(t.Context()),
		} {
			if !errors.Is(err, broker.ErrClosed) {
				t.Errorf("%s after Close: got %v, want %v", name, err, broker.ErrClosed)
			}
		}
	})
}

// recorder is a subscriber that keeps what it gets.
type recorder struct {
	mu      sync.Mutex
	got     []string
	resyncs int
}

func (r *recorder) deliver(p []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, string(p))
}

func (r *recorder) resync() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resyncs++
}

func (r *recorder) snapshot() ([]string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got), r.resyncs
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func (r *recorder) resyncCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resyncs
}

func (r *recorder) has(p string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.got, p)
}

// eventually fails the test if cond is not true within the given time.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
