package auth

import (
	"context"
	"sync"
	"time"
)

// Counter counts attempts per key (an account, a client address) within a window, atomically: each
// attempt reserves its slot before any work is done, so that N attempts sent at once cannot all pass a
// limit of max. The app gives a Redis counter when REDIS_URL is set, so that every instance shares the
// counts; without one the service counts in process.
type Counter interface {
	// Reserve takes one slot of key; ok is false, and nothing is taken, when key already holds max.
	Reserve(ctx context.Context, key string, max int, window time.Duration) (ok bool, err error)
	// Release gives one slot of key back (an attempt that turned out not to count).
	Release(ctx context.Context, key string) error
	// Reset forgets key.
	Reset(ctx context.Context, key string) error
}

// memCounter is the in-process Counter: a sliding window of reservation times per key.
type memCounter struct {
	mu    sync.Mutex
	now   func() time.Time
	slots map[string]memSlots
}

type memSlots struct {
	window time.Duration
	at     []time.Time
}

// NewMemoryCounter returns an in-process Counter timed by now.
func NewMemoryCounter(now func() time.Time) Counter {
	return &memCounter{now: now, slots: map[string]memSlots{}}
}

func (l *memCounter) Reserve(_ context.Context, key string, max int, window time.Duration) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.prune(key)
	if len(s.at) >= max {
		return false, nil
	}
	l.slots[key] = memSlots{window: window, at: append(s.at, l.now())}
	if len(l.slots) > 100_000 { // bound memory under a spray of distinct keys
		for k := range l.slots {
			l.prune(k)
		}
	}
	return true, nil
}

func (l *memCounter) Release(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.prune(key)
	if n := len(s.at); n > 0 {
		s.at = s.at[:n-1]
		l.slots[key] = s
	}
	if len(s.at) == 0 {
		delete(l.slots, key)
	}
	return nil
}

func (l *memCounter) Reset(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.slots, key)
	return nil
}

// prune drops the reservations of key older than its window.
func (l *memCounter) prune(key string) memSlots {
	s, ok := l.slots[key]
	if !ok {
		return memSlots{}
	}
	cut := l.now().Add(-s.window)
	i := 0
	for i < len(s.at) && s.at[i].Before(cut) {
		i++
	}
	s.at = s.at[i:]
	if len(s.at) == 0 {
		delete(l.slots, key)
		return memSlots{}
	}
	l.slots[key] = s
	return s
}
