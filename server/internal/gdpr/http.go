package gdpr

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/httpx"
	"hms/server/internal/patient"
	"hms/shared"
)

// ExportHandler handles GET /api/me/export (patients): the export as a JSON attachment.
func (s *Service) ExportHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	x, err := s.Export(c.Request.Context(), p)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="hms-export-`+p.PatientID+`.json"`)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, x)
}

// EraseMeHandler handles POST /api/me/erasure with {"confirm": true} (patients).
func (s *Service) EraseMeHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	s.eraseHandler(c, p, p.PatientID)
}

// EraseHandler handles POST /api/patients/{id}/erasure with {"confirm": true} (admins).
func (s *Service) EraseHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	s.eraseHandler(c, p, c.Param("id"))
}

func (s *Service) eraseHandler(c *gin.Context, p auth.Principal, patientID string) {
	var req shared.ErasureRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		_ = s.d.Audit.Record(c.Request.Context(), p.UserID, p.Role, patient.AuditID(patientID), "patient.erase", err)
		httpx.Error(c, err)
		return
	}
	httpx.Reply(c, http.StatusOK)(s.Erase(c.Request.Context(), p, patientID, req.Confirm))
}
