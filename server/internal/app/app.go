// Package app wires the server together by hand: configuration, storage, domain services, the router.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"hms/frontend"
	"hms/server/internal/alert"
	"hms/server/internal/appointment"
	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/billing"
	"hms/server/internal/broker"
	"hms/server/internal/chart"
	"hms/server/internal/clock"
	"hms/server/internal/config"
	"hms/server/internal/directory"
	"hms/server/internal/doctor"
	"hms/server/internal/event"
	"hms/server/internal/fhir"
	"hms/server/internal/gdpr"
	"hms/server/internal/httpx"
	"hms/server/internal/hub"
	"hms/server/internal/lab"
	"hms/server/internal/maptiles"
	"hms/server/internal/metrics"
	"hms/server/internal/mongostore"
	"hms/server/internal/notify"
	"hms/server/internal/patient"
	"hms/server/internal/pharmacy"
	"hms/server/internal/reaction"
	"hms/server/internal/report"
	"hms/server/internal/seal"
	"hms/server/internal/version"
	"hms/server/internal/ward"
	"hms/server/internal/webhook"
)

// App is a running server's parts.
type App struct {
	Config  config.Config
	DB      *mongostore.DB
	Auth    *auth.Service
	Handler http.Handler
	Log     *slog.Logger
	Hub     *hub.Hub
	Broker  broker.Broker
	Events  *event.Stream
	Alerts  *alert.Service
	// Doctors and Appointments are the scheduling and queue domains.
	Doctors      *doctor.Service
	Appointments *appointment.Service
	// Pharmacy is the medication catalogue, stock, prescriptions and dispensing.
	Pharmacy *pharmacy.Service
	// Billing is the price list, charges and invoices.
	Billing *billing.Service
	// Reports keeps the hospital's daily figures and answers reports from them.
	Reports *report.Service
	// Clock is the hospital's one clock, handed to every service that reads the time; tests set it.
	Clock *clock.Clock
	// tiles gives the nearby-hospitals map its tiles (MAP_TILE_URL, or Google's with GOOGLE_MAPS_API_KEY).
	tiles maptiles.Source

	// draining is set when shutdown begins: /readyz answers 503 from then on, so that load balancers
	// stop sending new requests while the ones in flight finish.
	draining atomic.Bool

	redis        *redis.Client
	stop         context.CancelFunc // ends the background jobs started by NewWithDB
	jobs         sync.WaitGroup
	authHandlers auth.Handlers
	patients     *patient.Service
	// PatientRecords is the patient store, for maintenance commands (hms rekey).
	PatientRecords *mongostore.Patients
	// Access is the one rule for who may see a patient's clinical records.
	Access *patient.Access
	// Rekeyers are the stores holding sealed fields, for hms rekey.
	Rekeyers []Rekeyer
	// Keys seal fields at rest (tests build stores on the App's database with them).
	Keys *seal.Keyring
	// Bus carries the reactions between domains (wire.go, subscribe).
	Bus   *reaction.Bus
	gdpr  *gdpr.Service
	chart *chart.Service
	lab   *lab.Service
	// billing serves the billing routes.
	billing *billing.Handlers
	reports *report.Handlers
	notify  *notify.Service
	audit   *audit.Log
	table   []Route

	// Triggers make notifications from what happens elsewhere: reminders, confirmations, pages.
	Triggers *notify.Triggers
	wards    *ward.Service
	// directory is the directory of hospitals and sites (the nearby search).
	directory *directory.Service
	// webhooks sends events to subscribed systems and receives partners' webhooks.
	webhooks *webhook.Service
	// outbox is the notification store, whose delivery counts the metrics read.
	outbox *mongostore.Notifications

	// metrics is nil unless /metrics is exposed (METRICS_ADDR or METRICS_TOKEN); metricsSrv and
	// metricsLn serve it on METRICS_ADDR; stopDBMetrics detaches the database command observer.
	metrics       *metrics.Metrics
	metricsSrv    *http.Server
	metricsLn     net.Listener
	stopDBMetrics func()
}

// New opens storage (starting the embedded FerretDB when no DATABASE_URL is set), creates indexes and
// builds the router.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, err := mongostore.Open(ctx, mongostore.Options{URL: cfg.DatabaseURL, Database: cfg.DatabaseName, DataDir: cfg.DataDir})
	if err != nil {
		return nil, err
	}
	a, err := NewWithDB(ctx, cfg, log, db)
	if err != nil {
		_ = db.Close(context.Background())
		return nil, err
	}
	return a, nil
}

// Rekeyer seals again, under the active key, every value of a store sealed under another key (or
// stored before encryption), reporting per collection; it returns how many values it re-sealed.
type Rekeyer interface {
	Rekey(ctx context.Context, progress func(collection string, scanned, resealed int)) (int, error)
}

// NewWithDB builds the app on an open database (tests give each test its own).
func NewWithDB(ctx context.Context, cfg config.Config, log *slog.Logger, db *mongostore.DB) (*App, error) {
	// FerretDB 1.24 can drop the connection when several instances create indexes at once on a fresh
	// database; creating what is missing again succeeds.
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = db.EnsureIndexes(ctx); err == nil {
			break
		}
		time.Sleep(time.Duration(100*(attempt+1)) * time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	// A service logging in the middle of a request names the request (its access-log line has the same ID).
	log = slog.New(httpx.RequestIDLog(log.Handler(), audit.RequestIDOf))
	a := &App{Config: cfg, DB: db, Log: log, Clock: clock.System()}
	a.tiles = maptiles.Static(cfg.MapTileURL)
	if cfg.GoogleMapsAPIKey != "" {
		a.tiles = maptiles.NewGoogle(cfg.GoogleMapTilesURL, cfg.GoogleMapsAPIKey, cfg.HospitalLocale, func() time.Time { return a.Clock.Now() }, log)
	}
	if cfg.RedisURL != "" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		a.redis = redis.NewClient(opt)
		rb, err := broker.NewRedis(broker.RedisOptions{URL: cfg.RedisURL, Prefix: cfg.RedisPrefix, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		a.Broker = rb
	} else {
		a.Broker = broker.NewMemory()
	}
	events := mongostore.NewEvents(db)
	if err := events.MigrateHeads(ctx); err != nil {
		_ = a.Broker.Close()
		return nil, err
	}
	a.Events = event.NewStream(events, a.Broker, log, a.Clock)
	a.audit = audit.NewLog(mongostore.NewAudit(db))
	keys, err := cfg.Keyring()
	if err != nil {
		_ = a.Broker.Close()
		return nil, err
	}
	if err := a.wire(db, keys); err != nil {
		_ = a.Broker.Close()
		return nil, err
	}
	a.Hub = hub.New(hub.Config{AllowedHosts: cfg.AllowedHosts, PingInterval: cfg.WSPingInterval,
		PongWait: 2*cfg.WSPingInterval + 10*time.Second, SendQueue: cfg.WSSendQueue,
		MaxConnsPerUser: cfg.WSMaxConnsPerUser, MaxSubscriptions: cfg.WSMaxSubscriptions, SessionCheck: cfg.WSSessionCheck,
		DrainRate: cfg.WSDrainRate,
		Sessions:  a.Auth, Access: a.Access, Audit: a.audit}, a.Auth, a.Events, log)
	a.Events.SetLocal(a.Hub)
	var observe httpx.Observer
	if a.metricsExposed() {
		a.newMetrics()
		observe = a.metrics.ObserveHTTP
	}

	a.table = a.routes()
	e, err := httpx.NewEngine(httpx.EngineOptions{Log: log, AllowedHosts: cfg.AllowedHosts,
		TrustedProxies: cfg.TrustedProxies, MaxBodyBytes: cfg.MaxBodyBytes, BodyLimits: bodyLimits(a.table),
		Observe: observe})
	if err != nil {
		a.detachMetrics()
		return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	e.Use(func(c *gin.Context) {
		if a.draining.Load() {
			// Shutting down: the connection closes after this response, announced, so that a load
			// balancer does not send a request on it as the listener goes (a POST it could not retry).
			c.Header("Connection", "close")
		}
		c.Request = c.Request.WithContext(audit.WithOrigin(c.Request.Context(),
			audit.Origin{IP: c.ClientIP(), RequestID: httpx.RequestID(c)}))
		c.Next()
	})
	a.register(e)
	e.NoRoute(webUI(frontend.Dist(), webPolicy(cfg.MapOrigin())))
	e.NoMethod(fhir.NoMethod(httpx.MethodNotAllowedHandler))
	a.Handler = e
	if err := a.start(); err != nil {
		a.detachMetrics()
		_ = a.Broker.Close()
		return nil, err
	}
	return a, nil
}

// start connects the hub to the broker and runs the background jobs until Close.
func (a *App) start() error {
	if err := a.serveMetrics(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.stop = cancel
	if err := a.startAudit(ctx); err != nil {
		// Every audited request fails while the trail cannot be written; the server still starts.
		a.Log.Warn("audit trail not writable at start-up", "err", err)
	}
	if err := a.Broker.Subscribe(ctx, a.Hub.Deliver, a.Hub.Resync); err != nil {
		// Redis is down at start-up: serve REST anyway (readiness says degraded) and keep trying;
		// once subscribed, the hub catches up from the store.
		a.Log.Warn("broker unavailable at start-up; retrying in the background", "err", err)
		a.jobs.Add(1)
		go func() { defer a.jobs.Done(); a.subscribeLater(ctx) }()
	}
	// The background jobs; Close waits for each to return.
	for _, job := range []func(){
		func() { a.Auth.RunLinkPruner(ctx, time.Hour) },
		func() { a.notify.RunWorker(ctx, a.Config.Notify.Poll) },
		func() { a.notify.RunPruner(ctx, a.Config.Notify.Retention, time.Hour) },
		func() { a.Triggers.RunScans(ctx, a.Config.Notify.Scan) },
		func() { a.Alerts.RunEscalator(ctx, a.Config.AlertEscalateAfter, 10*time.Second) },
		func() { a.Appointments.RunRefresher(ctx, 30*time.Second) },
		func() { a.Events.RunPruner(ctx, a.Config.EventRetention, time.Hour) },
		func() { a.Bus.Run(ctx, a.Config.ReactionPoll) },
		func() { a.Bus.RunPruner(ctx, a.Config.EventRetention, time.Hour) },
		func() { a.Billing.RunRecovery(ctx, a.Config.ReactionLease, 30*time.Second) },
		func() { a.Billing.RunBedDays(ctx, 15*time.Minute, a.activeStays) },
		func() { a.Reports.Run(ctx, time.Minute) },
		func() { a.webhooks.Run(ctx, a.Config.WebhookPoll) },
		func() { a.audit.RunAnchors(ctx, a.anchorInterval(), a.Log) },
	} {
		a.jobs.Add(1)
		go func() { defer a.jobs.Done(); job() }()
	}
	return nil
}

// subscribeLater retries the broker subscription until it succeeds or ctx ends.
func (a *App) subscribeLater(ctx context.Context) {
	for delay := 500 * time.Millisecond; ; delay = min(2*delay, 10*time.Second) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		if err := a.Broker.Subscribe(ctx, a.Hub.Deliver, a.Hub.Resync); err == nil {
			a.Log.Info("broker subscription established")
			a.Hub.Resync()
			return
		}
	}
}

// Shutdown marks the instance not ready (/readyz answers 503 shutting_down at once), then tells
// websocket clients to reconnect elsewhere and closes their connections; call it before stopping the
// HTTP server, which does not track hijacked connections. Requests in flight are not interrupted.
func (a *App) Shutdown(ctx context.Context) {
	a.BeginShutdown()
	a.Hub.Shutdown(ctx)
}

// BeginShutdown marks the instance as shutting down: /readyz answers 503 {"status":"shutting_down"}
// from now on while every other route keeps serving. Shutdown calls it first.
func (a *App) BeginShutdown() { a.draining.Store(true) }

// Close releases the database and Redis connections.
func (a *App) Close(ctx context.Context) error {
	var errs []error
	if a.metricsSrv != nil {
		if err := a.metricsSrv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("metrics server: %w", err))
		}
	}
	a.detachMetrics()
	if a.stop != nil {
		a.stop()
		a.jobs.Wait()
		// The chain's last anchor, so that the other instances anchor its end (docs/audit.md).
		if err := a.audit.End(ctx, 2*a.anchorInterval()); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, a.Broker.Close())
	if a.redis != nil {
		errs = append(errs, a.redis.Close())
	}
	errs = append(errs, a.DB.Close(ctx))
	return errors.Join(errs...)
}

// detachMetrics stops feeding the metrics from the database client, which may outlive the App (tests
// share one).
func (a *App) detachMetrics() {
	if a.stopDBMetrics != nil {
		a.stopDBMetrics()
		a.stopDBMetrics = nil
	}
}

func (a *App) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// readyz reports storage and broker status: 503 when storage is down (this instance cannot serve),
// 200 "degraded" when only Redis is down (REST still works; live fan-out does not reach other instances),
// and 503 "shutting_down", without checking anything, once shutdown has begun.
func (a *App) readyz(c *gin.Context) {
	if a.draining.Load() {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "shutting_down"})
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	storage, broker, status, code := "ok", "memory", "ready", http.StatusOK
	if err := a.DB.Ping(ctx); err != nil {
		storage, status, code = "down", "unavailable", http.StatusServiceUnavailable
	}
	if a.redis != nil {
		broker = "redis ok"
		if err := a.Broker.Health(ctx); err != nil {
			broker = "redis down"
			if code == http.StatusOK {
				status = "degraded"
			}
		}
	}
	c.JSON(code, gin.H{"status": status, "storage": storage, "storage_mode": a.Config.StorageMode(), "broker": broker})
}

// version answers the build's version, commit and build time (stamped by make build; "dev" otherwise).
func (a *App) version(c *gin.Context) { c.JSON(http.StatusOK, version.Get()) }

// hospital answers what every screen needs before it shows a date: the hospital's name and time zone,
// today in that zone and the server's clock; and, to a signed-in caller, the tiles of the
// nearby-hospitals map (a Google tile template holds the API key, which is not handed to anyone).
func (a *App) hospital(c *gin.Context) {
	now := a.Clock.Now().In(a.Config.HospitalTZ)
	var tiles maptiles.Tiles
	if _, ok := auth.PrincipalOf(c); ok {
		tiles = a.tiles.Current(c.Request.Context())
	}
	c.JSON(http.StatusOK, gin.H{"name": a.Config.Notify.HospitalName, "time_zone": a.Config.HospitalTZ.String(),
		"locale": a.Config.HospitalLocale, "today": now.Format(time.DateOnly), "now": now.UTC(),
		"map_tile_url": tiles.URL, "map_attribution": tiles.Attribution})
}
