package app

import (
	"hms/shared"
)

// pharmacyRoutes are the routes of prescriptions, the medication catalogue, stock and dispensing.
func (a *App) pharmacyRoutes() []Route {
	ph := a.Pharmacy
	return []Route{
		route("POST", "/api/medications", Granted, shared.PermPharmacyStock, ph.CreateMedicationHandler),
		route("GET", "/api/medications", Granted, shared.PermPharmacyRead, ph.MedicationsHandler),
		route("POST", "/api/medications/:id/stock", Granted, shared.PermPharmacyStock, ph.MoveStockHandler),
		route("GET", "/api/medications/:id/stock", Granted, shared.PermPharmacyRead, ph.StockHandler),
		route("POST", "/api/patients/:id/prescriptions", Granted, shared.PermRxWrite, ph.PrescribeHandler).Audited("prescription.create"),
		route("GET", "/api/patients/:id/prescriptions", Granted, shared.PermRxRead, ph.ListHandler).Audited("prescription.list"),
		// The pharmacy's work queue: staff only, as they dispense (a pending prescription is open to them).
		route("GET", "/api/prescriptions", Granted, shared.PermDispense, ph.QueueHandler),
		route("GET", "/api/prescriptions/:id", Granted, shared.PermRxRead, ph.GetHandler),
		route("POST", "/api/prescriptions/:id/cancel", Granted, shared.PermRxWrite, ph.CancelHandler),
		route("POST", "/api/prescriptions/:id/dispense", Granted, shared.PermDispense, ph.DispenseHandler),
	}
}
