package report

import "testing"

// TestDayCache: a kept day is given only for its version, a newer version replaces it, and the least
// recently used day is dropped past the bound.
func TestDayCache(t *testing.T) {
	c := newDayCache(2)
	d1, d2, d3 := NewDay("2029-01-01"), NewDay("2029-01-02"), NewDay("2029-01-03")
	c.put(d1.Day, 5, d1)
	if c.get(d1.Day, 5) != d1 || c.get(d1.Day, 6) != nil {
		t.Fatal("a kept day is given for its version only")
	}
	c.put(d1.Day, 6, d2)
	if c.get(d1.Day, 5) != nil || c.get(d1.Day, 6) != d2 {
		t.Fatal("a new version replaces the kept one")
	}
	c.put(d2.Day, 1, d2)
	c.get(d1.Day, 6) // d1's day used last: d2's day is dropped next
	c.put(d3.Day, 1, d3)
	if c.get(d2.Day, 1) != nil || c.get(d1.Day, 6) == nil || c.get(d3.Day, 1) == nil {
		t.Fatal("the least recently used day is dropped past the bound")
	}
	if !c.keepsAny([]string{"2029-02-01", d3.Day}) || c.keepsAny([]string{"2029-02-01"}) {
		t.Fatal("keepsAny")
	}
	c.put("2029-02-01", -1, d1) // no version: not kept
	if c.keepsAny([]string{"2029-02-01"}) {
		t.Fatal("a day with no version is kept")
	}
	none := newDayCache(-1)
	none.put(d1.Day, 1, d1)
	if none.get(d1.Day, 1) != nil {
		t.Fatal("a disabled cache keeps days")
	}
}
