package chart

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/httpx"
	"hms/shared"
)

// CreateHandler handles POST /api/patients/{id}/encounters.
func (s *Service) CreateHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.CreateEncounterRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, s.record(c.Request.Context(), p, c.Param("id"), actionCreate, err))
		return
	}
	httpx.Reply(c, http.StatusCreated)(s.Create(c.Request.Context(), p, c.Param("id"), req))
}

// ListHandler handles GET /api/patients/{id}/encounters.
func (s *Service) ListHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, s.record(c.Request.Context(), p, c.Param("id"), actionRead, err))
		return
	}
	httpx.Reply(c, http.StatusOK)(s.List(c.Request.Context(), p, c.Param("id"), page, limit))
}

// GetHandler handles GET /api/encounters/{id}.
func (s *Service) GetHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Get(c.Request.Context(), p, c.Param("id")))
}

// HistoryHandler handles GET /api/encounters/{id}/history.
func (s *Service) HistoryHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.History(c.Request.Context(), p, c.Param("id")))
}

// UpdateHandler handles PATCH /api/encounters/{id}.
func (s *Service) UpdateHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.UpdateEncounterRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, s.record(c.Request.Context(), p, "", actionUpdate, err))
		return
	}
	httpx.Reply(c, http.StatusOK)(s.Update(c.Request.Context(), p, c.Param("id"), req))
}

// VitalsHandler handles POST /api/encounters/{id}/vitals.
func (s *Service) VitalsHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.Vitals
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, s.record(c.Request.Context(), p, "", actionVitals, err))
		return
	}
	httpx.Reply(c, http.StatusCreated)(s.RecordVitals(c.Request.Context(), p, c.Param("id"), req))
}

// ProcedureHandler handles POST /api/encounters/{id}/procedures (doctors; Idempotency-Key required).
func (s *Service) ProcedureHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.RecordProcedureRequest
	key, err := httpx.IdempotencyKey(c)
	if err == nil {
		err = httpx.BindJSON(c, &req)
	}
	if err != nil {
		httpx.Error(c, s.record(c.Request.Context(), p, "", actionProc, err))
		return
	}
	httpx.ReplyKeyed(c, http.StatusCreated)(s.RecordProcedure(c.Request.Context(), p, c.Param("id"), key, req))
}

// EnteredInErrorHandler handles POST /api/procedures/{id}/entered-in-error (doctors).
func (s *Service) EnteredInErrorHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.EnteredInErrorRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, s.record(c.Request.Context(), p, "", actionError, err))
		return
	}
	httpx.Reply(c, http.StatusOK)(s.EnterInError(c.Request.Context(), p, c.Param("id"), req))
}
