package app

import (
	"context"
	"time"

	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
)

func init() {
	// Routes whose :id is the patient id: a caller refused by role is audited too (docs/security.md row 28).
	auditedRoutes["PATCH /api/patients/:id"] = "patient.update"
	auditedRoutes["GET /api/patients/:id/history"] = "patient.history"
	auditedRoutes["GET /api/patients/:id/duplicates"] = "patient.duplicates"
	auditedRoutes["POST /api/patients/:id/merge"] = "patient.merge"
}

// wireRecords builds patient records: demographics, MRN, search, merge, access grants, export and erasure.
func (a *App) wireRecords(db *mongostore.DB, keys *seal.Keyring) error {
	_, _ = db, keys
	a.patients.SetAccess(a.Access)
	a.migrateRecords()
	return nil
}

// migrateRecords numbers the records made before MRNs existed and computes the search keys of those
// made before search, once per database (recorded in `migrations`, so later starts do not scan the
// patients). A failure is logged, not fatal: the next start tries again. Both steps are safe to run
// on several instances at once.
func (a *App) migrateRecords() {
	const step = "patients-mrn-search-v1"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if done, err := a.PatientRecords.Migrated(ctx, step); err != nil || done {
		if err != nil {
			a.Log.Warn("read migrations", "err", err)
		}
		return
	}
	numbered, err := a.patients.EnsureMRNs(ctx)
	if err != nil {
		a.Log.Warn("numbering records without an MRN", "numbered", numbered, "err", err)
		return
	}
	indexed, err := a.PatientRecords.IndexSearchKeys(ctx)
	if err != nil {
		a.Log.Warn("indexing records for search", "indexed", indexed, "err", err)
		return
	}
	if err := a.PatientRecords.MarkMigrated(ctx, step); err != nil {
		a.Log.Warn("record migration", "step", step, "err", err)
	}
	if numbered+indexed > 0 {
		a.Log.Info("patient records migrated", "numbered", numbered, "indexed", indexed)
	}
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
