package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// Emailed links carry a single-use token: 32 random bytes, base64url. Only its SHA-256 is stored, so
// someone who reads the database cannot follow a link; following one takes it (a find-and-delete), so
// of two racing uses exactly one wins (docs/security.md rows 40 and 50).

// The purposes of a link.
const (
	// LinkConfirm confirms a self-registration: following it makes the account.
	LinkConfirm = "confirm"
	// LinkReset sets a new password (forgotten, or an admin's set-password link).
	LinkReset = "reset"
)

// Link is an emailed single-use token as stored.
type Link struct {
	Hash    string // hex SHA-256 of the token; the document's id
	Purpose string
	// A registration to confirm: who registered, with the password already hashed.
	Name, Email, PasswordHash string
	// A password link: whose, and the account's epoch when it was made (a change since ends it).
	UserID    string
	Epoch     int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Mailer emails the links. The app gives the notification service: the message is stored, sealed, and
// delivered (retried, dead-lettered) like every other email.
type Mailer interface {
	// ConfirmRegistration emails the link that confirms a registration to an address with no account.
	ConfirmRegistration(ctx context.Context, email, name, link string, expires time.Time) error
	// PasswordLink emails an account's owner a link to set a new password; byAdmin says an admin sent it.
	PasswordLink(ctx context.Context, userID, link string, expires time.Time, byAdmin bool) error
}

// Auditor records security events in the audit trail: who (empty for an anonymous caller or the
// system) did what to which account (target), with the outcome read from err; detail holds no secret.
type Auditor interface {
	Security(ctx context.Context, actorID string, role shared.Role, target, action, detail string, err error) error
}

// ErrBadLink answers a token that is unknown, used, expired or for something else.
var ErrBadLink = fault.Coded(fault.ErrInvalid, "invalid_or_expired_token", "this link is invalid or has expired")

// ErrLinkNotFound is the store's answer for a link it does not hold (never sent to a client).
var ErrLinkNotFound = fault.New(fault.ErrNotFound, "link not found")

// newToken returns a fresh token and the hash it is stored under.
func newToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// wellFormed tells a token this server could have made (43 base64url characters) from anything else,
// which is refused before the database is asked.
func wellFormed(token string) bool {
	if len(token) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil
}

// linkURL is the page a link opens: origin (PUBLIC_URL, or the request's) and path, with the token.
func linkURL(origin, path, token string) string {
	return strings.TrimRight(origin, "/") + path + "?token=" + token
}

// makeLink stores a link of l's purpose with a fresh token and returns the token.
func (s *Service) makeLink(ctx context.Context, l Link, ttl time.Duration) (string, Link, error) {
	token, hash, err := newToken()
	if err != nil {
		return "", Link{}, fmt.Errorf("make token: %w", err)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	l.Hash, l.CreatedAt, l.ExpiresAt = hash, now, now.Add(ttl)
	if err := s.store.InsertLink(ctx, l); err != nil {
		return "", Link{}, err
	}
	return token, l, nil
}

// peek finds the live link of the purpose for token without taking it; ErrBadLink otherwise.
func (s *Service) peek(ctx context.Context, token, purpose string) (Link, error) {
	if !wellFormed(token) {
		return Link{}, ErrBadLink
	}
	l, err := s.store.LinkByHash(ctx, hashToken(token))
	if err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return Link{}, ErrBadLink
		}
		return Link{}, err
	}
	if l.Purpose != purpose || !s.now().Before(l.ExpiresAt) {
		return Link{}, ErrBadLink
	}
	return l, nil
}

// take spends the link of the purpose for token: of two racing uses one gets it, the other ErrBadLink.
// An expired link is taken (and so removed) but refused.
func (s *Service) take(ctx context.Context, token, purpose string) (Link, error) {
	if !wellFormed(token) {
		return Link{}, ErrBadLink
	}
	l, err := s.store.TakeLink(ctx, hashToken(token), purpose)
	if err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return Link{}, ErrBadLink
		}
		return Link{}, err
	}
	if !s.now().Before(l.ExpiresAt) {
		return Link{}, ErrBadLink
	}
	return l, nil
}

// selfRegister is a registration that is not an admin's. Both of its paths hash the password first,
// so that neither answers sooner: a new email gets a registration to confirm (the hashed password, name
// and email, stored under the hash of a token emailed in a link); an email that has an account gets
// ErrEmailTaken (the handler answers the same 202) and its owner is told, with nothing stored.
func (s *Service) selfRegister(ctx context.Context, name, email, password, origin string) error {
	hash, err := s.hash(password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if owner, err := s.store.UserByEmail(ctx, email); err == nil {
		return s.taken(ctx, owner)
	} else if !isNotFound(err) {
		return err
	}
	token, l, err := s.makeLink(ctx, Link{Purpose: LinkConfirm, Name: name, Email: email, PasswordHash: hash}, s.confirmTTL)
	if err != nil {
		return err
	}
	if s.mailer == nil {
		return nil
	}
	return s.mailer.ConfirmRegistration(ctx, email, name, linkURL(origin, "/confirm", token), l.ExpiresAt)
}

// Confirm follows a registration's link: it makes the patient account (and its patient record) and
// signs it in. The link works once, even when followed twice at the same moment; an unknown, used or
// expired one, or one whose email got an account meanwhile, is ErrBadLink.
func (s *Service) Confirm(ctx context.Context, token, ip string) (shared.TokenResponse, error) {
	if err := s.perAddress(ctx, "link:"+ip, s.maxReg); err != nil {
		return shared.TokenResponse{}, err
	}
	l, err := s.take(ctx, token, LinkConfirm)
	if err != nil {
		return shared.TokenResponse{}, err
	}
	u, err := s.createHashed(ctx, l.Name, l.Email, l.PasswordHash, shared.RolePatient)
	if errors.Is(err, ErrEmailTaken) {
		return shared.TokenResponse{}, ErrBadLink
	}
	if err != nil {
		return shared.TokenResponse{}, err
	}
	if err := s.record(ctx, u.ID, u.Role, u.ID, "user.create", "patient, self-registered", nil); err != nil {
		return shared.TokenResponse{}, err
	}
	return s.open(ctx, u, ip)
}

// ForgotPassword emails a link to set a new password when email has an enabled account; the answer is
// the same either way. Limited per client address (as registrations are), and at most
// LoginMaxFailures emails per account in the window (beyond, nothing is sent; the answer is the same).
func (s *Service) ForgotPassword(ctx context.Context, req shared.ForgotPasswordRequest, ip, origin string) error {
	if err := s.perAddress(ctx, "forgot:"+ip, s.maxReg); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if email == "" || len(email) > 254 {
		return fault.Invalid("email is required")
	}
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		if isNotFound(err) {
			// Recorded alike for an unknown email, without the address (docs/audit.md).
			return s.record(ctx, "", "", s.emailRef(email), "auth.password_reset_request", "", nil)
		}
		return err
	}
	if u.Disabled {
		return s.record(ctx, "", "", s.emailRef(email), "auth.password_reset_request", "", nil)
	}
	if ok, err := s.limits.Reserve(ctx, "forgot-acct:"+u.ID, s.maxAcct, s.window); err != nil || !ok {
		return audited(err, s.record(ctx, "", "", s.emailRef(email), "auth.password_reset_request", "over the per-account limit: no email", err))
	}
	_, err = s.sendPasswordLink(ctx, u, origin, s.resetTTL, false)
	return audited(err, s.record(ctx, "", "", s.emailRef(email), "auth.password_reset_request", "", err))
}

func (s *Service) sendPasswordLink(ctx context.Context, u User, origin string, ttl time.Duration, byAdmin bool) (time.Time, error) {
	token, l, err := s.makeLink(ctx, Link{Purpose: LinkReset, UserID: u.ID, Email: u.Email, Epoch: u.Epoch}, ttl)
	if err != nil {
		return time.Time{}, err
	}
	if s.mailer != nil {
		if err := s.mailer.PasswordLink(ctx, u.ID, linkURL(origin, "/reset-password", token), l.ExpiresAt, byAdmin); err != nil {
			return time.Time{}, err
		}
	}
	return l.ExpiresAt, nil
}

// ResetPassword follows a password link: it sets the new password (the same rules as registering) and
// ends every session of the account, as a password change does (its websockets close too). A weak
// password is refused before the link is spent; the link works once, and not after the account's
// password, role or disabled flag changed since it was made.
func (s *Service) ResetPassword(ctx context.Context, req shared.ResetPasswordRequest, ip string) error {
	u, err := s.resetPassword(ctx, req, ip)
	if aerr := s.record(ctx, u.ID, u.Role, u.ID, "auth.password_reset", "", err); aerr != nil && err == nil {
		err = aerr
	}
	return err
}

// resetPassword is ResetPassword; it returns the account the link is for, once the link is known.
func (s *Service) resetPassword(ctx context.Context, req shared.ResetPasswordRequest, ip string) (User, error) {
	if err := s.perAddress(ctx, "link:"+ip, s.maxReg); err != nil {
		return User{}, err
	}
	l, err := s.peek(ctx, req.Token, LinkReset)
	if err != nil {
		return User{}, err
	}
	u, err := s.store.UserByID(ctx, l.UserID)
	if isNotFound(err) || (err == nil && (u.Disabled || u.Epoch != l.Epoch)) {
		return User{}, ErrBadLink
	}
	if err != nil {
		return User{}, err
	}
	if err := checkPassword(req.Password, u.Email); err != nil {
		return u, err
	}
	hash, err := s.hash(req.Password)
	if err != nil {
		return u, fmt.Errorf("hash password: %w", err)
	}
	if _, err := s.take(ctx, req.Token, LinkReset); err != nil {
		return u, err
	}
	if err := s.setPassword(ctx, u, hash); err != nil {
		return u, err
	}
	// The owner proved they read the account's email: a lockout from wrong passwords ends.
	_ = s.limits.Reset(context.WithoutCancel(ctx), "acct:"+u.Email)
	return u, nil
}

// SendPasswordLink emails an account a link to set its password, valid for the admin link lifetime
// (an admin, for accounts they create). Audited as "user.password_link" with the account as target.
func (s *Service) SendPasswordLink(ctx context.Context, by Principal, id, origin string) (time.Time, error) {
	exp, err := s.adminPasswordLink(ctx, id, origin)
	return exp, audited(err, s.record(ctx, by.UserID, by.Role, targetID(id), "user.password_link", "", err))
}

func (s *Service) adminPasswordLink(ctx context.Context, id, origin string) (time.Time, error) {
	if !ident.Valid(id) {
		return time.Time{}, fault.Invalid("malformed user id")
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	if u.Disabled {
		return time.Time{}, fault.New(fault.ErrConflict, "the account is disabled; enable it first")
	}
	return s.sendPasswordLink(ctx, u, origin, s.linkTTL, true)
}

// PruneLinks deletes the links that expired before now: registrations never confirmed, password links
// never followed. It returns how many.
func (s *Service) PruneLinks(ctx context.Context) (int, error) {
	return s.store.PruneLinks(ctx, s.now().UTC())
}

// RunLinkPruner prunes expired links every interval until ctx ends.
func (s *Service) RunLinkPruner(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		_, _ = s.PruneLinks(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
