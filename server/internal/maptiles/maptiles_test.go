package maptiles

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeGoogle stands in for the Map Tiles API's createSession: it checks the key and the body and
// answers sessions s1, s2, … valid for two weeks from now(), or fails while down is set.
func fakeGoogle(t *testing.T, now func() time.Time, down *atomic.Bool) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/createSession" {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("key") != "K3Y" {
			http.Error(w, `{"error":{"code":403,"message":"API key not valid"}}`, http.StatusForbidden)
			return
		}
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["mapType"] != "roadmap" || body["language"] != "en-GB" || body["region"] != "GB" {
			t.Errorf("createSession body %v (%v)", body, err)
		}
		if down.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		n := calls.Add(1)
		fmt.Fprintf(w, `{"session":"s%d","expiry":"%d","tileWidth":256,"imageFormat":"png","tileHeight":256}`, n, now().Add(14*24*time.Hour).Unix())
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestGoogleSessions(t *testing.T) {
	clock := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	var down atomic.Bool
	srv, calls := fakeGoogle(t, now, &down)
	var logs bytes.Buffer
	g := NewGoogle(srv.URL, "K3Y", "en-GB", now, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()

	got := g.Current(ctx)
	want := srv.URL + "/v1/2dtiles/{z}/{x}/{y}?key=K3Y&session=s1"
	if got.URL != want || !strings.Contains(got.Attribution, "Google") {
		t.Fatalf("first tiles %+v, want %s with Google's attribution", got, want)
	}
	clock = clock.Add(13 * 24 * time.Hour)
	if g.Current(ctx).URL != want || calls.Load() != 1 {
		t.Fatalf("a session with a day left was made again (%d calls)", calls.Load())
	}
	clock = clock.Add(23*time.Hour + 30*time.Minute) // half an hour before it expires
	if u := g.Current(ctx).URL; !strings.HasSuffix(u, "session=s2") {
		t.Fatalf("the session was not renewed in its last hour: %s", u)
	}

	// Google down at renewal: the old session serves until it expires, then no map; a minute later
	// it is tried again.
	down.Store(true)
	clock = clock.Add(14*24*time.Hour - 30*time.Minute)
	if u := g.Current(ctx).URL; !strings.HasSuffix(u, "session=s2") {
		t.Fatalf("the still-valid session was dropped while Google was down: %s", u)
	}
	clock = clock.Add(time.Hour)
	if tl := g.Current(ctx); tl != (Tiles{}) {
		t.Fatalf("an expired session was handed out: %+v", tl)
	}
	down.Store(false)
	if tl := g.Current(ctx); tl != (Tiles{}) || calls.Load() != 2 {
		t.Fatalf("Google was asked again within a minute of failing (%d calls)", calls.Load())
	}
	clock = clock.Add(61 * time.Second)
	if u := g.Current(ctx).URL; !strings.HasSuffix(u, "session=s3") {
		t.Fatalf("no new session once Google answered again: %s", u)
	}
	if !strings.Contains(logs.String(), "503") {
		t.Errorf("the failure was not logged: %s", logs.String())
	}
}

func TestGoogleBadKeyHidesTheMapAndTheKey(t *testing.T) {
	now := time.Now
	var down atomic.Bool
	srv, _ := fakeGoogle(t, now, &down)
	var logs bytes.Buffer
	g := NewGoogle(srv.URL, "wrong-key", "en-GB", now, slog.New(slog.NewTextHandler(&logs, nil)))
	if tl := g.Current(context.Background()); tl != (Tiles{}) {
		t.Fatalf("tiles with a refused key: %+v", tl)
	}
	if !strings.Contains(logs.String(), "403") {
		t.Errorf("the refusal was not logged: %s", logs.String())
	}
	// Unreachable: the transport's error names the URL, which holds the key.
	g = NewGoogle("http://127.0.0.1:1", "s3cret-key", "en-GB", now, slog.New(slog.NewTextHandler(&logs, nil)))
	_ = g.Current(context.Background())
	if strings.Contains(logs.String(), "s3cret-key") {
		t.Errorf("the key reached the log: %s", logs.String())
	}
}

func TestStatic(t *testing.T) {
	if (Static("")).Current(context.Background()) != (Tiles{}) {
		t.Error("an empty template gave a map")
	}
	tl := Static("https://tiles.example.org/{z}/{x}/{y}.png").Current(context.Background())
	if tl.URL != "https://tiles.example.org/{z}/{x}/{y}.png" || tl.Attribution != "Map tiles: tiles.example.org" {
		t.Errorf("static tiles %+v", tl)
	}
}
