package sms_test

import (
	"errors"
	"strings"
	"testing"

	"hms/server/internal/fault"
	"hms/server/internal/sms"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{"+447911123456", "+447911123456", ""},
		{"+44 7911 123456", "+447911123456", ""},
		{" +44 (0)7911-123.456 ", "+4407911123456", ""},
		{"+1 (415) 555-2671", "+14155552671", ""},
		{"+49\t30 1234567", "+49301234567", ""},
		{"+12345678", "+12345678", ""},               // 8 digits, the shortest allowed
		{"+123456789012345", "+123456789012345", ""}, // 15 digits, the longest
		{"", "", "phone number is empty"},
		{" - ( ) ", "", "phone number is empty"},
		{"07911 123456", "", "must start with + and the country code"},
		{"0044 7911 123456", "", "must start with + and the country code"},
		{"+1234567", "", "has 7 digits: want 8 to 15"},
		{"+1234567890123456", "", "has 16 digits: want 8 to 15"},
		{"+0447911123456", "", "country code after + cannot start with 0"},
		{"+44 7911 12345x", "", `'x' is not allowed`},
		{"+44/7911123456", "", `'/' is not allowed`},
		{"+44+7911123456", "", "'+' may only come first"},
		{"+447911123456\nBody: x", "", `'B' is not allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := sms.NormalizePhone(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %q, error %v, want an error containing %q", got, err, tt.wantErr)
				}
				if !errors.Is(err, fault.ErrInvalid) {
					t.Fatalf("got error %v, want a fault.ErrInvalid (a 400)", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, error %v, want %q", got, err, tt.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+447911123456", "+44*******456"},
		{"+14155552671", "+14******671"},
		{"+12345678", "+12***678"},
		{"+44 7911 123456", "+44*******456"},
		{"447911123456", "44*******456"},
		{"+1234567", "+*******"},
		{"", ""},
		{"not a number", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := sms.Mask(tt.in); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
