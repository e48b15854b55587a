package patient

import (
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"José Álvarez", "jose alvarez"},
		{"JOSÉ  ÁLVAREZ-Núñez", "jose alvarez nunez"},
		{"Zoë O'Brien", "zoe o brien"},
		{"", ""},
	} {
		if got := FoldedName(tc.in); got != tc.want {
			t.Errorf("FoldedName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Terms("Type 2 diabetes, asthma", "asthma; Diabétes"); !slices.Equal(got, []string{"type", "diabetes", "asthma"}) {
		t.Errorf("Terms = %v", got)
	}
	if got := PhoneKey("+44 (20) 7946-0018"); got != "442079460018" {
		t.Errorf("PhoneKey = %q", got)
	}
}

func TestMRN(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		m := NewMRN()
		if !ValidMRN(m) {
			t.Fatalf("NewMRN() = %q, not a valid MRN", m)
		}
		seen[m] = true
	}
	if len(seen) < 990 {
		t.Errorf("1000 MRNs, only %d distinct", len(seen))
	}
	// Payload 1234567, doubled from the right 7→14→5, 5→10→1, 3→6, 1→2; plus 6, 4, 2 → 5+6+1+4+6+2+2 = 26 → check 4.
	if !ValidMRN("H12345674") {
		t.Error("H12345674 should be valid")
	}
	for _, bad := range []string{"H12345675", "H1234567", "h12345674", "H1234567X", "X12345674", "H21345674"} {
		if ValidMRN(bad) {
			t.Errorf("ValidMRN(%q) = true, want false", bad)
		}
	}
}
