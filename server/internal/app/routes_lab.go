package app

import (
	"hms/server/internal/lab"
	"hms/shared"
)

// labRoutes are the routes of lab orders, results and attached files.
func (a *App) labRoutes() []Route {
	l := a.lab
	return []Route{
		route("POST", "/api/patients/:id/lab-orders", Granted, shared.PermLabOrder, l.OrderHandler).Audited("lab.order"),
		route("GET", "/api/patients/:id/lab-orders", SignedIn, "", l.ListHandler).Audited("lab.read"),
		// The lab desk's work queue: the open orders of the patients the caller may see.
		route("GET", "/api/lab-orders", Granted, shared.PermLabQueue, l.QueueHandler),
		route("GET", "/api/lab-orders/:id", SignedIn, "", l.GetHandler),
		route("POST", "/api/lab-orders/:id/results", Granted, shared.PermLabResults, l.ResultsHandler),
		route("POST", "/api/lab-orders/:id/release", Granted, shared.PermLabRelease, l.ReleaseHandler),
		route("POST", "/api/lab-orders/:id/cancel", Granted, shared.PermLabRelease, l.CancelHandler),
		route("POST", "/api/lab-orders/:id/files", Granted, shared.PermLabResults, l.UploadHandler).Limit(lab.UploadBodyBytes),
		route("GET", "/api/lab-files/:id", SignedIn, "", l.DownloadHandler),
	}
}

// Lab returns the lab service, for tests and tools.
func (a *App) Lab() *lab.Service { return a.lab }
