package shared

import "time"

// Role is what a user is allowed to do in HMS.
type Role string

// The four roles. A patient may self-register; every other role is created by an admin.
const (
	RoleAdmin   Role = "admin"
	RoleDoctor  Role = "doctor"
	RoleStaff   Role = "staff"
	RolePatient Role = "patient"
)

// RoleClient is the role an integration client's machine token acts in (in the activity log, for
// instance). It is not a role an account can hold: Roles does not list it and Valid refuses it.
const RoleClient Role = "client"

// Roles lists every role, in order of decreasing privilege.
var Roles = []Role{RoleAdmin, RoleDoctor, RoleStaff, RolePatient}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

// RegisterRequest is the body of POST /api/auth/register. Role defaults to patient.
type RegisterRequest struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Password string `json:"password"`
	Role     Role   `json:"role,omitempty"`
}

// RegisterAccepted answers a registration that is not an admin's, whether the email was new (a link
// to confirm it is emailed; the account is made when it is followed) or already had an account (nothing
// changes; its owner is told by email): the two answers are the same, so that registering does not tell
// who has an account. It also answers POST /api/auth/password/forgot, with PasswordResetAccepted.
type RegisterAccepted struct {
	Message string `json:"message"`
}

// RegistrationAccepted is RegisterAccepted's one message for a registration.
const RegistrationAccepted = "Check your email: we sent a link to confirm your address. Your account is made when you follow it. If this address already has an account, nothing was changed and its owner has been told by email."

// PasswordResetAccepted is RegisterAccepted's one message for a forgotten password.
const PasswordResetAccepted = "If an account exists for that email, we sent a link to choose a new password."

// ConfirmRequest is the body of POST /api/auth/confirm: the token from the emailed link.
type ConfirmRequest struct {
	Token string `json:"token"`
}

// ForgotPasswordRequest is the body of POST /api/auth/password/forgot.
type ForgotPasswordRequest struct {
	Email string `json:"email"`
}

// ResetPasswordRequest is the body of POST /api/auth/password/reset: the token from the emailed link
// and the new password.
type ResetPasswordRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// PasswordReset answers POST /api/auth/password/reset.
type PasswordReset struct {
	Message string `json:"message"`
}

// PasswordResetDone is PasswordReset's message.
const PasswordResetDone = "Your password was changed and every session of the account was signed out. Sign in with the new password."

// PasswordLinkSent answers POST /api/users/{id}/password-link: when the emailed link stops working.
type PasswordLinkSent struct {
	ExpiresAt time.Time `json:"expires_at"`
}

// RegisterResponse answers a registration: the new user's id, and patient_id for a patient.
type RegisterResponse struct {
	ID        string `json:"id"`
	PatientID string `json:"patient_id,omitempty"`
	User      User   `json:"user"`
}

// LoginRequest is the body of POST /api/auth/login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// RefreshRequest is the body of POST /api/auth/refresh.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// TokenResponse answers login and refresh: a short-lived access token, a refresh token and the user.
type TokenResponse struct {
	Token        string `json:"token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	User         User   `json:"user"`
}

// ChangePasswordRequest is the body of POST /api/auth/password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// User is a user's public profile. It never carries credentials.
type User struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	PatientID string    `json:"patient_id,omitempty"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
	// RoleID is the account's role: a custom role's id, or the built-in role's (its kind, Role).
	RoleID string `json:"role_id"`
	// Permissions is what the role grants; GET /api/me carries it, so that screens show what the
	// caller may do.
	Permissions []Permission `json:"permissions,omitempty"`
}

// UpdateUserRequest is the body of PATCH /api/users/{id} (admin only). Absent fields are left alone.
type UpdateUserRequest struct {
	Role *Role `json:"role,omitempty"`
	// RoleID assigns a custom role (or a built-in one by its kind); the account's kind becomes the
	// role's. Give role or role_id, not both.
	RoleID   *string `json:"role_id,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
}

// UpdateProfileRequest is the body of PATCH /api/me.
type UpdateProfileRequest struct {
	Name string `json:"name"`
}

// UserList is a page of users.
type UserList struct {
	Items []User `json:"items"`
	Total int    `json:"total"`
	Page  int    `json:"page"`
	Limit int    `json:"limit"`
}
