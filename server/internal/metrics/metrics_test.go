package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"hms/server/internal/httpx"
)

func TestAuthorized(t *testing.T) {
	const token = "0123456789abcdef"
	tests := []struct {
		header, token string
		want          bool
	}{
		{"Bearer " + token, token, true},
		{"  Bearer " + token + " ", token, true},
		{"", token, false},
		{token, token, false},
		{"Bearer " + token + "0", token, false},
		{"Bearer " + token[:15], token, false},
		{"Basic " + token, token, false},
		{"Bearer ", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := Authorized(tt.header, tt.token); got != tt.want {
			t.Errorf("Authorized(%q, %q): got %v, want %v", tt.header, tt.token, got, tt.want)
		}
	}
}

// TestMethodLabel: a client choosing its own method cannot add label values.
func TestMethodLabel(t *testing.T) {
	m := New(slog.New(slog.DiscardHandler))
	for _, method := range []string{"GET", "POST", "FOO", "BAR", "get", "PROPFIND"} {
		m.ObserveHTTP("unmatched", method, http.StatusNotFound, time.Millisecond)
	}
	want := `
# HELP hms_http_requests_total HTTP requests answered, by route template, method and status.
# TYPE hms_http_requests_total counter
hms_http_requests_total{method="GET",route="unmatched",status="404"} 1
hms_http_requests_total{method="POST",route="unmatched",status="404"} 1
hms_http_requests_total{method="other",route="unmatched",status="404"} 4
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "hms_http_requests_total"); err != nil {
		t.Fatal(err)
	}
}

// TestCachedReads: a figure read from the database is read once for the scrapes of one period; a failed
// read serves the previous value and is counted.
func TestCachedReads(t *testing.T) {
	m := New(slog.New(slog.DiscardHandler))
	m.cacheFor = 50 * time.Millisecond
	var reads atomic.Int32
	var fail atomic.Bool
	m.Queues(func(context.Context) ([]Queue, error) {
		reads.Add(1)
		if fail.Load() {
			return nil, errors.New("database down")
		}
		return []Queue{{Department: "cardio", Waiting: 4, EstimatedWait: 90 * time.Second}}, nil
	})
	want := `
# HELP hms_queue_waiting Tickets waiting in a department's queue today.
# TYPE hms_queue_waiting gauge
hms_queue_waiting{department="cardio"} 4
`
	check := func() {
		t.Helper()
		if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "hms_queue_waiting"); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		check()
	}
	if got := reads.Load(); got != 1 {
		t.Errorf("got %d reads for 3 scrapes within one period, want 1", got)
	}
	fail.Store(true)
	time.Sleep(60 * time.Millisecond)
	check() // the failed read serves the previous figures
	if got := reads.Load(); got != 2 {
		t.Errorf("got %d reads after the period, want 2", got)
	}
	if got := failures(t, m); got != 1 {
		t.Errorf("got %v read failures, want 1", got)
	}
}

// failures sums hms_metrics_read_failures_total.
func failures(t *testing.T, m *Metrics) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, f := range fams {
		if f.GetName() == "hms_metrics_read_failures_total" {
			for _, s := range f.GetMetric() {
				sum += s.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// BenchmarkMetricsMiddleware is one request through the shared middleware (request id, access log,
// security headers, host check, body limit) to a route with a parameter, with and without the metrics
// observer.
func BenchmarkMetricsMiddleware(b *testing.B) {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	for _, tt := range []struct {
		name    string
		observe httpx.Observer
	}{
		{"without", nil},
		{"with", New(log).ObserveHTTP},
	} {
		b.Run(tt.name, func(b *testing.B) {
			e, err := httpx.NewEngine(httpx.EngineOptions{Log: log, AllowedHosts: []string{"*"}, MaxBodyBytes: 1 << 20, Observe: tt.observe})
			if err != nil {
				b.Fatal(err)
			}
			e.GET("/api/patient/:id", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"id": c.Param("id")}) })
			req := httptest.NewRequest(http.MethodGet, "/api/patient/665f1c2b9d3e4a0012ab34cd", http.NoBody)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				e.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("got status %d", w.Code)
				}
			}
		})
	}
}
