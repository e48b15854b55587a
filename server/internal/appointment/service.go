package appointment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/clock"
	"hms/server/internal/doctor"
	"hms/server/internal/fault"
	"hms/server/internal/idem"
	"hms/server/internal/ident"
	"hms/server/internal/reaction"
	"hms/shared"
)

// Doctors is what booking needs from the doctor domain.
type Doctors interface {
	Slot(ctx context.Context, doctorID string, start time.Time) (doctor.Profile, shared.Slot, error)
	Profile(ctx context.Context, id string) (doctor.Profile, error)
	DepartmentExists(ctx context.Context, id string) (bool, error)
	Get(ctx context.Context, id string) (shared.Doctor, error)
}

// Patients finds and creates patient records.
type Patients interface {
	// Name returns the patient's name, or a not-found error.
	Name(ctx context.Context, id string) (string, error)
	// CreateUnlinked creates a record without an account (a walk-in, or an unidentified emergency).
	CreateUnlinked(ctx context.Context, by auth.Principal, name string, unidentified bool) (string, error)
}

// Alerts raises emergency alerts.
type Alerts interface {
	Raise(ctx context.Context, p auth.Principal, req shared.RaiseAlertRequest) (shared.Alert, error)
}

// Publisher puts events on the live stream.
type Publisher interface {
	Publish(ctx context.Context, channel, typ string, data any) (shared.Event, error)
	// PublishWith builds the data under the channel's publish lock; build may return event.ErrSkip.
	PublishWith(ctx context.Context, channel, typ string, build func(ctx context.Context) (any, error)) (shared.Event, error)
	Last(ctx context.Context, channel string) (shared.Event, bool, error)
}

// Counter hands out numbers shared by every instance (the broker); the store's unique index is what
// makes a number stick.
type Counter interface {
	Next(ctx context.Context, name string, load func(ctx context.Context) (int64, error)) (int64, error)
	Reset(ctx context.Context, name string) error
}

// Config is the service's settings.
type Config struct {
	Location *time.Location
	Policy   Policy
	// Clock is the hospital's clock (nil: the system time).
	Clock *clock.Clock
	// Access is the clinical access rule, asked before an appointment's reason is shown.
	Access Access
}

// Service is the appointment and queue domain's logic.
type Service struct {
	store    Store
	doctors  Doctors
	patients Patients
	alerts   Alerts
	pub      Publisher
	counter  Counter
	audit    *audit.Log
	log      *slog.Logger
	loc      *time.Location
	policy   Policy
	// hospital is the hospital's clock, which tests move while background jobs read it.
	hospital *clock.Clock
	// bus announces the changes other domains react to (event.go).
	bus *reaction.Bus
	// access decides who sees appointments' reasons (view.go).
	access Access
}

// NewService wires the service.
func NewService(store Store, doctors Doctors, patients Patients, alerts Alerts, pub Publisher, counter Counter,
	log *audit.Log, logger *slog.Logger, bus *reaction.Bus, cfg Config) *Service {
	s := &Service{store: store, doctors: doctors, patients: patients, alerts: alerts, pub: pub, counter: counter,
		audit: log, log: logger, bus: bus, loc: cfg.Location, policy: cfg.Policy, hospital: cfg.Clock, access: cfg.Access}
	return s
}

func (s *Service) now() time.Time { return s.hospital.Now() }

// clock is now as stored: UTC, to the millisecond.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// today is the hospital's current date, YYYY-MM-DD.
func (s *Service) today() string { return s.now().In(s.loc).Format(time.DateOnly) }

// record audits an action on a patient's appointment; a failed audit write fails the request.
func (s *Service) record(ctx context.Context, p auth.Principal, patientID, action string, err error) error {
	if !ident.Valid(patientID) {
		patientID = ""
	}
	logged := err
	if errors.Is(err, errHidden) {
		logged = fault.New(fault.ErrForbidden, "not the caller's appointment")
	}
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, patientID, action, logged); aerr != nil && err == nil {
		return aerr
	}
	return err
}

func slotKey(doctorID string, start time.Time) string {
	return doctorID + "@" + start.UTC().Format(time.RFC3339)
}

func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 500 {
		return "", fault.Invalid("reason is longer than 500 characters")
	}
	return reason, nil
}

// Book books a slot. A patient books for themself; staff name the patient. With an idempotency key,
// repeating the same request returns the first booking (replayed = true) instead of booking again.
func (s *Service) Book(ctx context.Context, p auth.Principal, req shared.BookRequest, key string) (r Record, replayed bool, err error) {
	patientID := req.PatientID
	if p.Role == shared.RolePatient {
		if patientID != "" && patientID != p.PatientID {
			err = fault.New(fault.ErrForbidden, "patients may only book for themselves")
			return r, false, s.record(ctx, p, patientID, "appointment.book", err)
		}
		patientID = p.PatientID
	} else if err := forOthers(p); err != nil {
		return r, false, s.record(ctx, p, patientID, "appointment.book", err)
	}
	fp := fmt.Sprintf("%s|%s|%s|%s", req.DoctorID, req.Start.UTC().Format(time.RFC3339Nano), strings.TrimSpace(req.Reason), patientID)
	r, replayed, err = s.withKey(ctx, p, key, fp, func() (Record, error) { return s.book(ctx, p, patientID, req) })
	return r, replayed, s.record(ctx, p, patientID, "appointment.book", err)
}

// forOthers refuses a caller other than a patient whose role is not granted booking for others: a
// patient books, moves and cancels their own appointments; anyone else acts for a patient.
func forOthers(p auth.Principal) error {
	if p.Role == shared.RolePatient || p.Can(shared.PermBookOthers) {
		return nil
	}
	return fault.New(fault.ErrForbidden, "your role (%s) is not granted %s", p.RoleID, shared.PermBookOthers)
}

// withKey runs do once per Idempotency-Key when one was sent (idem.Claim), else just runs it: a repeat
// of the same request (same fingerprint) gets the appointment the first one made, replayed = true.
func (s *Service) withKey(ctx context.Context, p auth.Principal, key, fingerprint string, do func() (Record, error)) (Record, bool, error) {
	if key == "" {
		r, err := do()
		return r, false, err
	}
	var made Record
	k := idem.Key{ID: idem.Scope(p.UserID, key), Fingerprint: idem.Fingerprint([]byte(fingerprint)), At: s.clock()}
	id, replayed, err := idem.Claim(ctx, s.store, s.log, k, func() (string, error) {
		var err error
		made, err = do()
		return made.ID, err
	})
	switch {
	case err != nil:
		return Record{}, false, err
	case !replayed:
		return made, false, nil
	}
	r, err := s.store.Appointment(ctx, id)
	return r, err == nil, err
}

func (s *Service) book(ctx context.Context, p auth.Principal, patientID string, req shared.BookRequest) (Record, error) {
	if !ident.Valid(patientID) {
		return Record{}, fault.Invalid("patient_id is required when staff book (24 hex digits)")
	}
	if !ident.Valid(req.DoctorID) {
		return Record{}, fault.Invalid("doctor_id is required (24 hex digits)")
	}
	reason, err := checkReason(req.Reason)
	if err != nil {
		return Record{}, err
	}
	name, err := s.patients.Name(ctx, patientID)
	if errors.Is(err, fault.ErrNotFound) {
		return Record{}, fault.Invalid("patient_id: no such patient")
	}
	if err != nil {
		return Record{}, err
	}
	pr, slot, err := s.doctors.Slot(ctx, req.DoctorID, req.Start)
	if err != nil {
		return Record{}, err
	}
	if pr.Department == "" {
		return Record{}, fault.Invalid("doctor_id: the doctor has no department yet")
	}
	now := s.clock()
	r := Record{ID: ident.New(), PatientID: patientID, PatientName: name, DoctorID: pr.ID, DoctorName: pr.Name,
		Department: pr.Department, Start: slot.Start.UTC(), End: slot.End.UTC(), Reason: reason,
		Status: shared.StatusScheduled, SlotKey: slotKey(pr.ID, slot.Start), Step: 1, CreatedBy: p.UserID, CreatedAt: now}
	if err := s.claim(ctx, Claim{Key: r.SlotKey, AppointmentID: r.ID, DoctorID: r.DoctorID, Start: r.Start, End: r.End}); err != nil {
		return Record{}, err
	}
	first := Step{AppointmentID: r.ID, Step: 1, Action: "booked", Status: r.Status, At: now, By: p.UserID, Role: p.Role, State: r}
	announced, err := s.expect(ctx, "booked", Change{r.ID, 1})
	if err == nil {
		if err = s.store.InsertAppointment(ctx, r, first); err != nil {
			announced.Drop(ctx)
		}
	}
	if err != nil {
		_ = s.store.ReleaseSlot(context.WithoutCancel(ctx), r.SlotKey, r.ID)
		return Record{}, err
	}
	s.publish(ctx, "booked", r)
	announced.Happened(ctx)
	return r, nil
}

// claim takes a slot. A claim left behind by an appointment that no longer holds the slot (a crash
// between cancelling and releasing, or between claiming and storing the appointment) is cleared and
// the claim retried once. A claim whose appointment is not stored yet may be a booking in progress: it
// only counts as abandoned after staleClaim.
func (s *Service) claim(ctx context.Context, c Claim) error {
	key := c.Key
	c.At = s.clock()
	err := s.store.ClaimSlot(ctx, c)
	if !errors.Is(err, ErrSlotTaken) {
		return err
	}
	holder, at, herr := s.store.SlotHolder(ctx, key)
	if herr != nil {
		return err
	}
	h, herr := s.store.Appointment(ctx, holder)
	switch {
	case herr == nil && h.SlotKey == key:
		return err // held
	case errors.Is(herr, ErrNotFound) && s.now().Sub(at) < staleClaim:
		return err // being booked right now
	case herr != nil && !errors.Is(herr, ErrNotFound):
		return err
	}
	if rerr := s.store.ReleaseSlot(ctx, key, holder); rerr != nil {
		return err
	}
	return s.store.ClaimSlot(ctx, c)
}

// staleClaim is how long a slot claim may wait for its appointment to be stored.
const staleClaim = time.Minute

// errHidden answers a patient asking for someone else's appointment: "not found" to them (no probing
// which ids exist), "denied" in the audit trail.
var errHidden = fault.New(fault.ErrNotFound, "appointment not found")

// load returns an appointment the caller may see: a patient only their own (others' are "not found").
func (s *Service) load(ctx context.Context, p auth.Principal, id string) (Record, error) {
	if !ident.Valid(id) {
		return Record{}, fault.Invalid("malformed appointment id: want 24 hex digits")
	}
	r, err := s.store.Appointment(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if p.Role == shared.RolePatient && r.PatientID != p.PatientID {
		// Returned with the record so that the refusal is audited against the patient it concerned.
		return Record{PatientID: r.PatientID}, errHidden
	}
	return r, nil
}

// Get returns an appointment with its history.
func (s *Service) Get(ctx context.Context, p auth.Principal, id string) (shared.Appointment, error) {
	r, err := s.load(ctx, p, id)
	if err != nil {
		return shared.Appointment{}, s.record(ctx, p, r.PatientID, "appointment.read", err)
	}
	steps, err := s.store.Steps(ctx, id, r.Step)
	if err = s.record(ctx, p, r.PatientID, "appointment.read", err); err != nil {
		return shared.Appointment{}, err
	}
	out := r.Public()
	for _, st := range steps {
		out.History = append(out.History, shared.StatusChange{Step: st.Step, Action: st.Action, Status: st.Status,
			At: st.At, By: st.By, Role: st.Role, Reason: st.Reason})
	}
	if err := s.view(p).show(ctx, &out); err != nil {
		return shared.Appointment{}, err
	}
	return out, nil
}

// List lists appointments by doctor, patient, date and status, ordered by start. A patient sees only
// their own.
func (s *Service) List(ctx context.Context, p auth.Principal, q shared.AppointmentListQuery, page, limit int) (shared.AppointmentList, error) {
	out := shared.AppointmentList{Items: []shared.Appointment{}, Page: page, Limit: limit}
	f := Filter{DoctorID: q.DoctorID, PatientID: q.PatientID, Status: shared.AppointmentStatus(q.Status)}
	if f.Status != "" {
		if _, ok := statusNames[f.Status]; !ok {
			return out, fault.Invalid("status must be one of scheduled, checked-in, called, in-consultation, completed, cancelled, no-show")
		}
	}
	if q.Date != "" {
		day, err := doctor.ParseDate(q.Date, s.loc)
		if err != nil {
			return out, err
		}
		f.From, f.To = doctor.Day(day, s.loc)
	}
	items, total, err := s.Search(ctx, p, f, (page-1)*limit, limit)
	if err != nil {
		return out, err
	}
	out.Items, out.Total = items, total
	return out, nil
}

// Search is List's rule over any filter (the FHIR Appointment search uses it with date ranges): a
// patient sees only their own appointments (asking for another's is refused), staff any; reasons are
// shown by the access rule; audited as appointment.list (on the patient asked for, else once for each
// patient returned).
func (s *Service) Search(ctx context.Context, p auth.Principal, f Filter, skip, limit int) ([]shared.Appointment, int, error) {
	items := []shared.Appointment{}
	if p.Role == shared.RolePatient {
		if f.PatientID != "" && f.PatientID != p.PatientID {
			return items, 0, s.record(ctx, p, f.PatientID, "appointment.list", fault.New(fault.ErrForbidden, "patients may only list their own appointments"))
		}
		f.PatientID = p.PatientID
	}
	if f.DoctorID != "" && !ident.Valid(f.DoctorID) || f.PatientID != "" && !ident.Valid(f.PatientID) {
		return items, 0, fault.Invalid("doctor_id and patient_id must be 24 hex digits")
	}
	recs, total, err := s.store.List(ctx, f, skip, limit)
	if f.PatientID != "" {
		err = s.record(ctx, p, f.PatientID, "appointment.list", err)
	}
	if err != nil {
		return items, 0, err
	}
	for _, r := range recs {
		items = append(items, r.Public())
	}
	v := s.view(p)
	if err := v.showAll(ctx, items); err != nil {
		return items, 0, err
	}
	if f.PatientID == "" { // a list across patients: one appointment.list entry per patient returned
		if err := v.audit(ctx, "appointment.list"); err != nil {
			return items, 0, err
		}
	}
	return items, total, nil
}

var statusNames = map[shared.AppointmentStatus]bool{shared.StatusScheduled: true, shared.StatusCheckedIn: true,
	shared.StatusCalled: true, shared.StatusInConsultation: true, shared.StatusCompleted: true,
	shared.StatusCancelled: true, shared.StatusNoShow: true}

// Reschedule moves a scheduled appointment to another slot (and optionally another doctor). The new
// slot is claimed before the old one is released, so the patient never ends up with neither.
func (s *Service) Reschedule(ctx context.Context, p auth.Principal, id string, req shared.RescheduleRequest) (Record, error) {
	r, err := s.reschedule(ctx, p, id, req)
	return r, s.record(ctx, p, r.PatientID, "appointment.reschedule", err)
}

func (s *Service) reschedule(ctx context.Context, p auth.Principal, id string, req shared.RescheduleRequest) (Record, error) {
	r, err := s.load(ctx, p, id)
	if err != nil {
		return r, err
	}
	if err := forOthers(p); err != nil {
		return r, err
	}
	reason, err := checkReason(req.Reason)
	if err != nil {
		return r, err
	}
	if err := allowedFrom(&Record{Status: r.Status}, "rescheduled"); err != nil {
		return r, err
	}
	doctorID := req.DoctorID
	if doctorID == "" {
		doctorID = r.DoctorID
	}
	pr, slot, err := s.doctors.Slot(ctx, doctorID, req.Start)
	if err != nil {
		return r, err
	}
	key := slotKey(pr.ID, slot.Start)
	if key == r.SlotKey {
		return r, fault.Invalid("the appointment is already at that time")
	}
	if err := s.claim(ctx, Claim{Key: key, AppointmentID: r.ID, DoctorID: pr.ID, Start: slot.Start.UTC(), End: slot.End.UTC()}); err != nil {
		return r, err
	}
	old := r.SlotKey
	next, err := s.step(ctx, p, r, "rescheduled", reason, func(n *Record) error {
		n.DoctorID, n.DoctorName, n.Department = pr.ID, pr.Name, pr.Department
		n.Start, n.End, n.SlotKey = slot.Start.UTC(), slot.End.UTC(), key
		return nil
	})
	if err != nil {
		_ = s.store.ReleaseSlot(context.WithoutCancel(ctx), key, r.ID)
		return r, err
	}
	if old != "" {
		if err := s.store.ReleaseSlot(ctx, old, r.ID); err != nil {
			s.log.WarnContext(ctx, "release old slot (cleared on the next claim)", "err", err)
		}
	}
	if r.DoctorID != next.DoctorID && r.DoctorID != "" {
		// The doctor it moved away from hears of it too (step published to the new doctor).
		s.emit(context.WithoutCancel(ctx), shared.ChannelDocQueue+":"+r.DoctorID, shared.EventAppointment,
			shared.AppointmentEvent{Action: "rescheduled", Appointment: eventView(next)})
	}
	return next, nil
}

// Cancel cancels an appointment (before the consultation) and frees its slot.
func (s *Service) Cancel(ctx context.Context, p auth.Principal, id string, req shared.ReasonRequest) (Record, error) {
	r, err := s.cancel(ctx, p, id, req)
	return r, s.record(ctx, p, r.PatientID, "appointment.cancel", err)
}

func (s *Service) cancel(ctx context.Context, p auth.Principal, id string, req shared.ReasonRequest) (Record, error) {
	reason, err := checkReason(req.Reason)
	if err != nil {
		return Record{}, err
	}
	if reason == "" {
		return Record{}, fault.Invalid("reason is required")
	}
	var next Record
	err = s.retry(ctx, func() error {
		r, err := s.load(ctx, p, id)
		if err == nil {
			err = forOthers(p)
		}
		if err != nil {
			next = r
			return err
		}
		next, err = s.step(ctx, p, r, "cancelled", reason, func(n *Record) error { n.SlotKey = ""; return nil })
		if err == nil && r.SlotKey != "" {
			if rerr := s.store.ReleaseSlot(ctx, r.SlotKey, r.ID); rerr != nil {
				s.log.WarnContext(ctx, "release slot (cleared on the next claim)", "err", rerr)
			}
		}
		return err
	})
	return next, err
}

// retry runs f again when it lost a race for the appointment's next step.
func (s *Service) retry(ctx context.Context, f func() error) error {
	var err error
	for range 4 {
		if err = f(); !errors.Is(err, ErrStepTaken) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

// step makes one change to r: checks the action against r's status, claims r's next step (fails with
// ErrStepTaken when someone else changed r first), updates the record and publishes the change.
func (s *Service) step(ctx context.Context, p auth.Principal, r Record, action, reason string, change func(*Record) error) (Record, error) {
	next := r
	if err := allowedFrom(&next, action); err != nil {
		return r, err
	}
	if err := change(&next); err != nil {
		return r, err
	}
	next.Step = r.Step + 1
	st := Step{AppointmentID: r.ID, Step: next.Step, Action: action, Status: next.Status, At: s.clock(),
		By: p.UserID, Role: p.Role, Reason: reason, State: next}
	announces := action
	if action == string(Start) && r.Ticket.CalledAt.IsZero() {
		announces = string(Call) // started straight from the queue: the start is its call
	}
	announced, err := s.expect(ctx, announces, Change{r.ID, next.Step})
	if err != nil {
		return r, err
	}
	if err := s.store.InsertStep(ctx, st); err != nil {
		announced.Drop(ctx)
		if errors.Is(err, ErrStepTaken) {
			s.repair(ctx, r)
		}
		return r, err
	}
	if err := s.store.SetState(ctx, next); err != nil {
		// The step is stored: the record is repaired from it by the next change that meets it.
		s.log.WarnContext(ctx, "update appointment after its step", "appointment", r.ID, "err", err)
	}
	s.publish(ctx, action, next)
	announced.Happened(ctx)
	return next, nil
}

// repair brings the stored record up to its newest step, in case the writer of that step stopped
// before updating the record. It runs when a step was found taken; it rereads the record first, so
// it only writes when the record is really behind.
func (s *Service) repair(ctx context.Context, r Record) {
	cur, err := s.store.Appointment(ctx, r.ID)
	if err != nil {
		return
	}
	later, err := s.store.StepsAfter(ctx, r.ID, cur.Step)
	if err != nil || len(later) == 0 {
		return
	}
	if err := s.store.SetState(ctx, later[len(later)-1].State); err != nil {
		s.log.WarnContext(ctx, "repair appointment", "appointment", r.ID, "err", err)
	}
}

// Public returns the appointment as the API shows it.
func (r Record) Public() shared.Appointment {
	a := shared.Appointment{ID: r.ID, PatientID: r.PatientID, PatientName: r.PatientName, DoctorID: r.DoctorID,
		DoctorName: r.DoctorName, Department: r.Department, Start: r.Start, End: r.End, Reason: r.Reason,
		Status: r.Status, WalkIn: r.WalkIn, Emergency: r.Emergency, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	if t := r.Ticket; t.Number > 0 {
		a.Ticket = &shared.Ticket{Number: t.Number, Department: t.Department, Day: t.Day, Triage: t.Triage,
			CheckedInAt: t.CheckedInAt, CalledAt: opt(t.CalledAt), CalledBy: t.CalledBy, StartedAt: opt(t.StartedAt),
			FinishedAt: opt(t.FinishedAt)}
		if !t.CalledAt.IsZero() {
			w := round1(minutes(t.CalledAt.Sub(t.CheckedInAt)))
			a.Ticket.WaitMinutes = &w
		}
	}
	return a
}

func opt(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
