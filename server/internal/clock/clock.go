// Package clock is the hospital's one clock: every service that reads the time for its rules (slots,
// grants, escalations, reminders, timestamps it stores) reads it from the Clock the composition root
// made, so that tests move all of them at once.
package clock

import (
	"sync/atomic"
	"time"
)

// Clock tells the time; it is safe for concurrent use, so a test may set it while background jobs
// read it. A nil *Clock reads the system time.
type Clock struct {
	now atomic.Pointer[func() time.Time]
}

// System returns a clock reading the system time.
func System() *Clock { return New(time.Now) }

// New returns a clock reading now (the system time when now is nil).
func New(now func() time.Time) *Clock {
	c := &Clock{}
	c.Set(now)
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	if c == nil {
		return time.Now()
	}
	return (*c.now.Load())()
}

// Set makes the clock read now from here on (the system time when now is nil); tests simulate time
// with it.
func (c *Clock) Set(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	c.now.Store(&now)
}
