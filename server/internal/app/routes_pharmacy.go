package app

import (
	"hms/server/internal/mongostore"
	"hms/server/internal/pharmacy"
	"hms/server/internal/seal"
	"hms/shared"
)

// Prescriptions are a patient's clinical data: a caller refused by role on these routes is audited too.
func init() {
	auditedRoutes["GET /api/patients/:id/prescriptions"] = "prescription.list"
	auditedRoutes["POST /api/patients/:id/prescriptions"] = "prescription.create"
}

// wirePharmacy builds prescriptions, the medication catalogue, stock and dispensing.
func (a *App) wirePharmacy(db *mongostore.DB, keys *seal.Keyring) error {
	store := mongostore.NewPharmacy(db, keys)
	a.Pharmacy = pharmacy.NewService(store, a.patients, a.Access, a.audit, a.Events, a.Log, a.Clock)
	a.Access.AddRelation(a.Pharmacy.Relation)
	a.Rekeyers = append(a.Rekeyers, store)
	a.exporters = append(a.exporters, a.Pharmacy)
	return nil
}

// pharmacyRoutes are the routes of prescriptions, the medication catalogue, stock and dispensing.
func (a *App) pharmacyRoutes() []Route {
	ph := a.Pharmacy
	adminStaff := []shared.Role{shared.RoleAdmin, shared.RoleStaff}
	staffOnly := []shared.Role{shared.RoleStaff}
	// Admins administer; they reach a patient's prescriptions only with a grant (patient.Access), so
	// they are not offered the patient-data routes.
	clinicalRead := []shared.Role{shared.RoleDoctor, shared.RoleStaff, shared.RolePatient}
	return []Route{
		{"POST", "/api/medications", Roles, adminStaff, ph.CreateMedicationHandler},
		{"GET", "/api/medications", Roles, staffSide, ph.MedicationsHandler},
		{"POST", "/api/medications/:id/stock", Roles, adminStaff, ph.MoveStockHandler},
		{"GET", "/api/medications/:id/stock", Roles, staffSide, ph.StockHandler},
		{"POST", "/api/patients/:id/prescriptions", Roles, doctorOnly, ph.PrescribeHandler},
		{"GET", "/api/patients/:id/prescriptions", Roles, clinicalRead, ph.ListHandler},
		{"GET", "/api/prescriptions/:id", Roles, clinicalRead, ph.GetHandler},
		{"POST", "/api/prescriptions/:id/cancel", Roles, doctorOnly, ph.CancelHandler},
		{"POST", "/api/prescriptions/:id/dispense", Roles, staffOnly, ph.DispenseHandler},
	}
}
