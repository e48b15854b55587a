package alert

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/httpx"
	"hms/shared"
)

// RaiseHandler handles POST /api/alerts/emergency.
func (s *Service) RaiseHandler(c *gin.Context) {
	var req shared.RaiseAlertRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusCreated)(s.Raise(c.Request.Context(), p, req))
}

// AckHandler handles POST /api/alerts/{id}/ack.
func (s *Service) AckHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Ack(c.Request.Context(), p, c.Param("id")))
}

// ResolveHandler handles POST /api/alerts/{id}/resolve.
func (s *Service) ResolveHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Resolve(c.Request.Context(), p, c.Param("id")))
}

// ListHandler handles GET /api/alerts.
func (s *Service) ListHandler(c *gin.Context) {
	_, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	list, err := s.List(c.Request.Context(), limit)
	httpx.Reply(c, http.StatusOK)(shared.AlertList{Items: list, Limit: limit}, err)
}

// BroadcastHandler handles POST /api/broadcasts.
func (s *Service) BroadcastHandler(c *gin.Context) {
	var req shared.BroadcastRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusCreated)(s.Broadcast(c.Request.Context(), p, req))
}
