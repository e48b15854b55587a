package app

import (
	"strings"

	"github.com/gin-gonic/gin"

	"hms/server/internal/appointment"
	"hms/server/internal/auth"
	"hms/server/internal/fault"
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
	// Roles routes need a valid token of one of the listed roles.
	Roles
	// StaticToken routes check a configured secret of their own as a bearer token (GET /metrics:
	// METRICS_TOKEN), not a user's token.
	StaticToken
)

// Route is one row of the router's table: every route the server answers is listed here, with who may
// call it. The same table registers the routes and drives the permission tests.
type Route struct {
	Method  string
	Path    string
	Access  Access
	Roles   []shared.Role
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
func route(method, path string, access Access, roles []shared.Role, h gin.HandlerFunc) Route {
	return Route{Method: method, Path: path, Access: access, Roles: roles, Handler: h}
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

var (
	everyone  = []shared.Role{shared.RoleAdmin, shared.RoleDoctor, shared.RoleStaff, shared.RolePatient}
	adminOnly = []shared.Role{shared.RoleAdmin}
	staffSide = []shared.Role{shared.RoleAdmin, shared.RoleDoctor, shared.RoleStaff}
	// clinical may write medical history: doctors and staff, and a patient on their own record
	// (self-reported history; the revision records who wrote it). Admins administer, they do not chart.
	clinical = []shared.Role{shared.RoleDoctor, shared.RoleStaff, shared.RolePatient}
	// adminDoctor may change a doctor's schedule and leave: admins, and doctors their own.
	adminDoctor = []shared.Role{shared.RoleAdmin, shared.RoleDoctor}
	doctorOnly  = []shared.Role{shared.RoleDoctor}
	// doctorStaff run the queue on the floor: no-show, return to queue, triage.
	doctorStaff = []shared.Role{shared.RoleDoctor, shared.RoleStaff}
)

// routes is the table. Paths use gin's :param syntax; the OpenAPI document uses {param}.
func (a *App) routes() []Route {
	au, pa, lg, al, dr, ap := a.authHandlers, a.patients, a.audit, a.Alerts, a.Doctors, a.Appointments
	core := []Route{
		route("GET", "/healthz", Public, nil, a.healthz),
		route("GET", "/readyz", Public, nil, a.readyz),
		route("GET", "/metrics", StaticToken, nil, a.metricsRoute()),
		route("GET", "/api/openapi.json", Public, nil, openapi.Handler),
		route("GET", "/api/hospital", Public, nil, a.hospital),
		route("GET", "/api/version", Public, nil, a.version),

		route("POST", "/api/auth/register", OptionalAuth, nil, au.Register),
		route("POST", "/api/auth/login", Public, nil, au.Login),
		route("POST", "/api/auth/refresh", Public, nil, au.Refresh),
		route("POST", "/api/auth/logout", Roles, everyone, au.Logout),
		route("POST", "/api/auth/password", Roles, everyone, au.ChangePassword),
		route("POST", "/api/auth/confirm", Public, nil, au.Confirm),
		route("POST", "/api/auth/password/forgot", Public, nil, au.ForgotPassword),
		route("POST", "/api/auth/password/reset", Public, nil, au.ResetPassword),

		route("GET", "/api/me", Roles, everyone, au.Me),
		route("PATCH", "/api/me", Roles, everyone, au.UpdateMe),
		route("GET", "/api/users", Roles, adminOnly, au.ListUsers),
		route("GET", "/api/users/:id", Roles, adminOnly, au.GetUser),
		route("PATCH", "/api/users/:id", Roles, adminOnly, au.UpdateUser),
		route("POST", "/api/users/:id/password-link", Roles, adminOnly, au.PasswordLink),

		route("GET", "/api/patient/:id", Roles, everyone, pa.GetHandler).Audited("patient.read"),
		route("PUT", "/api/patient/:id", Roles, clinical, pa.UpdateHandler).Audited("patient.update"),

		route("GET", "/api/audit", Roles, adminOnly, lg.ListHandler),
		route("GET", "/api/audit/export.csv", Roles, adminOnly, lg.ExportHandler(principalOf)),
		route("POST", "/api/audit/verify", Roles, adminOnly, lg.VerifyHandler(principalOf)),

		// The websocket authenticates itself (Bearer header or single-use ticket) after the Origin check.
		route("GET", "/ws", Public, nil, a.Hub.ServeWS),
		route("POST", "/api/ws/ticket", Roles, everyone, au.Ticket),
		route("POST", "/api/alerts/emergency", Roles, staffSide, al.RaiseHandler),
		route("GET", "/api/alerts", Roles, staffSide, al.ListHandler),
		route("POST", "/api/alerts/:id/ack", Roles, staffSide, al.AckHandler),
		route("POST", "/api/alerts/:id/resolve", Roles, staffSide, al.ResolveHandler),
		route("POST", "/api/broadcasts", Roles, adminOnly, al.BroadcastHandler).Logged("settings.broadcast"),

		route("GET", "/api/departments", Roles, everyone, dr.DepartmentsHandler),
		route("POST", "/api/departments", Roles, adminOnly, dr.CreateDepartmentHandler).Logged("settings.department_create"),
		route("GET", "/api/doctors", Roles, everyone, dr.ListHandler),
		route("GET", "/api/doctors/:id", Roles, everyone, dr.GetHandler),
		route("PUT", "/api/doctors/:id", Roles, adminOnly, dr.UpdateHandler).Logged("settings.doctor_update"),
		route("PUT", "/api/doctors/:id/schedule", Roles, adminDoctor, dr.ScheduleHandler),
		route("POST", "/api/doctors/:id/leave", Roles, adminDoctor, dr.AddLeaveHandler),
		route("DELETE", "/api/doctors/:id/leave/:leave_id", Roles, adminDoctor, dr.DeleteLeaveHandler),
		route("GET", "/api/doctors/:id/slots", Roles, everyone, dr.SlotsHandler),
		route("GET", "/api/doctors/:id/dashboard", Roles, staffSide, ap.DashboardHandler),

		route("POST", "/api/appointments", Roles, everyone, ap.BookHandler),
		route("GET", "/api/appointments", Roles, everyone, ap.ListHandler),
		route("GET", "/api/appointments/:id", Roles, everyone, ap.GetHandler),
		route("PATCH", "/api/appointments/:id", Roles, everyone, ap.RescheduleHandler),
		route("POST", "/api/appointments/:id/cancel", Roles, everyone, ap.CancelHandler),

		route("POST", "/api/queue/checkin", Roles, staffSide, ap.CheckInHandler),
		route("POST", "/api/queue/emergency", Roles, staffSide, ap.EmergencyHandler),
		route("GET", "/api/queues/:department", Roles, staffSide, ap.SnapshotHandler),
		route("GET", "/api/queues/:department/display", Roles, everyone, ap.DisplayHandler),
		route("POST", "/api/queues/:department/next", Roles, doctorOnly, ap.NextHandler),
		route("POST", "/api/queue/tickets/:id/call", Roles, doctorOnly, ap.ActHandler(appointment.Call)),
		route("POST", "/api/queue/tickets/:id/start", Roles, doctorOnly, ap.ActHandler(appointment.Start)),
		route("POST", "/api/queue/tickets/:id/finish", Roles, doctorOnly, ap.ActHandler(appointment.Finish)),
		route("POST", "/api/queue/tickets/:id/no-show", Roles, doctorStaff, ap.ActHandler(appointment.NoShow)),
		route("POST", "/api/queue/tickets/:id/requeue", Roles, doctorStaff, ap.ActHandler(appointment.Requeue)),
		route("POST", "/api/queue/tickets/:id/triage", Roles, doctorStaff, ap.TriageHandler),
	}
	// Each patient-records domain keeps its rows in its own file (routes_<domain>.go).
	for _, more := range [][]Route{a.notifyRoutes(), a.recordRoutes(), a.accessRoutes(), a.chartRoutes(), a.pharmacyRoutes(), a.labRoutes(), a.wardRoutes(), a.billingRoutes(), a.reportRoutes()} {
		core = append(core, more...)
	}
	return core
}

// Routes returns the router's table, for tests and tools.
func (a *App) Routes() []Route { return a.table }

func (a *App) register(e *gin.Engine) {
	// API calls take turns at the database; the websocket (long-lived) and probes do not queue. A
	// request takes its turn only once its body is read, so that slow or half-sent bodies cannot hold
	// the turns (docs/security.md row 39); a signed-in route first checks the token's signature, so
	// that only a holder of a token makes the server read a body.
	limit := httpx.Concurrency(a.Config.MaxConcurrent)
	for _, r := range a.table {
		chain := []gin.HandlerFunc{}
		if strings.HasPrefix(r.Path, "/api/") && r.Path != "/api/openapi.json" {
			if r.Access == Roles {
				chain = append(chain, a.Auth.Signed())
			}
			chain = append(chain, httpx.ReadBody(), limit)
		}
		switch r.Access {
		case OptionalAuth:
			chain = append(chain, a.Auth.Optional())
		case Roles:
			var onDeny func(*gin.Context, auth.Principal)
			if action := r.AuditAs; action != "" {
				onDeny = func(c *gin.Context, p auth.Principal) {
					_ = a.audit.Record(c.Request.Context(), p.UserID, p.Role, patient.AuditID(c.Param("id")), action, fault.ErrForbidden)
				}
			}
			chain = append(chain, a.Auth.RequireOr(onDeny, r.Roles...))
		}
		if r.LogAs != "" {
			chain = append(chain, a.logged(r.LogAs))
		}
		e.Handle(r.Method, r.Path, append(chain, r.Handler)...)
	}
}
