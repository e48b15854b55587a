package auth

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/shared"
)

const principalKey = "hms.principal"

// PrincipalOf returns the authenticated caller set by Require; ok is false on a public route.
func PrincipalOf(c *gin.Context) (Principal, bool) {
	v, ok := c.Get(principalKey)
	if !ok {
		return Principal{}, false
	}
	p, ok := v.(Principal)
	return p, ok
}

// bearer extracts the token from "Authorization: Bearer …"; present says whether the header was sent.
func bearer(c *gin.Context) (token string, present bool) {
	h := c.GetHeader("Authorization")
	if h == "" {
		return "", false
	}
	const prefix = "bearer "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", true
	}
	return strings.TrimSpace(h[len(prefix):]), true
}

// Require authenticates the caller and, with a permission, lets through only a caller whose role
// grants it: 401 without a valid token, 403 without the permission. The grants are read with the
// account on every request, so that a change takes effect at once on every instance.
func (s *Service) Require(perm shared.Permission) gin.HandlerFunc {
	return s.RequireOr(nil, perm)
}

// RequireOr is Require with a hook run when an authenticated caller is refused (to audit it).
func (s *Service) RequireOr(onDeny func(*gin.Context, Principal), perm shared.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		raw, _ := bearer(c)
		p, err := s.Authenticate(c.Request.Context(), raw)
		if err != nil {
			httpx.Error(c, err)
			return
		}
		if perm != "" && !p.Can(perm) {
			if onDeny != nil {
				onDeny(c, p)
			}
			httpx.Error(c, fault.New(fault.ErrForbidden, "your role (%s) is not granted %s", p.RoleID, perm))
			return
		}
		c.Set(principalKey, p)
		c.Next()
	}
}

// Signed refuses a request whose access token does not check by itself (signature, expiry, use),
// before its body is read or it waits for a turn; Require then checks the token against the live
// session and account. Only a caller holding a token this server issued can make it read a body.
func (s *Service) Signed() gin.HandlerFunc {
	return func(c *gin.Context) {
		raw, _ := bearer(c)
		if _, err := s.tokens.parse(raw, useAccess); err != nil {
			httpx.Error(c, err)
			return
		}
		c.Next()
	}
}

// Optional authenticates the caller when a token is sent, and lets anonymous callers through. A token
// that is sent but not valid is refused rather than ignored.
func (s *Service) Optional() gin.HandlerFunc {
	return func(c *gin.Context) {
		raw, present := bearer(c)
		if !present {
			c.Next()
			return
		}
		p, err := s.Authenticate(c.Request.Context(), raw)
		if err != nil {
			httpx.Error(c, err)
			return
		}
		c.Set(principalKey, p)
		c.Next()
	}
}

// Handlers are the auth routes' handlers, for the router table.
type Handlers struct{ svc *Service }

// NewHandlers returns the HTTP handlers of the service.
func NewHandlers(s *Service) Handlers { return Handlers{svc: s} }

// Register handles POST /api/auth/register: 201 with the account for an admin, 202 with the one neutral
// message for anyone else.
func (h Handlers) Register(c *gin.Context) {
	var req shared.RegisterRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	var by *Principal
	if p, ok := PrincipalOf(c); ok {
		by = &p
	}
	u, err := h.svc.Register(c.Request.Context(), by, req, c.ClientIP(), h.origin(c))
	h.retryAfter(c, err)
	if by == nil || !by.Can(shared.PermUsersManage) {
		// The same answer whether the email was new or had an account (its owner is told): registering
		// must not tell who has an account. The new account's ids come with its sign-in.
		if errors.Is(err, ErrEmailTaken) {
			err = nil
		}
		httpx.Reply(c, http.StatusAccepted)(shared.RegisterAccepted{Message: shared.RegistrationAccepted}, err)
		return
	}
	httpx.Reply(c, http.StatusCreated)(shared.RegisterResponse{ID: u.ID, PatientID: u.PatientID, User: u.Public()}, err)
}

// origin is where emailed links point: PUBLIC_URL, or the scheme and host the request came to (the
// host is one ALLOWED_HOSTS lets through).
func (h Handlers) origin(c *gin.Context) string {
	if h.svc.publicURL != "" {
		return h.svc.publicURL
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// Confirm handles POST /api/auth/confirm: 201 with the new account signed in (the sign-in's answer).
func (h Handlers) Confirm(c *gin.Context) {
	var req shared.ConfirmRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	resp, err := h.svc.Confirm(c.Request.Context(), req.Token, c.ClientIP())
	h.retryAfter(c, err)
	httpx.Reply(c, http.StatusCreated)(resp, err)
}

// ForgotPassword handles POST /api/auth/password/forgot: 202 with the one same message whether or not
// the email has an account.
func (h Handlers) ForgotPassword(c *gin.Context) {
	var req shared.ForgotPasswordRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	err := h.svc.ForgotPassword(c.Request.Context(), req, c.ClientIP(), h.origin(c))
	h.retryAfter(c, err)
	httpx.Reply(c, http.StatusAccepted)(shared.RegisterAccepted{Message: shared.PasswordResetAccepted}, err)
}

// ResetPassword handles POST /api/auth/password/reset.
func (h Handlers) ResetPassword(c *gin.Context) {
	var req shared.ResetPasswordRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	err := h.svc.ResetPassword(c.Request.Context(), req, c.ClientIP())
	h.retryAfter(c, err)
	httpx.Reply(c, http.StatusOK)(shared.PasswordReset{Message: shared.PasswordResetDone}, err)
}

// PasswordLink handles POST /api/users/{id}/password-link (admin): 202, the link is emailed.
func (h Handlers) PasswordLink(c *gin.Context) {
	p, _ := PrincipalOf(c)
	exp, err := h.svc.SendPasswordLink(c.Request.Context(), p, c.Param("id"), h.origin(c))
	httpx.Reply(c, http.StatusAccepted)(shared.PasswordLinkSent{ExpiresAt: exp}, err)
}

// Login handles POST /api/auth/login.
func (h Handlers) Login(c *gin.Context) {
	var req shared.LoginRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	resp, err := h.svc.Login(c.Request.Context(), req, c.ClientIP())
	h.retryAfter(c, err)
	httpx.Reply(c, http.StatusOK)(resp, err)
}

// Refresh handles POST /api/auth/refresh.
func (h Handlers) Refresh(c *gin.Context) {
	var req shared.RefreshRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	resp, err := h.svc.Refresh(c.Request.Context(), req.RefreshToken, c.ClientIP())
	h.retryAfter(c, err)
	httpx.Reply(c, http.StatusOK)(resp, err)
}

// retryAfter tells a caller refused by a limit when to try again: after the limits' window.
func (h Handlers) retryAfter(c *gin.Context, err error) {
	if err == ErrTooManyLogins || err == ErrTooMany {
		c.Header("Retry-After", strconv.Itoa(int(h.svc.window.Seconds())))
	}
}

// Logout handles POST /api/auth/logout.
func (h Handlers) Logout(c *gin.Context) {
	p, _ := PrincipalOf(c)
	httpx.Reply(c, http.StatusNoContent)(nil, h.svc.Logout(c.Request.Context(), p))
}

// ChangePassword handles POST /api/auth/password.
func (h Handlers) ChangePassword(c *gin.Context) {
	var req shared.ChangePasswordRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := PrincipalOf(c)
	httpx.Reply(c, http.StatusNoContent)(nil, h.svc.ChangePassword(c.Request.Context(), p, req))
}

// Me handles GET /api/me: the profile, with what the caller's role grants.
func (h Handlers) Me(c *gin.Context) {
	p, _ := PrincipalOf(c)
	u, err := h.svc.Me(c.Request.Context(), p)
	out := u.Public()
	out.Permissions = p.Grants()
	httpx.Reply(c, http.StatusOK)(out, err)
}

// Permissions handles GET /api/permissions: the catalogue.
func (h Handlers) Permissions(c *gin.Context) {
	httpx.Reply(c, http.StatusOK)(shared.PermissionList{Items: shared.Permissions}, nil)
}

// Roles handles GET /api/roles.
func (h Handlers) Roles(c *gin.Context) {
	rs, err := h.svc.Roles(c.Request.Context())
	httpx.Reply(c, http.StatusOK)(shared.RoleList{Items: rs}, err)
}

// CreateRole handles POST /api/roles.
func (h Handlers) CreateRole(c *gin.Context) {
	var req shared.CreateRoleRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := PrincipalOf(c)
	r, err := h.svc.CreateRole(c.Request.Context(), p, req)
	httpx.Reply(c, http.StatusCreated)(r, err)
}

// UpdateRole handles PUT /api/roles/{id}.
func (h Handlers) UpdateRole(c *gin.Context) {
	var req shared.UpdateRoleRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := PrincipalOf(c)
	r, err := h.svc.UpdateRole(c.Request.Context(), p, c.Param("id"), req)
	httpx.Reply(c, http.StatusOK)(r, err)
}

// DeleteRole handles DELETE /api/roles/{id}?revision=N.
func (h Handlers) DeleteRole(c *gin.Context) {
	rev, err := strconv.ParseInt(c.Query("revision"), 10, 64)
	if err != nil || rev < 1 {
		httpx.Error(c, fault.Invalid("revision is required: the role's revision you saw (a positive integer)"))
		return
	}
	p, _ := PrincipalOf(c)
	httpx.Reply(c, http.StatusNoContent)(nil, h.svc.DeleteRole(c.Request.Context(), p, c.Param("id"), rev))
}

// UpdateMe handles PATCH /api/me.
func (h Handlers) UpdateMe(c *gin.Context) {
	var req shared.UpdateProfileRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := PrincipalOf(c)
	u, err := h.svc.UpdateProfile(c.Request.Context(), p, req)
	httpx.Reply(c, http.StatusOK)(u.Public(), err)
}

// ListUsers handles GET /api/users.
func (h Handlers) ListUsers(c *gin.Context) {
	page, limit, err := httpx.Page(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	users, total, err := h.svc.Users(c.Request.Context(), shared.Role(c.Query("role")), page, limit)
	out := shared.UserList{Items: make([]shared.User, 0, len(users)), Total: total, Page: page, Limit: limit}
	for _, u := range users {
		out.Items = append(out.Items, u.Public())
	}
	httpx.Reply(c, http.StatusOK)(out, err)
}

// GetUser handles GET /api/users/{id}.
func (h Handlers) GetUser(c *gin.Context) {
	u, err := h.svc.User(c.Request.Context(), c.Param("id"))
	httpx.Reply(c, http.StatusOK)(u.Public(), err)
}

// UpdateUser handles PATCH /api/users/{id}.
func (h Handlers) UpdateUser(c *gin.Context) {
	var req shared.UpdateUserRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, _ := PrincipalOf(c)
	u, err := h.svc.UpdateUser(c.Request.Context(), p, c.Param("id"), req)
	httpx.Reply(c, http.StatusOK)(u.Public(), err)
}

// Ticket handles POST /api/ws/ticket.
func (h Handlers) Ticket(c *gin.Context) {
	p, _ := PrincipalOf(c)
	t, err := h.svc.IssueTicket(c.Request.Context(), p)
	httpx.Reply(c, http.StatusCreated)(shared.WSTicket{Ticket: t, ExpiresIn: int(TicketTTL.Seconds())}, err)
}

// Bearer returns the token of an "Authorization: Bearer" header, or "".
func Bearer(c *gin.Context) string {
	t, _ := bearer(c)
	return t
}
