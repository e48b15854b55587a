package patient

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// GrantTTL is how long a break-the-glass grant lasts.
const GrantTTL = 60 * time.Minute

// Reason lengths (characters) of a break-the-glass grant and a referral.
const (
	minReason = 10
	maxReason = 500
)

// Grant is a break-the-glass grant: one user's access to one patient's records until ExpiresAt. Grants
// are only ever inserted; each is audited and alerted to every admin.
type Grant struct {
	ID        string
	UserID    string
	Role      shared.Role
	PatientID string
	Reason    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Public returns the grant as the API shows it.
func (g Grant) Public() shared.AccessGrant {
	return shared.AccessGrant{ID: g.ID, UserID: g.UserID, Role: g.Role, PatientID: g.PatientID, Reason: g.Reason,
		CreatedAt: g.CreatedAt, ExpiresAt: g.ExpiresAt}
}

// GrantFilter narrows a listing of grants; zero fields match everything.
type GrantFilter struct {
	PatientID string
	// ActiveAt, when set, keeps the grants unexpired at that time.
	ActiveAt time.Time
}

// AccessStore keeps grants and referrals.
type AccessStore interface {
	InsertGrant(ctx context.Context, g Grant) error
	// ActiveGrant reports whether userID holds a grant for patientID unexpired at t.
	ActiveGrant(ctx context.Context, userID, patientID string, t time.Time) (bool, error)
	// ListGrants returns grants newest first, and the total matching.
	ListGrants(ctx context.Context, f GrantFilter, skip, limit int) ([]Grant, int, error)
	InsertReferral(ctx context.Context, r Referral) error
	// Referred reports whether patientID was referred to doctorID at or after since.
	Referred(ctx context.Context, doctorID, patientID string, since time.Time) (bool, error)
	// ListReferrals returns a patient's referrals newest first, and their total.
	ListReferrals(ctx context.Context, patientID string, skip, limit int) ([]Referral, int, error)
	// AdminIDs returns the ids of the enabled admin accounts.
	AdminIDs(ctx context.Context) ([]string, error)
}

func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < minReason || n > maxReason {
		return "", fault.Invalid("reason must be %d to %d characters", minReason, maxReason)
	}
	return reason, nil
}

// BreakGlass gives p time-limited access to a patient's records for a stated reason. Doctors, staff
// and admins may; a patient never. It is audited as patient.break_glass (the reason is kept on the
// grant, not in the audit entry: it may hold patient data) and every admin gets a notification.
func (a *Access) BreakGlass(ctx context.Context, p auth.Principal, patientID, reason string) (Grant, error) {
	g, err := a.breakGlass(ctx, p, patientID, reason)
	if aerr := a.deps.Audit.Record(ctx, p.UserID, p.Role, AuditID(patientID), "patient.break_glass", err); aerr != nil {
		return Grant{}, aerr
	}
	if err != nil {
		return Grant{}, err
	}
	a.alertAdmins(ctx, p, g)
	return g, nil
}

func (a *Access) breakGlass(ctx context.Context, p auth.Principal, patientID, reason string) (Grant, error) {
	if !p.Is(shared.RoleDoctor, shared.RoleStaff, shared.RoleAdmin) {
		return Grant{}, fault.New(fault.ErrForbidden, "patients cannot break the glass")
	}
	if !ident.Valid(patientID) {
		return Grant{}, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	reason, err := checkReason(reason)
	if err != nil {
		return Grant{}, err
	}
	if _, err := a.deps.Patients.Name(ctx, patientID); err != nil {
		return Grant{}, err
	}
	now := a.Now()
	g := Grant{ID: ident.New(), UserID: p.UserID, Role: p.Role, PatientID: patientID, Reason: reason,
		CreatedAt: now, ExpiresAt: now.Add(GrantTTL)}
	return g, a.deps.Store.InsertGrant(ctx, g)
}

// alertAdmins notifies every admin of a grant. The grant stands whatever happens here (admins also
// review GET /api/access/grants); a failure is logged.
func (a *Access) alertAdmins(ctx context.Context, p auth.Principal, g Grant) {
	ctx = context.WithoutCancel(ctx)
	admins, err := a.deps.Store.AdminIDs(ctx)
	if err != nil {
		a.deps.Log.ErrorContext(ctx, "break the glass: could not list admins to alert", "grant", g.ID, "err", err)
		return
	}
	msg := a.breakGlassNotice(ctx, p, g)
	for _, id := range admins {
		if err := a.deps.Notify(ctx, p, id, msg); err != nil {
			a.deps.Log.ErrorContext(ctx, "break the glass: could not alert an admin", "grant", g.ID, "admin", id, "err", err)
		}
	}
}

// Grants lists grants for admins to review, newest first: only the unexpired ones when active is set,
// one patient's when patientID is set. The reasons may hold patient data, so the review is audited
// (access.grants; the patient is the filter's, if any).
func (a *Access) Grants(ctx context.Context, by auth.Principal, active bool, patientID string, page, limit int) ([]Grant, int, error) {
	if patientID != "" && !ident.Valid(patientID) {
		return nil, 0, fault.Invalid("patient_id must be an id (24 hex digits)")
	}
	gs, total, err := a.grants(ctx, active, patientID, page, limit)
	if aerr := a.deps.Audit.Record(ctx, by.UserID, by.Role, patientID, "access.grants", err); aerr != nil {
		return nil, 0, aerr
	}
	return gs, total, err
}

func (a *Access) grants(ctx context.Context, active bool, patientID string, page, limit int) ([]Grant, int, error) {
	f := GrantFilter{PatientID: patientID}
	if active {
		f.ActiveAt = a.Now()
	}
	return a.deps.Store.ListGrants(ctx, f, (page-1)*limit, limit)
}

// GrantsFor returns every grant on a patient's records (their data export: who opened them and why).
func (a *Access) GrantsFor(ctx context.Context, patientID string) ([]Grant, error) {
	var out []Grant
	for skip := 0; ; skip += exportPage {
		gs, total, err := a.deps.Store.ListGrants(ctx, GrantFilter{PatientID: patientID}, skip, exportPage)
		if err != nil {
			return nil, err
		}
		out = append(out, gs...)
		if len(gs) < exportPage || len(out) >= total {
			return out, nil
		}
	}
}

// exportPage is how many items an export reads at a time.
const exportPage = 200

// breakGlassNotice says, in people's words, who opened whose records and until when (in the hospital's
// time); an id stands in only where a name cannot be read.
func (a *Access) breakGlassNotice(ctx context.Context, p auth.Principal, g Grant) string {
	who := p.UserID
	if u, err := a.deps.Users.User(ctx, p.UserID); err == nil && u.Name != "" {
		who = u.Name
	}
	whose := "a patient"
	if name, err := a.deps.Patients.Name(ctx, g.PatientID); err == nil && name != "" {
		whose = name
	}
	loc := a.deps.Location
	if loc == nil {
		loc = time.UTC
	}
	until := g.ExpiresAt.In(loc)
	return fmt.Sprintf("%s (%s) broke the glass and opened the records of %s until %s on %s (%s time), giving a reason. "+
		"Review it, with the reason given, under Admin → Access grants.",
		who, p.Role, whose, until.Format("15:04"), until.Format("Mon 2 Jan 2006"), loc.String())
}
