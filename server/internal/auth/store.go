package auth

import (
	"context"
	"time"

	"hms/shared"
)

// Store is what the auth service needs from storage. Implementations translate their driver's errors
// into ErrEmailTaken, ErrUserNotFound, ErrSessionNotFound and ErrTokenSpent.
type Store interface {
	InsertUser(ctx context.Context, u User) error
	UserByID(ctx context.Context, id string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	UpdateUser(ctx context.Context, id string, ch UserChange) error
	DeleteUser(ctx context.Context, id string) error
	// ListUsers returns users ordered by creation, and the total count; with a role, only that role's.
	ListUsers(ctx context.Context, role shared.Role, skip, limit int) ([]User, int, error)
	// HasAdmin reports whether any admin account exists.
	HasAdmin(ctx context.Context) (bool, error)

	// RoleByID returns a stored role; ErrRoleNotFound when there is none.
	RoleByID(ctx context.Context, id string) (Role, error)
	// Roles returns every stored role.
	Roles(ctx context.Context) ([]Role, error)
	// PutRole stores r made against revision prev: prev 0 inserts it (ErrRoleTaken, or for a built-in
	// role ErrRoleStale, when one is stored); otherwise it replaces the role stored at revision prev
	// (ErrRoleStale when it is at another, ErrRoleNotFound when there is none).
	PutRole(ctx context.Context, r Role, prev int64) error
	// DeleteRole removes the role stored at revision rev (ErrRoleStale when it is at another).
	DeleteRole(ctx context.Context, id string, rev int64) error
	// CountRoleUsers counts the accounts holding the role id (a custom role's id, or a kind for its
	// built-in role); with enabledOnly, only enabled ones.
	CountRoleUsers(ctx context.Context, id string, enabledOnly bool) (int, error)

	InsertSession(ctx context.Context, s Session) error
	SessionByID(ctx context.Context, id string) (Session, error)
	RevokeSession(ctx context.Context, id string, at time.Time) error
	// TouchSession records that the session was used (refreshed) at at.
	TouchSession(ctx context.Context, id string, at time.Time) error
	// SpendToken records that a single-use token (refresh token, websocket ticket; by its jti) was
	// spent; a second claim of the same jti fails with ErrTokenSpent. It is an insert under a unique
	// index, so two racing uses cannot both win.
	SpendToken(ctx context.Context, jti, sessionID string, at time.Time) error
	// PseudonymiseAccount replaces an account's name and email, disables it and revokes every session.
	PseudonymiseAccount(ctx context.Context, userID, name, email string, at time.Time) error

	// InsertLink stores an emailed single-use link (by the hash of its token).
	InsertLink(ctx context.Context, l Link) error
	// LinkByHash returns a link without taking it; ErrLinkNotFound when there is none.
	LinkByHash(ctx context.Context, hash string) (Link, error)
	// TakeLink removes and returns the link of the purpose stored under hash, in one step, so that of
	// two racing takes one gets it and the other ErrLinkNotFound.
	TakeLink(ctx context.Context, hash, purpose string) (Link, error)
	// PruneLinks deletes the links that expired before before, and returns how many.
	PruneLinks(ctx context.Context, before time.Time) (int, error)
}

// PatientRecords creates the patient record that a patient account is linked to.
type PatientRecords interface {
	CreateForUser(ctx context.Context, patientID, userID, name, email string) error
}

// Owners tells an account's owner that someone tried to register their email address again (by
// email). The app gives the notification service.
type Owners interface {
	RegistrationAttempt(ctx context.Context, userID string) error
}
