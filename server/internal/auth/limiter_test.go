package auth

import (
	"testing"
	"time"
)

func TestLimiterSlidingWindow(t *testing.T) {
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	l := newLimiter(10*time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		l.fail("acct:a")
		now = now.Add(time.Minute)
	}
	if got := l.count("acct:a"); got != 3 {
		t.Fatalf("got %d failures, want 3", got)
	}
	if got := l.count("acct:b"); got != 0 {
		t.Fatalf("got %d failures for another key, want 0", got)
	}
	now = now.Add(8 * time.Minute) // the first failure is now 11 minutes old
	if got := l.count("acct:a"); got != 2 {
		t.Fatalf("got %d failures after the first aged out, want 2", got)
	}
	l.reset("acct:a")
	if got := l.count("acct:a"); got != 0 {
		t.Fatalf("got %d after reset, want 0", got)
	}
}

func TestPasswordPolicy(t *testing.T) {
	tests := []struct {
		password string
		ok       bool
	}{
		{"short", false},
		{"1234567", false},
		{"password123", false},
		{"Password123", false},
		{"ann@example.org", false},
		{"correct horse battery", true},
		{string(make([]rune, 0)) + "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé", true}, // 64 runes, 128 bytes
	}
	for _, tt := range tests {
		err := checkPassword(tt.password, "ann@example.org")
		if (err == nil) != tt.ok {
			t.Errorf("checkPassword(%q) = %v, want ok=%v", tt.password, err, tt.ok)
		}
	}
}
