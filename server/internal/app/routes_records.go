package app

// recordRoutes are the routes of patient records: demographics, MRN, search, merge, access grants, export and erasure.
func (a *App) recordRoutes() []Route {
	pa := a.patients
	return []Route{
		route("POST", "/api/patients", Roles, staffSide, pa.RegisterHandler),
		route("GET", "/api/patients", Roles, staffSide, pa.SearchHandler),
		route("PATCH", "/api/patients/:id", Roles, staffSide, pa.PatchHandler).Audited("patient.update"),
		route("GET", "/api/patients/:id/history", Roles, everyone, pa.HistoryHandler).Audited("patient.history"),
		route("GET", "/api/patients/:id/duplicates", Roles, staffSide, pa.DuplicatesHandler).Audited("patient.duplicates"),
		route("POST", "/api/patients/:id/merge", Roles, staffSide, pa.MergeHandler).Audited("patient.merge"),
	}
}
