package hub

import (
	"testing"

	"hms/server/internal/auth"
	"hms/shared"
)

func TestAuthorize(t *testing.T) {
	const me, other, pat, otherPat = "aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccc", "dddddddddddddddddddddddd"
	doctor := auth.Principal{UserID: me, Role: shared.RoleDoctor}
	staff := auth.Principal{UserID: me, Role: shared.RoleStaff}
	patient := auth.Principal{UserID: me, Role: shared.RolePatient, PatientID: pat}
	tests := []struct {
		p       auth.Principal
		channel string
		ok      bool
	}{
		{doctor, "alerts", true},
		{patient, "alerts", false},
		{patient, "alerts:x", false},
		{patient, "broadcast", true},
		{patient, "user:" + me, true},
		{patient, "user:" + other, false},
		{doctor, "queue:dept:cardiology", true},
		{patient, "queue:dept:cardiology", false},
		{doctor, "queue:dept:", false},
		{doctor, "queue:doctor:" + me, true},
		{doctor, "queue:doctor:" + other, false},
		{staff, "queue:doctor:" + other, true},
		{patient, "display", true},
		{patient, "display:er", true},
		{patient, "patient:" + pat, true},
		{patient, "patient:" + otherPat, false},
		{doctor, "patient:" + otherPat, true},
		{doctor, "patient:not-an-id", false},
		{doctor, "nonsense", false},
		{doctor, "Alerts", false},
		{doctor, "", false},
	}
	for _, tt := range tests {
		err := authorize(tt.p, tt.channel)
		if (err == nil) != tt.ok {
			t.Errorf("authorize(%s, %q) = %v, want ok=%v", tt.p.Role, tt.channel, err, tt.ok)
		}
	}
}

func TestAutoChannels(t *testing.T) {
	got := autoChannels(auth.Principal{UserID: "u1", Role: shared.RoleStaff})
	if len(got) != 3 || got[0] != "alerts" || got[1] != "broadcast" || got[2] != "user:u1" {
		t.Fatalf("got %v for staff, want [alerts broadcast user:u1]", got)
	}
	got = autoChannels(auth.Principal{UserID: "u2", Role: shared.RolePatient})
	if len(got) != 2 || got[0] != "broadcast" {
		t.Fatalf("got %v for a patient, want no alerts channel", got)
	}
}

func TestOriginAllowed(t *testing.T) {
	h := &Hub{cfg: Config{AllowedHosts: []string{"localhost", "hms.example.org", "[::1]"}}}
	tests := map[string]bool{
		"":                             true, // programs send none
		"http://localhost:8080":        true,
		"https://hms.example.org":      true,
		"http://[::1]:8080":            true,
		"wails://wails":                true,
		"http://wails.localhost":       true,
		"https://evil.example.com":     false,
		"http://localhost.evil.com":    false,
		"null":                         false,
		"https://hms.example.org.evil": false,
	}
	for origin, want := range tests {
		if got := h.originAllowed(origin); got != want {
			t.Errorf("originAllowed(%q) = %v, want %v", origin, got, want)
		}
	}
}

func TestParseSince(t *testing.T) {
	got, err := parseSince([]string{"alerts:41", "user:abc:7", "queue:dept:er:0"})
	if err != nil || *got["alerts"] != 41 || *got["user:abc"] != 7 || *got["queue:dept:er"] != 0 {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"alerts", "alerts:-1", "alerts:x", ":4"} {
		if _, err := parseSince([]string{bad}); err == nil {
			t.Errorf("parseSince(%q): got no error, want one", bad)
		}
	}
}
