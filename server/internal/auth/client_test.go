package auth

import "testing"

// TestParseScope checks the scope syntax: system/<Type or *>.<read, write or *>, Type one the FHIR API
// serves or is to serve; and which scopes cover an interaction and which a token may ask for.
func TestParseScope(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"system/Patient.read", true},
		{"system/Appointment.write", true},
		{"system/*.read", true},
		{"system/ClaimResponse.*", true},
		{"system/*.*", true},
		{"patient/Patient.read", false},
		{"user/Patient.read", false},
		{"system/patient.read", false},
		{"system/Banana.read", false},
		{"system/Patient.delete", false},
		{"system/Patient.cruds", false},
		{"system/Patient", false},
		{"system/.read", false},
		{"openid", false},
		{"", false},
	} {
		_, err := ParseScope(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseScope(%q): got error %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
	held, _ := ParseScopes([]string{"system/*.read", "system/Appointment.write"})
	for _, tc := range []struct {
		typ, interaction string
		want             bool
	}{
		{"Patient", InteractionRead, true},
		{"Observation", InteractionRead, true},
		{"Appointment", InteractionWrite, true},
		{"Patient", InteractionWrite, false},
		{"Banana", InteractionWrite, false},
	} {
		if _, got := granted(held, tc.typ, tc.interaction); got != tc.want {
			t.Errorf("granted(%s, %s) = %v, want %v", tc.typ, tc.interaction, got, tc.want)
		}
	}
	for _, tc := range []struct {
		asked []string
		want  bool
	}{
		{[]string{"system/Patient.read"}, true},
		{[]string{"system/*.read"}, true},
		{[]string{"system/Appointment.write", "system/Slot.read"}, true},
		{[]string{"system/Appointment.*"}, false},
		{[]string{"system/Patient.write"}, false},
	} {
		asked, err := ParseScopes(tc.asked)
		if err != nil {
			t.Fatal(err)
		}
		if got := within(asked, held); got != tc.want {
			t.Errorf("within(%v) = %v, want %v", tc.asked, got, tc.want)
		}
	}
	if _, err := ParseScopes(nil); err == nil {
		t.Error("no scopes: want an error")
	}
	if ss, _ := ParseScopes([]string{"system/Patient.read", "system/Patient.read"}); len(ss) != 1 {
		t.Errorf("a repeated scope: got %v, want it once", ss)
	}
}

// TestSecretHash checks that a secret is stored as its SHA-256 and compared as such.
func TestSecretHash(t *testing.T) {
	s, err := newSecret()
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != len(secretPrefix)+43 {
		t.Errorf("secret %q: want the prefix and 43 base64url characters (256 bits)", s)
	}
	h := hashSecret(s)
	if !secretMatches(s, h) || secretMatches(s+"x", h) || secretMatches("", h) {
		t.Error("secretMatches does not tell the secret from others")
	}
}
