package main_test

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
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

// TestShutdownFinishesRequestsInFlight: on SIGTERM the server stops taking connections (/readyz has
// turned 503 shutting_down first: app.TestReadyzTurnsUnreadyOnShutdown) but a request in flight when
// the signal came finishes: a sign-in whose body is half sent before the signal and completed after it
// gets its answer, then the server exits cleanly.
func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	dir := t.TempDir()
	addr := "127.0.0.1:" + freePort(t)
	in := &instance{name: "A", addr: addr, bin: hmsBinary(t), dir: dir, logs: &logBuffer{},
		env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "DEBUG=true", "DATA_DIR=" + dir,
			"HTTP_ADDR=" + addr, "ALLOWED_HOSTS=127.0.0.1,localhost", "SHUTDOWN_TIMEOUT=20s"}}
	t.Cleanup(func() {
		in.kill()
		if t.Failed() {
			t.Log(in.logs.String())
		}
	})
	if err := in.startOnFreePort(t); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", in.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"email":"nobody@hms.local","password":"not the password"}`
	head := "POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := conn.Write([]byte(head + body[:10])); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the handler is reading the body: the request is in flight
	exited := make(chan error, 1)
	go func() {
		err, ok := in.signal(syscall.SIGTERM, time.Minute)
		if !ok {
			err = errors.New("did not exit within a minute")
		}
		exited <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(in.logs.String(), "hms shutting down") {
		if time.Now().After(deadline) {
			t.Fatal("the server did not log that it is shutting down")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := conn.Write([]byte(body[10:])); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the sign-in in flight got %d, want 401 (wrong password)", resp.StatusCode)
	}
	if err := <-exited; err != nil {
		t.Fatalf("the server did not exit cleanly: %v", err)
	}
}
