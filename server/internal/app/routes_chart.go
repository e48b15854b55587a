package app

import (
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
)

// wireChart builds the clinical chart: encounters, diagnoses, notes, vitals.
func (a *App) wireChart(db *mongostore.DB, keys *seal.Keyring) error {
	_, _ = db, keys
	return nil
}

// chartRoutes are the routes of the clinical chart: encounters, diagnoses, notes, vitals.
func (a *App) chartRoutes() []Route {
	return nil
}
