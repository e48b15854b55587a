package app

import (
	"hms/shared"
)

// chartRoutes are the routes of the clinical chart: encounters, diagnoses, notes, vitals, procedures.
// Doctors write the chart and record procedures; staff open encounters (reason only) and record vitals;
// the service asks the clinical access rule for every call.
func (a *App) chartRoutes() []Route {
	ch := a.chart
	return []Route{
		route("POST", "/api/patients/:id/encounters", Granted, shared.PermEncounterOpen, ch.CreateHandler).Audited("encounter.create"),
		route("GET", "/api/patients/:id/encounters", Granted, shared.PermChartRead, ch.ListHandler).Audited("encounter.read"),
		route("GET", "/api/encounters/:id", Granted, shared.PermChartRead, ch.GetHandler),
		route("PATCH", "/api/encounters/:id", Granted, shared.PermChartWrite, ch.UpdateHandler),
		route("GET", "/api/encounters/:id/history", Granted, shared.PermChartRead, ch.HistoryHandler),
		route("POST", "/api/encounters/:id/vitals", Granted, shared.PermVitals, ch.VitalsHandler),
		route("POST", "/api/encounters/:id/procedures", Granted, shared.PermChartWrite, ch.ProcedureHandler),
		route("POST", "/api/procedures/:id/entered-in-error", Granted, shared.PermChartWrite, ch.EnteredInErrorHandler),
	}
}
