package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"hms/desktop/internal/settings"
)

// DefaultServerURL is the server the app talks to before one is chosen: the one `make run` starts.
const DefaultServerURL = "http://localhost:8080"

// maxReportLen bounds one Report line, so that a runaway frontend cannot flood the log.
const maxReportLen = 500

// notifyTimeout bounds how long Notify may hold the caller: a notification that takes longer is
// given up (and said so), because an emergency alert on screen matters more than its desktop popup.
// A variable for tests.
var notifyTimeout = 3 * time.Second

// DesktopConfig is what the frontend sees of the desktop settings (window.go.main.App.Config).
type DesktopConfig struct {
	ServerURL  string `json:"server_url"`
	Department string `json:"department"`
	Kiosk      bool   `json:"kiosk"`
	// FirstRun is true when no server URL was ever saved and none was given with --server: the
	// frontend then asks for one (ServerURL holds DefaultServerURL meanwhile).
	FirstRun bool   `json:"first_run"`
	Version  string `json:"version"`
}

// Options are the per-run choices made on the command line; zero values mean "not given".
type Options struct {
	ServerURL  string
	Department string
	Kiosk      bool
	ConfigDir  string
	Version    string
}

// App is the Go side of the desktop window: its exported methods are bound to the frontend as
// window.go.main.App.<Method>. It is safe for concurrent use (Wails calls bound methods on their own
// goroutines, and the proxy reads ServerURL on every request).
type App struct {
	opts  Options
	store settings.Store
	// notify shows a desktop notification; a field so that tests need no notification daemon.
	notify func(title, body string) error

	outMu sync.Mutex
	out   io.Writer // the log the smoke test reads: one "hms-desktop: ..." line per event

	mu    sync.Mutex
	ctx   context.Context // the Wails context, set by startup; nil until the window exists
	saved settings.Config // the last config saved or loaded ("" server URL when none)
}

// NewApp loads the saved settings from opts.ConfigDir (which must be set) and returns the App.
// Command-line options win over saved settings for this run.
func NewApp(opts Options, out io.Writer, notify func(title, body string) error) (*App, error) {
	if opts.ServerURL != "" {
		u, err := settings.NormalizeServerURL(opts.ServerURL)
		if err != nil {
			return nil, fmt.Errorf("--server: %w", err)
		}
		opts.ServerURL = u
	}
	if err := settings.ValidateDepartment(opts.Department); err != nil {
		return nil, fmt.Errorf("--department: %w", err)
	}
	a := &App{opts: opts, store: settings.Store{Dir: opts.ConfigDir}, notify: notify, out: out}
	c, _, err := a.store.Load()
	if err != nil {
		return nil, fmt.Errorf("load settings: %w", err)
	}
	a.saved = c
	return a, nil
}

// startup is Wails' OnStartup hook: it keeps the context the runtime calls need.
func (a *App) startup(ctx context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ctx = ctx
}

// domReady is Wails' OnDomReady hook. In kiosk mode it makes the window cover its screen: full
// screen is a request to the window manager, and a ward display often runs without one (a bare X
// session), where only an explicit size and position fill the screen.
func (a *App) domReady(ctx context.Context) {
	if !a.opts.Kiosk {
		return
	}
	screens, err := runtime.ScreenGetAll(ctx)
	if err != nil {
		a.Report("kiosk: cannot read the screen size: " + err.Error())
		return
	}
	for _, s := range screens {
		if s.IsCurrent || len(screens) == 1 {
			runtime.WindowSetPosition(ctx, 0, 0)
			runtime.WindowSetSize(ctx, s.Size.Width, s.Size.Height)
			runtime.WindowFullscreen(ctx)
			return
		}
	}
}

// serverURL is the server to talk to now: --server, else the saved one, else DefaultServerURL.
// (Unexported: every exported method of App is bound to the frontend.)
func (a *App) serverURL() string {
	c, _ := a.Config()
	return c.ServerURL
}

// Config returns the settings in force for this run.
func (a *App) Config() (DesktopConfig, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := DesktopConfig{
		ServerURL:  a.saved.ServerURL,
		Department: a.saved.Department,
		Kiosk:      a.opts.Kiosk,
		Version:    a.opts.Version,
	}
	if a.opts.ServerURL != "" {
		c.ServerURL = a.opts.ServerURL
	}
	if a.opts.Department != "" {
		c.Department = a.opts.Department
	}
	if c.ServerURL == "" {
		c.ServerURL, c.FirstRun = DefaultServerURL, true
	}
	return c, nil
}

// SaveConfig checks and saves the server URL and department, and uses them from now on (over any
// --server or --department given for this run). Kiosk mode stays as the command line chose.
func (a *App) SaveConfig(c DesktopConfig) error {
	saved, err := a.store.Save(settings.Config{ServerURL: c.ServerURL, Department: strings.TrimSpace(c.Department)})
	if err != nil {
		return err // the store's messages are written for the user
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.saved = saved
	a.opts.ServerURL, a.opts.Department = "", ""
	return nil
}

// Session returns the remembered refresh token, "" when there is none.
func (a *App) Session() (string, error) { return a.store.Session() }

// SaveSession remembers the refresh token, so that the desk signs itself back in after a restart.
func (a *App) SaveSession(refreshToken string) error { return a.store.SaveSession(refreshToken) }

// ClearSession forgets the remembered refresh token (on sign-out).
func (a *App) ClearSession() error { return a.store.ClearSession() }

// Notify shows a desktop notification (for emergency alerts). It returns an error, rather than
// waiting, when the desktop has no notification service or it does not answer within notifyTimeout.
func (a *App) Notify(title, body string) error {
	a.Report("notify " + title)
	done := make(chan error, 1) // buffered: a late notify finishes and is dropped, never blocks
	go func() { done <- a.notify(title, body) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("desktop notification: %w", err)
		}
		return nil
	case <-time.After(notifyTimeout):
		return errors.New("desktop notification: no answer from the notification service")
	}
}

// Report writes "hms-desktop: <line>" to standard output: the frontend reports its states (ready,
// live, event <channel> <seq> <type>) there for logs and the smoke test.
func (a *App) Report(line string) {
	line = strings.Join(strings.Fields(line), " ") // one line, whatever the frontend sent
	if r := []rune(line); len(r) > maxReportLen {
		line = string(r[:maxReportLen])
	}
	a.outMu.Lock()
	defer a.outMu.Unlock()
	fmt.Fprintf(a.out, "hms-desktop: %s\n", line)
}

// Quit closes the window and ends the app.
func (a *App) Quit() {
	a.mu.Lock()
	ctx := a.ctx
	a.mu.Unlock()
	if ctx != nil { // nil before the window exists (and in tests)
		runtime.Quit(ctx)
	}
}
