package pharmacy

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold lower-cases s and strips accents ("Pénicilline" → "penicilline").
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// words splits folded text into words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// contains reports whether the word sequence needle occurs in hay.
func contains(hay, needle []string) bool {
	if len(needle) == 0 {
		return false
	}
	for i := 0; i+len(needle) <= len(hay); i++ {
		if slices.Equal(hay[i:i+len(needle)], needle) {
			return true
		}
	}
	return false
}

// allergyMatches returns the allergies (as the patient's record spells them) that match the
// medication's name or one of its substances: case- and accent-insensitive, on whole words, either
// way round ("Penicillin" matches the substance "penicillin V potassium"; "penicillin allergy" matches
// the substance "Penicillin").
func allergyMatches(allergies []string, m Medication) []string {
	terms := append([]string{m.Name}, m.Substances...)
	out := []string{}
	for _, a := range allergies {
		aw := words(a)
		for _, t := range terms {
			tw := words(t)
			if contains(tw, aw) || contains(aw, tw) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}
