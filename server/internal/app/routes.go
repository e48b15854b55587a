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
)

// Route is one row of the router's table: every route the server answers is listed here, with who may
// call it. The same table registers the routes and drives the permission tests.
type Route struct {
	Method  string
	Path    string
	Access  Access
	Roles   []shared.Role
	Handler gin.HandlerFunc
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
		{"GET", "/healthz", Public, nil, a.healthz},
		{"GET", "/readyz", Public, nil, a.readyz},
		{"GET", "/api/openapi.json", Public, nil, openapi.Handler},

		{"POST", "/api/auth/register", OptionalAuth, nil, au.Register},
		{"POST", "/api/auth/login", Public, nil, au.Login},
		{"POST", "/api/auth/refresh", Public, nil, au.Refresh},
		{"POST", "/api/auth/logout", Roles, everyone, au.Logout},
		{"POST", "/api/auth/password", Roles, everyone, au.ChangePassword},

		{"GET", "/api/me", Roles, everyone, au.Me},
		{"PATCH", "/api/me", Roles, everyone, au.UpdateMe},
		{"GET", "/api/users", Roles, adminOnly, au.ListUsers},
		{"GET", "/api/users/:id", Roles, adminOnly, au.GetUser},
		{"PATCH", "/api/users/:id", Roles, adminOnly, au.UpdateUser},

		{"GET", "/api/patient/:id", Roles, everyone, pa.GetHandler},
		{"PUT", "/api/patient/:id", Roles, clinical, pa.UpdateHandler},

		{"GET", "/api/audit", Roles, adminOnly, lg.ListHandler},

		// The websocket authenticates itself (Bearer header or single-use ticket) after the Origin check.
		{"GET", "/ws", Public, nil, a.Hub.ServeWS},
		{"POST", "/api/ws/ticket", Roles, everyone, au.Ticket},
		{"POST", "/api/alerts/emergency", Roles, staffSide, al.RaiseHandler},
		{"GET", "/api/alerts", Roles, staffSide, al.ListHandler},
		{"POST", "/api/alerts/:id/ack", Roles, staffSide, al.AckHandler},
		{"POST", "/api/broadcasts", Roles, adminOnly, al.BroadcastHandler},

		{"GET", "/api/departments", Roles, everyone, dr.DepartmentsHandler},
		{"POST", "/api/departments", Roles, adminOnly, dr.CreateDepartmentHandler},
		{"GET", "/api/doctors", Roles, everyone, dr.ListHandler},
		{"GET", "/api/doctors/:id", Roles, everyone, dr.GetHandler},
		{"PUT", "/api/doctors/:id", Roles, adminOnly, dr.UpdateHandler},
		{"PUT", "/api/doctors/:id/schedule", Roles, adminDoctor, dr.ScheduleHandler},
		{"POST", "/api/doctors/:id/leave", Roles, adminDoctor, dr.AddLeaveHandler},
		{"DELETE", "/api/doctors/:id/leave/:leave_id", Roles, adminDoctor, dr.DeleteLeaveHandler},
		{"GET", "/api/doctors/:id/slots", Roles, everyone, dr.SlotsHandler},
		{"GET", "/api/doctors/:id/dashboard", Roles, staffSide, ap.DashboardHandler},

		{"POST", "/api/appointments", Roles, everyone, ap.BookHandler},
		{"GET", "/api/appointments", Roles, everyone, ap.ListHandler},
		{"GET", "/api/appointments/:id", Roles, everyone, ap.GetHandler},
		{"PATCH", "/api/appointments/:id", Roles, everyone, ap.RescheduleHandler},
		{"POST", "/api/appointments/:id/cancel", Roles, everyone, ap.CancelHandler},

		{"POST", "/api/queue/checkin", Roles, staffSide, ap.CheckInHandler},
		{"POST", "/api/queue/emergency", Roles, staffSide, ap.EmergencyHandler},
		{"GET", "/api/queues/:department", Roles, staffSide, ap.SnapshotHandler},
		{"GET", "/api/queues/:department/display", Roles, everyone, ap.DisplayHandler},
		{"POST", "/api/queues/:department/next", Roles, doctorOnly, ap.NextHandler},
		{"POST", "/api/queue/tickets/:id/call", Roles, doctorOnly, ap.ActHandler(appointment.Call)},
		{"POST", "/api/queue/tickets/:id/start", Roles, doctorOnly, ap.ActHandler(appointment.Start)},
		{"POST", "/api/queue/tickets/:id/finish", Roles, doctorOnly, ap.ActHandler(appointment.Finish)},
		{"POST", "/api/queue/tickets/:id/no-show", Roles, doctorStaff, ap.ActHandler(appointment.NoShow)},
		{"POST", "/api/queue/tickets/:id/requeue", Roles, doctorStaff, ap.ActHandler(appointment.Requeue)},
		{"POST", "/api/queue/tickets/:id/triage", Roles, doctorStaff, ap.TriageHandler},
	}
	// Each patient-records domain keeps its rows in its own file (routes_<domain>.go).
	for _, more := range [][]Route{a.notifyRoutes(), a.recordRoutes(), a.accessRoutes(), a.chartRoutes(), a.pharmacyRoutes(), a.labRoutes(), a.wardRoutes()} {
		core = append(core, more...)
	}
	return core
}

// Routes returns the router's table, for tests and tools.
func (a *App) Routes() []Route { return a.table }

// auditedRoutes read or change patient data: a caller refused by role is audited there too, not only
// one refused by the service (docs/security.md row 28).
var auditedRoutes = map[string]string{
	"GET /api/patient/:id": "patient.read",
	"PUT /api/patient/:id": "patient.update",
}

func (a *App) register(e *gin.Engine) {
	a.table = a.routes()
	// API calls take turns at the database; the websocket (long-lived) and probes do not queue.
	limit := httpx.Concurrency(a.Config.MaxConcurrent)
	for _, r := range a.table {
		chain := []gin.HandlerFunc{}
		if strings.HasPrefix(r.Path, "/api/") && r.Path != "/api/openapi.json" {
			chain = append(chain, limit)
		}
		switch r.Access {
		case OptionalAuth:
			chain = append(chain, a.Auth.Optional())
		case Roles:
			var onDeny func(*gin.Context, auth.Principal)
			if action, ok := auditedRoutes[r.Method+" "+r.Path]; ok {
				onDeny = func(c *gin.Context, p auth.Principal) {
					_ = a.audit.Record(c.Request.Context(), p.UserID, p.Role, patient.AuditID(c.Param("id")), action, fault.ErrForbidden)
				}
			}
			chain = append(chain, a.Auth.RequireOr(onDeny, r.Roles...))
		}
		e.Handle(r.Method, r.Path, append(chain, r.Handler)...)
	}
}
