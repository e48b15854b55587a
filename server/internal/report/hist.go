package report

import (
	"math"
	"slices"
)

// Hist counts waits by bucket of minutes: one bucket per minute below an hour, five minutes up to four
// hours, fifteen up to twelve, and one for longer. Histograms merge by adding counts, so a percentile
// over any range of days, hours and departments is read from their merged histogram: exact to the
// minute below an hour, to the bucket above.
type Hist map[int]int64

// bucket returns the bucket of a wait of m minutes.
func bucket(m int64) int {
	switch {
	case m < 0:
		return 0
	case m < 60:
		return int(m)
	case m < 240:
		return 60 + int(m-60)/5
	case m < 720:
		return 96 + int(m-240)/15
	}
	return 128
}

// bounds returns the minutes bucket b holds: [lo, hi).
func bounds(b int) (lo, hi float64) {
	switch {
	case b < 60:
		return float64(b), float64(b + 1)
	case b < 96:
		lo = 60 + float64(b-60)*5
		return lo, lo + 5
	case b < 128:
		lo = 240 + float64(b-96)*15
		return lo, lo + 15
	}
	return 720, 720
}

// Add counts a wait of m minutes.
func (h *Hist) Add(m int64) {
	if *h == nil {
		*h = Hist{}
	}
	(*h)[bucket(m)]++
}

// Merge adds o's counts.
func (h *Hist) Merge(o Hist) {
	if len(o) == 0 {
		return
	}
	if *h == nil {
		*h = Hist{}
	}
	for b, n := range o {
		(*h)[b] += n
	}
}

// Count is how many waits it holds.
func (h Hist) Count() int64 {
	var n int64
	for _, c := range h {
		n += c
	}
	return n
}

// Percentile returns the p-th percentile (0 < p ≤ 1) in minutes, nil when empty: the whole minute
// below an hour, the middle of its bucket above (720 for twelve hours or more).
func (h Hist) Percentile(p float64) *float64 {
	n := h.Count()
	if n == 0 {
		return nil
	}
	rank := int64(math.Ceil(p * float64(n)))
	rank = max(rank, 1)
	keys := make([]int, 0, len(h))
	for b := range h {
		keys = append(keys, b)
	}
	slices.Sort(keys)
	var seen int64
	for _, b := range keys {
		seen += h[b]
		if seen >= rank {
			return middle(b)
		}
	}
	return nil
}

// middle is the value a percentile falling in bucket b reports: the middle of its bounds.
func middle(b int) *float64 {
	lo, hi := bounds(b)
	v := lo
	if hi-lo > 1 {
		v = (lo + hi) / 2
	}
	return &v
}

// buckets is how many buckets a Hist has (bucket returns 0 to 128).
const buckets = 129

// dense is a histogram as an array of its buckets' counts, to add many histograms up without a map
// write each (a year's operations report merges some 32,000 hourly histograms, twice each). A bucket
// out of range (only damaged figures have one) counts in the nearest.
type dense [buckets]int64

// add adds h's counts.
func (d *dense) add(h Hist) {
	for b, n := range h {
		d[min(max(b, 0), buckets-1)] += n
	}
}

// merge adds o's counts.
func (d *dense) merge(o *dense) {
	for b, n := range o {
		d[b] += n
	}
}

// count is how many waits it holds.
func (d *dense) count() int64 {
	var n int64
	for _, c := range d {
		n += c
	}
	return n
}

// percentile is Hist.Percentile of the same counts.
func (d *dense) percentile(p float64) *float64 {
	n := d.count()
	if n == 0 {
		return nil
	}
	rank := max(int64(math.Ceil(p*float64(n))), 1)
	var seen int64
	for b, c := range d {
		seen += c
		if seen >= rank {
			return middle(b)
		}
	}
	return nil
}
