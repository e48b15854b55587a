// Package alert raises emergency alerts, records who acknowledged them, escalates the ones nobody
// acknowledged in time, and sends admin broadcasts. Every change is published on the live stream.
package alert

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/auth"
	"hms/server/internal/clock"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/job"
	"hms/server/internal/reaction"
	"hms/shared"
)

// Event types on the alerts and broadcast channels.
const (
	TypeRaised    = "alert.raised"
	TypeAcked     = "alert.acked"
	TypeEscalated = "alert.escalated"
	TypeResolved  = "alert.resolved"
	TypeBroadcast = "broadcast.sent"
)

// Severities, most urgent first.
var severities = []string{"critical", "high", "moderate"}

// Alert is a stored alert. An emergency admission's alert knows its appointment (to be resolved when
// the ticket is finished), department, ticket number and complaint.
type Alert struct {
	ID            string
	Message       string
	Location      string
	Severity      string
	RaisedBy      string
	At            time.Time
	AppointmentID string
	Department    string
	Ticket        int
	Complaint     string
	ResolvedAt    time.Time
	ResolvedBy    string
	ResolvedHow   string
}

// Store keeps alerts, acknowledgements, escalations and broadcasts. Acknowledgements and escalations
// are inserts under unique indexes: a repeated ack is recorded once, and an alert is escalated once
// however many instances run the escalator.
type Store interface {
	InsertAlert(ctx context.Context, a Alert) error
	AlertByID(ctx context.Context, id string) (Alert, error)
	ListAlerts(ctx context.Context, since time.Time, limit int) ([]Alert, error)
	// InsertAck fails with ErrAlreadyAcked when the user acknowledged the alert before.
	InsertAck(ctx context.Context, alertID string, ack shared.AlertAck) error
	Acks(ctx context.Context, alertIDs []string) (map[string][]shared.AlertAck, error)
	// ClaimEscalation fails with ErrAlreadyEscalated when the alert was escalated before.
	ClaimEscalation(ctx context.Context, alertID string, at time.Time) error
	// ResolveAlert marks the alert resolved; it fails with ErrAlreadyResolved when it was before.
	ResolveAlert(ctx context.Context, id string, at time.Time, by, how string) error
	// OpenAlertsOf returns the unresolved alerts about an appointment.
	OpenAlertsOf(ctx context.Context, appointmentID string) ([]Alert, error)
	Escalated(ctx context.Context, alertIDs []string) (map[string]bool, error)
	InsertBroadcast(ctx context.Context, b shared.Broadcast) error
}

// Publisher puts events on the live stream.
type Publisher interface {
	Publish(ctx context.Context, channel, typ string, data any) (shared.Event, error)
}

// The domain's errors.
var (
	ErrNotFound         = fault.New(fault.ErrNotFound, "alert not found")
	ErrAlreadyAcked     = fault.New(fault.ErrConflict, "already acknowledged")
	ErrAlreadyEscalated = fault.New(fault.ErrConflict, "already escalated")
	ErrAlreadyResolved  = fault.New(fault.ErrConflict, "already resolved")
)

// Auditor records who did what (the audit log).
type Auditor interface {
	Record(ctx context.Context, actorID string, role shared.Role, patientID, action string, err error) error
}

// Service is the alert domain's logic.
type Service struct {
	store Store
	pub   Publisher
	log   *slog.Logger
	clock *clock.Clock
	bus   *reaction.Bus
	inbox Inbox
	audit Auditor
}

// NewService wires the service; clk is the hospital's clock, by which alerts are stamped and escalate.
// inbox may be nil: a broadcast is then only live, and one asking for email is refused.
// Resolutions by a responder are audited in audit.
func NewService(store Store, pub Publisher, log *slog.Logger, clk *clock.Clock, bus *reaction.Bus, inbox Inbox, audit Auditor) *Service {
	return &Service{store: store, pub: pub, log: log, clock: clk, bus: bus, inbox: inbox, audit: audit}
}

func (s *Service) now() time.Time { return s.clock.Now() }

// Raise stores an emergency alert and pushes it to every connected doctor, staff member and admin.
func (s *Service) Raise(ctx context.Context, p auth.Principal, req shared.RaiseAlertRequest) (shared.Alert, error) {
	msg, loc := strings.TrimSpace(req.Message), strings.TrimSpace(req.Location)
	sev := strings.ToLower(strings.TrimSpace(req.Severity))
	if sev == "" {
		sev = "critical"
	}
	switch {
	case msg == "":
		return shared.Alert{}, fault.Invalid("message is required")
	case utf8.RuneCountInString(msg) > 500:
		return shared.Alert{}, fault.Invalid("message is longer than 500 characters")
	case utf8.RuneCountInString(loc) > 200:
		return shared.Alert{}, fault.Invalid("location is longer than 200 characters")
	case !validSeverity(sev):
		return shared.Alert{}, fault.Invalid("severity must be one of critical, high, moderate")
	}
	a := Alert{ID: ident.New(), Message: msg, Location: loc, Severity: sev, RaisedBy: p.UserID,
		At: s.now().UTC().Truncate(time.Millisecond)}
	if t := req.Ticket; t != nil {
		a.AppointmentID, a.Department, a.Ticket, a.Complaint = t.AppointmentID, t.Department, t.Number, t.Complaint
	}
	if err := s.store.InsertAlert(ctx, a); err != nil {
		return shared.Alert{}, err
	}
	out := a.public(nil, false)
	if _, err := s.pub.Publish(ctx, shared.ChannelAlerts, TypeRaised, out); err != nil {
		return shared.Alert{}, err
	}
	return out, nil
}

func validSeverity(s string) bool {
	for _, v := range severities {
		if s == v {
			return true
		}
	}
	return false
}

func (a Alert) public(acks []shared.AlertAck, escalated bool) shared.Alert {
	if acks == nil {
		acks = []shared.AlertAck{}
	}
	out := shared.Alert{ID: a.ID, Message: a.Message, Location: a.Location, Severity: a.Severity,
		RaisedBy: a.RaisedBy, At: a.At, Acks: acks, Escalated: escalated,
		Department: a.Department, Ticket: a.Ticket, Complaint: a.Complaint}
	if !a.ResolvedAt.IsZero() {
		out.Resolved = &shared.AlertResolved{At: a.ResolvedAt, By: a.ResolvedBy, How: a.ResolvedHow}
	}
	return out
}

// Resolve ends an alert on a responder's word: audited, and published (alert.resolved) so every
// screen clears it. Resolving one resolved before answers 409.
func (s *Service) Resolve(ctx context.Context, p auth.Principal, id string) (shared.Alert, error) {
	if !ident.Valid(id) {
		return shared.Alert{}, fault.Invalid("malformed alert id")
	}
	out, err := s.resolve(ctx, id, p.UserID, "responder")
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, "", "alert.resolve", err); aerr != nil && err == nil {
		return shared.Alert{}, aerr
	}
	return out, err
}

// ResolveFinished resolves the open alerts about an appointment whose consultation was finished: a
// reaction to appointment.Finished, idempotent (an alert resolved before is left as it is).
func (s *Service) ResolveFinished(ctx context.Context, appointmentID string) error {
	open, err := s.store.OpenAlertsOf(ctx, appointmentID)
	if err != nil {
		return err
	}
	for _, a := range open {
		if _, err := s.resolve(ctx, a.ID, "", "finished"); err != nil && !errors.Is(err, ErrAlreadyResolved) {
			return err
		}
	}
	return nil
}

func (s *Service) resolve(ctx context.Context, id, by, how string) (shared.Alert, error) {
	a, err := s.store.AlertByID(ctx, id)
	if err != nil {
		return shared.Alert{}, err
	}
	at := s.now().UTC().Truncate(time.Millisecond)
	if err := s.store.ResolveAlert(ctx, id, at, by, how); err != nil {
		return shared.Alert{}, err
	}
	a.ResolvedAt, a.ResolvedBy, a.ResolvedHow = at, by, how
	out, err := s.full(ctx, a)
	if err != nil {
		return shared.Alert{}, err
	}
	if _, err := s.pub.Publish(ctx, shared.ChannelAlerts, TypeResolved, out); err != nil {
		return shared.Alert{}, err
	}
	return out, nil
}

// Ack records that the caller acknowledged the alert. Acknowledging twice is harmless.
func (s *Service) Ack(ctx context.Context, p auth.Principal, id string) (shared.Alert, error) {
	if !ident.Valid(id) {
		return shared.Alert{}, fault.Invalid("malformed alert id")
	}
	a, err := s.store.AlertByID(ctx, id)
	if err != nil {
		return shared.Alert{}, err
	}
	ack := shared.AlertAck{UserID: p.UserID, Role: p.Role, At: s.now().UTC().Truncate(time.Millisecond)}
	err = s.store.InsertAck(ctx, id, ack)
	switch {
	case err == nil:
		if _, err := s.pub.Publish(ctx, shared.ChannelAlerts, TypeAcked, map[string]any{"alert_id": id, "ack": ack}); err != nil {
			return shared.Alert{}, err
		}
	case !errors.Is(err, ErrAlreadyAcked):
		return shared.Alert{}, err
	}
	return s.full(ctx, a)
}

func (s *Service) full(ctx context.Context, a Alert) (shared.Alert, error) {
	acks, err := s.store.Acks(ctx, []string{a.ID})
	if err != nil {
		return shared.Alert{}, err
	}
	esc, err := s.store.Escalated(ctx, []string{a.ID})
	if err != nil {
		return shared.Alert{}, err
	}
	return a.public(acks[a.ID], esc[a.ID]), nil
}

// List returns recent alerts (last 7 days), newest first, with their acknowledgements.
func (s *Service) List(ctx context.Context, limit int) ([]shared.Alert, error) {
	alerts, err := s.store.ListAlerts(ctx, s.now().Add(-7*24*time.Hour), limit)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(alerts))
	for i, a := range alerts {
		ids[i] = a.ID
	}
	acks, err := s.store.Acks(ctx, ids)
	if err != nil {
		return nil, err
	}
	esc, err := s.store.Escalated(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]shared.Alert, len(alerts))
	for i, a := range alerts {
		out[i] = a.public(acks[a.ID], esc[a.ID])
	}
	return out, nil
}

// EscalateDue escalates every alert raised more than after ago (within the last day) that nobody has
// acknowledged: it claims the escalation (once across all instances) and publishes alert.escalated.
// It returns how many it escalated.
func (s *Service) EscalateDue(ctx context.Context, after time.Duration) (int, error) {
	now := s.now()
	alerts, err := s.store.ListAlerts(ctx, now.Add(-24*time.Hour), 1000)
	if err != nil {
		return 0, err
	}
	var due []Alert
	var ids []string
	for _, a := range alerts {
		if a.At.Before(now.Add(-after)) {
			due = append(due, a)
			ids = append(ids, a.ID)
		}
	}
	if len(due) == 0 {
		return 0, nil
	}
	acks, err := s.store.Acks(ctx, ids)
	if err != nil {
		return 0, err
	}
	esc, err := s.store.Escalated(ctx, ids)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range due {
		if len(acks[a.ID]) > 0 || esc[a.ID] || !a.ResolvedAt.IsZero() {
			continue
		}
		announced, err := s.bus.Expect(ctx, Escalated{AlertID: a.ID})
		if err != nil {
			return n, err
		}
		err = s.store.ClaimEscalation(ctx, a.ID, now.UTC())
		if err != nil {
			if !errors.Is(err, ErrAlreadyEscalated) {
				announced.Drop(ctx)
				return n, err
			}
			// Escalated elsewhere: that instance runs the reactions (the occurrence is one).
			continue
		}
		if _, err := s.pub.Publish(ctx, shared.ChannelAlerts, TypeEscalated, a.public(nil, true)); err != nil {
			announced.Happened(ctx)
			return n, err
		}
		announced.Happened(ctx)
		n++
	}
	return n, nil
}

// RunEscalator checks for unacknowledged alerts every interval until ctx ends.
func (s *Service) RunEscalator(ctx context.Context, after, interval time.Duration) {
	job.Every(ctx, interval, s.log, "escalate unacknowledged alerts", func(ctx context.Context) (int, error) {
		return s.EscalateDue(ctx, after)
	})
}

// Broadcast sends an admin's message to every user: stored first as a notification of every active
// account (by the inbox; emailed too when asked), then published live, so that a screen hearing it finds
// it in the user's notifications. A failed email still leaves the broadcast sent live; the error says so.
func (s *Service) Broadcast(ctx context.Context, p auth.Principal, req shared.BroadcastRequest) (shared.Broadcast, error) {
	msg := strings.TrimSpace(req.Message)
	switch {
	case msg == "":
		return shared.Broadcast{}, fault.Invalid("message is required")
	case utf8.RuneCountInString(msg) > 2000:
		return shared.Broadcast{}, fault.Invalid("message is longer than 2000 characters")
	}
	b := shared.Broadcast{ID: ident.New(), Message: msg, SentBy: p.UserID, At: s.now().UTC().Truncate(time.Millisecond)}
	if err := s.store.InsertBroadcast(ctx, b); err != nil {
		return shared.Broadcast{}, err
	}
	var sendErr error
	switch {
	case s.inbox == nil && req.Email:
		sendErr = fault.New(fault.ErrUnavailable, "the broadcast was sent live, but email is not available on this server")
	case s.inbox != nil:
		n, err := s.inbox(ctx, b, req.Email)
		if err == nil && req.Email {
			b.Email, b.Recipients = true, n
		}
		sendErr = err
	}
	if _, err := s.pub.Publish(ctx, shared.ChannelBroadcast, TypeBroadcast, b); err != nil {
		return shared.Broadcast{}, err
	}
	return b, sendErr
}
