// Package auth registers users, signs them in with short-lived JWT access tokens and refresh tokens,
// checks every token against the live session and account, and manages users and roles.
package auth

import (
	"errors"
	"time"

	"hms/server/internal/fault"
	"hms/shared"
)

// User is an account as stored, credentials included. It never leaves the server as is: see Public.
type User struct {
	ID    string
	Name  string
	Email string // lowercased
	Role  shared.Role
	// RoleID is the custom role the account holds ("" for the built-in role of its kind, Role).
	RoleID       string
	PasswordHash string
	PatientID    string
	Disabled     bool
	// Epoch changes whenever the account's credentials or rights change (password, role, disabled).
	// Every token carries the epoch it was issued under; a different one is refused at once.
	Epoch     int64
	CreatedAt time.Time
}

// Public returns the profile a response may carry.
func (u User) Public() shared.User {
	return shared.User{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, RoleID: u.roleKey(), PatientID: u.PatientID,
		Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

// roleKey is the id of the account's role: its custom role's, or its kind's.
func (u User) roleKey() string {
	if u.RoleID != "" {
		return u.RoleID
	}
	return string(u.Role)
}

// UserChange lists the fields of a user to change; nil fields stay as they are.
type UserChange struct {
	Name *string
	Role *shared.Role
	// RoleID, when set, replaces the custom role ("" clears it: the built-in role of the kind).
	RoleID       *string
	Disabled     *bool
	PasswordHash *string
	PatientID    *string
	Epoch        *int64
}

// Session is one sign-in. Logging out revokes it; its tokens then stop working. It ends too when it
// is not refreshed for the idle timeout, and at the maximum lifetime after CreatedAt.
type Session struct {
	ID        string
	UserID    string
	CreatedAt time.Time
	// LastUsedAt is the sign-in's or the last refresh's time (zero on a session stored before it was
	// kept).
	LastUsedAt time.Time
	RevokedAt  *time.Time
	IP         string
}

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID string
	// Role is the caller's kind; RoleID the role it holds (a custom role's id, or the kind).
	Role   shared.Role
	RoleID string
	// grants is what the role grants, read on every request (nil: the kind's built-in grants, for
	// principals made in tests and for internal callers).
	grants    *Grants
	PatientID string
	SessionID string
	// Epoch is the account's epoch when the caller authenticated; a live connection checks it again.
	Epoch int64
	// Expires is when the credential the caller presented stops being valid; a websocket session
	// ends then.
	Expires time.Time
	// Client is the integration client a machine token was issued to (nil for a person). Such a
	// principal is accepted on the FHIR API only (UserID "client:<id>", Role shared.RoleClient, no
	// permissions); it is never a patient (docs/integrations.md).
	Client *ClientCaller
	// SystemGrant is the system scope the FHIR API's central check matched for this request's
	// resource type and interaction ("system/Patient.read"); "" when none did. The access rule
	// (patient.Access) lets a machine caller holding it reach every patient's data of that type.
	SystemGrant string
}

// ClientCaller is what a machine principal carries of its client.
type ClientCaller struct {
	ID, Name string
	// Scopes are those of the token, as far as the client still holds them.
	Scopes []Scope
}

// Machine reports whether the caller is an integration client rather than a person.
func (p Principal) Machine() bool { return p.Client != nil }

// Can reports whether the caller's role grants perm. An integration client has no role: on the FHIR
// API, once the central check matched the scope of the request's resource type and interaction
// (SystemGrant), that scope is the grant for what the request does there (booking for a patient with
// system/Appointment.write, reading vital signs with system/Observation.read); without it, nothing.
func (p Principal) Can(perm shared.Permission) bool {
	if p.Machine() {
		return p.SystemGrant != ""
	}
	if p.grants == nil {
		return defaultGrants(p.Role).Has(perm)
	}
	return p.grants.Has(perm)
}

// Grants returns what the caller's role grants, in catalogue order.
func (p Principal) Grants() []shared.Permission {
	if p.grants == nil {
		return defaultGrants(p.Role).List()
	}
	return p.grants.List()
}

// Is reports whether the caller has one of the roles.
func (p Principal) Is(roles ...shared.Role) bool {
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}

// The domain's errors.
var (
	ErrEmailTaken      = fault.New(fault.ErrConflict, "an account with this email already exists")
	ErrUserNotFound    = fault.New(fault.ErrNotFound, "user not found")
	ErrSessionNotFound = fault.New(fault.ErrNotFound, "session not found")
	ErrTokenSpent      = fault.New(fault.ErrConflict, "token already used")
	// ErrBadCredentials is the one answer to an unknown email and to a wrong password alike.
	ErrBadCredentials = fault.New(fault.ErrUnauthenticated, "email or password is incorrect")
	ErrBadToken       = fault.New(fault.ErrUnauthenticated, "missing, invalid or expired token")
	ErrTooManyLogins  = fault.New(fault.ErrTooMany, "too many failed sign-in attempts; try again later")
	// ErrTooMany answers a client address over the registration or refresh limit.
	ErrTooMany = fault.New(fault.ErrTooMany, "too many requests from this address; try again later")
	// ErrGrantsChanged: the session holds, but its role's grants are not those it connected with
	// (SessionValid).
	ErrGrantsChanged = errors.New("the role's grants changed")
)

// isNotFound reports whether err is the store's not-found for users or sessions.
func isNotFound(err error) bool {
	return errors.Is(err, fault.ErrNotFound)
}
