package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// principalOf names a request's signed-in caller, for the audit's own routes.
func principalOf(c *gin.Context) (string, shared.Role) {
	p, _ := auth.PrincipalOf(c)
	return p.UserID, p.Role
}

// logged audits a settings change (a route's LogAs) once its handler has answered: the caller, the
// :id it names (when it is an id) and the outcome read from the status. The answer is sent first, so
// a failure to write the entry is logged, not answered.
func (a *App) logged(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		p, _ := auth.PrincipalOf(c)
		target := c.Param("id")
		if !ident.Valid(target) {
			target = ""
		}
		if err := a.audit.Security(c.Request.Context(), p.UserID, p.Role, target, action, "", statusError(c.Writer.Status())); err != nil {
			a.Log.Error("audit entry not written", "action", action, "err", err)
		}
	}
}

// statusError is the error category of a status, for an outcome.
func statusError(status int) error {
	switch {
	case status < 400:
		return nil
	case status == http.StatusUnauthorized:
		return fault.ErrUnauthenticated
	case status == http.StatusForbidden:
		return fault.ErrForbidden
	case status == http.StatusNotFound:
		return fault.ErrNotFound
	case status == http.StatusTooManyRequests:
		return fault.ErrTooMany
	case status < 500:
		return fault.ErrInvalid
	default:
		return fault.ErrUnavailable
	}
}

// integrations says which outside services this instance uses (no address, no secret): its
// start-up is audited with it, so that a change between restarts shows in the activity log.
func (a *App) integrations() string {
	on := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	cfg := a.Config
	return strings.Join([]string{
		"email " + on(cfg.EmailHost != ""), "sms " + cfg.SMSProvider, "stripe " + on(cfg.OnlinePayment()),
		"redis " + on(cfg.RedisURL != ""), "metrics " + on(a.metricsExposed()), "storage " + cfg.StorageMode(),
	}, ", ")
}

// anchorInterval is AUDIT_ANCHOR_INTERVAL, 10 minutes when unset or not positive.
func (a *App) anchorInterval() time.Duration {
	if d := a.Config.AuditAnchorInterval; d > 0 {
		return d
	}
	return 10 * time.Minute
}

// startAudit records the instance's start (its integrations) and anchors every live chain at once,
// so that a chain left by a previous run of this instance is anchored now.
func (a *App) startAudit(ctx context.Context) error {
	if err := a.audit.Security(ctx, "", "", "", "settings.startup", a.integrations(), nil); err != nil {
		return err
	}
	if _, err := a.audit.Anchor(ctx, 2*a.anchorInterval()); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// VerifyAudit checks the audit trail's chains (audit.Verify), for tests and tools.
func (a *App) VerifyAudit(ctx context.Context) (audit.Report, error) { return a.audit.Verify(ctx) }
