package clock

import (
	"sync"
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	at := time.Date(2025, 3, 3, 7, 30, 0, 0, time.UTC)
	fixed := func() time.Time { return at }
	moved := System()
	moved.Set(fixed)
	reset := New(fixed)
	reset.Set(nil)
	tests := []struct {
		name  string
		c     *Clock
		fixed bool // else the system time
	}{
		{"system", System(), false},
		{"nil", nil, false},
		{"new with nil", New(nil), false},
		{"new with a function", New(fixed), true},
		{"set", moved, true},
		{"set to nil", reset, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.Now()
			if tt.fixed && !got.Equal(at) {
				t.Errorf("got %v, want %v", got, at)
			}
			if !tt.fixed && time.Since(got).Abs() > time.Minute {
				t.Errorf("got %v, want the system time", got)
			}
		})
	}
}

// TestClockConcurrent is for -race: a test sets the clock while jobs read it.
func TestClockConcurrent(t *testing.T) {
	c := System()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				if i == 0 {
					at := time.Unix(int64(j), 0)
					c.Set(func() time.Time { return at })
					continue
				}
				_ = c.Now()
			}
		}()
	}
	wg.Wait()
}
