package patient

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/httpx"
	"hms/shared"
)

// BreakGlassHandler handles POST /api/patients/{id}/access with {"reason": "…"}.
func (a *Access) BreakGlassHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.BreakGlassRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		_ = a.deps.Audit.Record(c.Request.Context(), p.UserID, p.Role, AuditID(c.Param("id")), "patient.break_glass", err)
		httpx.Error(c, err)
		return
	}
	g, err := a.BreakGlass(c.Request.Context(), p, c.Param("id"), req.Reason)
	httpx.Reply(c, http.StatusCreated)(g.Public(), err)
}

// GrantsHandler handles GET /api/access/grants?active=true&patient_id=&page=&limit= (admins).
func (a *Access) GrantsHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	active, err := httpx.Flag(c, "active")
	if err != nil {
		httpx.Error(c, err)
		return
	}
	gs, total, err := a.Grants(c.Request.Context(), p, active, c.Query("patient_id"), page, limit)
	out := shared.AccessGrantList{Items: make([]shared.AccessGrant, 0, len(gs)), Total: total, Page: page, Limit: limit}
	for _, g := range gs {
		out.Items = append(out.Items, g.Public())
	}
	httpx.Reply(c, http.StatusOK)(out, err)
}

// ReferHandler handles POST /api/patients/{id}/referrals with {"doctor_id": "…", "reason": "…"}.
func (a *Access) ReferHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	var req shared.ReferralRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		_ = a.deps.Audit.Record(c.Request.Context(), p.UserID, p.Role, AuditID(c.Param("id")), "patient.refer", err)
		httpx.Error(c, err)
		return
	}
	r, err := a.Refer(c.Request.Context(), p, c.Param("id"), req)
	httpx.Reply(c, http.StatusCreated)(r.Public(), err)
}

// ReferralsHandler handles GET /api/patients/{id}/referrals?page=&limit=.
func (a *Access) ReferralsHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	rs, total, err := a.Referrals(c.Request.Context(), p, c.Param("id"), page, limit)
	out := shared.ReferralList{Items: make([]shared.Referral, 0, len(rs)), Total: total, Page: page, Limit: limit}
	for _, r := range rs {
		out.Items = append(out.Items, r.Public())
	}
	httpx.Reply(c, http.StatusOK)(out, err)
}
