package sms_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"hms/server/internal/config"
	"hms/server/internal/sms"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name     string
		cfg      sms.Config
		wantName string // "" means no Sender
		wantErr  string
	}{
		{"disabled", sms.Config{}, "", ""},
		{"none", sms.Config{Provider: "none"}, "", ""},
		{"log", sms.Config{Provider: "log"}, "log", ""},
		{"http", sms.Config{Provider: "http", URL: "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json", From: "+15005550006"}, "http", ""},
		{"http on loopback", sms.Config{Provider: "HTTP", URL: "http://127.0.0.1:8089/send", From: "HMS", Format: "json"}, "http", ""},
		{"plain http elsewhere", sms.Config{Provider: "http", URL: "http://sms.example/send", From: "HMS"}, "", "want https"},
		{"no URL", sms.Config{Provider: "http", From: "HMS"}, "", "want an absolute https URL"},
		{"relative URL", sms.Config{Provider: "http", URL: "/send", From: "HMS"}, "", "want an absolute https URL"},
		{"no sender", sms.Config{Provider: "http", URL: "https://sms.example/send"}, "", "no sender"},
		{"bad format", sms.Config{Provider: "http", URL: "https://sms.example/send", From: "HMS", Format: "xml"}, "", `format "xml"`},
		{"unknown provider", sms.Config{Provider: "twilio"}, "", `provider "twilio"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sms.New(tt.cfg, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || s != nil {
					t.Fatalf("got %v, error %v, want no sender and an error containing %q", s, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			switch {
			case tt.wantName == "" && s != nil:
				t.Fatalf("got sender %T, want nil (SMS disabled)", s)
			case tt.wantName != "" && (s == nil || s.Name() != tt.wantName):
				t.Fatalf("got sender %v, want one named %q", s, tt.wantName)
			}
		})
	}
}

func TestFromConfig(t *testing.T) {
	c, err := config.FromLookup(func(k string) (string, bool) {
		v, ok := map[string]string{"DEBUG": "true", "SMS_PROVIDER": "http", "SMS_URL": "https://sms.example/v1/messages",
			"SMS_USERNAME": "u", "SMS_PASSWORD": "p", "SMS_FROM": "HMS", "SMS_FORMAT": "json"}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	got := sms.FromConfig(c)
	want := sms.Config{Provider: "http", URL: "https://sms.example/v1/messages", Username: "u", Password: "p", From: "HMS", Format: "json"}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

// TestClassifyOtherErrors: errors that are not an *Error are never permanent and carry no RetryAfter;
// a wrapped *Error keeps its kind.
func TestClassifyOtherErrors(t *testing.T) {
	for _, err := range []error{nil, context.Canceled, context.DeadlineExceeded, errors.New("something else")} {
		if sms.IsPermanent(err) || sms.RetryAfter(err) != 0 {
			t.Errorf("%v: got permanent %v retry-after %v, want false 0", err, sms.IsPermanent(err), sms.RetryAfter(err))
		}
	}
	wrapped := fmt.Errorf("delivery d1: %w", &sms.Error{Op: "send", Status: 429, RetryAfter: 3 * time.Second, Err: errors.New("busy")})
	if sms.IsPermanent(wrapped) || sms.RetryAfter(wrapped) != 3*time.Second || !errors.Is(wrapped, sms.ErrTemporary) {
		t.Errorf("got permanent %v retry-after %v, want false 3s", sms.IsPermanent(wrapped), sms.RetryAfter(wrapped))
	}
	perm := fmt.Errorf("delivery d2: %w", &sms.Error{Op: "send", Status: 400, Permanent: true, Err: errors.New("bad")})
	if !sms.IsPermanent(perm) || errors.Is(perm, sms.ErrTemporary) {
		t.Errorf("got permanent %v, want true", sms.IsPermanent(perm))
	}
}
