package app

// wardRoutes are the routes of wards, beds, admissions, transfers and discharges.
func (a *App) wardRoutes() []Route {
	w := a.wards
	return []Route{
		route("POST", "/api/wards", Roles, adminOnly, w.CreateWardHandler).Logged("settings.ward_create"),
		route("GET", "/api/wards", Roles, staffSide, w.WardsHandler),
		route("POST", "/api/wards/:id/beds", Roles, adminOnly, w.AddBedsHandler).Logged("settings.beds_add"),
		route("GET", "/api/wards/:id/beds", Roles, staffSide, w.BoardHandler),
		route("POST", "/api/admissions", Roles, doctorStaff, w.AdmitHandler),
		route("GET", "/api/admissions", Roles, staffSide, w.ListHandler),
		route("GET", "/api/admissions/:id", Roles, everyone, w.GetHandler),
		route("POST", "/api/admissions/:id/transfer", Roles, doctorStaff, w.TransferHandler),
		route("POST", "/api/admissions/:id/discharge", Roles, doctorStaff, w.DischargeHandler),
		route("GET", "/api/patients/:id/admissions", Roles, everyone, w.PatientAdmissionsHandler),
	}
}
