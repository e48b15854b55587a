package httpx

import (
	"log/slog"

	"github.com/gin-gonic/gin"
)

// EngineOptions configures the shared middleware.
type EngineOptions struct {
	Log            *slog.Logger
	AllowedHosts   []string
	TrustedProxies []string // nil: trust no proxy, so X-Forwarded-For is ignored
	MaxBodyBytes   int64
	// BodyLimits lifts MaxBodyBytes for named routes ("POST /api/x/:id/files", gin's pattern), e.g. a
	// file upload; every other route keeps MaxBodyBytes.
	BodyLimits map[string]int64
	// Observe, when set, is told of every answered request (route template, method, status, time).
	Observe Observer
}

// NewEngine returns a gin engine with the middleware every route runs through.
func NewEngine(o EngineOptions) (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// Without this, gin trusts every proxy and a spoofed X-Forwarded-For forges client IPs.
	if err := e.SetTrustedProxies(o.TrustedProxies); err != nil {
		return nil, err
	}
	e.HandleMethodNotAllowed = true
	e.NoRoute(NotFoundHandler)
	e.NoMethod(MethodNotAllowedHandler)
	e.Use(RequestIDs(), Recover(), AccessLog(o.Log, o.Observe), SecurityHeaders(), AllowedHosts(o.AllowedHosts), LimitBody(o.MaxBodyBytes, o.BodyLimits))
	return e, nil
}
