package notify

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/httpx"
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
	n, err := s.Send(c.Request.Context(), p, req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, n.Public())
}

// ListHandler handles GET /api/notifications (the caller's own, ?page= and ?limit=, capped).
func (s *Service) ListHandler(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	list, err := s.List(c.Request.Context(), p, page, limit)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	out := shared.NotificationList{Items: make([]shared.Notification, 0, len(list)), Page: page, Limit: limit}
	for _, n := range list {
		out.Items = append(out.Items, n.Public())
	}
	c.JSON(http.StatusOK, out)
}
