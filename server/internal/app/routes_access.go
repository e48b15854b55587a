package app

import (
	"hms/shared"
)

// accessRoutes are the routes of break-the-glass grants, referrals, export and erasure.
func (a *App) accessRoutes() []Route {
	ac, g := a.Access, a.gdpr
	return []Route{
		route("POST", "/api/patients/:id/access", Roles, staffSide, ac.BreakGlassHandler).Audited("patient.break_glass"),
		route("GET", "/api/access/grants", Roles, adminOnly, ac.GrantsHandler),
		route("POST", "/api/patients/:id/referrals", Roles, doctorStaff, ac.ReferHandler).Audited("patient.refer"),
		route("GET", "/api/patients/:id/referrals", Roles, clinical, ac.ReferralsHandler).Audited("patient.referrals"),
		route("GET", "/api/me/export", Roles, patientOnly, g.ExportHandler),
		route("POST", "/api/me/erasure", Roles, patientOnly, g.EraseMeHandler),
		route("POST", "/api/patients/:id/erasure", Roles, adminOnly, g.EraseHandler).Audited("patient.erase"),
	}
}

// patientOnly routes act on the caller's own patient record.
var patientOnly = []shared.Role{shared.RolePatient}
