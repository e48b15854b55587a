package patient

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/httpx"
	"hms/shared"
)

// GetHandler handles GET /api/patient/{id}.
func (s *Service) GetHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	r, err := s.Get(c.Request.Context(), p, c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, r.Public())
}

// UpdateHandler handles PUT /api/patient/{id} with {"medical_history": "…"}.
func (s *Service) UpdateHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.UpdatePatientRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		_ = s.audit.Record(c.Request.Context(), p.UserID, p.Role, AuditID(c.Param("id")), "patient.update", err)
		httpx.Error(c, err)
		return
	}
	r, err := s.UpdateHistory(c.Request.Context(), p, c.Param("id"), req.MedicalHistory)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, r.Public())
}
