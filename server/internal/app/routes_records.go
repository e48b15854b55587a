package app

import "hms/shared"

// recordRoutes are the routes of patient records: demographics, MRN, search, merge, access grants, export and erasure.
func (a *App) recordRoutes() []Route {
	pa := a.patients
	return []Route{
		route("POST", "/api/patients", Granted, shared.PermPatientReg, pa.RegisterHandler),
		route("GET", "/api/patients", Granted, shared.PermPatientSearch, pa.SearchHandler),
		route("PATCH", "/api/patients/:id", Granted, shared.PermPatientReg, pa.PatchHandler).Audited("patient.update"),
		route("GET", "/api/patients/:id/history", SignedIn, "", pa.HistoryHandler).Audited("patient.history"),
		route("GET", "/api/patients/:id/duplicates", Granted, shared.PermPatientSearch, pa.DuplicatesHandler).Audited("patient.duplicates"),
		route("POST", "/api/patients/:id/merge", Granted, shared.PermPatientMerge, pa.MergeHandler).Audited("patient.merge"),
	}
}
