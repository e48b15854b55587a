package testenv

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// StripeMockInstall is the command that builds the pinned stripe-mock (Stripe's own API emulator) where
// StripeMock looks for it first (scripts/test.sh runs it through scripts/lib.sh's ensure_stripe_mock).
const StripeMockInstall = "GOWORK=off GOBIN=$PWD/.cache/bin go install github.com/stripe/stripe-mock@v0.203.0"

// StripeMock returns the base URL of a stripe-mock, a real emulator of Stripe's API that validates each
// request against Stripe's OpenAPI description and answers with Stripe's fixtures. STRIPE_MOCK_URL names
// one already running (scripts/test.sh may start one); otherwise one is started for this test alone on a
// free loopback port and stopped when the test ends. Without the binary the test fails saying how to
// build it; it never skips.
func StripeMock(t testing.TB) string {
	t.Helper()
	if u := strings.TrimRight(os.Getenv("STRIPE_MOCK_URL"), "/"); u != "" {
		if err := waitStripeMock(u, nil, nil); err != nil {
			t.Fatalf("STRIPE_MOCK_URL=%s: %v", u, err)
		}
		return u
	}
	bin, ok := toolBinary("stripe-mock")
	if !ok {
		t.Fatalf("stripe-mock not found in .cache/bin or on PATH: build it with `%s` from the repository root, or run scripts/test.sh, which does", StripeMockInstall)
	}
	// Both listeners on free loopback ports: without -https-addr it would also take the fixed port 12112,
	// which a second test's stripe-mock could not then have.
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cmd := exec.Command(bin, "-http-addr", addr, "-https-addr", fmt.Sprintf("127.0.0.1:%d", freePort(t)))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	// exited is closed by the goroutine that waits for the process, which ends when stripe-mock does;
	// waitErr is read only after that.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	u := "http://" + addr
	if err := waitStripeMock(u, exited, &waitErr); err != nil {
		t.Fatalf("stripe-mock on %s: %v", addr, err)
	}
	return u
}

// waitStripeMock waits until stripe-mock answers an API call (it asks for a key, so 401 is an answer).
func waitStripeMock(base string, exited <-chan struct{}, waitErr *error) error {
	client := &http.Client{Timeout: 500 * time.Millisecond}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("exited before it was ready: %v", *waitErr)
		default:
		}
		if resp, err := client.Get(base + "/v1/balance"); err == nil {
			_ = resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("not answering within 30s")
}
