package billing

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	"hms/server/internal/fault"
)

func TestAmounts(t *testing.T) {
	tests := []struct {
		name            string
		qty             int
		unit            int64
		taxBP           int
		net, tax, total int64
		wantErr         bool
	}{
		{"no tax", 1, 5000, 0, 5000, 0, 5000, false},
		{"20 percent", 3, 1999, 2000, 5997, 1199, 7196, false}, // 1199.4 rounds down
		{"half rounds up", 1, 5, 1000, 5, 1, 6, false},         // 0.5 rounds away from zero
		{"just under half", 1, 4, 1000, 4, 0, 4, false},        // 0.4 rounds down
		{"free", 2, 0, 2000, 0, 0, 0, false},
		{"largest", maxQuantity, maxUnit, maxTaxBP, maxQuantity * maxUnit, maxQuantity * maxUnit, 2 * maxQuantity * maxUnit, false},
		{"no quantity", 0, 100, 0, 0, 0, 0, true},
		{"negative price", 1, -1, 0, 0, 0, 0, true},
		{"tax over 100 percent", 1, 100, 10_001, 0, 0, 0, true},
		{"quantity over the limit", maxQuantity + 1, 1, 0, 0, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, tax, total, err := amounts(tt.qty, tt.unit, tt.taxBP)
			if tt.wantErr {
				if !errors.Is(err, fault.ErrInvalid) {
					t.Fatalf("got %v, want an invalid-input error", err)
				}
				return
			}
			if err != nil || net != tt.net || tax != tt.tax || total != tt.total {
				t.Fatalf("got %d %d %d %v, want %d %d %d", net, tax, total, err, tt.net, tt.tax, tt.total)
			}
		})
	}
}

func TestNumber(t *testing.T) {
	if got := Number(2026, 123); got != "INV-2026-000123" {
		t.Fatalf("got %s", got)
	}
	if got := Number(2026, 1234567); got != "INV-2026-1234567" {
		t.Fatalf("got %s", got)
	}
}

// TestAmountsMatchExactArithmetic: over random lines within the limits, the tax equals the exact
// product rounded half up, computed with big integers.
func TestAmountsMatchExactArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20_000 {
		qty := 1 + r.IntN(maxQuantity)
		unit := r.Int64N(maxUnit + 1)
		bp := r.IntN(maxTaxBP + 1)
		net, tax, total, err := amounts(qty, unit, bp)
		if err != nil {
			t.Fatal(err)
		}
		exact := new(big.Int).Mul(big.NewInt(int64(qty)), big.NewInt(unit))
		num := new(big.Int).Mul(exact, big.NewInt(int64(bp)))
		num.Add(num, big.NewInt(5_000))
		want := num.Div(num, big.NewInt(10_000))
		if net != exact.Int64() || tax != want.Int64() || total != net+tax {
			t.Fatalf("%d × %d at %d bp: got %d %d %d, want net %s tax %s", qty, unit, bp, net, tax, total, exact, want)
		}
	}
}
