// Package audit keeps the trail of who read or changed patient data, and of every security event
// (sign-ins, lock-outs, password and account changes, exports, erasures, settings changes): when (UTC),
// who and in which role, which patient or account, what action, the outcome, from which address and
// under which request ID. Entries hold no patient data and no credentials, only references.
//
// The trail is tamper-evident (docs/audit.md): each process writes its own chain of entries, each
// carrying the SHA-256 of the one before it, and Verify finds an entry edited, removed or reordered.
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
	Channel string
	// Target is what a security event is about other than a patient: an account's id, a setting, or
	// "email:<keyed hash>" for a sign-in with an email that may name no account.
	Target  string
	Action  string // e.g. "patient.read", "patient.update", "auth.login"
	Outcome string // ok, denied, not_found, invalid, error
	IP      string
	// Detail is a short note without patient data or secrets: a role change's "staff → doctor", an
	// anchor's chain heads.
	Detail    string
	RequestID string

	// The chain (chain.go): which chain the entry is in, its place there (1, 2, 3…), the hash of the
	// entry before it and its own hash.
	Chain string
	Seq   int64
	Prev  string
	Hash  string
}

// Chain is the registry record of one chain: written when a process writes its first entry. A
// chain's first entry links to it (genesis), and SeenAt moves at each of the chain's anchors.
type Chain struct {
	ID        string
	Instance  string
	StartedAt time.Time
	SeenAt    time.Time
}

// Store keeps entries. Entries are only ever inserted: the application has no way to change or delete one.
type Store interface {
	// InsertAudit inserts entries in order. An entry whose (chain, seq) is stored already makes it
	// fail with an error matching fault.ErrConflict; those before it are stored.
	InsertAudit(ctx context.Context, entries []Entry) error
	// ListAudit returns a page of the entries f matches, newest first.
	ListAudit(ctx context.Context, f Filter, skip, limit int) ([]Entry, error)
	// EachAudit calls fn with every entry f matches, newest first, until fn fails.
	EachAudit(ctx context.Context, f Filter, fn func(Entry) error) error

	// RegisterChain stores a chain's registry record; TouchChain moves its SeenAt.
	RegisterChain(ctx context.Context, c Chain) error
	TouchChain(ctx context.Context, id string, at time.Time) error
	// Chains returns every registered chain; with since set, only those seen since then.
	Chains(ctx context.Context, since time.Time) ([]Chain, error)
	// ChainHead returns a chain's entry with the highest seq (fault.ErrNotFound when it has none).
	ChainHead(ctx context.Context, chain string) (Entry, error)
	// EachChained calls fn with every entry ordered by chain then seq (entries without a chain, from
	// before chaining, first), until fn fails.
	EachChained(ctx context.Context, fn func(Entry) error) error
	// Anchors returns every anchor entry (actions audit.anchor, audit.chain_end).
	Anchors(ctx context.Context) ([]Entry, error)
}

// Filter narrows a listing; empty fields match everything.
type Filter struct {
	PatientID string
	ActorID   string
	Action    string
	Outcome   string
	// From and To bound the time: From <= at < To (zero: unbounded).
	From, To time.Time
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

// Record writes one entry for an action by actor on a patient, with the outcome read from err.
// It returns an error when the entry could not be written; callers then fail the request rather than
// serve patient data without a trail.
func (l *Log) Record(ctx context.Context, actorID string, role shared.Role, patientID, action string, err error) error {
	if _, werr := l.append(ctx, l.entry(ctx, event{ActorID: actorID, Role: role, PatientID: patientID, Action: action, Err: err})); werr != nil {
		return fmt.Errorf("write audit entry: %w", werr)
	}
	return nil
}

// RecordChannel writes one entry for an action by actor on a live channel that names no patient (a
// department's or a doctor's queue: ws.subscribe, ws.replay), with the outcome read from err. Like
// Record it returns an error when the entry could not be written.
func (l *Log) RecordChannel(ctx context.Context, actorID string, role shared.Role, channel, action string, err error) error {
	e := l.entry(ctx, event{ActorID: actorID, Role: role, Action: action, Err: err})
	e.Channel = channel
	if _, werr := l.append(ctx, e); werr != nil {
		return fmt.Errorf("write audit entry on channel %s: %w", channel, werr)
	}
	return nil
}

// Security writes one entry for a security event: who (empty for an anonymous caller or the system)
// did what to which account or setting (target), with the outcome read from err. detail must hold no
// secret and no patient data. Like Record it returns an error when the entry could not be written.
func (l *Log) Security(ctx context.Context, actorID string, role shared.Role, target, action, detail string, err error) error {
	e := l.entry(ctx, event{ActorID: actorID, Role: role, Target: target, Action: action, Detail: detail, Err: err})
	if _, werr := l.append(ctx, e); werr != nil {
		return fmt.Errorf("write audit entry %s: %w", action, werr)
	}
	return nil
}

// event is what an entry records, before the chain numbers it.
type event struct {
	ActorID   string
	Role      shared.Role
	PatientID string
	Target    string
	Action    string
	Detail    string
	Err       error
}

// entry makes the entry of ev at the current time, from ctx's origin.
func (l *Log) entry(ctx context.Context, ev event) Entry {
	o := originOf(ctx)
	return Entry{ID: ident.New(), At: l.now().UTC().Truncate(time.Millisecond), ActorID: ev.ActorID, ActorRole: ev.Role,
		PatientID: ev.PatientID, Target: ev.Target, Action: ev.Action, Outcome: Outcome(ev.Err), Detail: ev.Detail,
		IP: o.IP, RequestID: o.RequestID}
}

// Outcome names the result of an action from its error.
func Outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, fault.ErrForbidden), errors.Is(err, fault.ErrUnauthenticated), errors.Is(err, fault.ErrTooMany):
		return "denied"
	case errors.Is(err, fault.ErrNotFound):
		return "not_found"
	case errors.Is(err, fault.ErrInvalid), errors.Is(err, fault.ErrConflict):
		return "invalid"
	default:
		return "error"
	}
}

// Outcomes are the outcomes an entry may have.
var Outcomes = []string{"ok", "denied", "not_found", "invalid", "error"}

// List returns entries, newest first.
func (l *Log) List(ctx context.Context, f Filter, skip, limit int) ([]Entry, error) {
	return l.store.ListAudit(ctx, f, skip, limit)
}

// Each calls fn with every entry f matches, newest first.
func (l *Log) Each(ctx context.Context, f Filter, fn func(Entry) error) error {
	return l.store.EachAudit(ctx, f, fn)
}
