package auth

import (
	"context"
	"testing"
	"time"
)

func TestMemoryCounterSlidingWindow(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	l := NewMemoryCounter(func() time.Time { return now })
	reserve := func(key string) bool {
		ok, err := l.Reserve(ctx, key, 3, 10*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for i := range 3 {
		if !reserve("acct:a") {
			t.Fatalf("reservation %d refused, want it taken", i+1)
		}
		now = now.Add(time.Minute)
	}
	if reserve("acct:a") {
		t.Fatal("got a 4th reservation within the window, want it refused")
	}
	if !reserve("acct:b") {
		t.Fatal("got another key refused, want it taken")
	}
	now = now.Add(8 * time.Minute) // the first reservation is now 11 minutes old
	if !reserve("acct:a") {
		t.Fatal("got a reservation refused after the first aged out, want it taken")
	}
	if reserve("acct:a") {
		t.Fatal("got a reservation over the limit again, want it refused")
	}
	_ = l.Release(ctx, "acct:a")
	if !reserve("acct:a") {
		t.Fatal("got a reservation refused after a release, want it taken")
	}
	_ = l.Reset(ctx, "acct:a")
	for i := range 3 {
		if !reserve("acct:a") {
			t.Fatalf("reservation %d after reset refused, want it taken", i+1)
		}
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
