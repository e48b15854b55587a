// Command hms is the HMS server. `hms` (or `hms serve`) runs it; `hms create-admin` creates an admin
// account, reading the password from standard input; `hms rekey` seals stored patient data again under
// the active encryption key (after a key rotation, or for data written before encryption); `hms audit
// verify` checks the audit trail's hash chains and exits non-zero naming any entry edited, removed or
// reordered; `hms version` prints the version stamped at build; `hms healthcheck` asks /readyz of the
// server at HTTP_ADDR and exits non-zero when it is not ready or not there (a Docker HEALTHCHECK in an
// image without a shell).
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"hms/server/internal/app"
	"hms/server/internal/audit"
	"hms/server/internal/config"
	"hms/server/internal/mongostore"
	"hms/server/internal/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hms:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx)
	case "create-admin":
		return createAdmin(ctx, args)
	case "rekey":
		return rekey(ctx)
	case "audit":
		return auditCmd(ctx, args, os.Stdout)
	case "version":
		fmt.Println(version.Get())
		return nil
	case "healthcheck":
		return healthcheckCmd(ctx)
	default:
		return fmt.Errorf("unknown command %q: use serve, create-admin, rekey, audit verify, version or healthcheck", cmd)
	}
}

// healthcheckTimeout bounds `hms healthcheck`; /readyz gives its own checks 2 s.
const healthcheckTimeout = 3 * time.Second

// healthcheckCmd runs `hms healthcheck` against HTTP_ADDR, read as the server reads it (environment,
// then .env). It prints nothing when the server is ready; the error is the one-line reason otherwise.
func healthcheckCmd(ctx context.Context) error {
	cfg, err := config.Load(".env")
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	return healthcheck(ctx, cfg.HTTPAddr, probeHost(cfg.AllowedHosts), healthcheckTimeout)
}

// probeHost is the Host the healthcheck sends: the first of ALLOWED_HOSTS, so that the server's host
// check lets it through whatever names it serves ("" when every host is allowed: the dialled address).
func probeHost(allowed []string) string {
	for _, h := range allowed {
		if h != "*" && h != "" {
			return h
		}
	}
	return ""
}

// healthcheck asks GET /readyz of the server listening on addr (":8080" and "0.0.0.0:8080" mean this
// machine), sending host as the Host header when it is not empty, and returns nil when it answers 200 (ready, or degraded: it can serve), an error naming the
// reason otherwise: not listening, too slow, or its status (storage down, shutting down).
func healthcheck(ctx context.Context, addr, host string, timeout time.Duration) error {
	url := "http://" + probeAddr(addr) + "/readyz"
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	req.Host = host
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %s: %w", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %d: %s", url, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}

// probeAddr turns a listen address into one to dial: an empty or unspecified host is the loopback.
func probeAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" {
		host = "127.0.0.1"
	} else if host == "::" {
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}

func newLogger(debug bool) *slog.Logger {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
}

func serve(ctx context.Context) error {
	start := time.Now()
	cfg, err := config.Load(".env")
	if err != nil {
		return err
	}
	log := newLogger(cfg.Debug)
	slog.SetDefault(log)
	log.Info("hms starting", "storage", cfg.StorageMode(), "data_dir", cfg.DataDir, "config", cfg)
	if err := cfg.EnsureDevSecrets(); err != nil {
		return err
	}
	if cfg.JWTSecretGenerated {
		log.Warn("no JWT_SECRET set: using a development secret kept in the data dir (DEBUG only)")
	}
	if cfg.SecretKeyGenerated {
		log.Warn("no SECRET_KEY set: patient data is encrypted with a development key kept in the data dir (DEBUG only)")
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() { _ = a.Close(context.Background()) }()
	if err := ensureAdmin(ctx, a, log); err != nil {
		return err
	}

	if cfg.PprofAddr != "" {
		if _, err := servePprof(cfg.PprofAddr, log); err != nil {
			return err
		}
	}
	l, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	ln := &closeOnce{Listener: l}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }() // ends when the listener closes (shutdown)
	log.Info("hms ready", "url", "http://"+displayAddr(ln.Addr()), "startup", time.Since(start).Round(time.Millisecond).String())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("hms shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	linger := time.NewTimer(cfg.ShutdownLinger)
	// Unready, and new connections refused at once: a load balancer sends those elsewhere whatever the
	// method, since nothing was sent. Connections already open are served on, each response saying
	// Connection: close, for SHUTDOWN_LINGER (longer than the load balancer's upstream
	// keepalive_timeout), so that the load balancer closes its idle ones itself and no request is ever
	// sent on a connection as it closes here.
	a.BeginShutdown()
	_ = ln.Close()
	a.Shutdown(sctx) // websocket clients are told to reconnect (to another instance)
	select {
	case <-linger.C:
	case <-sctx.Done():
	}
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// closeOnce is a listener that may be closed twice: once when shutdown begins, again by
// http.Server.Shutdown, which must not then report the second close as an error.
type closeOnce struct {
	net.Listener
	once sync.Once
}

func (l *closeOnce) Close() error {
	var err error
	l.once.Do(func() { err = l.Listener.Close() })
	return err
}

func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if host == "::" || host == "0.0.0.0" || host == "" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// ensureAdmin creates the first admin: from ADMIN_EMAIL/ADMIN_PASSWORD, or in debug mode with neither
// set, admin@hms.local with a random password written to DATA_DIR/admin-password.txt (never logged).
func ensureAdmin(ctx context.Context, a *app.App, log *slog.Logger) error {
	cfg := a.Config
	if cfg.AdminEmail != "" {
		created, err := a.Auth.EnsureAdmin(ctx, "Administrator", cfg.AdminEmail, cfg.AdminPassword)
		if err != nil {
			return fmt.Errorf("create admin from ADMIN_EMAIL: %w", err)
		}
		if created {
			log.Info("created the first admin from ADMIN_EMAIL/ADMIN_PASSWORD", "email", cfg.AdminEmail)
		}
		return nil
	}
	if !cfg.Debug {
		return nil
	}
	buf := make([]byte, 15)
	if _, err := rand.Read(buf); err != nil {
		return err
	}
	password := base64.RawURLEncoding.EncodeToString(buf)
	const email = "admin@hms.local"
	created, err := a.Auth.EnsureAdmin(ctx, "Administrator", email, password)
	if err != nil || !created {
		return err
	}
	path := filepath.Join(cfg.DataDir, "admin-password.txt")
	if err := os.WriteFile(path, []byte("email: "+email+"\npassword: "+password+"\n"), 0o600); err != nil {
		return err
	}
	log.Info("created a development admin; its password is in the file", "email", email, "file", path)
	return nil
}

func createAdmin(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("create-admin", flag.ContinueOnError)
	email := fs.String("email", "", "the admin's email (required)")
	name := fs.String("name", "Administrator", "the admin's name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("usage: hms create-admin -email ADDRESS [-name NAME] < password-file")
	}
	fmt.Fprintln(os.Stderr, "password (one line on standard input):")
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return errors.New("no password on standard input")
	}
	password := strings.TrimRight(line, "\r\n")
	a, err := openApp(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = a.Close(context.Background()) }()
	created, err := a.Auth.CreateAdmin(ctx, *name, *email, password)
	if err != nil {
		return err
	}
	if !created {
		return fmt.Errorf("an account with email %s exists already", *email)
	}
	fmt.Fprintln(os.Stderr, "admin created:", *email)
	return nil
}

// rekey re-seals every sealed field (medical history, notes, diagnoses, procedures, lab results, bills, insurance policies' member ids and claims' denial reasons) not sealed under the active key (ENCRYPTION_KEYS' first, or
// SECRET_KEY's), so that an old key can then be removed from ENCRYPTION_KEYS. It is safe to run while
// servers are serving, and again after an interruption.
func rekey(ctx context.Context) error {
	a, err := openApp(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = a.Close(context.Background()) }()
	n := 0
	for _, r := range a.Rekeyers {
		m, err := r.Rekey(ctx, func(collection string, scanned, resealed int) {
			fmt.Fprintf(os.Stderr, "%s: %d documents read, %d sealed again\n", collection, scanned, resealed)
		})
		n += m
		if err != nil {
			return fmt.Errorf("rekey stopped after %d values (run it again to go on): %w", n, err)
		}
	}
	fmt.Fprintf(os.Stderr, "rekey done: %d values now sealed under key %q\n", n, a.PatientRecords.ActiveKey())
	return nil
}

// auditCmd runs `hms audit verify`: it opens the database of the configuration (DATABASE_URL, or the
// embedded one under DATA_DIR) without starting a server, walks every audit chain and prints what it
// checked and every problem; any problem is an error (exit status 1).
func auditCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return errors.New("usage: hms audit verify")
	}
	cfg, err := config.Load(".env")
	if err != nil {
		return err
	}
	db, err := mongostore.Open(ctx, mongostore.Options{URL: cfg.DatabaseURL, Database: cfg.DatabaseName, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	defer func() { _ = db.Close(context.Background()) }()
	return verifyAudit(ctx, mongostore.NewAudit(db), out)
}

// verifyAudit verifies the store's chains and prints the report to out.
func verifyAudit(ctx context.Context, store audit.Store, out io.Writer) error {
	r, err := audit.Verify(ctx, store)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "audit: %d entries in %d chains, %d anchors, %d entries from before chaining\n", r.Entries, r.Chains, r.Anchors, r.Legacy)
	for _, p := range r.Problems {
		fmt.Fprintln(out, "PROBLEM", p)
	}
	if !r.OK {
		return fmt.Errorf("audit verify: %d problems", len(r.Problems))
	}
	fmt.Fprintln(out, "audit: every chain verifies")
	return nil
}

// openApp opens the app for a one-off command (create-admin, rekey): same configuration as serve,
// warnings only on standard error, no listener.
func openApp(ctx context.Context) (*app.App, error) {
	cfg, err := config.Load(".env")
	if err != nil {
		return nil, err
	}
	if err := cfg.EnsureDevSecrets(); err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

// servePprof serves Go's profiler on addr, which config has checked is a loopback address; the
// listener's own address is checked again (a "localhost" resolving elsewhere is refused). It returns
// the address it listens on, and lives as long as the process; only for measurements.
func servePprof(addr string, log *slog.Logger) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("profiler: listen on %s: %w", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		_ = ln.Close()
		return nil, fmt.Errorf("profiler: PPROF_ADDR=%q listens on %s, not on loopback", addr, ln.Addr())
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("profiler listening", "addr", ln.Addr().String())
	go func() { _ = (&http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}).Serve(ln) }()
	return ln.Addr(), nil
}
