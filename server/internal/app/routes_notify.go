package app

import (
	"hms/server/internal/notify"
)

// Notify is the notification service.
func (a *App) Notify() *notify.Service { return a.notify }

// notifyRoutes are the routes of notifications, preferences and deliveries.
func (a *App) notifyRoutes() []Route {
	no := a.notify
	return []Route{
		route("POST", "/api/notifications/send", Roles, staffSide, no.SendHandler),
		route("GET", "/api/notifications", Roles, everyone, no.ListHandler),
		route("POST", "/api/notifications/read-all", Roles, everyone, no.ReadAllHandler),
		route("POST", "/api/notifications/:id/read", Roles, everyone, no.ReadHandler),
		route("GET", "/api/me/notification-preferences", Roles, everyone, no.PreferencesHandler),
		route("PUT", "/api/me/notification-preferences", Roles, everyone, no.SetPreferencesHandler),
		route("GET", "/api/deliveries", Roles, adminOnly, no.DeliveriesHandler),
		route("POST", "/api/deliveries/:id/retry", Roles, adminOnly, no.RetryHandler).Logged("integration.delivery_retry"),
	}
}
