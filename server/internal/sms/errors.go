package sms

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The two kinds of delivery failure. Match them with errors.Is, or use IsPermanent.
var (
	// ErrPermanent: the same message will fail again (an invalid number, a body too long, a 4xx answer
	// such as a refused number or bad credentials). Trying again needs a change of data or configuration.
	ErrPermanent = errors.New("permanent sms failure")
	// ErrTemporary: trying again later may work (the gateway is unreachable, slow, busy or rate-limits
	// us: 408, 425, 429, 5xx; the context ended).
	ErrTemporary = errors.New("temporary sms failure")
)

// Error is a failed delivery. Its text names the gateway's host, HTTP status, error code and message,
// never the credentials, and shows the recipient's number masked.
type Error struct {
	// Op is the step that failed: "compose" (before any request) or "send" (talking to the gateway).
	Op string
	// Status is the gateway's HTTP status (400, 429, 503), or 0 when it gave none.
	Status int
	// Code is the gateway's own error code (Twilio: "21211", an invalid To number), or "".
	Code      string
	Permanent bool
	// RetryAfter is how long the gateway asked us to wait before trying again (its Retry-After header),
	// or 0.
	RetryAfter time.Duration
	Err        error
}

// Error says what failed and whether it is worth trying again.
func (e *Error) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	s := fmt.Sprintf("sms: %s (%s): %v", e.Op, kind, e.Err)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrPermanent) and errors.Is(err, ErrTemporary) answer by kind.
func (e *Error) Is(target error) bool {
	return (target == ErrPermanent && e.Permanent) || (target == ErrTemporary && !e.Permanent)
}

// IsPermanent reports whether err is a delivery failure that trying again cannot fix. Any other error
// (nil, context.Canceled, context.DeadlineExceeded, anything not from this package) is not permanent:
// when in doubt, trying again is the safe side.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// RetryAfter returns how long the gateway asked to be left alone before the next try, or 0 when err
// carries no such request.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// permanentStatus reports whether an HTTP status that is not 2xx means the same request will fail
// again. Timeouts (408), too early (425), rate limits (429) and server errors (5xx) pass; every other
// answer (400, 401, 403, 404, 422, a redirect to somewhere we were not configured to go) needs a change
// of message or configuration first.
func permanentStatus(status int) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooEarly, status == http.StatusTooManyRequests:
		return false
	case status >= 500:
		return false
	default:
		return true
	}
}

// parseRetryAfter reads a Retry-After header: a number of seconds or an HTTP date. Anything else, or a
// date in the past, is 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 || secs > int64(365*24*time.Hour/time.Second) {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return at.Sub(now).Round(time.Second)
	}
	return 0
}
