package config

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestStripeSettings: online payment is on with both Stripe keys, off with neither; one without the
// other, or an API base that is not an http(s) URL, is refused; the keys are masked in the log.
func TestStripeSettings(t *testing.T) {
	tests := []struct {
		name       string
		vars       map[string]string
		wantOnline bool
		wantErr    string
	}{
		{"off by default", map[string]string{}, false, ""},
		{"both keys", map[string]string{"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1"}, true, ""},
		{"with stripe-mock", map[string]string{"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1",
			"STRIPE_API_BASE": "http://127.0.0.1:12111/"}, true, ""},
		{"key without webhook secret", map[string]string{"STRIPE_SECRET_KEY": "sk_test_1"}, false, "go together"},
		{"webhook secret without key", map[string]string{"STRIPE_WEBHOOK_SECRET": "whsec_1"}, false, "go together"},
		{"a bad API base", map[string]string{"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1",
			"STRIPE_API_BASE": "127.0.0.1:12111"}, false, "STRIPE_API_BASE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := loadWith(t, tt.vars, tt.wantErr)
			if !ok {
				return
			}
			if c.OnlinePayment() != tt.wantOnline {
				t.Fatalf("got online payment %v, want %v", c.OnlinePayment(), tt.wantOnline)
			}
			if tt.vars["STRIPE_API_BASE"] != "" && strings.HasSuffix(c.StripeAPIBase, "/") {
				t.Fatalf("got API base %q, want it without the trailing slash", c.StripeAPIBase)
			}
		})
	}
	c, _ := loadWith(t, map[string]string{"STRIPE_SECRET_KEY": "sk_live_secret-value", "STRIPE_WEBHOOK_SECRET": "whsec_secret-value"}, "")
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	if out := buf.String(); strings.Contains(out, "secret-value") {
		t.Errorf("the log shows a Stripe key: %s", out)
	}
}
