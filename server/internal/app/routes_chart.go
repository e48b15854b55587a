package app

import (
	"hms/shared"
)

// chartReaders may read encounters, each as the clinical access rule allows (a patient only their
// own). Admins administer, they do not read charts.
var chartReaders = []shared.Role{shared.RoleDoctor, shared.RoleStaff, shared.RolePatient}

// chartRoutes are the routes of the clinical chart: encounters, diagnoses, notes, vitals, procedures.
// Doctors write the chart and record procedures; staff open encounters (reason only) and record vitals;
// the service asks the clinical access rule for every call.
func (a *App) chartRoutes() []Route {
	ch := a.chart
	return []Route{
		route("POST", "/api/patients/:id/encounters", Roles, doctorStaff, ch.CreateHandler).Audited("encounter.create"),
		route("GET", "/api/patients/:id/encounters", Roles, chartReaders, ch.ListHandler).Audited("encounter.read"),
		route("GET", "/api/encounters/:id", Roles, chartReaders, ch.GetHandler),
		route("PATCH", "/api/encounters/:id", Roles, doctorOnly, ch.UpdateHandler),
		route("GET", "/api/encounters/:id/history", Roles, chartReaders, ch.HistoryHandler),
		route("POST", "/api/encounters/:id/vitals", Roles, doctorStaff, ch.VitalsHandler),
		route("POST", "/api/encounters/:id/procedures", Roles, doctorOnly, ch.ProcedureHandler),
		route("POST", "/api/procedures/:id/entered-in-error", Roles, doctorOnly, ch.EnteredInErrorHandler),
	}
}
