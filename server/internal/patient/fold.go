package patient

import (
	"crypto/rand"
	"math/big"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Words folds s for search: lower case, accents removed ("Álvarez" → "alvarez"), split into words of
// letters and digits. Names are matched by a prefix of one of these words, medical terms by a whole
// word. The same function folds what is stored and what is searched for.
func Words(s string) []string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s
	}
	folded = strings.ToLower(folded)
	return strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// FoldedName is a name folded to one comparable string ("José  Álvarez" → "jose alvarez"), for
// duplicate detection.
func FoldedName(s string) string { return strings.Join(Words(s), " ") }

// Terms returns the distinct words of the texts worth indexing for a medical-term search (two
// characters or more), in order of first appearance.
func Terms(texts ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range texts {
		for _, w := range Words(t) {
			if len([]rune(w)) < 2 || seen[w] {
				continue
			}
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// PhoneKey is the digits of a phone number, for comparing numbers written differently.
func PhoneKey(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// NewMRN returns a random medical record number: "H", 7 digits and a Luhn check digit over them
// (catches a mistyped digit and most swapped pairs). Uniqueness is the store's unique claim.
func NewMRN() string {
	n, err := rand.Int(rand.Reader, big.NewInt(10_000_000))
	if err != nil {
		panic("patient: crypto/rand failed: " + err.Error())
	}
	digits := []byte(n.String())
	for len(digits) < 7 {
		digits = append([]byte{'0'}, digits...)
	}
	return "H" + string(digits) + string(rune('0'+luhn(digits)))
}

// ValidMRN reports whether s has the form of an MRN with a correct check digit (upper-case H).
func ValidMRN(s string) bool {
	if len(s) != 9 || s[0] != 'H' {
		return false
	}
	for i := 1; i < 9; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return int(s[8]-'0') == luhn([]byte(s[1:8]))
}

// luhn is the Luhn check digit for digits.
func luhn(digits []byte) int {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 { // the rightmost payload digit is doubled
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10 - sum%10) % 10
}
