package auth

import (
	"sync"
	"time"
)

// limiter counts failed sign-ins per key (an account or a client address) in a sliding window.
// It is per process: behind a load balancer each instance counts on its own, so the effective limit is
// at most the configured one times the number of instances.
type limiter struct {
	mu     sync.Mutex
	window time.Duration
	now    func() time.Time
	fails  map[string][]time.Time
}

func newLimiter(window time.Duration, now func() time.Time) *limiter {
	return &limiter{window: window, now: now, fails: map[string][]time.Time{}}
}

// count returns how many failures key has inside the window.
func (l *limiter) count(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.prune(key))
}

func (l *limiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails[key] = append(l.prune(key), l.now())
	if len(l.fails) > 100_000 { // bound memory under a spray of distinct keys
		l.sweep()
	}
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

func (l *limiter) prune(key string) []time.Time {
	cut := l.now().Add(-l.window)
	ts := l.fails[key]
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = ts
	return ts
}

func (l *limiter) sweep() {
	for k := range l.fails {
		l.prune(k)
	}
}
