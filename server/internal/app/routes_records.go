package app

import (
	"context"
	"time"

	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
)

func init() {
	// Routes whose :id is the patient id: a caller refused by role is audited too (SECURITY.md row 28).
	auditedRoutes["PATCH /api/patients/:id"] = "patient.update"
	auditedRoutes["GET /api/patients/:id/history"] = "patient.history"
	auditedRoutes["GET /api/patients/:id/duplicates"] = "patient.duplicates"
	auditedRoutes["POST /api/patients/:id/merge"] = "patient.merge"
}

// wireRecords builds patient records: demographics, MRN, search, merge, access grants, export and erasure.
// Records made before MRNs and search keys existed are numbered and indexed here, at start (a failure
// is logged, not fatal: the next start tries again).
func (a *App) wireRecords(db *mongostore.DB, keys *seal.Keyring) error {
	_, _ = db, keys
	a.patients.SetAccess(a.Access)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if n, err := a.patients.EnsureMRNs(ctx); err != nil {
		a.Log.Warn("numbering records without an MRN", "numbered", n, "err", err)
	} else if n > 0 {
		a.Log.Info("numbered records without an MRN", "numbered", n)
	}
	if n, err := a.PatientRecords.IndexSearchKeys(ctx); err != nil {
		a.Log.Warn("indexing records for search", "indexed", n, "err", err)
	} else if n > 0 {
		a.Log.Info("indexed records for search", "indexed", n)
	}
	return nil
}

// recordRoutes are the routes of patient records: demographics, MRN, search, merge, access grants, export and erasure.
func (a *App) recordRoutes() []Route {
	pa := a.patients
	return []Route{
		{"POST", "/api/patients", Roles, staffSide, pa.RegisterHandler},
		{"GET", "/api/patients", Roles, staffSide, pa.SearchHandler},
		{"PATCH", "/api/patients/:id", Roles, staffSide, pa.PatchHandler},
		{"GET", "/api/patients/:id/history", Roles, everyone, pa.HistoryHandler},
		{"GET", "/api/patients/:id/duplicates", Roles, staffSide, pa.DuplicatesHandler},
		{"POST", "/api/patients/:id/merge", Roles, staffSide, pa.MergeHandler},
	}
}
