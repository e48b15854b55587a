package patient

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/clock"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// Relation reports whether p has a care relationship with a patient: an appointment or queue ticket
// with them, an admission they attend, a referral to them. Each domain that creates such a link
// contributes one (Access.AddRelation).
type Relation func(ctx context.Context, p auth.Principal, patientID string) (bool, error)

// Access decides who may read or change a patient's clinical records (encounters, diagnoses, notes,
// vitals, prescriptions, lab reports, admissions). Every clinical domain asks it before touching a
// patient's data, so the rule lives in one place. It also keeps break-the-glass grants and referrals
// (access_grants.go, access_referrals.go).
type Access struct {
	relations []Relation
	deps      AccessDeps
	// clock is the hospital's clock, by which grants expire and "today" is read.
	clock *clock.Clock
}

// AccessDeps are what grants and referrals need; set once while wiring (Access.Use).
type AccessDeps struct {
	Store    AccessStore
	Audit    *audit.Log
	Patients interface {
		Name(ctx context.Context, id string) (string, error)
	}
	Users interface {
		User(ctx context.Context, id string) (auth.User, error)
	}
	// Notify delivers an in-app notification from one user to another (admins' break-the-glass alert).
	Notify func(ctx context.Context, from auth.Principal, to, message string) error
	Log    *slog.Logger
	// Location is the hospital's time zone, in which notices give times.
	Location *time.Location
	// ReferralTTL is how long a referral opens the chart to the doctor referred to (REFERRAL_TTL;
	// DefaultReferralTTL when zero).
	ReferralTTL time.Duration
}

// NewAccess returns the access rule with no relations yet, reading the time from clk.
func NewAccess(clk *clock.Clock) *Access { return &Access{clock: clk} }

// AddRelation adds a source of care relationships. Call it while wiring, before serving.
func (a *Access) AddRelation(r Relation) { a.relations = append(a.relations, r) }

// Use gives the rule its storage and collaborators. Call it while wiring, before serving.
func (a *Access) Use(d AccessDeps) { a.deps = d }

// Now is the access rule's current time, UTC to the millisecond.
func (a *Access) Now() time.Time { return a.clock.Now().UTC().Truncate(time.Millisecond) }

// ErrBreakGlassRequired refuses a staff-side caller with no care relationship and no grant; the code
// tells the client it may state a reason and try again.
var ErrBreakGlassRequired = fault.Coded(fault.ErrForbidden, shared.CodeBreakGlassRequired,
	"no care relationship with this patient: state a reason to break the glass (POST /api/patients/{id}/access)")

// Clinical returns nil when p may read or change patientID's clinical records, else an error in the
// fault categories (forbidden → 403). The rule:
//   - a patient: their own record only;
//   - a doctor or staff member: a care relationship (any registered Relation says so: an appointment
//     with that doctor the patient was checked in for, a ticket checked in today for staff, an
//     admission, an unexpired referral, …) or an unexpired break-the-glass grant. A relationship the
//     caller can make alone (a booking) never counts (docs/security.md row 34);
//   - an admin: only with an unexpired grant;
//   - an integration client (a machine token, FHIR API only): every patient, hospital-wide, when the
//     FHIR API's central check matched a system scope for the request's resource type and
//     interaction (auth.Principal.SystemGrant: a system-level grant an admin gave the client);
//     otherwise nobody. It is never a patient, and has no care relationships or grants.
//
// Domains that hold unreleased data (lab results) filter further.
func (a *Access) Clinical(ctx context.Context, p auth.Principal, patientID string) error {
	ok, err := a.Sees(ctx, p, patientID)
	if err != nil || ok {
		return err
	}
	if p.Machine() {
		return errNoSystemScope
	}
	if p.Role == shared.RolePatient {
		return allowed(p, patientID)
	}
	return a.refuse(ctx, patientID)
}

// Sees reports whether p may read or change patientID's clinical records, by the rule of Clinical,
// without a refusal: it is the filter of lists and searches (a patient it says no to is left out, not
// refused). A malformed id or a role outside the rule is an error.
func (a *Access) Sees(ctx context.Context, p auth.Principal, patientID string) (bool, error) {
	if p.Machine() {
		if !ident.Valid(patientID) {
			return false, errMalformedID
		}
		return p.SystemGrant != "", nil
	}
	switch p.Role {
	case shared.RolePatient:
		return p.PatientID != "" && p.PatientID == patientID, nil
	case shared.RoleDoctor, shared.RoleStaff:
		if !ident.Valid(patientID) {
			return false, errMalformedID
		}
		for _, r := range a.relations {
			ok, err := r(ctx, p, patientID)
			if err != nil || ok {
				return ok, err
			}
		}
	case shared.RoleAdmin:
		if !ident.Valid(patientID) {
			return false, errMalformedID
		}
	default:
		return false, fault.New(fault.ErrForbidden, "you are not allowed to do this")
	}
	if a.deps.Store == nil {
		return false, nil
	}
	return a.deps.Store.ActiveGrant(ctx, p.UserID, patientID, a.Now())
}

// errNoSystemScope refuses an integration client whose token holds no system scope for the request.
var errNoSystemScope = fault.Coded(fault.ErrForbidden, "insufficient_scope",
	"this client's token holds no system scope for this resource (docs/integrations.md)")

// errMalformedID refuses a patient id that cannot exist.
var errMalformedID = fault.Invalid("malformed patient id: want 24 hex digits")

// refuse says why a staff-side caller may not proceed: there is no such patient (404: the register is
// searchable by staff anyway, so this reveals nothing), or they must break the glass (403).
func (a *Access) refuse(ctx context.Context, patientID string) error {
	if a.deps.Patients != nil {
		if _, err := a.deps.Patients.Name(ctx, patientID); errors.Is(err, ErrNotFound) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
	}
	return ErrBreakGlassRequired
}

// Exporter is one domain's part of a patient's data export (GET /api/me/export, docs/security.md row 31).
type Exporter interface {
	// ExportPatient returns the section's name (a JSON key, e.g. "prescriptions") and everything the
	// domain holds about the patient, decrypted, in its API shape.
	ExportPatient(ctx context.Context, patientID string) (section string, data any, err error)
}
