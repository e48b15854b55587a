package proxy

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"hms/shared"
)

// seen is what the fake server received.
type seen struct {
	Method, Path, Query, Host, Body    string
	Origin, Referer, Authorization, ID string
}

// fakeServer records each request and answers 201 with a JSON body and a header of its own.
func fakeServer(t *testing.T, id string) (*httptest.Server, *atomic.Pointer[seen]) {
	t.Helper()
	var last atomic.Pointer[seen]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		last.Store(&seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Host: r.Host, Body: string(b),
			Origin: r.Header.Get("Origin"), Referer: r.Header.Get("Referer"),
			Authorization: r.Header.Get("Authorization"), ID: id})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-"+id)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"from":"`+id+`"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &last
}

func TestForwards(t *testing.T) {
	srv, last := fakeServer(t, "a")
	h := New(func() string { return srv.URL })

	req := httptest.NewRequest(http.MethodPost, "wails://wails/api/auth/login?x=1", strings.NewReader(`{"email":"a@b.c"}`))
	req.Header.Set("Origin", "wails://wails")
	req.Header.Set("Referer", "wails://wails/")
	req.Header.Set("Authorization", "Bearer t0k")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	if rec.Code != http.StatusCreated || rec.Body.String() != `{"from":"a"}` || rec.Header().Get("X-Request-Id") != "req-a" {
		t.Fatalf("got %d %q (X-Request-Id %q), want the server's 201 answer", rec.Code, rec.Body, rec.Header().Get("X-Request-Id"))
	}
	got := *last.Load()
	want := seen{Method: "POST", Path: "/api/auth/login", Query: "x=1", Host: strings.TrimPrefix(srv.URL, "http://"),
		Body: `{"email":"a@b.c"}`, Authorization: "Bearer t0k", ID: "a"}
	if got != want {
		t.Fatalf("server got %+v, want %+v", got, want)
	}
}

func TestServerRequestsOnly(t *testing.T) {
	srv, last := fakeServer(t, "a")
	h := New(func() string { return srv.URL })
	tests := []struct {
		method, path string
		forwarded    bool
	}{
		{"GET", "/api/me", true},
		{"GET", "/healthz", true},
		{"GET", "/readyz", true},
		{"PUT", "/api/patient/1", true},
		{"DELETE", "/anything", true}, // every non-GET: the asset server only answers GETs
		{"GET", "/missing.js", false},
		{"GET", "/apiary", false},
		{"GET", "/healthz/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			last.Store(nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if forwarded := last.Load() != nil; forwarded != tt.forwarded {
				t.Fatalf("forwarded = %v, want %v (status %d)", forwarded, tt.forwarded, rec.Code)
			}
			if !tt.forwarded {
				assertError(t, rec, http.StatusNotFound, "not_found", tt.path)
			}
		})
	}
}

func TestTargetReadPerRequest(t *testing.T) {
	a, _ := fakeServer(t, "a")
	b, _ := fakeServer(t, "b")
	var target atomic.Value
	target.Store(a.URL)
	h := New(func() string { return target.Load().(string) })

	for _, step := range []struct{ url, want string }{{a.URL, "a"}, {b.URL, "b"}, {a.URL, "a"}} {
		target.Store(step.url)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/me", nil))
		if got := rec.Body.String(); got != `{"from":"`+step.want+`"}` {
			t.Fatalf("with target %s got %s, want the answer of server %s", step.url, got, step.want)
		}
	}
}

func TestUnreachable(t *testing.T) {
	// A port that was just free: nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()

	tests := []struct {
		name, target, wantMsg string
	}{
		{"server down", down, "cannot reach " + down + ": "},
		{"unknown host", "http://no-such-host.invalid", "cannot reach http://no-such-host.invalid: "},
		{"not configured", "", "no HMS server is configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(func() string { return tt.target })
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/auth/refresh", strings.NewReader("{}")))
			assertError(t, rec, http.StatusBadGateway, "server_unreachable", tt.wantMsg)
		})
	}

	// The exact body, as the frontend reads it.
	rec := httptest.NewRecorder()
	New(func() string { return down }).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	want := `{"error":{"code":"server_unreachable","message":"cannot reach ` + down + `: connect: connection refused"},"request_id":""}` + "\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

// assertError checks that rec holds the server's error shape with the given status and code, and a
// message containing msg.
func assertError(t *testing.T, rec *httptest.ResponseRecorder, status int, code, msg string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d (body %s)", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var e shared.Error
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("body %s is not the error shape: %v", rec.Body, err)
	}
	if e.Error.Code != code || !strings.Contains(e.Error.Message, msg) {
		t.Errorf("got %+v, want code %q and a message containing %q", e.Error, code, msg)
	}
}
