package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
)

func serveUI(t *testing.T, dist fstest.MapFS, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	gin.SetMode(gin.TestMode)
	e := gin.New()
	e.NoRoute(webUI(dist, webCSP))
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(method, target, nil))
	return w
}

func TestWebUIServesTheBuild(t *testing.T) {
	t.Parallel()
	dist := fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><div id=root></div>")},
		"assets/index-a1.js": {Data: []byte("console.log(1)")},
	}
	for _, tc := range []struct {
		target, body, cache string
		csp                 bool
	}{
		{"/", "id=root", "no-cache", true},
		{"/reception", "id=root", "no-cache", true}, // a client-side route
		{"/display/cardiology", "id=root", "no-cache", true},
		{"/assets/index-a1.js", "console.log", "immutable", false},
		{"/assets/missing.js", "id=root", "no-cache", true},
	} {
		w := serveUI(t, dist, http.MethodGet, tc.target)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), tc.body) {
			t.Errorf("GET %s: %d %q, want 200 with %q", tc.target, w.Code, w.Body.String(), tc.body)
		}
		if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, tc.cache) {
			t.Errorf("GET %s: Cache-Control %q, want %q", tc.target, cc, tc.cache)
		}
		if csp := w.Header().Get("Content-Security-Policy"); (csp != "") != tc.csp || (tc.csp && !strings.Contains(csp, "frame-ancestors 'none'")) {
			t.Errorf("GET %s: CSP %q, want present=%v", tc.target, csp, tc.csp)
		}
	}
	// API paths and other methods never fall through to the UI.
	for _, r := range [][2]string{{"GET", "/api/nothing"}, {"POST", "/reception"}} {
		w := serveUI(t, dist, r[0], r[1])
		if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), `"code"`) {
			t.Errorf("%s %s: %d %s, want the JSON 404", r[0], r[1], w.Code, w.Body.String())
		}
	}
}

func TestWebUINotBuiltSaysHow(t *testing.T) {
	t.Parallel()
	w := serveUI(t, fstest.MapFS{".gitkeep": {}}, http.MethodGet, "/reception")
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "make build") {
		t.Fatalf("got %d %q, want 503 telling to run make build", w.Code, w.Body.String())
	}
}

func TestWebPolicyAllowsExactlyTheTileHost(t *testing.T) {
	t.Parallel()
	if got := webPolicy(""); got != webCSP {
		t.Errorf("no tiles: got %q, want webCSP", got)
	}
	got := webPolicy("https://tiles.example.org:8443")
	if !strings.Contains(got, "img-src 'self' data: https://tiles.example.org:8443;") {
		t.Errorf("got %q, want the tile origin in img-src", got)
	}
	if strings.Count(got, "tiles.example.org") != 1 || strings.Contains(got, "*") {
		t.Errorf("got %q, want the tile origin once, in img-src only, and no wildcard", got)
	}
}
