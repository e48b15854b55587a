package main_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
)

// runHMS runs the built binary with a clean environment (DEBUG, a fresh DATA_DIR and env) and returns
// its exit status and output.
func runHMS(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(hmsBinary(t), args...)
	cmd.Dir = t.TempDir() // no .env
	cmd.Env = append([]string{"DEBUG=true", "DATA_DIR=" + t.TempDir()}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return exit.ExitCode(), string(out)
		}
		t.Fatalf("run hms %v: %v\n%s", args, err, out)
	}
	return 0, string(out)
}

// TestHealthcheckCommand: `hms healthcheck` asks /readyz of HTTP_ADDR (":port" meaning this machine,
// with the first of ALLOWED_HOSTS as Host): status 0 when it answers 200, 1 with a one-line reason when
// it answers 503 or nothing listens there.
func TestHealthcheckCommand(t *testing.T) {
	var status atomic.Int32
	var host atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host.Store(r.Host)
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write([]byte(`{"status":"shutting_down"}` + "\n"))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	env := []string{"HTTP_ADDR=:" + port, "ALLOWED_HOSTS=hms.example.org,localhost"}

	status.Store(http.StatusOK)
	if code, out := runHMS(t, env, "healthcheck"); code != 0 || out != "" {
		t.Fatalf("ready: exit %d, output %q; want 0 and nothing", code, out)
	}
	if h := host.Load(); h != "hms.example.org" {
		t.Errorf("the probe sent Host %q, want the first of ALLOWED_HOSTS", h)
	}

	status.Store(http.StatusServiceUnavailable)
	code, out := runHMS(t, env, "healthcheck")
	if code != 1 || !strings.Contains(out, "503") || !strings.Contains(out, "shutting_down") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("not ready: exit %d, output %q; want 1 and one line naming 503 and the status", code, out)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().String()
	_ = ln.Close()
	code, out = runHMS(t, []string{"HTTP_ADDR=" + free}, "healthcheck")
	if code != 1 || !strings.Contains(out, "refused") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("nothing listening: exit %d, output %q; want 1 and one line saying the connection was refused", code, out)
	}
}

// TestVersionCommand: a binary built without -ldflags says dev.
func TestVersionCommand(t *testing.T) {
	code, out := runHMS(t, nil, "version")
	if code != 0 || out != "hms dev (commit dev, built dev)\n" {
		t.Fatalf("exit %d, output %q; want 0 and the dev version", code, out)
	}
}
