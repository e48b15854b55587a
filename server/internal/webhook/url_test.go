package webhook

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCheckURL(t *testing.T) {
	strict, lax := &Service{}, &Service{cfg: Config{AllowHTTP: true}}
	tests := []struct {
		url      string
		strict   bool // accepted without WEBHOOK_ALLOW_HTTP
		withHTTP bool // accepted with it
	}{
		{"https://receiver.example/hooks", true, true},
		{"https://127.0.0.1:8443/hooks", true, true},
		{"http://127.0.0.1:8080/hooks", false, true},
		{"https://169.254.169.254/latest/meta-data/", false, false},
		{"http://169.254.169.254/", false, false},
		{"https://[fe80::1%25eth0]/x", false, false},
		{"https://[fd00:ec2::254]/x", false, false},
		{"https://metadata.google.internal./computeMetadata", false, false},
		{"https://0.0.0.0/x", false, false},
		{"ftp://receiver.example/x", false, false},
		{"https://user:pw@receiver.example/x", false, false},
		{"receiver.example/hooks", false, false},
		{"https:///nohost", false, false},
	}
	for _, tc := range tests {
		if _, err := strict.checkURL(tc.url); (err == nil) != tc.strict {
			t.Errorf("%s without http: got err %v, want accepted %v", tc.url, err, tc.strict)
		}
		if _, err := lax.checkURL(tc.url); (err == nil) != tc.withHTTP {
			t.Errorf("%s with http: got err %v, want accepted %v", tc.url, err, tc.withHTTP)
		}
	}
}

// TestSafeTransportRefusesLinkLocal: the sender never connects to a link-local address, whatever the
// URL said when the subscription was made (a name that later resolves there).
func TestSafeTransportRefusesLinkLocal(t *testing.T) {
	c := &http.Client{Transport: safeTransport(), Timeout: 5 * time.Second}
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/"} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
		_, err := c.Do(req)
		if err == nil || !strings.Contains(err.Error(), "link-local or metadata") {
			t.Errorf("GET %s: got %v, want refused before connecting", u, err)
		}
	}
}

func TestJitter(t *testing.T) {
	for range 1000 {
		if d := jitter(10 * time.Second); d < 8*time.Second || d > 12*time.Second {
			t.Fatalf("got %s, want 10s ± 20%%", d)
		}
	}
}
