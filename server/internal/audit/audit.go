// Package audit keeps the trail of who read or changed patient data: when (UTC), who and in which role,
// which patient, what action, the outcome, from which address and under which request ID. Entries hold
// no patient data and no credentials, only references.
package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// Entry is one audit record.
type Entry struct {
	ID        string
	At        time.Time
	ActorID   string
	ActorRole shared.Role
	PatientID string
	// Channel is the live channel subscribed to or replayed, for an entry on a channel that names no
	// patient (a queue); "" otherwise.
	Channel   string
	Action    string // e.g. "patient.read", "patient.update"
	Outcome   string // ok, denied, not_found, invalid, error
	IP        string
	RequestID string
}

// Store keeps entries. Entries are only ever inserted: the application has no way to change or delete one.
type Store interface {
	InsertAudit(ctx context.Context, e Entry) error
	ListAudit(ctx context.Context, f Filter, skip, limit int) ([]Entry, error)
}

// Filter narrows a listing; empty fields match everything.
type Filter struct {
	PatientID string
	ActorID   string
}

// Origin is where a request came from, put in the request context by the HTTP layer.
type Origin struct {
	IP        string
	RequestID string
}

type originKey struct{}

// WithOrigin returns ctx carrying the request's origin.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// RequestIDOf returns the ID of the request ctx belongs to, or "" outside a request (background jobs).
func RequestIDOf(ctx context.Context) string { return originOf(ctx).RequestID }

func originOf(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}

// Log records audit entries.
type Log struct {
	store Store
	now   func() time.Time
}

// NewLog returns a Log writing to store.
func NewLog(store Store) *Log { return &Log{store: store, now: time.Now} }

// Record writes one entry for an action by actor on a patient, with the outcome read from err.
// It returns an error when the entry could not be written; callers then fail the request rather than
// serve patient data without a trail.
func (l *Log) Record(ctx context.Context, actorID string, role shared.Role, patientID, action string, err error) error {
	o := originOf(ctx)
	e := Entry{ID: ident.New(), At: l.now().UTC(), ActorID: actorID, ActorRole: role, PatientID: patientID,
		Action: action, Outcome: Outcome(err), IP: o.IP, RequestID: o.RequestID}
	if werr := l.store.InsertAudit(context.WithoutCancel(ctx), e); werr != nil {
		return fmt.Errorf("write audit entry: %w", werr)
	}
	return nil
}

// RecordChannel writes one entry for an action by actor on a live channel that names no patient (a
// department's or a doctor's queue: ws.subscribe, ws.replay), with the outcome read from err. Like
// Record it returns an error when the entry could not be written.
func (l *Log) RecordChannel(ctx context.Context, actorID string, role shared.Role, channel, action string, err error) error {
	o := originOf(ctx)
	e := Entry{ID: ident.New(), At: l.now().UTC(), ActorID: actorID, ActorRole: role, Channel: channel,
		Action: action, Outcome: Outcome(err), IP: o.IP, RequestID: o.RequestID}
	if werr := l.store.InsertAudit(context.WithoutCancel(ctx), e); werr != nil {
		return fmt.Errorf("write audit entry on channel %s: %w", channel, werr)
	}
	return nil
}

// Outcome names the result of an action from its error.
func Outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, fault.ErrForbidden), errors.Is(err, fault.ErrUnauthenticated):
		return "denied"
	case errors.Is(err, fault.ErrNotFound):
		return "not_found"
	case errors.Is(err, fault.ErrInvalid), errors.Is(err, fault.ErrConflict):
		return "invalid"
	default:
		return "error"
	}
}

// List returns entries, newest first.
func (l *Log) List(ctx context.Context, f Filter, skip, limit int) ([]Entry, error) {
	return l.store.ListAudit(ctx, f, skip, limit)
}
