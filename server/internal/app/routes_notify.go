package app

import (
	"hms/server/internal/notify"
	"hms/shared"
)

// Notify is the notification service.
func (a *App) Notify() *notify.Service { return a.notify }

// notifyRoutes are the routes of notifications, preferences and deliveries.
func (a *App) notifyRoutes() []Route {
	no := a.notify
	return []Route{
		route("POST", "/api/notifications/send", Granted, shared.PermNotifySend, no.SendHandler),
		route("GET", "/api/notifications", SignedIn, "", no.ListHandler),
		route("POST", "/api/notifications/read-all", SignedIn, "", no.ReadAllHandler),
		route("POST", "/api/notifications/:id/read", SignedIn, "", no.ReadHandler),
		route("GET", "/api/me/notification-preferences", SignedIn, "", no.PreferencesHandler),
		route("PUT", "/api/me/notification-preferences", SignedIn, "", no.SetPreferencesHandler),
		route("GET", "/api/deliveries", Granted, shared.PermDeliveries, no.DeliveriesHandler),
		route("POST", "/api/deliveries/:id/retry", Granted, shared.PermDeliveries, no.RetryHandler).Logged("integration.delivery_retry"),
	}
}
