// Package proxy forwards the web UI's API calls from the desktop window to the HMS server.
//
// The web UI calls the REST API with relative URLs (/api/...). In a browser those reach the server
// that served the page; in the desktop app they reach the Wails asset server, which answers the
// embedded files itself and hands every other request to this handler.
package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"hms/shared"
)

// Handler forwards requests to the server whose URL Target returns, read per request so that a new
// server URL saved in the settings applies at once.
type Handler struct {
	// Target returns the server's base URL (scheme://host[:port]); "" means none is configured.
	Target func() string

	rp *httputil.ReverseProxy
}

// New returns a Handler forwarding to target().
func New(target func() string) *Handler {
	h := &Handler{Target: target}
	h.rp = &httputil.ReverseProxy{
		Rewrite:      h.rewrite,
		Transport:    newTransport(),
		ErrorHandler: h.unreachable,
	}
	return h
}

// newTransport bounds every wait that does not depend on the server's work: a desk on a dead network
// learns within seconds, not minutes. Long answers are not cut short (there is no overall timeout).
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   8,
		ForceAttemptHTTP2:     true,
	}
}

// targetKey carries the target URL chosen for one request from ServeHTTP to rewrite, so that both
// see the same URL even if the settings change in between.
type targetKey struct{}

// ServeHTTP forwards server requests (every non-GET, and GETs of /api/, /healthz and /readyz) and
// answers 404 for anything else: a GET the asset server passes on is a file the UI does not have.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && !ForServer(r.URL.Path) {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("%s is not part of the desktop app", r.URL.Path))
		return
	}
	raw := h.Target()
	if raw == "" {
		writeError(w, http.StatusBadGateway, "server_unreachable", "no HMS server is configured: set its address in Settings")
		return
	}
	target, err := url.Parse(raw)
	if err != nil || target.Host == "" {
		writeError(w, http.StatusBadGateway, "server_unreachable", fmt.Sprintf("server URL %q is not valid: set it in Settings", raw))
		return
	}
	h.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), targetKey{}, target)))
}

// ForServer reports whether a GET of path belongs to the server rather than to the UI's files.
func ForServer(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/healthz" || path == "/readyz"
}

func (h *Handler) rewrite(pr *httputil.ProxyRequest) {
	target := pr.In.Context().Value(targetKey{}).(*url.URL)
	pr.SetURL(target) // also sets Host to the server's, which its ALLOWED_HOSTS check wants
	// The webview's own origin (wails://wails) means nothing to the server, which lets requests
	// without an Origin through; the Referer would only leak the webview's internal URL.
	pr.Out.Header.Del("Origin")
	pr.Out.Header.Del("Referer")
}

// unreachable answers a request the server did not answer, in the server's own error shape.
func (h *Handler) unreachable(w http.ResponseWriter, r *http.Request, err error) {
	target, _ := r.Context().Value(targetKey{}).(*url.URL)
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the webview gave up on the request (page closed or reloaded): nobody is listening
	}
	writeError(w, http.StatusBadGateway, "server_unreachable",
		fmt.Sprintf("cannot reach %s: %s", target.Redacted(), reason(err)))
}

// reason turns a transport error into a short phrase for the message shown to the user.
func reason(err error) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		return "unknown host " + dnsErr.Name
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, http.ErrHandlerTimeout):
		return "timed out"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		if opErr.Timeout() {
			return "timed out connecting"
		}
		if opErr.Err != nil {
			return opErr.Err.Error()
		}
	}
	return err.Error()
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(shared.Error{Error: shared.ErrorBody{Code: code, Message: msg}})
}
