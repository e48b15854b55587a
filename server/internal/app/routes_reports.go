package app

// reportRoutes are the hospital's reports: admins only (they name doctors and show money; doctors do not
// see each other's figures). Each answers JSON, or CSV with ?format=csv.
func (a *App) reportRoutes() []Route {
	r := a.reports
	return []Route{
		route("GET", "/api/reports/operations", Roles, adminOnly, r.OperationsHandler),
		route("GET", "/api/reports/admissions", Roles, adminOnly, r.AdmissionsHandler),
		route("GET", "/api/reports/doctors", Roles, adminOnly, r.DoctorsHandler),
		route("GET", "/api/reports/billing", Roles, adminOnly, r.BillingHandler),
	}
}
