package app

import (
	"hms/server/internal/directory"
	"hms/shared"
)

// directoryRoutes are the directory of hospitals and sites (docs/integrations.md): admins import and
// delete entries; any signed-in user lists them and asks for the nearest.
func (a *App) directoryRoutes() []Route {
	d := a.directory
	return []Route{
		route("POST", "/api/hospitals/import", Granted, shared.PermSettings, d.ImportHandler).
			Limit(directory.ImportBodyBytes).Logged("settings.hospitals_import"),
		route("GET", "/api/hospitals", SignedIn, "", d.ListHandler),
		route("GET", "/api/hospitals/nearby", SignedIn, "", d.NearbyHandler),
		route("DELETE", "/api/hospitals/:id", Granted, shared.PermSettings, d.DeleteHandler).Logged("settings.hospital_delete"),
	}
}
