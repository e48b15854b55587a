package app

import (
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
)

// wirePharmacy builds prescriptions, the medication catalogue, stock and dispensing.
func (a *App) wirePharmacy(db *mongostore.DB, keys *seal.Keyring) error {
	_, _ = db, keys
	return nil
}

// pharmacyRoutes are the routes of prescriptions, the medication catalogue, stock and dispensing.
func (a *App) pharmacyRoutes() []Route {
	return nil
}
