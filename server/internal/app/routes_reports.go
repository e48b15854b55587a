package app

import "hms/shared"

// reportRoutes are the hospital's reports: admins only (they name doctors and show money; doctors do not
// see each other's figures). Each answers JSON, or CSV with ?format=csv.
func (a *App) reportRoutes() []Route {
	r := a.reports
	return []Route{
		route("GET", "/api/reports/operations", Granted, shared.PermReportsRead, r.OperationsHandler),
		route("GET", "/api/reports/admissions", Granted, shared.PermReportsRead, r.AdmissionsHandler),
		route("GET", "/api/reports/doctors", Granted, shared.PermReportsRead, r.DoctorsHandler),
		route("GET", "/api/reports/billing", Granted, shared.PermReportsRead, r.BillingHandler),
	}
}
