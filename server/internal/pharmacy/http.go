package pharmacy

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/httpx"
	"hms/shared"
)

// CreateMedicationHandler handles POST /api/medications.
func (s *Service) CreateMedicationHandler(c *gin.Context) {
	var req shared.CreateMedicationRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	m, err := s.CreateMedication(c.Request.Context(), p, req)
	httpx.Reply(c, http.StatusCreated)(m.Public(), err)
}

// MedicationsHandler handles GET /api/medications?q=.
func (s *Service) MedicationsHandler(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	httpx.Reply(c, http.StatusOK)(s.Medications(c.Request.Context(), c.Query("q"), page, limit))
}

// MoveStockHandler handles POST /api/medications/{id}/stock.
func (s *Service) MoveStockHandler(c *gin.Context) {
	var req shared.StockRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	m, err := s.MoveStock(c.Request.Context(), p, c.Param("id"), req)
	httpx.Reply(c, http.StatusCreated)(m.Public(), err)
}

// StockHandler handles GET /api/medications/{id}/stock.
func (s *Service) StockHandler(c *gin.Context) {
	httpx.Reply(c, http.StatusOK)(s.Stock(c.Request.Context(), c.Param("id")))
}

// PrescribeHandler handles POST /api/patients/{id}/prescriptions.
func (s *Service) PrescribeHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.PrescribeRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		_ = s.record(c.Request.Context(), p, c.Param("id"), "prescription.create", err)
		httpx.Error(c, err)
		return
	}
	httpx.Reply(c, http.StatusCreated)(s.Prescribe(c.Request.Context(), p, c.Param("id"), req))
}

// ListHandler handles GET /api/patients/{id}/prescriptions.
func (s *Service) ListHandler(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.List(c.Request.Context(), p, c.Param("id"), page, limit))
}

// GetHandler handles GET /api/prescriptions/{id}.
func (s *Service) GetHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Get(c.Request.Context(), p, c.Param("id")))
}

// CancelHandler handles POST /api/prescriptions/{id}/cancel; the body ({"reason": …}) is optional.
func (s *Service) CancelHandler(c *gin.Context) {
	var req shared.ReasonRequest
	if c.Request.ContentLength != 0 {
		if err := httpx.BindJSON(c, &req); err != nil {
			httpx.Error(c, err)
			return
		}
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Cancel(c.Request.Context(), p, c.Param("id"), req))
}

// DispenseHandler handles POST /api/prescriptions/{id}/dispense (Idempotency-Key header, or a body
// naming the fill). A repeat answers the same, with Idempotent-Replayed: true.
func (s *Service) DispenseHandler(c *gin.Context) {
	var req shared.DispenseRequest
	if c.Request.ContentLength != 0 {
		if err := httpx.BindJSON(c, &req); err != nil {
			httpx.Error(c, err)
			return
		}
	}
	key, err := httpx.IdempotencyKey(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.ReplyKeyed(c, http.StatusCreated)(s.Dispense(c.Request.Context(), p, c.Param("id"), key, req))
}

// QueueHandler handles GET /api/prescriptions?status=pending: the pharmacy's work queue.
func (s *Service) QueueHandler(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Queue(c.Request.Context(), p, c.Query("status"), page, limit))
}
