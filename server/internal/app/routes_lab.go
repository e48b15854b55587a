package app

import (
	"hms/server/internal/lab"
)

// labRoutes are the routes of lab orders, results and attached files.
func (a *App) labRoutes() []Route {
	l := a.lab
	return []Route{
		route("POST", "/api/patients/:id/lab-orders", Roles, doctorOnly, l.OrderHandler).Audited("lab.order"),
		route("GET", "/api/patients/:id/lab-orders", Roles, everyone, l.ListHandler).Audited("lab.read"),
		// The lab desk's work queue: the open orders of the patients the caller may see.
		route("GET", "/api/lab-orders", Roles, doctorStaff, l.QueueHandler),
		route("GET", "/api/lab-orders/:id", Roles, everyone, l.GetHandler),
		route("POST", "/api/lab-orders/:id/results", Roles, doctorStaff, l.ResultsHandler),
		route("POST", "/api/lab-orders/:id/release", Roles, doctorOnly, l.ReleaseHandler),
		route("POST", "/api/lab-orders/:id/cancel", Roles, doctorOnly, l.CancelHandler),
		route("POST", "/api/lab-orders/:id/files", Roles, doctorStaff, l.UploadHandler).Limit(lab.UploadBodyBytes),
		route("GET", "/api/lab-files/:id", Roles, everyone, l.DownloadHandler),
	}
}

// Lab returns the lab service, for tests and tools.
func (a *App) Lab() *lab.Service { return a.lab }
