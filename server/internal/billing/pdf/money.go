package pdf

import (
	"strings"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// moneyFormat writes integer minor units of one currency the way the hospital's locale writes money:
// its symbol for the currency, its digit grouping and decimal mark, and the currency's standard number
// of decimals (two for GBP, none for JPY). Amounts stay integers: the fraction is never a float.
type moneyFormat struct {
	p      *message.Printer
	symbol string
	scale  int
	dec    string
}

func newMoneyFormat(code, locale string) (moneyFormat, error) {
	unit, err := currency.ParseISO(code)
	if err != nil {
		return moneyFormat{}, err
	}
	tag, err := language.Parse(locale)
	if err != nil {
		tag = language.BritishEnglish
	}
	p := message.NewPrinter(tag)
	scale, _ := currency.Standard.Rounding(unit)
	// The locale's decimal mark is what it writes between 1 and 5 in 1.5.
	dec := strings.TrimSuffix(strings.TrimPrefix(p.Sprint(number.Decimal(1.5, number.Scale(1))), "1"), "5")
	return moneyFormat{p: p, symbol: p.Sprint(currency.Symbol(unit)), scale: scale, dec: dec}, nil
}

// format writes amount (minor units) as "£1,234.50", "-€1.234,50", "¥1,235".
func (m moneyFormat) format(amount int64) string {
	sign := ""
	u := uint64(amount)
	if amount < 0 {
		sign, u = "-", uint64(-(amount+1))+1 // no overflow at math.MinInt64
	}
	div := uint64(1)
	for range m.scale {
		div *= 10
	}
	whole := m.p.Sprint(number.Decimal(u / div))
	s := sign + m.symbol + whole
	if m.scale > 0 {
		frac := u % div
		digits := make([]byte, m.scale)
		for i := m.scale - 1; i >= 0; i-- {
			digits[i] = byte('0' + frac%10)
			frac /= 10
		}
		s += m.dec + string(digits)
	}
	return s
}

// percent writes a tax rate in basis points: 2000 → "20%", 550 → "5.5%" (in the locale's decimal mark).
func (m moneyFormat) percent(bp int) string {
	whole, rest := bp/100, bp%100
	if rest == 0 {
		return m.p.Sprint(number.Decimal(whole)) + "%"
	}
	frac := strings.TrimRight(string([]byte{byte('0' + rest/10), byte('0' + rest%10)}), "0")
	return m.p.Sprint(number.Decimal(whole)) + m.dec + frac + "%"
}
