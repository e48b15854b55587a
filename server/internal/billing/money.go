package billing

import (
	"math"

	"hms/server/internal/fault"
)

// maxUnit bounds a unit price and maxQuantity a quantity, so that no line's arithmetic can overflow
// int64: a net of at most 10^12 minor units (ten billion in a two-decimal currency) × 10^4 is 10^16,
// and its total with tax at most 2 × 10^16, far below 9.2 × 10^18. The tax is computed without
// multiplying the whole net by the rate (see amounts).
const (
	maxUnit     = 1_000_000_000_000
	maxQuantity = 10_000
	maxTaxBP    = 10_000
)

// amounts computes a line: net = quantity × unit; tax = net × taxBP / 10000 rounded half away from
// zero; total = net + tax. The server computes every amount; a client never sends one.
func amounts(quantity int, unit int64, taxBP int) (net, tax, total int64, err error) {
	switch {
	case quantity < 1 || quantity > maxQuantity:
		return 0, 0, 0, fault.Invalid("quantity must be between 1 and %d", maxQuantity)
	case unit < 0 || unit > maxUnit:
		return 0, 0, 0, fault.Invalid("a price must be between 0 and %d minor units", int64(maxUnit))
	case taxBP < 0 || taxBP > maxTaxBP:
		return 0, 0, 0, fault.Invalid("tax_bp must be between 0 and %d (basis points: 2000 is 20%%)", maxTaxBP)
	}
	net = int64(quantity) * unit
	// net × taxBP could overflow; split net = q×10000 + r, so tax = q×taxBP + r×taxBP/10000, rounded.
	q, r := net/10_000, net%10_000
	tax = q*int64(taxBP) + divRound(r*int64(taxBP), 10_000)
	return net, tax, net + tax, nil
}

// divRound divides a by b (b > 0), rounding half away from zero.
func divRound(a, b int64) int64 {
	if a < 0 {
		return -divRound(-a, b)
	}
	return (a + b/2) / b
}

// total sums lines, refusing a sum that would overflow.
func total(lines []Line) (Totals, error) {
	var t Totals
	for _, l := range lines {
		if t.Total > math.MaxInt64-l.Total {
			return Totals{}, fault.Invalid("the invoice's total is too large")
		}
		t.Net += l.Net
		t.Tax += l.Tax
		t.Total += l.Total
	}
	return t, nil
}
