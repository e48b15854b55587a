package appointment

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/httpx"
	"hms/shared"
)

// BookHandler handles POST /api/appointments (with an optional Idempotency-Key header).
func (s *Service) BookHandler(c *gin.Context) {
	var req shared.BookRequest
	key, ok := keyed(c, &req)
	if !ok {
		return
	}
	p, _ := auth.PrincipalOf(c)
	s.created(c)(s.Book(c.Request.Context(), p, req, key))
}

// keyed binds the body of a request that may carry an Idempotency-Key into req and returns the key;
// when either is not valid it has answered and returns false.
func keyed(c *gin.Context, req any) (string, bool) {
	if err := httpx.BindJSON(c, req); err != nil {
		httpx.Error(c, err)
		return "", false
	}
	key, err := httpx.IdempotencyKey(c)
	if err != nil {
		httpx.Error(c, err)
		return "", false
	}
	return key, true
}

// created answers 201 with the appointment as the caller may see it (shown), marking a replay of an
// earlier request made with the same Idempotency-Key.
func (s *Service) created(c *gin.Context) func(Record, bool, error) {
	return func(r Record, replayed bool, err error) {
		httpx.ReplyKeyed(c, http.StatusCreated)(s.shown(c, r, err), replayed, err)
	}
}

// ListHandler handles GET /api/appointments.
func (s *Service) ListHandler(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	q := shared.AppointmentListQuery{DoctorID: c.Query("doctor_id"), PatientID: c.Query("patient_id"),
		Date: c.Query("date"), Status: c.Query("status")}
	httpx.Reply(c, http.StatusOK)(s.List(c.Request.Context(), p, q, page, limit))
}

// GetHandler handles GET /api/appointments/{id}.
func (s *Service) GetHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Get(c.Request.Context(), p, c.Param("id")))
}

// RescheduleHandler handles PATCH /api/appointments/{id}.
func (s *Service) RescheduleHandler(c *gin.Context) {
	var req shared.RescheduleRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	s.reply(c, http.StatusOK)(s.Reschedule(c.Request.Context(), p, c.Param("id"), req))
}

// CancelHandler handles POST /api/appointments/{id}/cancel.
func (s *Service) CancelHandler(c *gin.Context) {
	var req shared.ReasonRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	s.reply(c, http.StatusOK)(s.Cancel(c.Request.Context(), p, c.Param("id"), req))
}

// CheckInHandler handles POST /api/queue/checkin.
func (s *Service) CheckInHandler(c *gin.Context) {
	var req shared.CheckInRequest
	key, ok := keyed(c, &req)
	if !ok {
		return
	}
	p, _ := auth.PrincipalOf(c)
	s.created(c)(s.CheckIn(c.Request.Context(), p, req, key))
}

// EmergencyHandler handles POST /api/queue/emergency.
func (s *Service) EmergencyHandler(c *gin.Context) {
	var req shared.EmergencyRequest
	key, ok := keyed(c, &req)
	if !ok {
		return
	}
	p, _ := auth.PrincipalOf(c)
	s.created(c)(s.Emergency(c.Request.Context(), p, req, key))
}

// NextHandler handles POST /api/queues/{department}/next.
func (s *Service) NextHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	s.reply(c, http.StatusOK)(s.CallNext(c.Request.Context(), p, c.Param("department")))
}

// ActHandler returns the handler of POST /api/queue/tickets/{id}/<action>; the body is optional.
func (s *Service) ActHandler(action Transition) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req shared.ReasonRequest
		if c.Request.ContentLength != 0 {
			if err := httpx.BindJSON(c, &req); err != nil {
				httpx.Error(c, err)
				return
			}
		}
		p, _ := auth.PrincipalOf(c)
		s.reply(c, http.StatusOK)(s.Act(c.Request.Context(), p, c.Param("id"), action, req))
	}
}

// TriageHandler handles POST /api/queue/tickets/{id}/triage.
func (s *Service) TriageHandler(c *gin.Context) {
	var req shared.TriageRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := auth.PrincipalOf(c)
	s.reply(c, http.StatusOK)(s.Triage(c.Request.Context(), p, c.Param("id"), req))
}

// SnapshotHandler handles GET /api/queues/{department}.
func (s *Service) SnapshotHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Snapshot(c.Request.Context(), p, c.Param("department")))
}

// DisplayHandler handles GET /api/queues/{department}/display.
func (s *Service) DisplayHandler(c *gin.Context) {
	httpx.Reply(c, http.StatusOK)(s.Display(c.Request.Context(), c.Param("department")))
}

// DashboardHandler handles GET /api/doctors/{id}/dashboard.
func (s *Service) DashboardHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	httpx.Reply(c, http.StatusOK)(s.Dashboard(c.Request.Context(), p, c.Param("id")))
}

// reply writes a record as the caller may see it (shown), or an error.
func (s *Service) reply(c *gin.Context, status int) func(Record, error) {
	return func(r Record, err error) { httpx.Reply(c, status)(s.shown(c, r, err), err) }
}

// shown is the appointment a change answers with, under the access rule like every read
// (docs/security.md row 35): its reason (free text, often clinical) only for a caller who may see the
// patient. The change itself is audited by the service. When the rule cannot be asked, the reason is
// left out: the change is made, and the appointment can be read again.
func (s *Service) shown(c *gin.Context, r Record, err error) shared.Appointment {
	a := r.Public()
	if err != nil {
		return a
	}
	p, _ := auth.PrincipalOf(c)
	if verr := s.view(p).show(c.Request.Context(), &a); verr != nil {
		a.Reason = ""
		s.log.WarnContext(c.Request.Context(), "ask the access rule for an appointment's reason", "appointment", r.ID, "err", verr)
	}
	return a
}
