package ward

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/shared"
)

// CreateWardHandler handles POST /api/wards.
func (s *Service) CreateWardHandler(c *gin.Context) {
	var req shared.CreateWardRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	httpx.Reply(c, http.StatusCreated)(s.CreateWard(c.Request.Context(), req))
}

// AddBedsHandler handles POST /api/wards/{id}/beds.
func (s *Service) AddBedsHandler(c *gin.Context) {
	var req shared.AddBedsRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	httpx.Reply(c, http.StatusCreated)(s.AddBeds(c.Request.Context(), c.Param("id"), req))
}

// WardsHandler handles GET /api/wards.
func (s *Service) WardsHandler(c *gin.Context) {
	httpx.Reply(c, http.StatusOK)(s.Wards(c.Request.Context()))
}

// BoardHandler handles GET /api/wards/{id}/beds.
func (s *Service) BoardHandler(c *gin.Context) {
	httpx.Reply(c, http.StatusOK)(s.Board(c.Request.Context(), c.Param("id"), true))
}

// AdmitHandler handles POST /api/admissions.
func (s *Service) AdmitHandler(c *gin.Context) {
	var req shared.AdmitRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusCreated)(s.Admit(c.Request.Context(), p, req))
}

// TransferHandler handles POST /api/admissions/{id}/transfer.
func (s *Service) TransferHandler(c *gin.Context) {
	var req shared.TransferRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Transfer(c.Request.Context(), p, c.Param("id"), req))
}

// DischargeHandler handles POST /api/admissions/{id}/discharge.
func (s *Service) DischargeHandler(c *gin.Context) {
	var req shared.DischargeRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Discharge(c.Request.Context(), p, c.Param("id"), req))
}

// GetHandler handles GET /api/admissions/{id}.
func (s *Service) GetHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Get(c.Request.Context(), p, c.Param("id")))
}

// ListHandler handles GET /api/admissions?ward=&doctor=&active=.
func (s *Service) ListHandler(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	q := ListQuery{WardID: c.Query("ward"), DoctorID: c.Query("doctor")}
	switch c.Query("active") {
	case "", "false":
	case "true":
		q.ActiveOnly = true
	default:
		httpx.Error(c, fault.Invalid("active must be true or false"))
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.List(c.Request.Context(), p, q, page, limit))
}

// PatientAdmissionsHandler handles GET /api/patients/{id}/admissions.
func (s *Service) PatientAdmissionsHandler(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.PatientAdmissions(c.Request.Context(), p, c.Param("id"), page, limit))
}
