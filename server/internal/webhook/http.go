package webhook

import (
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/httpx"
)

// List is a list answer.
type List[T any] struct {
	Items []T `json:"items"`
}

// CatalogueHandler handles GET /api/webhooks/catalogue.
func (s *Service) CatalogueHandler(c *gin.Context) {
	c.JSON(http.StatusOK, List[CatalogueEntry]{Items: Catalogue})
}

// ListHandler handles GET /api/webhooks/subscriptions.
func (s *Service) ListHandler(c *gin.Context) {
	subs, err := s.Subscriptions(c.Request.Context())
	httpx.Reply(c, http.StatusOK)(List[Subscription]{Items: nonNil(subs)}, err)
}

// CreateHandler handles POST /api/webhooks/subscriptions.
func (s *Service) CreateHandler(c *gin.Context) {
	var req SubscriptionRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusCreated)(s.CreateSubscription(c.Request.Context(), p, req))
}

// EnabledRequest enables or disables a subscription.
type EnabledRequest struct {
	Enabled *bool `json:"enabled"`
}

// UpdateHandler handles PATCH /api/webhooks/subscriptions/{id} ({"enabled": bool}).
func (s *Service) UpdateHandler(c *gin.Context) {
	var req EnabledRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	if req.Enabled == nil {
		httpx.Error(c, fault.Invalid("enabled is required (true or false)"))
		return
	}
	httpx.Reply(c, http.StatusOK)(s.SetEnabled(c.Request.Context(), c.Param("id"), *req.Enabled))
}

// DeleteHandler handles DELETE /api/webhooks/subscriptions/{id}.
func (s *Service) DeleteHandler(c *gin.Context) {
	httpx.Reply(c, http.StatusNoContent)(nil, s.DeleteSubscription(c.Request.Context(), c.Param("id")))
}

// LogHandler handles GET /api/webhooks/subscriptions/{id}/deliveries (?state=, ?limit=).
func (s *Service) LogHandler(c *gin.Context) {
	_, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	httpx.Reply(c, http.StatusOK)(s.DeliveryLog(c.Request.Context(), c.Param("id"), c.Query("state"), limit))
}

// TestHandler handles POST /api/webhooks/subscriptions/{id}/test.
func (s *Service) TestHandler(c *gin.Context) {
	httpx.Reply(c, http.StatusAccepted)(s.SendTest(c.Request.Context(), c.Param("id")))
}

// RedeliverRequest names the delivery to send again (its id holds characters a path would not).
type RedeliverRequest struct {
	DeliveryID string `json:"delivery_id"`
}

// RedeliverHandler handles POST /api/webhooks/redeliver.
func (s *Service) RedeliverHandler(c *gin.Context) {
	var req RedeliverRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	if req.DeliveryID == "" || len(req.DeliveryID) > 300 {
		httpx.Error(c, fault.Invalid("delivery_id is required"))
		return
	}
	httpx.Reply(c, http.StatusAccepted)(s.Redeliver(c.Request.Context(), req.DeliveryID))
}

// PartnersHandler handles GET /api/webhooks/partners.
func (s *Service) PartnersHandler(c *gin.Context) {
	ps, err := s.Partners(c.Request.Context())
	httpx.Reply(c, http.StatusOK)(List[Partner]{Items: nonNil(ps)}, err)
}

// CreatePartnerHandler handles POST /api/webhooks/partners.
func (s *Service) CreatePartnerHandler(c *gin.Context) {
	var req PartnerRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusCreated)(s.CreatePartner(c.Request.Context(), p, req))
}

// ReceiptsHandler handles GET /api/webhooks/partners/{id}/received.
func (s *Service) ReceiptsHandler(c *gin.Context) {
	_, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	rs, err := s.Receipts(c.Request.Context(), c.Param("id"), limit)
	httpx.Reply(c, http.StatusOK)(List[Receipt]{Items: nonNil(rs)}, err)
}

// InboundHandler handles POST /api/webhooks/inbound/{id}: a partner's signed webhook.
func (s *Service) InboundHandler(c *gin.Context) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		httpx.Error(c, fault.Invalid("could not read the request body"))
		return
	}
	httpx.Reply(c, http.StatusOK)(s.Receive(c.Request.Context(), c.Param("id"), c.Request.Header, body))
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}
