package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hms/desktop/internal/settings"
)

func newTestApp(t *testing.T, opts Options) (*App, *bytes.Buffer) {
	t.Helper()
	if opts.ConfigDir == "" {
		opts.ConfigDir = t.TempDir()
	}
	var out bytes.Buffer
	a, err := NewApp(opts, &out, func(string, string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return a, &out
}

func TestConfig(t *testing.T) {
	saved := settings.Config{ServerURL: "https://hms.local", Department: "cardiology"}
	tests := []struct {
		name  string
		saved *settings.Config
		opts  Options
		want  DesktopConfig
	}{
		{"first run", nil, Options{Version: "v1"},
			DesktopConfig{ServerURL: DefaultServerURL, FirstRun: true, Version: "v1"}},
		{"saved", &saved, Options{},
			DesktopConfig{ServerURL: "https://hms.local", Department: "cardiology"}},
		{"flags over saved", &saved, Options{ServerURL: "http://10.0.0.2:8080/", Department: "er", Kiosk: true},
			DesktopConfig{ServerURL: "http://10.0.0.2:8080", Department: "er", Kiosk: true}},
		{"server flag on first run", nil, Options{ServerURL: "http://10.0.0.2"},
			DesktopConfig{ServerURL: "http://10.0.0.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.saved != nil {
				if _, err := (settings.Store{Dir: dir}).Save(*tt.saved); err != nil {
					t.Fatal(err)
				}
			}
			tt.opts.ConfigDir = dir
			a, _ := newTestApp(t, tt.opts)
			got, err := a.Config()
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
			if a.serverURL() != tt.want.ServerURL {
				t.Errorf("serverURL() = %q, want %q", a.serverURL(), tt.want.ServerURL)
			}
		})
	}
}

func TestNewAppRefusesBadFlags(t *testing.T) {
	for _, opts := range []Options{{ServerURL: "hms.local"}, {Department: "Ward 3"}} {
		opts.ConfigDir = t.TempDir()
		if _, err := NewApp(opts, &bytes.Buffer{}, nil); err == nil {
			t.Errorf("NewApp(%+v) = nil error, want one", opts)
		}
	}
}

func TestSaveConfig(t *testing.T) {
	dir := t.TempDir()
	a, _ := newTestApp(t, Options{ConfigDir: dir, ServerURL: "http://flag.local", Kiosk: true})

	err := a.SaveConfig(DesktopConfig{ServerURL: "hms.local"})
	if err == nil || !strings.Contains(err.Error(), "http:// or https://") {
		t.Fatalf("SaveConfig with a bad URL = %v, want a message saying http:// or https://", err)
	}
	if err := a.SaveConfig(DesktopConfig{ServerURL: "https://hms.local/", Department: " icu ", Kiosk: false, FirstRun: true}); err != nil {
		t.Fatal(err)
	}
	// Saved settings win over this run's flags from now on; kiosk mode stays as the flag said.
	want := DesktopConfig{ServerURL: "https://hms.local", Department: "icu", Kiosk: true}
	if got, _ := a.Config(); got != want {
		t.Fatalf("Config after save = %+v, want %+v", got, want)
	}
	// The next start reads them; kiosk is not stored.
	b, _ := newTestApp(t, Options{ConfigDir: dir})
	want.Kiosk = false
	if got, _ := b.Config(); got != want {
		t.Fatalf("Config on the next start = %+v, want %+v", got, want)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if strings.Contains(string(raw), "kiosk") || strings.Contains(string(raw), "first_run") {
		t.Errorf("config.json = %s, want no kiosk or first_run", raw)
	}
}

func TestSession(t *testing.T) {
	dir := t.TempDir()
	a, _ := newTestApp(t, Options{ConfigDir: dir})
	if err := a.SaveSession("refresh-1"); err != nil {
		t.Fatal(err)
	}
	// After a restart (a power cut on the ward) the session is still there.
	b, _ := newTestApp(t, Options{ConfigDir: dir})
	if got, err := b.Session(); err != nil || got != "refresh-1" {
		t.Fatalf("Session = %q, %v; want refresh-1", got, err)
	}
	if err := b.ClearSession(); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Session(); got != "" {
		t.Fatalf("Session after ClearSession = %q, want \"\"", got)
	}
}

func TestReport(t *testing.T) {
	a, out := newTestApp(t, Options{})
	a.Report("event alerts 7 alert.raised")
	a.Report("two\nlines\r\n  and  spaces ")
	a.Report(strings.Repeat("é", 600))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{
		"hms-desktop: event alerts 7 alert.raised",
		"hms-desktop: two lines and spaces",
		"hms-desktop: " + strings.Repeat("é", maxReportLen),
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines %q, want %d", len(lines), lines, len(want))
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d = %.60q, want %.60q", i, lines[i], want[i])
		}
	}
}

func TestNotify(t *testing.T) {
	defer func(d time.Duration) { notifyTimeout = d }(notifyTimeout)
	notifyTimeout = 100 * time.Millisecond

	block := make(chan struct{})
	defer close(block)
	tests := []struct {
		name    string
		notify  func(title, body string) error
		wantErr string
	}{
		{"shown", func(string, string) error { return nil }, ""},
		{"no daemon", func(string, string) error { return errors.New("no notification service") }, "no notification service"},
		{"hangs", func(string, string) error { <-block; return nil }, "no answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, out := newTestApp(t, Options{})
			a.notify = tt.notify
			start := time.Now()
			err := a.Notify("Emergency: Ward 3", "cardiac arrest")
			if took := time.Since(start); took > time.Second {
				t.Errorf("Notify took %v, want at most about notifyTimeout", took)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("got %v, want error containing %q", err, tt.wantErr)
			}
			if got := out.String(); got != "hms-desktop: notify Emergency: Ward 3\n" {
				t.Errorf("printed %q, want the notify line", got)
			}
		})
	}
}

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	opts, showVersion, err := parseFlags([]string{"--server", "http://h", "--kiosk", "--department", "er", "--config-dir", "/x"}, &stderr)
	want := Options{ServerURL: "http://h", Department: "er", Kiosk: true, ConfigDir: "/x", Version: version}
	if err != nil || showVersion || opts != want {
		t.Fatalf("got %+v, %v, %v; want %+v", opts, showVersion, err, want)
	}
	if _, showVersion, err := parseFlags([]string{"--version"}, &stderr); err != nil || !showVersion {
		t.Fatalf("--version: got %v, %v", showVersion, err)
	}
	for _, args := range [][]string{{"--nope"}, {"extra"}} {
		if _, _, err := parseFlags(args, &stderr); err == nil {
			t.Errorf("parseFlags(%q) = nil error, want one", args)
		}
	}
}
