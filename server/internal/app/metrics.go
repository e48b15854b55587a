package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/server/internal/metrics"
)

// metricsExposed says whether /metrics is served anywhere: on its own address (METRICS_ADDR) or on the
// main one behind METRICS_TOKEN. When it is not, nothing is measured either.
func (a *App) metricsExposed() bool { return a.Config.MetricsAddr != "" || a.Config.MetricsToken != "" }

// newMetrics builds the registry: the HTTP and database figures are fed as they happen (see
// NewWithDB), the rest is read at scrape time from where it already lives.
func (a *App) newMetrics() {
	m := metrics.New(a.Log)
	m.Hub(a.Hub.Stats())
	m.Broker(a.Broker.Health)
	m.Queues(func(ctx context.Context) ([]metrics.Queue, error) {
		fs, err := a.Appointments.Figures(ctx)
		out := make([]metrics.Queue, len(fs))
		for i, f := range fs {
			out[i] = metrics.Queue{Department: f.Department, Waiting: f.Waiting, InConsultation: f.InConsultation, EstimatedWait: f.EstimatedWait}
		}
		return out, err
	})
	m.Deliveries(func(ctx context.Context) ([]metrics.Delivery, error) {
		cs, err := a.outbox.CountDeliveries(ctx)
		out := make([]metrics.Delivery, len(cs))
		for i, c := range cs {
			out[i] = metrics.Delivery{Channel: c.Channel, Status: c.Status, N: c.N}
		}
		return out, err
	})
	a.metrics = m
	a.stopDBMetrics = a.DB.ObserveCommands(m.ObserveDB)
}

// errMetricsToken answers a scrape of the main address without the right METRICS_TOKEN.
var errMetricsToken = fault.New(fault.ErrUnauthenticated, "send METRICS_TOKEN as a bearer token")

// metricsRoute serves GET /metrics on the main address: only with METRICS_TOKEN set, and only to a
// caller sending it as a bearer token; otherwise the route answers like an unknown one (404).
func (a *App) metricsRoute() gin.HandlerFunc {
	if a.metrics == nil || a.Config.MetricsToken == "" {
		return httpx.NotFoundHandler
	}
	h := a.metrics.Handler()
	return func(c *gin.Context) {
		if !metrics.Authorized(c.GetHeader("Authorization"), a.Config.MetricsToken) {
			c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
			httpx.Error(c, errMetricsToken)
			return
		}
		h.ServeHTTP(c.Writer, c.Request)
	}
}

// serveMetrics listens on METRICS_ADDR and serves /metrics there until Close.
func (a *App) serveMetrics() error {
	if a.Config.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", a.Config.MetricsAddr)
	if err != nil {
		return fmt.Errorf("METRICS_ADDR: listen on %s: %w", a.Config.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics.Handler())
	a.metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	a.metricsLn = ln
	a.jobs.Add(1)
	go func() { // ends when Close shuts the server down
		defer a.jobs.Done()
		if err := a.metricsSrv.Serve(ln); err != nil && err != http.ErrServerClosed {
			a.Log.Error("metrics server stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	a.Log.Info("metrics listening", "addr", ln.Addr().String())
	return nil
}

// MetricsAddr returns the address /metrics listens on with METRICS_ADDR (the port chosen for ":0"), or
// nil.
func (a *App) MetricsAddr() net.Addr {
	if a.metricsLn == nil {
		return nil
	}
	return a.metricsLn.Addr()
}
