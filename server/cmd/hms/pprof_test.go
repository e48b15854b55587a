package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// TestPprofServedOnLoopbackOnly: the profiler (no authentication) listens only on a loopback address,
// on its own mux; an address that turns out to listen on every interface is refused. PPROF_ADDR
// itself is checked by config (TestPprofAddrLoopbackOnly).
func TestPprofServedOnLoopbackOnly(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, addr := range []string{"0.0.0.0:0", ":0"} {
		if got, err := servePprof(addr, log); err == nil || !strings.Contains(err.Error(), "not on loopback") {
			t.Errorf("servePprof(%q): got %v, %v, want a refusal naming loopback", addr, got, err)
		}
	}
	got, err := servePprof("127.0.0.1:0", log)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	resp, err := http.Get("http://" + got.String() + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || len(body) == 0 {
		t.Fatalf("got %d %q, want 200 and the command line", resp.StatusCode, body)
	}
}
