// Package httpx holds what every HTTP route shares: the gin engine's set-up, middleware, strict JSON
// binding, and the one mapping from error categories to status codes and the JSON error body.
package httpx

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fault"
	"hms/shared"
)

var categories = []struct {
	err    error
	status int
	code   string
	msg    string // used when the error carries no client-safe message
}{
	{fault.ErrInvalid, http.StatusBadRequest, "invalid_request", "the request is not valid"},
	{fault.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated", "authentication required"},
	{fault.ErrForbidden, http.StatusForbidden, "forbidden", "you are not allowed to do this"},
	{fault.ErrNotFound, http.StatusNotFound, "not_found", "not found"},
	{fault.ErrConflict, http.StatusConflict, "conflict", "conflicts with the current state"},
	{errTooLarge, http.StatusRequestEntityTooLarge, "too_large", "the request body is too large"},
	{fault.ErrTooMany, http.StatusTooManyRequests, "too_many_requests", "too many requests, try again later"},
	{fault.ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "a service this needs is unavailable, try again shortly"},
	{fault.ErrUpstream, http.StatusBadGateway, "upstream_failed", "a service this was passed on to refused it or failed"},
}

// Error writes err as the JSON error body with the status its category maps to, and aborts the chain.
// An uncategorised error becomes a generic 500; its detail goes to the log with the request ID only.
func Error(c *gin.Context, err error) {
	status, body := describe(err)
	body.RequestID = RequestID(c)
	if status >= 500 {
		slog.ErrorContext(c.Request.Context(), "request failed",
			"request_id", body.RequestID, "method", c.Request.Method, "route", c.FullPath(), "err", err)
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="hms"`)
	}
	c.AbortWithStatusJSON(status, body)
}

func describe(err error) (int, shared.Error) {
	for _, k := range categories {
		if errors.Is(err, k.err) {
			msg, ok := fault.Public(err)
			if !ok {
				msg = k.msg
			}
			code := k.code
			if c := fault.CodeOf(err); c != "" {
				code = c
			}
			return k.status, shared.Error{Error: shared.ErrorBody{Code: code, Message: msg}}
		}
	}
	return http.StatusInternalServerError, shared.Error{Error: shared.ErrorBody{
		Code: "internal", Message: "something went wrong on our side; quote the request ID if you report it"}}
}

// NotFoundHandler answers unknown routes in the common error shape.
func NotFoundHandler(c *gin.Context) {
	Error(c, fault.New(fault.ErrNotFound, "no such route: %s %s", c.Request.Method, c.Request.URL.Path))
}

// MethodNotAllowedHandler answers a known path with the wrong method.
func MethodNotAllowedHandler(c *gin.Context) {
	c.AbortWithStatusJSON(http.StatusMethodNotAllowed, shared.Error{
		Error:     shared.ErrorBody{Code: "method_not_allowed", Message: c.Request.Method + " is not allowed here"},
		RequestID: RequestID(c),
	})
}

// Reply returns the function that answers with a service call's result: the value as JSON with
// status, or the error as Error maps it. It is how every handler answers in JSON; a handler ends with
// httpx.Reply(c, http.StatusOK)(s.Get(ctx, p, c.Param("id"))), or, for a result that needs shaping,
// httpx.Reply(c, http.StatusOK)(shared.List{Items: items}, err) (the value is not written on error).
// With 204 No Content the value is ignored and no body or Content-Type is written:
// httpx.Reply(c, http.StatusNoContent)(nil, s.Delete(ctx, id)).
func Reply(c *gin.Context, status int) func(any, error) {
	return func(v any, err error) {
		if err != nil {
			Error(c, err)
			return
		}
		if status == http.StatusNoContent {
			c.Status(status)
			return
		}
		c.JSON(status, v)
	}
}
