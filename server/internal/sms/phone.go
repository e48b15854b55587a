package sms

import (
	"strings"
	"unicode"

	"hms/server/internal/fault"
)

// NormalizePhone returns s as an E.164 number ("+447911123456"): spaces, dashes, dots and parentheses
// are dropped, and what remains must be a '+', then 8 to 15 digits of which the first (the country
// code's) is not 0. A number that is not is a fault.ErrInvalid whose message says what is wrong and
// does not repeat the number, so that a handler can answer 400 with it and a log can keep it.
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == '-' || r == '.' || r == '(' || r == ')' || unicode.IsSpace(r):
		case r == '+':
			return "", fault.Invalid("phone number: '+' may only come first")
		default:
			return "", fault.Invalid("phone number: %q is not allowed (only digits, spaces, dashes, dots and parentheses after the leading +)", r)
		}
	}
	n := b.String()
	switch digits := strings.TrimPrefix(n, "+"); {
	case n == "":
		return "", fault.Invalid("phone number is empty")
	case !strings.HasPrefix(n, "+"):
		return "", fault.Invalid("phone number must start with + and the country code (E.164, such as +447911123456)")
	case len(digits) < 8 || len(digits) > 15:
		return "", fault.Invalid("phone number has %d digits: want 8 to 15 including the country code", len(digits))
	case digits[0] == '0':
		return "", fault.Invalid("phone number: the country code after + cannot start with 0")
	}
	return n, nil
}

// Mask returns phone fit for a log line or an error shown to staff: its digits with all but the first
// two (the country code, mostly) and the last three replaced by '*', after a leading '+' if it had one
// ("+447911123456" → "+44*******456"). Other characters are dropped; a number of fewer than 8 digits is
// masked whole, as it would otherwise show most of itself.
func Mask(phone string) string {
	var digits []byte
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			digits = append(digits, byte(r))
		}
	}
	plus := ""
	if strings.HasPrefix(strings.TrimSpace(phone), "+") {
		plus = "+"
	}
	if len(digits) < 8 {
		return plus + strings.Repeat("*", len(digits))
	}
	for i := 2; i < len(digits)-3; i++ {
		digits[i] = '*'
	}
	return plus + string(digits)
}
