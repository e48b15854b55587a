package httpx

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fault"
)

const requestIDKey = "hms.request_id"

// RequestID returns the request's ID, set by the RequestIDs middleware.
func RequestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// RequestIDs gives every request an ID, echoed in X-Request-ID. A client-supplied ID is kept when it is
// short and plain, so that a caller can correlate; anything else is replaced.
func RequestIDs() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !plainID(id) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set(requestIDKey, id)
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

func plainID(s string) bool {
	if len(s) < 8 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

// Observer is told of every answered request, with the same route template, status and time the access
// log records (the metrics' HTTP figures).
type Observer func(route, method string, status int, took time.Duration)

// AccessLog logs one structured line per request. It logs the route pattern, never the query string or
// headers, so that no token or patient detail reaches the log. observe, when not nil, is given the same
// figures.
func AccessLog(log *slog.Logger, observe Observer) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		took := time.Since(start)
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := c.Writer.Status()
		log.LogAttrs(c.Request.Context(), slog.LevelInfo, "http",
			slog.String("request_id", RequestID(c)),
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Duration("took", took),
			slog.String("ip", c.ClientIP()),
		)
		if observe != nil {
			observe(route, c.Request.Method, status, took)
		}
	}
}

// Recover turns a panic into the generic 500 body; the panic value goes to the log only.
func Recover() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(discard{}, func(c *gin.Context, rec any) {
		slog.ErrorContext(c.Request.Context(), "panic", "request_id", RequestID(c), "panic", rec)
		Error(c, errPanic)
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

type panicError struct{}

func (panicError) Error() string { return "panic in handler" }

var errPanic = panicError{}

// AllowedHosts refuses requests whose Host is not in the list (ALLOWED_HOSTS), as Django does; "*"
// allows every host.
func AllowedHosts(hosts []string) gin.HandlerFunc {
	allowAll := false
	set := map[string]bool{}
	for _, h := range hosts {
		if h == "*" {
			allowAll = true
		}
		set[strings.ToLower(strings.Trim(h, "[]"))] = true
	}
	return func(c *gin.Context) {
		if allowAll {
			c.Next()
			return
		}
		host := c.Request.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if !set[strings.ToLower(strings.Trim(host, "[]"))] {
			Error(c, fault.Invalid("host %q is not served here (ALLOWED_HOSTS)", c.Request.Host))
			return
		}
		c.Next()
	}
}

// LimitBody caps the request body; reading past the cap fails and BindJSON answers 413. A declared
// Content-Length over the cap is refused before anything is read. A route named in perRoute ("METHOD
// /pattern") has its own cap instead.
func LimitBody(max int64, perRoute map[string]int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := max
		if n, ok := perRoute[c.Request.Method+" "+c.FullPath()]; ok {
			limit = n
		}
		if c.Request.ContentLength > limit {
			Error(c, errTooLarge)
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}

// SecurityHeaders sets the headers every API response should carry.
func SecurityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		c.Next()
	}
}

// ReadBody reads the whole request body before the request goes on (the body limit of LimitBody and
// the server's read timeout bound the read), so that what follows — the concurrency gate above all —
// never waits on a slow or half-sent body. A body over the limit gets 413.
func ReadBody() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body == nil || c.Request.Body == http.NoBody {
			c.Next()
			return
		}
		data, err := io.ReadAll(c.Request.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				Error(c, fmt.Errorf("%w: over %d bytes", errTooLarge, mbe.Limit))
			} else {
				Error(c, fault.Invalid("could not read the request body"))
			}
			return
		}
		_ = c.Request.Body.Close()
		c.Request.Body = io.NopCloser(bytes.NewReader(data))
		c.Next()
	}
}

// errBusy answers a request that waited its whole life for a turn.
var errBusy = fault.New(fault.ErrUnavailable, "the server is busy; try again shortly")

// Concurrency lets at most n API requests work at once; the others wait their turn (in arrival order,
// as far as the runtime schedules them) for as long as their context lives. Under a burst — a few
// hundred people booking the same popular slot — the database then serves a steady n operations
// instead of timing out under hundreds at once.
func Concurrency(n int) gin.HandlerFunc {
	turns := make(chan struct{}, n)
	return func(c *gin.Context) {
		select {
		case turns <- struct{}{}:
		case <-c.Request.Context().Done():
			Error(c, errBusy)
			c.Abort()
			return
		}
		defer func() { <-turns }()
		c.Next()
	}
}
