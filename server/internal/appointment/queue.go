package appointment

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/auth"
	"hms/server/internal/doctor"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// defaultTriage is ESI 4, "less urgent": a booked or walk-in patient nobody has triaged.
const defaultTriage = 4

func checkTriage(level int, required bool) (int, error) {
	if level == 0 && !required {
		return defaultTriage, nil
	}
	if level < 1 || level > 5 {
		return 0, fault.Invalid("triage must be an ESI level from 1 (most urgent) to 5")
	}
	return level, nil
}

func (s *Service) checkDepartment(ctx context.Context, dept string) error {
	ok, err := s.doctors.DepartmentExists(ctx, dept)
	if err != nil {
		return err
	}
	if !ok {
		return fault.Invalid("department %q does not exist", dept)
	}
	return nil
}

var errNoDepartment = fault.New(fault.ErrNotFound, "department not found")

// department checks a department named in a path: 400 when malformed, 404 when there is none.
func (s *Service) department(ctx context.Context, dept string) error {
	if !doctor.ValidDepartmentID(dept) {
		return fault.Invalid("malformed department id")
	}
	ok, err := s.doctors.DepartmentExists(ctx, dept)
	if err == nil && !ok {
		return errNoDepartment
	}
	return err
}

// issue gives the next ticket number of the department's day. The counter lives in the broker (shared
// by every instance, loaded from the store when missing, e.g. after a restart); the number only sticks
// once its claim is inserted under the unique {department, day, number} index, so it is never issued
// twice, even when the counter went backwards.
func (s *Service) issue(ctx context.Context, dept, day, appointmentID string) (int, error) {
	name := "ticket:" + dept + ":" + day
	load := func(ctx context.Context) (int64, error) {
		n, err := s.store.MaxTicketNumber(ctx, dept, day)
		return int64(n), err
	}
	for range 20 {
		n, err := s.counter.Next(ctx, name, load)
		if err != nil {
			// No broker: number from the store; the unique index still decides.
			s.log.WarnContext(ctx, "ticket counter unavailable; numbering from the store", "err", err)
			m, lerr := load(ctx)
			if lerr != nil {
				return 0, lerr
			}
			n = m + 1
		}
		err = s.store.ClaimTicketNumber(ctx, dept, day, int(n), appointmentID)
		if !errors.Is(err, ErrNumberTaken) {
			return int(n), err
		}
		_ = s.counter.Reset(ctx, name)
	}
	return 0, fault.New(fault.ErrUnavailable, "could not issue a ticket number: too much contention, try again")
}

// CheckIn puts a patient in the queue: a booked appointment of today, or a walk-in.
//
// With an idempotency key, repeating the same request returns the first ticket (replayed = true): a
// desk whose answer was lost retries without giving the patient a second ticket (or, for a new
// patient, a second record).
func (s *Service) CheckIn(ctx context.Context, p auth.Principal, req shared.CheckInRequest, key string) (Record, bool, error) {
	fp := fmt.Sprintf("checkin|%s|%s|%s|%s|%s|%s|%d", req.AppointmentID, req.Department, req.PatientID,
		strings.TrimSpace(req.Name), req.DoctorID, strings.TrimSpace(req.Reason), req.Triage)
	r, replayed, err := s.withKey(ctx, p, key, fp, func() (Record, error) {
		if req.AppointmentID != "" {
			return s.checkInBooked(ctx, p, req)
		}
		return s.walkIn(ctx, p, req)
	})
	return r, replayed, s.record(ctx, p, r.PatientID, "queue.checkin", err)
}

func (s *Service) checkInBooked(ctx context.Context, p auth.Principal, req shared.CheckInRequest) (Record, error) {
	if req.Department != "" || req.PatientID != "" || req.Name != "" || req.DoctorID != "" {
		return Record{}, fault.Invalid("with appointment_id, leave out department, patient_id, name and doctor_id: they come from the appointment")
	}
	triage, err := checkTriage(req.Triage, false)
	if err != nil {
		return Record{}, err
	}
	r, err := s.load(ctx, p, req.AppointmentID)
	if err != nil {
		return r, err
	}
	day := s.today()
	if d := r.Start.In(s.loc).Format(time.DateOnly); d != day {
		return r, fault.Invalid("the appointment is on %s, not today (%s)", d, day)
	}
	if err := allowedFrom(&Record{Status: r.Status}, "checked_in"); err != nil {
		return r, err
	}
	n, err := s.issue(ctx, r.Department, day, r.ID)
	if err != nil {
		return r, err
	}
	now := s.clock()
	return s.step(ctx, p, r, "checked_in", strings.TrimSpace(req.Reason), func(n2 *Record) error {
		n2.Ticket = Ticket{Number: n, Department: r.Department, Day: day, Triage: triage, CheckedInAt: now, CheckedInBy: p.UserID}
		return nil
	})
}

func (s *Service) walkIn(ctx context.Context, p auth.Principal, req shared.CheckInRequest) (Record, error) {
	triage, err := checkTriage(req.Triage, false)
	if err != nil {
		return Record{}, err
	}
	reason, err := checkReason(req.Reason)
	if err != nil {
		return Record{}, err
	}
	return s.admit(ctx, p, admission{department: req.Department, patientID: req.PatientID, name: req.Name,
		doctorID: req.DoctorID, reason: reason, triage: triage, action: "walk_in"})
}

// admission is a patient entering the queue without a booking.
type admission struct {
	department, patientID, name, doctorID, reason string
	triage                                        int
	action                                        string // walk_in or emergency
}

func (s *Service) admit(ctx context.Context, p auth.Principal, a admission) (Record, error) {
	if a.department == "" {
		return Record{}, fault.Invalid("department is required (or appointment_id for a booked patient)")
	}
	if err := s.checkDepartment(ctx, a.department); err != nil {
		return Record{}, err
	}
	emergency := a.action == "emergency"
	var doc doctor.Profile
	if a.doctorID != "" {
		var err error
		if !ident.Valid(a.doctorID) {
			return Record{}, fault.Invalid("doctor_id must be 24 hex digits")
		}
		if doc, err = s.doctors.Profile(ctx, a.doctorID); errors.Is(err, fault.ErrNotFound) {
			return Record{}, fault.Invalid("doctor_id: no such doctor")
		} else if err != nil {
			return Record{}, err
		}
		if doc.Department != a.department {
			return Record{}, fault.Invalid("doctor_id: the doctor works in %q, not %q", doc.Department, a.department)
		}
	}
	name := strings.TrimSpace(a.name)
	if utf8.RuneCountInString(name) > 200 {
		return Record{}, fault.Invalid("name is longer than 200 characters")
	}
	switch {
	case a.patientID != "":
		if name != "" {
			return Record{}, fault.Invalid("give patient_id or name, not both")
		}
		if !ident.Valid(a.patientID) {
			return Record{}, fault.Invalid("patient_id must be 24 hex digits")
		}
		n, err := s.patients.Name(ctx, a.patientID)
		if errors.Is(err, fault.ErrNotFound) {
			return Record{}, fault.Invalid("patient_id: no such patient")
		}
		if err != nil {
			return Record{}, err
		}
		name = n
	case emergency:
		if name == "" {
			name = "Unidentified patient"
		}
		id, err := s.patients.CreateUnlinked(ctx, p, name, true)
		if err != nil {
			return Record{}, err
		}
		a.patientID = id
	case name != "":
		id, err := s.patients.CreateUnlinked(ctx, p, name, false)
		if err != nil {
			return Record{}, err
		}
		a.patientID = id
	default:
		return Record{}, fault.Invalid("give patient_id, or name to register a new patient")
	}
	now, day := s.clock(), s.today()
	r := Record{ID: ident.New(), PatientID: a.patientID, PatientName: name, DoctorID: doc.ID, DoctorName: doc.Name,
		Department: a.department, Start: now, End: now.Add(s.policy.ConsultDefault), Reason: a.reason,
		Status: shared.StatusCheckedIn, WalkIn: true, Emergency: emergency, Step: 1, CreatedBy: p.UserID, CreatedAt: now}
	n, err := s.issue(ctx, a.department, day, r.ID)
	if err != nil {
		return Record{}, err
	}
	r.Ticket = Ticket{Number: n, Department: a.department, Day: day, Triage: a.triage, CheckedInAt: now, CheckedInBy: p.UserID,
		Alerted: emergency && a.triage <= 2}
	first := Step{AppointmentID: r.ID, Step: 1, Action: a.action, Status: r.Status, At: now, By: p.UserID, Role: p.Role, State: r}
	if err := s.store.InsertAppointment(ctx, r, first); err != nil {
		return Record{}, err
	}
	s.publish(ctx, a.action, r)
	return r, nil
}

// Emergency admits a patient now with minimal data; an unknown patient gets an unidentified record to
// be merged later. ESI 1–2 go to the front of the queue and raise an emergency alert.
// With an idempotency key, a repeat returns the first admission (replayed = true).
func (s *Service) Emergency(ctx context.Context, p auth.Principal, req shared.EmergencyRequest, key string) (Record, bool, error) {
	fp := fmt.Sprintf("emergency|%s|%s|%s|%s|%d", req.Department, req.PatientID, strings.TrimSpace(req.Name),
		strings.TrimSpace(req.Complaint), req.Triage)
	r, replayed, err := s.withKey(ctx, p, key, fp, func() (Record, error) { return s.emergency(ctx, p, req) })
	return r, replayed, s.record(ctx, p, r.PatientID, "queue.emergency", err)
}

func (s *Service) emergency(ctx context.Context, p auth.Principal, req shared.EmergencyRequest) (Record, error) {
	triage, err := checkTriage(req.Triage, true)
	if err != nil {
		return Record{}, err
	}
	complaint, err := checkReason(req.Complaint)
	if err != nil {
		return Record{}, fault.Invalid("complaint is longer than 500 characters")
	}
	r, err := s.admit(ctx, p, admission{department: req.Department, patientID: req.PatientID, name: req.Name,
		reason: complaint, triage: triage, action: "emergency"})
	if err != nil {
		return r, err
	}
	s.alertIfUrgent(ctx, p, r, 6)
	return r, nil
}

// alertIfUrgent raises an emergency alert for a ticket at ESI 1–2 (when it was less urgent before).
// The alert names the ticket, department and complaint, not the patient; it knows the appointment, so
// finishing the ticket resolves it.
func (s *Service) alertIfUrgent(ctx context.Context, p auth.Principal, r Record, before int) {
	if r.Ticket.Triage > 2 || before <= 2 {
		return
	}
	sev := "high"
	if r.Ticket.Triage == 1 {
		sev = "critical"
	}
	msg := fmt.Sprintf("Emergency, ESI %d: ticket %d in %s", r.Ticket.Triage, r.Ticket.Number, r.Ticket.Department)
	if _, err := s.alerts.Raise(context.WithoutCancel(ctx), p, shared.RaiseAlertRequest{Message: msg,
		Location: r.Ticket.Department, Severity: sev, Ticket: &shared.AlertTicket{AppointmentID: r.ID, Department: r.Ticket.Department,
			Number: r.Ticket.Number, Complaint: r.Reason}}); err != nil {
		s.log.ErrorContext(ctx, "raise emergency alert", "appointment", r.ID, "err", err)
	}
}

// CallNext calls the first waiting ticket the doctor may take (booked with them or with nobody). Two
// doctors calling at once each get a different ticket: each call claims the ticket's next step.
func (s *Service) CallNext(ctx context.Context, p auth.Principal, dept string) (Record, error) {
	r, err := s.callNext(ctx, p, dept)
	return r, s.record(ctx, p, r.PatientID, "queue.called", err)
}

func (s *Service) callNext(ctx context.Context, p auth.Principal, dept string) (Record, error) {
	if err := s.department(ctx, dept); err != nil {
		return Record{}, err
	}
	name := s.callerName(ctx, p)
	for range 3 {
		b, err := s.board(ctx, dept, s.today())
		if err != nil {
			return Record{}, err
		}
		lost := false
		for _, r := range b.waiting {
			if r.DoctorID != "" && r.DoctorID != p.UserID {
				continue
			}
			next, err := s.step(ctx, p, r, "called", "", s.call(p, name))
			if err == nil {
				return next, nil
			}
			if !errors.Is(err, fault.ErrConflict) {
				return Record{}, err
			}
			lost = true
		}
		if !lost {
			break
		}
	}
	return Record{}, ErrQueueEmpty
}

func (s *Service) callerName(ctx context.Context, p auth.Principal) string {
	if pr, err := s.doctors.Profile(ctx, p.UserID); err == nil {
		return pr.Name
	}
	return ""
}

func (s *Service) call(p auth.Principal, name string) func(*Record) error {
	return func(n *Record) error {
		n.Ticket.CalledAt, n.Ticket.CalledBy, n.Ticket.CalledByName = s.clock(), p.UserID, name
		return nil
	}
}

// Transition names the queue actions on one ticket.
type Transition string

// The ticket actions.
const (
	Call    Transition = "called"
	Start   Transition = "started"
	Finish  Transition = "finished"
	NoShow  Transition = "no_show"
	Requeue Transition = "requeued"
)

// Act moves one ticket: call (a specific ticket), start, finish, no-show or return to the queue.
func (s *Service) Act(ctx context.Context, p auth.Principal, id string, action Transition, req shared.ReasonRequest) (Record, error) {
	r, err := s.act(ctx, p, id, action, req)
	return r, s.record(ctx, p, r.PatientID, "queue."+string(action), err)
}

func (s *Service) act(ctx context.Context, p auth.Principal, id string, action Transition, req shared.ReasonRequest) (Record, error) {
	reason, err := checkReason(req.Reason)
	if err != nil {
		return Record{}, err
	}
	var out Record
	err = s.retry(ctx, func() error {
		r, err := s.load(ctx, p, id)
		if err != nil {
			return err
		}
		out = r
		change, err := s.change(ctx, p, r, action)
		if err != nil {
			return err
		}
		out, err = s.step(ctx, p, r, string(action), reason, change)
		return err
	})
	return out, err
}

var errOtherDoctor = fault.New(fault.ErrForbidden, "another doctor has this patient")

// change checks who may take action on r and returns the change to make.
func (s *Service) change(ctx context.Context, p auth.Principal, r Record, action Transition) (func(*Record) error, error) {
	noop := func(*Record) error { return nil }
	if r.Ticket.Number == 0 && action != NoShow {
		return nil, fault.New(fault.ErrConflict, "the patient is not checked in")
	}
	switch action {
	case Call:
		if r.DoctorID != "" && r.DoctorID != p.UserID {
			return nil, fault.New(fault.ErrForbidden, "the appointment is with another doctor")
		}
		return s.call(p, s.callerName(ctx, p)), nil
	case Start:
		if err := allowedFrom(&Record{Status: r.Status}, string(action)); err != nil {
			return nil, err
		}
		if r.Status == shared.StatusCalled && r.Ticket.CalledBy != p.UserID {
			return nil, errOtherDoctor
		}
		if r.Status == shared.StatusCheckedIn && r.DoctorID != "" && r.DoctorID != p.UserID {
			return nil, fault.New(fault.ErrForbidden, "the appointment is with another doctor")
		}
		name := s.callerName(ctx, p)
		return func(n *Record) error {
			if n.Ticket.CalledAt.IsZero() {
				s.call(p, name)(n)
			}
			// A department ticket (a walk-in, an emergency: no doctor yet) becomes the appointment of the
			// doctor who sees it, so the visit keeps its doctor. Not at the call: a ticket called, missed
			// and put back in the queue is again for the next free doctor.
			if n.DoctorID == "" && p.Role == shared.RoleDoctor {
				n.DoctorID, n.DoctorName = p.UserID, name
			}
			n.Ticket.StartedAt = s.clock()
			return nil
		}, nil
	case Finish:
		if err := allowedFrom(&Record{Status: r.Status}, string(action)); err != nil {
			return nil, err
		}
		if r.Ticket.CalledBy != p.UserID {
			return nil, errOtherDoctor
		}
		return func(n *Record) error { n.Ticket.FinishedAt = s.clock(); return nil }, nil
	case NoShow:
		if p.Role == shared.RoleDoctor && r.Status == shared.StatusCalled && r.Ticket.CalledBy != p.UserID {
			return nil, errOtherDoctor
		}
		return noop, nil
	case Requeue:
		return func(n *Record) error {
			n.Ticket.CalledAt, n.Ticket.CalledBy, n.Ticket.CalledByName, n.Ticket.StartedAt = time.Time{}, "", "", time.Time{}
			return nil
		}, nil
	}
	return nil, fault.Invalid("unknown action")
}

// Triage sets a waiting ticket's ESI level; raising it to 1–2 raises an emergency alert.
func (s *Service) Triage(ctx context.Context, p auth.Principal, id string, req shared.TriageRequest) (Record, error) {
	r, err := s.triage(ctx, p, id, req)
	return r, s.record(ctx, p, r.PatientID, "queue.triaged", err)
}

func (s *Service) triage(ctx context.Context, p auth.Principal, id string, req shared.TriageRequest) (Record, error) {
	level, err := checkTriage(req.Level, true)
	if err != nil {
		return Record{}, fault.Invalid("level must be an ESI level from 1 (most urgent) to 5")
	}
	reason, err := checkReason(req.Reason)
	if err != nil {
		return Record{}, err
	}
	var out Record
	before := 0
	err = s.retry(ctx, func() error {
		r, err := s.load(ctx, p, id)
		if err != nil {
			return err
		}
		out, before = r, r.Ticket.Triage
		if r.Ticket.Number == 0 {
			return fault.New(fault.ErrConflict, "the patient is not checked in")
		}
		out, err = s.step(ctx, p, r, "triaged", reason, func(n *Record) error { n.Ticket.Triage = level; return nil })
		return err
	})
	if err == nil {
		s.alertIfUrgent(ctx, p, out, before)
	}
	return out, err
}

// Snapshot returns a department's queue today, for staff.
func (s *Service) Snapshot(ctx context.Context, p auth.Principal, dept string) (shared.QueueSnapshot, error) {
	if err := s.department(ctx, dept); err != nil {
		return shared.QueueSnapshot{}, err
	}
	day := s.today()
	b, err := s.board(ctx, dept, day)
	if err != nil {
		return shared.QueueSnapshot{}, err
	}
	out := shared.QueueSnapshot{Department: dept, Day: day, At: s.clock(), Waiting: b.waitingPublic(nil),
		Serving: []shared.Appointment{}, Stats: b.stats}
	for _, r := range b.serving {
		out.Serving = append(out.Serving, r.Public())
	}
	v := s.view(p)
	if err := v.showAll(ctx, out.Waiting); err != nil {
		return out, err
	}
	if err := v.showAll(ctx, out.Serving); err != nil {
		return out, err
	}
	return out, v.audit(ctx, "queue.snapshot")
}

// Display returns a department's waiting-room board.
func (s *Service) Display(ctx context.Context, dept string) (shared.DisplayBoard, error) {
	if err := s.department(ctx, dept); err != nil {
		return shared.DisplayBoard{}, err
	}
	day := s.today()
	b, err := s.board(ctx, dept, day)
	if err != nil {
		return shared.DisplayBoard{}, err
	}
	return s.display(b, dept, day), nil
}

// Dashboard returns a doctor's day: appointments, their queue, who they are seeing, and figures.
func (s *Service) Dashboard(ctx context.Context, p auth.Principal, doctorID string) (shared.Dashboard, error) {
	if p.Role == shared.RoleDoctor && p.UserID != doctorID {
		return shared.Dashboard{}, fault.New(fault.ErrForbidden, "doctors may only see their own dashboard")
	}
	d, err := s.doctors.Get(ctx, doctorID)
	if err != nil {
		return shared.Dashboard{}, err
	}
	day := s.today()
	from, to := doctor.Day(s.now(), s.loc)
	out := shared.Dashboard{Doctor: d, Day: day, Appointments: []shared.Appointment{}, Queue: []shared.Appointment{}}
	recs, _, err := s.store.List(ctx, Filter{DoctorID: doctorID, From: from, To: to}, 0, 500)
	if err != nil {
		return out, err
	}
	for _, r := range recs {
		out.Appointments = append(out.Appointments, r.Public())
	}
	if d.Department == "" {
		v := s.view(p)
		if err := v.showAll(ctx, out.Appointments); err != nil {
			return out, err
		}
		return out, v.audit(ctx, "appointment.dashboard")
	}
	b, err := s.board(ctx, d.Department, day)
	if err != nil {
		return out, err
	}
	out.Queue = b.waitingPublic(func(r Record) bool { return r.DoctorID == "" || r.DoctorID == doctorID })
	for _, r := range b.serving {
		if r.Ticket.CalledBy == doctorID {
			a := r.Public()
			out.Current = &a
		}
	}
	var total time.Duration
	for _, r := range b.all {
		if r.Status == shared.StatusCompleted && r.Ticket.CalledBy == doctorID {
			out.Seen++
			total += r.Ticket.FinishedAt.Sub(r.Ticket.StartedAt)
		}
	}
	if out.Seen > 0 {
		out.AverageConsultationMinutes = round1(minutes(total) / float64(out.Seen))
	}
	v := s.view(p)
	if err := v.showAll(ctx, out.Appointments); err != nil {
		return out, err
	}
	if err := v.showAll(ctx, out.Queue); err != nil {
		return out, err
	}
	if out.Current != nil {
		if err := v.show(ctx, out.Current); err != nil {
			return out, err
		}
	}
	return out, v.audit(ctx, "appointment.dashboard")
}
