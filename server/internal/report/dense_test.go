package report

import (
	"math/rand/v2"
	"testing"
)

// TestDenseHistogram: the operations report's array histograms give the same counts and percentiles
// as merged Hists.
func TestDenseHistogram(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		var h Hist
		var d dense
		for range rng.IntN(5) {
			var part Hist
			for range rng.IntN(40) {
				part.Add(int64(rng.ExpFloat64() * float64(rng.IntN(300)+1)))
			}
			h.Merge(part)
			d.add(part)
		}
		if h.Count() != d.count() {
			t.Fatalf("count %d, want %d", d.count(), h.Count())
		}
		for _, p := range []float64{0.01, 0.5, 0.9, 0.99, 1} {
			want, got := h.Percentile(p), d.percentile(p)
			if (want == nil) != (got == nil) || (want != nil && *want != *got) {
				t.Fatalf("p%v: %v, want %v", p, got, want)
			}
		}
	}
}
