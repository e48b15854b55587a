package app

import "hms/shared"

// wardRoutes are the routes of wards, beds, admissions, transfers and discharges.
func (a *App) wardRoutes() []Route {
	w := a.wards
	return []Route{
		route("POST", "/api/wards", Granted, shared.PermSettings, w.CreateWardHandler).Logged("settings.ward_create"),
		route("GET", "/api/wards", Granted, shared.PermWardView, w.WardsHandler),
		route("POST", "/api/wards/:id/beds", Granted, shared.PermSettings, w.AddBedsHandler).Logged("settings.beds_add"),
		route("GET", "/api/wards/:id/beds", Granted, shared.PermWardView, w.BoardHandler),
		route("POST", "/api/admissions", Granted, shared.PermWardAdmit, w.AdmitHandler),
		route("GET", "/api/admissions", Granted, shared.PermWardView, w.ListHandler),
		route("GET", "/api/admissions/:id", SignedIn, "", w.GetHandler),
		route("POST", "/api/admissions/:id/transfer", Granted, shared.PermWardAdmit, w.TransferHandler),
		route("POST", "/api/admissions/:id/discharge", Granted, shared.PermWardAdmit, w.DischargeHandler),
		route("GET", "/api/patients/:id/admissions", SignedIn, "", w.PatientAdmissionsHandler),
	}
}
