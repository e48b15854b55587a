package app

import (
	"hms/shared"
)

// pharmacyRoutes are the routes of prescriptions, the medication catalogue, stock and dispensing.
func (a *App) pharmacyRoutes() []Route {
	ph := a.Pharmacy
	adminStaff := []shared.Role{shared.RoleAdmin, shared.RoleStaff}
	staffOnly := []shared.Role{shared.RoleStaff}
	// Admins administer; they reach a patient's prescriptions only with a grant (patient.Access), so
	// they are not offered the patient-data routes.
	clinicalRead := []shared.Role{shared.RoleDoctor, shared.RoleStaff, shared.RolePatient}
	return []Route{
		route("POST", "/api/medications", Roles, adminStaff, ph.CreateMedicationHandler),
		route("GET", "/api/medications", Roles, staffSide, ph.MedicationsHandler),
		route("POST", "/api/medications/:id/stock", Roles, adminStaff, ph.MoveStockHandler),
		route("GET", "/api/medications/:id/stock", Roles, staffSide, ph.StockHandler),
		route("POST", "/api/patients/:id/prescriptions", Roles, doctorOnly, ph.PrescribeHandler).Audited("prescription.create"),
		route("GET", "/api/patients/:id/prescriptions", Roles, clinicalRead, ph.ListHandler).Audited("prescription.list"),
		// The pharmacy's work queue: staff only, as they dispense (a pending prescription is open to them).
		route("GET", "/api/prescriptions", Roles, staffOnly, ph.QueueHandler),
		route("GET", "/api/prescriptions/:id", Roles, clinicalRead, ph.GetHandler),
		route("POST", "/api/prescriptions/:id/cancel", Roles, doctorOnly, ph.CancelHandler),
		route("POST", "/api/prescriptions/:id/dispense", Roles, staffOnly, ph.DispenseHandler),
	}
}
