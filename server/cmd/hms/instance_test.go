package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The server binary is built once for the tests that run together and removed when the last ends
// (testenv.Main exits the process, so there is no later point to clean up at).
var built struct {
	mu    sync.Mutex
	users int
	dir   string
	path  string
}

// hmsBinary returns the path of the server binary built from this package.
func hmsBinary(t *testing.T) string {
	t.Helper()
	built.mu.Lock()
	defer built.mu.Unlock()
	if built.path == "" {
		dir, err := os.MkdirTemp("", "hms-cluster-bin-")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "hms")
		cmd := exec.Command("go", "build", "-o", path, ".") // the test runs in the package directory
		if out, err := cmd.CombinedOutput(); err != nil {
			_ = os.RemoveAll(dir)
			t.Fatalf("go build -o %s .: %v\n%s", path, err, out)
		}
		built.dir, built.path = dir, path
	}
	built.users++
	t.Cleanup(func() {
		built.mu.Lock()
		defer built.mu.Unlock()
		if built.users--; built.users == 0 {
			_ = os.RemoveAll(built.dir)
			built.dir, built.path = "", ""
		}
	})
	return built.path
}

// logBuffer collects a process's stdout and stderr (written from two goroutines).
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// instance is one server process, restartable on the same address.
type instance struct {
	name string
	addr string // 127.0.0.1:port
	bin  string
	dir  string // working and data directory
	env  []string
	logs *logBuffer

	mu      sync.Mutex
	cmd     *exec.Cmd     // nil while not running
	exited  chan struct{} // closed when cmd has exited
	exitErr error
	runs    int
}

func (in *instance) url() string { return "http://" + in.addr }

// start runs the process and waits (up to a minute) until it logged that it is ready and GET /readyz
// answers 200. The log line matters: the address was free when the test chose it, and another test's
// server that took it meanwhile would answer /readyz too.
func (in *instance) start() error {
	in.mu.Lock()
	if in.cmd != nil {
		in.mu.Unlock()
		return fmt.Errorf("%s is already running", in.name)
	}
	in.runs++
	fmt.Fprintf(in.logs, "----- %s: start #%d on %s at %s -----\n", in.name, in.runs, in.addr, time.Now().Format("15:04:05.000"))
	from := len(in.logs.String())
	ready := `"msg":"hms ready","url":"` + in.url() + `"`
	cmd := exec.Command(in.bin, "serve")
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = in.env, in.dir, in.logs, in.logs
	if err := cmd.Start(); err != nil {
		in.mu.Unlock()
		return fmt.Errorf("start %s: %w", in.name, err)
	}
	exited := make(chan struct{})
	in.cmd, in.exited, in.exitErr = cmd, exited, nil
	in.mu.Unlock()
	go func() { // ends when the process does
		err := cmd.Wait()
		fmt.Fprintf(in.logs, "----- %s: exited at %s: %v -----\n", in.name, time.Now().Format("15:04:05.000"), err)
		in.mu.Lock()
		in.cmd, in.exitErr = nil, err
		in.mu.Unlock()
		close(exited)
	}()
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case <-exited:
			return fmt.Errorf("%s exited before it was ready: %v", in.name, in.exitError())
		default:
		}
		if strings.Contains(in.logs.String()[from:], ready) {
			if code, _, err := in.readyz(); err == nil && code == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: /readyz did not answer 200 within a minute", in.name)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (in *instance) exitError() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.exitErr
}

// signal sends sig and waits up to timeout for the process to exit; it returns the exit error and
// whether the process exited.
func (in *instance) signal(sig syscall.Signal, timeout time.Duration) (error, bool) {
	in.mu.Lock()
	cmd, exited := in.cmd, in.exited
	in.mu.Unlock()
	if cmd == nil {
		return in.exitError(), true
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-exited:
		return in.exitError(), true
	case <-time.After(timeout):
		return nil, false
	}
}

func (in *instance) kill() { _, _ = in.signal(syscall.SIGKILL, time.Minute) }

var readyClient = &http.Client{Timeout: 5 * time.Second}

// readyz returns /readyz's status code and "status" field.
func (in *instance) readyz() (int, string, error) {
	resp, err := readyClient.Get(in.url() + "/readyz")
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &body)
	return resp.StatusCode, body.Status, nil
}

// startOnFreePort starts the instance, and again on another port (up to three times) when another
// process took its port between the test choosing it and the server binding it.
func (in *instance) startOnFreePort(t *testing.T) error {
	for try := 1; ; try++ {
		err := in.start()
		if err == nil || try == 3 || !strings.Contains(in.logs.String(), "address already in use") {
			return err
		}
		in.addr = "127.0.0.1:" + freePort(t)
		for i, kv := range in.env {
			if strings.HasPrefix(kv, "HTTP_ADDR=") {
				in.env[i] = "HTTP_ADDR=" + in.addr
			}
		}
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}
