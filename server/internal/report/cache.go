package report

import (
	"container/list"
	"sync"
)

// dayCache keeps closed days' decoded figures, at most max of them, the least recently used dropped
// first. Each is kept with its stored version (Stored.Facts) and given only for that version, so a
// day stored again with other facts (a late fact, recorded by any instance) is read again. The days
// it gives are shared: the reports only read them.
type dayCache struct {
	mu    sync.Mutex
	max   int
	days  map[string]*list.Element // of *keptDay
	order list.List                // most recently used first
}

type keptDay struct {
	day     string
	version int64
	d       *Day
}

func newDayCache(max int) *dayCache {
	return &dayCache{max: max, days: map[string]*list.Element{}}
}

// get returns the figures of day kept under version, or nil.
func (c *dayCache) get(day string, version int64) *Day {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.days[day]
	if e == nil {
		return nil
	}
	k := e.Value.(*keptDay)
	if k.version != version {
		return nil
	}
	c.order.MoveToFront(e)
	return k.d
}

// keepsAny reports whether any of days is kept (under any version).
func (c *dayCache) keepsAny(days []string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, day := range days {
		if c.days[day] != nil {
			return true
		}
	}
	return false
}

// put keeps d as the figures of day at version, in place of any other version.
func (c *dayCache) put(day string, version int64, d *Day) {
	if c.max <= 0 || version < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.days[day]; e != nil {
		e.Value = &keptDay{day: day, version: version, d: d}
		c.order.MoveToFront(e)
		return
	}
	c.days[day] = c.order.PushFront(&keptDay{day: day, version: version, d: d})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.days, last.Value.(*keptDay).day)
	}
}
