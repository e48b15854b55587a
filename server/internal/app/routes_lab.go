package app

import (
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
)

// wireLab builds lab orders, results and attached files.
func (a *App) wireLab(db *mongostore.DB, keys *seal.Keyring) error {
	_, _ = db, keys
	return nil
}

// labRoutes are the routes of lab orders, results and attached files.
func (a *App) labRoutes() []Route {
	return nil
}
