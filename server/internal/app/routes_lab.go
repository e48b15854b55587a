package app

import (
	"hms/server/internal/lab"
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
)

// The lab routes whose :id is the patient id are audited when the router refuses the role too; the
// upload route may carry a file bigger than the global body limit.
func init() {
	auditedRoutes["POST /api/patients/:id/lab-orders"] = "lab.order"
	auditedRoutes["GET /api/patients/:id/lab-orders"] = "lab.read"
	bodyLimits["POST /api/lab-orders/:id/files"] = lab.UploadBodyBytes
}

// wireLab builds lab orders, results and attached files.
func (a *App) wireLab(db *mongostore.DB, keys *seal.Keyring) error {
	store := mongostore.NewLab(db, keys)
	a.lab = lab.NewService(store, a.patients, a.Access, a.audit, a.Events, a.Log, a.Clock)
	a.Rekeyers = append(a.Rekeyers, store)
	a.exporters = append(a.exporters, a.lab)
	return nil
}

// labRoutes are the routes of lab orders, results and attached files.
func (a *App) labRoutes() []Route {
	l := a.lab
	return []Route{
		{"POST", "/api/patients/:id/lab-orders", Roles, doctorOnly, l.OrderHandler},
		{"GET", "/api/patients/:id/lab-orders", Roles, everyone, l.ListHandler},
		{"GET", "/api/lab-orders/:id", Roles, everyone, l.GetHandler},
		{"POST", "/api/lab-orders/:id/results", Roles, doctorStaff, l.ResultsHandler},
		{"POST", "/api/lab-orders/:id/release", Roles, doctorOnly, l.ReleaseHandler},
		{"POST", "/api/lab-orders/:id/cancel", Roles, doctorOnly, l.CancelHandler},
		{"POST", "/api/lab-orders/:id/files", Roles, doctorStaff, l.UploadHandler},
		{"GET", "/api/lab-files/:id", Roles, everyone, l.DownloadHandler},
	}
}

// Lab returns the lab service, for tests and tools.
func (a *App) Lab() *lab.Service { return a.lab }
