package app

import (
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
)

// wireWard builds wards, beds, admissions, transfers and discharges.
func (a *App) wireWard(db *mongostore.DB, keys *seal.Keyring) error {
	_, _ = db, keys
	return nil
}

// wardRoutes are the routes of wards, beds, admissions, transfers and discharges.
func (a *App) wardRoutes() []Route {
	return nil
}
