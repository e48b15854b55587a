package notify

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/server/internal/ident"
	"hms/shared"
)

// SendHandler handles POST /api/notifications/send.
func (s *Service) SendHandler(c *gin.Context) {
	var req shared.SendNotificationRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusCreated)(s.Send(c.Request.Context(), p, req))
}

// ListHandler handles GET /api/notifications (the caller's own; ?unread=true, ?page=, ?limit=).
func (s *Service) ListHandler(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	unread, err := httpx.Flag(c, "unread")
	if err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.List(c.Request.Context(), p, unread, page, limit))
}

// ReadHandler handles POST /api/notifications/{id}/read.
func (s *Service) ReadHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.MarkRead(c.Request.Context(), p, c.Param("id")))
}

// ReadAllHandler handles POST /api/notifications/read-all.
func (s *Service) ReadAllHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.MarkAllRead(c.Request.Context(), p))
}

// PreferencesHandler handles GET /api/me/notification-preferences.
func (s *Service) PreferencesHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.GetPreferences(c.Request.Context(), p))
}

// SetPreferencesHandler handles PUT /api/me/notification-preferences.
func (s *Service) SetPreferencesHandler(c *gin.Context) {
	var req shared.NotificationPreferences
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.SetPreferences(c.Request.Context(), p, req))
}

// DeliveriesHandler handles GET /api/deliveries (admins).
func (s *Service) DeliveriesHandler(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	httpx.Reply(c, http.StatusOK)(s.Deliveries(c.Request.Context(), c.Query("status"), c.Query("channel"), page, limit))
}

// RetryHandler handles POST /api/deliveries/{id}/retry (admins).
func (s *Service) RetryHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	id := c.Param("id")
	if notif, ch, ok := strings.Cut(id, "-"); !ok || !ident.Valid(notif) || (ch != shared.ChannelEmail && ch != shared.ChannelSMS) {
		httpx.Error(c, fault.Invalid("malformed delivery id: want <notification id>-email or <notification id>-sms"))
		return
	}
	d, err := s.Retry(c.Request.Context(), p.UserID, id)
	httpx.Reply(c, http.StatusOK)(d.Public(), err)
}
