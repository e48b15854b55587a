package app

import (
	"hms/shared"
)

// accessRoutes are the routes of break-the-glass grants, referrals, export and erasure.
func (a *App) accessRoutes() []Route {
	ac, g := a.Access, a.gdpr
	return []Route{
		route("POST", "/api/patients/:id/access", Granted, shared.PermBreakGlass, ac.BreakGlassHandler).Audited("patient.break_glass"),
		route("GET", "/api/access/grants", Granted, shared.PermAuditRead, ac.GrantsHandler),
		route("POST", "/api/patients/:id/referrals", Granted, shared.PermRefer, ac.ReferHandler).Audited("patient.refer"),
		route("GET", "/api/patients/:id/referrals", Granted, shared.PermChartRead, ac.ReferralsHandler).Audited("patient.referrals"),
		route("GET", "/api/me/export", Granted, shared.PermSelfData, g.ExportHandler),
		route("POST", "/api/me/erasure", Granted, shared.PermSelfData, g.EraseMeHandler),
		route("POST", "/api/patients/:id/erasure", Granted, shared.PermErase, g.EraseHandler).Audited("patient.erase"),
	}
}
