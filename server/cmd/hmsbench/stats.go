package main

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// counts summarises the results of a run.
type counts struct {
	total, created, conflict, other, failed int
	lat                                     []time.Duration
	firstConflict, firstOther, firstFailure string
}

func tally(rs []result) counts {
	var t counts
	for _, r := range rs {
		if !r.done {
			continue
		}
		t.total++
		switch {
		case r.err != nil:
			t.failed++
			if t.firstFailure == "" {
				t.firstFailure = r.err.Error()
			}
			continue
		case r.status == http.StatusCreated:
			t.created++
		case r.status == http.StatusConflict:
			t.conflict++
			if t.firstConflict == "" {
				t.firstConflict = r.body
			}
		default:
			t.other++
			if t.firstOther == "" {
				t.firstOther = fmt.Sprintf("%d %s", r.status, r.body)
			}
		}
		t.lat = append(t.lat, r.latency)
	}
	slices.Sort(t.lat)
	return t
}

// latencies formats p50, p90, p99 and max of the answered requests.
func (t counts) latencies() string {
	if len(t.lat) == 0 {
		return "(no answers)"
	}
	pct := func(p float64) time.Duration { return t.lat[int(p*float64(len(t.lat)-1))].Round(10 * time.Microsecond) }
	return fmt.Sprintf("p50 %v  p90 %v  p99 %v  max %v", pct(0.50), pct(0.90), pct(0.99), pct(1))
}

// samples prints one answer of each unwanted kind, to tell what went wrong.
func (t counts) samples() {
	for _, s := range []struct{ what, text string }{
		{"first 409", t.firstConflict}, {"first other", t.firstOther}, {"first transport error", t.firstFailure},
	} {
		if s.text != "" {
			if len(s.text) > 300 {
				s.text = s.text[:300] + "…"
			}
			fmt.Printf("  %s: %s\n", s.what, s.text)
		}
	}
}
