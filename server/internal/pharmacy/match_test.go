package pharmacy

import (
	"slices"
	"testing"
	"time"
)

func TestAllergyMatches(t *testing.T) {
	amox := Medication{Name: "Amoxicillin", Substances: []string{"amoxicillin trihydrate", "Pénicilline"}}
	tests := []struct {
		allergies []string
		med       Medication
		want      []string
	}{
		{[]string{"AMOXICILLIN"}, amox, []string{"AMOXICILLIN"}},
		{[]string{"penicilline"}, amox, []string{"penicilline"}},                 // accents ignored
		{[]string{"Pénicilline allergy"}, amox, []string{"Pénicilline allergy"}}, // the substance within the allergy
		{[]string{"amoxicillin trihydrate"}, amox, []string{"amoxicillin trihydrate"}},
		{[]string{"penicillin"}, amox, []string{}}, // whole words only: not "penicilline"
		{[]string{"cillin"}, amox, []string{}},     // no partial words
		{[]string{"latex", "amoxicillin"}, amox, []string{"amoxicillin"}},
		{nil, amox, []string{}},
		{[]string{""}, amox, []string{}},
		{[]string{"Ibuprofène"}, Medication{Name: "Nurofen", Substances: []string{"ibuprofene"}}, []string{"Ibuprofène"}},
	}
	for _, tt := range tests {
		if got := allergyMatches(tt.allergies, tt.med); !slices.Equal(got, tt.want) {
			t.Errorf("allergyMatches(%q, %s) = %q, want %q", tt.allergies, tt.med.Name, got, tt.want)
		}
	}
}

func TestRefillDue(t *testing.T) {
	at, _ := time.Parse(time.RFC3339, "2030-01-07T10:00:00Z")
	for days, want := range map[int]string{30: "2030-02-04", 2: "2030-01-07", 1: "2030-01-07"} {
		if got := RefillDue(at, days).Format(time.DateOnly); got != want {
			t.Errorf("RefillDue(%s, %d) = %s, want %s", at, days, got, want)
		}
	}
}
