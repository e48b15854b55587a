package mail

import (
	"math"
	"testing"
)

func TestAllot(t *testing.T) {
	tests := []struct {
		name string
		lens []int
		room int
		want int
	}{
		{"all fit", []int{10, 20}, 30, math.MaxInt},
		{"no values", nil, 5, math.MaxInt},
		{"short ones whole, long ones share the rest", []int{500, 10, 500}, 100, 45},
		{"one long", []int{18, 2000}, 200, 182},
		{"no room", []int{3, 4}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := allot(tt.lens, tt.room); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"Cardiac arrest bed four", 16, "Cardiac arrest…"}, // after a whole word
		{"Cardiac arrest bed four", 15, "Cardiac arrest…"}, // the cut falls on a space
		{"Cardiac arrest", 12, "Cardiac arr…"},             // a word boundary would drop too much
		{"Antidisestablishmentarianism", 8, "Antidis…"},    // no space at all
		{"éééééé", 4, "ééé…"},                              // characters, not bytes
		{"anything", 1, "…"},
		{"anything", 0, ""},
	}
	for _, tt := range tests {
		if got := clip(tt.s, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d): got %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
