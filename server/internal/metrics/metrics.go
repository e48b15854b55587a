// Package metrics exposes the server's figures to Prometheus: HTTP requests by route, the websocket
// hub's counters, the broker's state, queue lengths, the notification outbox and database latency. Each
// App has its own registry, so that tests and several apps in one process do not collide.
package metrics

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hms/server/internal/hub"
)

// Metrics holds the registry and the instruments fed by the request middleware and the database
// monitor; everything else is read at scrape time from where it already lives.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	db       *prometheus.HistogramVec
	log      *slog.Logger
	cacheFor time.Duration // how long a figure read from the database serves scrapes
}

// New returns metrics on a registry of their own, with the Go runtime and process collectors.
func New(log *slog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), log: log, cacheFor: cacheFor}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hms_http_requests_total",
		Help: "HTTP requests answered, by route template, method and status.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hms_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route template and method.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
	m.db = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hms_db_operation_duration_seconds",
		Help:    "Time a database command took, by command name (find, insert, aggregate, …).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"op"})
	m.reg.MustRegister(m.requests, m.latency, m.db,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, for tests and for more collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveHTTP records one answered request; route is gin's route template, never the raw path.
func (m *Metrics) ObserveHTTP(route, method string, status int, took time.Duration) {
	method = knownMethod(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(took.Seconds())
}

// knownMethod keeps the label's values few: the method is the client's to choose (any token passes
// net/http), so anything but the standard methods is counted as "other".
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodHead, http.MethodOptions:
		return method
	}
	return "other"
}

// ObserveDB records one database command's duration.
func (m *Metrics) ObserveDB(command string, took time.Duration) {
	m.db.WithLabelValues(command).Observe(took.Seconds())
}

// Handler serves the registry in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:            slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
}

// Authorized says whether an Authorization header carries token as a bearer token, comparing in
// constant time. An empty token authorizes nobody.
func Authorized(header, token string) bool {
	if token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(header)), []byte("Bearer "+token)) == 1
}

// Hub reads the hub's own counters at scrape time; there is no second set of counters to keep in step.
func (m *Metrics) Hub(s *hub.Stats) {
	counter := func(name, help string, v func() int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v()) })
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hms_hub_connections", Help: "Open websocket connections on this instance."},
			func() float64 { return float64(s.Connections.Load()) }),
		counter("hms_hub_frames_delivered_total", "Event frames queued to websocket clients.", s.Delivered.Load),
		counter("hms_hub_slow_consumer_drops_total", "Websocket clients closed because they did not keep up.", s.SlowDropped.Load),
		counter("hms_hub_replayed_total", "Events replayed from the store to clients that reconnected or saw a gap.", s.Replayed.Load),
		counter("hms_hub_gaps_filled_total", "Gaps in a channel's sequence filled from the store.", s.GapsFilled.Load),
		counter("hms_hub_resyncs_total", "Times the hub caught up from the store after the broker came back.", s.Resyncs.Load),
		counter("hms_hub_reloads_total", "Clients told to reload a snapshot because they missed too much.", s.Reloads.Load),
		counter("hms_hub_auth_failures_total", "Websocket handshakes refused for authentication.", s.AuthFailures.Load),
	)
}

// Broker reports the broker's health at scrape time: 1 healthy, 0 degraded (the same check as /readyz).
func (m *Metrics) Broker(health func(context.Context) error) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "hms_broker_healthy",
		Help: "1 when the broker (Redis, or the in-process one) can publish, 0 when degraded.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if health(ctx) != nil {
			return 0
		}
		return 1
	}))
}
