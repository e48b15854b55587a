package app

import (
	"strings"

	"github.com/gin-gonic/gin"

	"hms/server/internal/appointment"
	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/fhir"
	"hms/server/internal/httpx"
	"hms/server/internal/openapi"
	"hms/server/internal/patient"
	"hms/shared"
)

// Access says who may call a route.
type Access int

// The kinds of access a route can have.
const (
	// Public routes need no token.
	Public Access = iota
	// OptionalAuth routes accept an anonymous caller but check a token when one is sent.
	OptionalAuth
	// SignedIn routes need a valid token, of any role; the service decides what the caller reaches.
	SignedIn
	// Granted routes need a valid token whose role grants the route's permission (Route.Perm).
	Granted
	// StaticToken routes check a configured secret of their own as a bearer token (GET /metrics:
	// METRICS_TOKEN), not a user's token.
	StaticToken
)

// Route is one row of the router's table: every route the server answers is listed here, with who may
// call it. The same table registers the routes and drives the permission tests.
type Route struct {
	Method string
	Path   string
	Access Access
	// Perm is the permission a Granted route needs (shared.Permissions: the catalogue, with the
	// built-in roles' default grants; admins change grants at run time, docs/roles.md).
	Perm    shared.Permission
	Handler gin.HandlerFunc
	// AuditAs, when set, is the audit action of a route whose :id is a patient id: a caller the router
	// refuses by role is audited against that patient too, not only one the service refuses
	// (docs/security.md row 28).
	AuditAs string
	// MaxBody, when set, is the route's own body limit (file uploads), instead of MAX_BODY_BYTES.
	MaxBody int64
	// LogAs, when set, is the audit action of a settings change: each call is audited with its
	// caller, the :id it names and the outcome read from the status (docs/audit.md).
	LogAs string
}

// route makes a row of the table.
func route(method, path string, access Access, perm shared.Permission, h gin.HandlerFunc) Route {
	return Route{Method: method, Path: path, Access: access, Perm: perm, Handler: h}
}

// Audited returns r audited as action when the router refuses the caller's role.
func (r Route) Audited(action string) Route { r.AuditAs = action; return r }

// Logged returns r audited as the settings change action on every call.
func (r Route) Logged(action string) Route { r.LogAs = action; return r }

// Limit returns r with its own body limit.
func (r Route) Limit(bytes int64) Route { r.MaxBody = bytes; return r }

// bodyLimits are the table's own body limits, by "METHOD /pattern".
func bodyLimits(table []Route) map[string]int64 {
	out := map[string]int64{}
	for _, r := range table {
		if r.MaxBody > 0 {
			out[r.Method+" "+r.Path] = r.MaxBody
		}
	}
	return out
}

// routes is the table. Paths use gin's :param syntax; the OpenAPI document uses {param}.
func (a *App) routes() []Route {
	au, pa, lg, al, dr, ap := a.authHandlers, a.patients, a.audit, a.Alerts, a.Doctors, a.Appointments
	core := []Route{
		route("GET", "/healthz", Public, "", a.healthz),
		route("GET", "/readyz", Public, "", a.readyz),
		route("GET", "/metrics", StaticToken, "", a.metricsRoute()),
		route("GET", "/api/openapi.json", Public, "", openapi.Handler),
		route("GET", "/api/hospital", OptionalAuth, "", a.hospital),
		route("GET", "/api/version", Public, "", a.version),

		route("POST", "/api/auth/register", OptionalAuth, "", au.Register),
		route("POST", "/api/auth/login", Public, "", au.Login),
		route("POST", "/api/auth/refresh", Public, "", au.Refresh),
		route("POST", "/api/auth/logout", SignedIn, "", au.Logout),
		route("POST", "/api/auth/password", SignedIn, "", au.ChangePassword),
		route("POST", "/api/auth/confirm", Public, "", au.Confirm),
		route("POST", "/api/auth/password/forgot", Public, "", au.ForgotPassword),
		route("POST", "/api/auth/password/reset", Public, "", au.ResetPassword),

		route("GET", "/api/me", SignedIn, "", au.Me),
		route("PATCH", "/api/me", SignedIn, "", au.UpdateMe),
		route("GET", "/api/users", Granted, shared.PermUsersManage, au.ListUsers),
		route("GET", "/api/users/:id", Granted, shared.PermUsersManage, au.GetUser),
		route("PATCH", "/api/users/:id", Granted, shared.PermUsersManage, au.UpdateUser),
		route("POST", "/api/users/:id/password-link", Granted, shared.PermUsersManage, au.PasswordLink),

		// Roles and permissions (docs/roles.md): the catalogue for any signed-in user, the roles for
		// those who manage them. The service audits every change (role.create, role.change, role.delete).
		route("GET", "/api/permissions", SignedIn, "", au.Permissions),
		route("GET", "/api/roles", Granted, shared.PermRolesManage, au.Roles),
		route("POST", "/api/roles", Granted, shared.PermRolesManage, au.CreateRole),
		route("PUT", "/api/roles/:id", Granted, shared.PermRolesManage, au.UpdateRole),
		route("DELETE", "/api/roles/:id", Granted, shared.PermRolesManage, au.DeleteRole),

		route("GET", "/api/patient/:id", SignedIn, "", pa.GetHandler).Audited("patient.read"),
		route("PUT", "/api/patient/:id", Granted, shared.PermHistoryWrite, pa.UpdateHandler).Audited("patient.update"),

		// Integration clients (docs/integrations.md): an admin registers, rotates and revokes machine
		// clients of the FHIR API (audited as client.create, client.rotate, client.revoke); a client
		// trades its id and secret for a short token at the OAuth token endpoint.
		route("GET", "/api/integration-clients", Granted, shared.PermIntegrations, au.ListClients),
		route("POST", "/api/integration-clients", Granted, shared.PermIntegrations, au.CreateClient),
		route("POST", "/api/integration-clients/:id/rotate", Granted, shared.PermIntegrations, au.RotateClient),
		route("POST", "/api/integration-clients/:id/revoke", Granted, shared.PermIntegrations, au.RevokeClient),
		route("POST", "/oauth/token", Public, "", au.Token),

		route("GET", "/api/audit", Granted, shared.PermAuditRead, lg.ListHandler),
		route("GET", "/api/audit/export.csv", Granted, shared.PermAuditRead, lg.ExportHandler(principalOf)),
		route("POST", "/api/audit/verify", Granted, shared.PermAuditRead, lg.VerifyHandler(principalOf)),

		// The websocket authenticates itself (Bearer header or single-use ticket) after the Origin check.
		route("GET", "/ws", Public, "", a.Hub.ServeWS),
		route("POST", "/api/ws/ticket", SignedIn, "", au.Ticket),
		route("POST", "/api/alerts/emergency", Granted, shared.PermAlertRaise, al.RaiseHandler),
		route("GET", "/api/alerts", Granted, shared.PermAlertRespond, al.ListHandler),
		route("POST", "/api/alerts/:id/ack", Granted, shared.PermAlertRespond, al.AckHandler),
		route("POST", "/api/alerts/:id/resolve", Granted, shared.PermAlertRespond, al.ResolveHandler),
		route("POST", "/api/broadcasts", Granted, shared.PermBroadcast, al.BroadcastHandler).Logged("settings.broadcast"),

		route("GET", "/api/departments", SignedIn, "", dr.DepartmentsHandler),
		route("POST", "/api/departments", Granted, shared.PermSettings, dr.CreateDepartmentHandler).Logged("settings.department_create"),
		route("GET", "/api/doctors", SignedIn, "", dr.ListHandler),
		route("GET", "/api/doctors/:id", SignedIn, "", dr.GetHandler),
		route("PUT", "/api/doctors/:id", Granted, shared.PermSettings, dr.UpdateHandler).Logged("settings.doctor_update"),
		route("PUT", "/api/doctors/:id/schedule", Granted, shared.PermSchedule, dr.ScheduleHandler),
		route("POST", "/api/doctors/:id/leave", Granted, shared.PermSchedule, dr.AddLeaveHandler),
		route("DELETE", "/api/doctors/:id/leave/:leave_id", Granted, shared.PermSchedule, dr.DeleteLeaveHandler),
		route("GET", "/api/doctors/:id/slots", SignedIn, "", dr.SlotsHandler),
		route("GET", "/api/doctors/:id/dashboard", Granted, shared.PermDashboard, ap.DashboardHandler),

		route("POST", "/api/appointments", SignedIn, "", ap.BookHandler),
		route("GET", "/api/appointments", SignedIn, "", ap.ListHandler),
		route("GET", "/api/appointments/:id", SignedIn, "", ap.GetHandler),
		route("PATCH", "/api/appointments/:id", SignedIn, "", ap.RescheduleHandler),
		route("POST", "/api/appointments/:id/cancel", SignedIn, "", ap.CancelHandler),

		route("POST", "/api/queue/checkin", Granted, shared.PermQueueCheckIn, ap.CheckInHandler),
		route("POST", "/api/queue/emergency", Granted, shared.PermQueueCheckIn, ap.EmergencyHandler),
		route("GET", "/api/queues/:department", Granted, shared.PermQueueView, ap.SnapshotHandler),
		route("GET", "/api/queues/:department/display", SignedIn, "", ap.DisplayHandler),
		route("POST", "/api/queues/:department/next", Granted, shared.PermQueueConsult, ap.NextHandler),
		route("POST", "/api/queue/tickets/:id/call", Granted, shared.PermQueueConsult, ap.ActHandler(appointment.Call)),
		route("POST", "/api/queue/tickets/:id/start", Granted, shared.PermQueueConsult, ap.ActHandler(appointment.Start)),
		route("POST", "/api/queue/tickets/:id/finish", Granted, shared.PermQueueConsult, ap.ActHandler(appointment.Finish)),
		route("POST", "/api/queue/tickets/:id/no-show", Granted, shared.PermQueueManage, ap.ActHandler(appointment.NoShow)),
		route("POST", "/api/queue/tickets/:id/requeue", Granted, shared.PermQueueManage, ap.ActHandler(appointment.Requeue)),
		route("POST", "/api/queue/tickets/:id/triage", Granted, shared.PermQueueManage, ap.TriageHandler),
	}
	// Each patient-records domain keeps its rows in its own file (routes_<domain>.go).
	for _, more := range [][]Route{a.notifyRoutes(), a.recordRoutes(), a.accessRoutes(), a.chartRoutes(), a.pharmacyRoutes(), a.labRoutes(), a.wardRoutes(), a.billingRoutes(), a.reportRoutes(), a.directoryRoutes(), a.fhirRoutes(), a.webhookRoutes()} {
		core = append(core, more...)
	}
	return core
}

// Routes returns the router's table, for tests and tools.
func (a *App) Routes() []Route { return a.table }

func (a *App) register(e *gin.Engine) {
	// API calls take turns at the database; the websocket (long-lived) and probes do not queue.
	limit := httpx.Concurrency(a.Config.MaxConcurrent)
	for _, r := range a.table {
		e.Handle(r.Method, r.Path, append(a.chain(r, limit), r.Handler)...)
	}
}

// Chain returns the handlers the router puts before r's own (authentication, the body read, the
// turn at the database, the FHIR API's central scope check), for a test that mounts a route of its
// own exactly as register mounts the table's.
func (a *App) Chain(r Route) []gin.HandlerFunc {
	return a.chain(r, httpx.Concurrency(a.Config.MaxConcurrent))
}

// chain is the handlers before r's own. A request takes its turn (limit) only once its body is read,
// so that slow or half-sent bodies cannot hold the turns (docs/security.md row 39); a signed-in route
// first checks the token's signature, so that only a holder of a token makes the server read a body.
// On the FHIR API an integration client's token is accepted too, and the central check (RequireFHIR)
// asks it for the scope of the path's resource type and interaction; everywhere else such a token is
// refused (403 machine_token_not_allowed).
func (a *App) chain(r Route, limit gin.HandlerFunc) []gin.HandlerFunc {
	chain := []gin.HandlerFunc{}
	fhirRoute := strings.HasPrefix(r.Path, fhir.Base+"/")
	if fhirRoute {
		// Every answer of the FHIR API, errors included, is FHIR (an OperationOutcome).
		chain = append(chain, fhir.Outcomes())
	}
	signed := r.Access == SignedIn || r.Access == Granted
	if strings.HasPrefix(r.Path, "/api/") && r.Path != "/api/openapi.json" || fhirRoute {
		switch {
		case signed && fhirRoute:
			chain = append(chain, a.Auth.SignedFHIR())
		case signed:
			chain = append(chain, a.Auth.Signed())
		}
		chain = append(chain, httpx.ReadBody(), limit)
	}
	switch r.Access {
	case OptionalAuth:
		chain = append(chain, a.Auth.Optional())
	case SignedIn, Granted:
		var onDeny func(*gin.Context, auth.Principal)
		if action := r.AuditAs; action != "" {
			onDeny = func(c *gin.Context, p auth.Principal) {
				_ = a.audit.Record(c.Request.Context(), p.UserID, p.Role, patient.AuditID(c.Param("id")), action, fault.ErrForbidden)
			}
		}
		if fhirRoute {
			chain = append(chain, a.Auth.RequireFHIR(fhir.Base, onDeny, r.Perm))
		} else {
			chain = append(chain, a.Auth.RequireOr(onDeny, r.Perm))
		}
	}
	if r.LogAs != "" {
		chain = append(chain, a.logged(r.LogAs))
	}
	return chain
}
