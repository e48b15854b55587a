package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/clock"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// Config holds the service's settings.
type Config struct {
	Tokens           *Tokens
	LoginMaxFailures int // per account, within LoginWindow
	LoginMaxPerIP    int // per client address, within LoginWindow
	LoginWindow      time.Duration
	// RegisterMaxPerIP and RefreshMaxPerIP limit self-registrations and refreshes per client address
	// within LoginWindow (0: no limit). An admin registering an account is not limited.
	RegisterMaxPerIP int
	RefreshMaxPerIP  int
	// SessionIdleTimeout ends a session not refreshed for that long; SessionMaxLifetime ends a session
	// that long after its sign-in (0: no limit).
	SessionIdleTimeout time.Duration
	SessionMaxLifetime time.Duration
	// Owners is told when someone not an admin registers an email that has an account (nil: nobody).
	Owners Owners
	// Counter keeps the sign-in counts (nil: in process). The app gives a Redis one with REDIS_URL, so
	// that the limits hold across instances.
	Counter Counter
	// Clock is what lockouts and sessions are timed by (nil: the system time). The app leaves it nil:
	// tokens and lockouts run on real time, not on the hospital clock tests move to another day.
	Clock *clock.Clock
	// Revocations, when set, hears of every session that ends and every account whose rights change,
	// so that live connections (the websocket hub, on every instance) end too.
	Revocations Revocations
	// Mailer emails confirmation and password links (nil: none are sent). Audit records an admin's
	// set-password link (nil: not recorded).
	Mailer Mailer
	Audit  Auditor
	// ConfirmTTL is how long a registration's confirmation link works (default 24h); ResetTTL a
	// forgotten password's link (default 1h); LinkTTL an admin's set-password link (default 72h).
	ConfirmTTL, ResetTTL, LinkTTL time.Duration
	// PublicURL is where the web app is reached (PUBLIC_URL), the start of every emailed link; empty:
	// the request's own scheme and host (which ALLOWED_HOSTS checked).
	PublicURL string
	// Clients keeps the integration clients (nil: none can be registered, and no machine token is
	// accepted). ClientTokenTTL is a client token's lifetime (default 5 minutes); ClientTokenMax is
	// how many tokens a client, and a client address, may ask for per minute (default 20);
	// ClientFHIRMax how many FHIR requests a client may make per minute (default 600).
	Clients                       ClientStore
	ClientTokenTTL                time.Duration
	ClientTokenMax, ClientFHIRMax int
}

// Revocations hears that a session ended (logout) or that every session of an account did (a password,
// role or disabled change: the account's epoch changed); sessionID is "" for the latter.
type Revocations interface {
	Revoked(ctx context.Context, userID, sessionID string)
}

// Service is the auth domain's business logic.
type Service struct {
	store    Store
	patients PatientRecords
	owners   Owners
	tokens   *Tokens
	limits   Counter
	window   time.Duration
	maxAcct  int
	maxIP    int
	maxReg   int
	maxRef   int
	idle     time.Duration
	lifetime time.Duration
	now      func() time.Time
	revoked  Revocations
	mailer   Mailer
	audit    Auditor
	// hash hashes a password (argon2id); a test counts its calls.
	hash                          func(string) (string, error)
	confirmTTL, resetTTL, linkTTL time.Duration
	publicURL                     string
	clients                       ClientStore
	clientTTL                     time.Duration
	clientTokenMax, clientFHIRMax int
}

// NewService wires the service.
func NewService(store Store, patients PatientRecords, cfg Config) *Service {
	limits := cfg.Counter
	if limits == nil {
		limits = NewMemoryCounter(cfg.Clock.Now)
	}
	return &Service{
		store: store, patients: patients, owners: cfg.Owners, tokens: cfg.Tokens,
		limits: limits, window: cfg.LoginWindow,
		maxAcct: cfg.LoginMaxFailures, maxIP: cfg.LoginMaxPerIP, now: cfg.Clock.Now, revoked: cfg.Revocations,
		maxReg: cfg.RegisterMaxPerIP, maxRef: cfg.RefreshMaxPerIP,
		idle: cfg.SessionIdleTimeout, lifetime: cfg.SessionMaxLifetime,
		mailer: cfg.Mailer, audit: cfg.Audit, hash: hashPassword, publicURL: cfg.PublicURL,
		confirmTTL: orDefault(cfg.ConfirmTTL, 24*time.Hour), resetTTL: orDefault(cfg.ResetTTL, time.Hour),
		linkTTL: orDefault(cfg.LinkTTL, 72*time.Hour),
		clients: cfg.Clients, clientTTL: orDefault(cfg.ClientTokenTTL, 5*time.Minute),
		clientTokenMax: orCount(cfg.ClientTokenMax, 20), clientFHIRMax: orCount(cfg.ClientFHIRMax, 600),
	}
}

func orCount(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Register creates an account. A patient may register themself; every other role needs an admin caller
// (by is nil for an anonymous caller). A patient account gets a patient record.
//
// An admin's registration makes the account at once; an email that has an account gives ErrEmailTaken.
// Anyone else's is a registration to confirm (selfRegister): the account is made when the emailed link
// is followed (Confirm, at origin/confirm); for an email that has an account it gives ErrEmailTaken
// after the same work, and its owner is told (the handler answers both alike). Registrations other than
// an admin's are limited per client address (ip).
func (s *Service) Register(ctx context.Context, by *Principal, req shared.RegisterRequest, ip, origin string) (User, error) {
	if req.Role == "" {
		req.Role = shared.RolePatient
	}
	if !req.Role.Valid() {
		return User{}, fault.Invalid("role must be one of admin, doctor, staff, patient")
	}
	admin := by != nil && by.Can(shared.PermUsersManage)
	if req.Role != shared.RolePatient && !admin {
		return User{}, fault.New(fault.ErrForbidden, "only an admin can register a %s", req.Role)
	}
	name, email, err := checkIdentity(req.Name, req.Email)
	if err != nil {
		return User{}, err
	}
	if err := checkPassword(req.Password, email); err != nil {
		return User{}, err
	}
	if !admin {
		if err := s.perAddress(ctx, "register:"+ip, s.maxReg); err != nil {
			return User{}, err
		}
		return User{}, s.selfRegister(ctx, name, email, req.Password, origin)
	}
	// An admin may know who has an account: a taken email costs no hash. The unique index still decides
	// between racing registrations.
	if _, err := s.store.UserByEmail(ctx, email); err == nil {
		return User{}, audited(ErrEmailTaken, s.record(ctx, by.UserID, by.Role, "", "user.create", string(req.Role), ErrEmailTaken))
	} else if !isNotFound(err) {
		return User{}, err
	}
	u, err := s.create(ctx, name, email, req.Password, req.Role)
	if aerr := s.record(ctx, by.UserID, by.Role, u.ID, "user.create", string(req.Role), err); aerr != nil && err == nil {
		return User{}, aerr
	}
	return u, err
}

// record writes a security event to the audit trail (nothing without one), and returns the audit's
// error: a caller fails rather than act without a trail.
func (s *Service) record(ctx context.Context, actorID string, role shared.Role, target, action, detail string, err error) error {
	if s.audit == nil {
		return nil
	}
	return s.audit.Security(ctx, actorID, role, target, action, detail, err)
}

// audited is the answer of an action whose audit entry was written with aerr: the action's own error,
// or, when it succeeded, the audit's (a caller fails rather than act without a trail).
func audited(err, aerr error) error {
	if err != nil {
		return err
	}
	return aerr
}

// emailRef names a sign-in's email in the audit trail without the address: a keyed hash (HMAC-SHA256
// under the token secret, 16 hex digits), so that attempts on one address can be told apart, and
// nothing stored says which addresses exist or what was typed (docs/audit.md).
func (s *Service) emailRef(email string) string {
	m := hmac.New(sha256.New, s.tokens.secret)
	m.Write([]byte("audit-email\x00" + email))
	return "email:" + hex.EncodeToString(m.Sum(nil))[:16]
}

// targetID is an id for an entry's target, or "" when it is not one (attacker-controlled text).
func targetID(id string) string {
	if !ident.Valid(id) {
		return ""
	}
	return id
}

// taken answers a self-registration of an email that has an account: ErrEmailTaken, and a message to
// the account's owner. A failed message does not change the answer, which must not differ from a new
// registration's.
func (s *Service) taken(ctx context.Context, owner User) error {
	if s.owners != nil {
		_ = s.owners.RegistrationAttempt(context.WithoutCancel(ctx), owner.ID)
	}
	return ErrEmailTaken
}

// perAddress takes a place under a per-address limit (0: none); over it, ErrTooMany.
func (s *Service) perAddress(ctx context.Context, key string, max int) error {
	if max <= 0 {
		return nil
	}
	ok, err := s.limits.Reserve(ctx, key, max, s.window)
	if err != nil {
		return err
	}
	if !ok {
		return ErrTooMany
	}
	return nil
}

func (s *Service) create(ctx context.Context, name, email, password string, role shared.Role) (User, error) {
	hash, err := s.hash(password)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	return s.createHashed(ctx, name, email, hash, role)
}

// createHashed makes an account whose password is already hashed, and a patient's record.
func (s *Service) createHashed(ctx context.Context, name, email, hash string, role shared.Role) (User, error) {
	u := User{ID: ident.New(), Name: name, Email: email, Role: role, PasswordHash: hash,
		Epoch: s.now().UnixNano(), CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	if role == shared.RolePatient {
		u.PatientID = ident.New()
	}
	// The unique email index decides between two racing registrations.
	if err := s.store.InsertUser(ctx, u); err != nil {
		return User{}, err
	}
	if u.PatientID != "" {
		if err := s.patients.CreateForUser(ctx, u.PatientID, u.ID, u.Name, u.Email); err != nil {
			// Undo the account so that a retry can succeed; nothing half-made is left behind.
			if derr := s.store.DeleteUser(context.WithoutCancel(ctx), u.ID); derr != nil {
				err = errors.Join(err, fmt.Errorf("undo user: %w", derr))
			}
			return User{}, fmt.Errorf("create patient record: %w", err)
		}
	}
	return u, nil
}

func checkIdentity(name, email string) (string, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return "", "", fault.Invalid("name is required (at most 200 characters)")
	}
	email = strings.ToLower(strings.TrimSpace(email))
	addr, err := mail.ParseAddress(email)
	if email == "" || err != nil || addr.Address != email || len(email) > 254 {
		return "", "", fault.Invalid("email must be a valid address such as name@example.org")
	}
	return name, email, nil
}

// Login checks credentials and opens a session. An unknown email and a wrong password get the same
// error, in about the same time; repeated failures per account or per client address get ErrTooManyLogins.
func (s *Service) Login(ctx context.Context, req shared.LoginRequest, ip string) (shared.TokenResponse, error) {
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if email == "" || req.Password == "" {
		return shared.TokenResponse{}, fault.Invalid("email and password are required")
	}
	// Each attempt reserves its place under both limits before the hash is checked, so that attempts
	// sent at once cannot all be checked; a reservation over a limit is refused before any hash.
	acctKey, ipKey := "acct:"+email, "ip:"+ip
	release := context.WithoutCancel(ctx)
	if ok, err := s.limits.Reserve(ctx, acctKey, s.maxAcct, s.window); err != nil || !ok {
		return shared.TokenResponse{}, audited(tooMany(err), s.record(ctx, "", "", s.emailRef(email), "auth.lockout", "per account", tooMany(err)))
	}
	if ok, err := s.limits.Reserve(ctx, ipKey, s.maxIP, s.window); err != nil || !ok {
		_ = s.limits.Release(release, acctKey)
		return shared.TokenResponse{}, audited(tooMany(err), s.record(ctx, "", "", s.emailRef(email), "auth.lockout", "per address", tooMany(err)))
	}
	u, err := s.store.UserByEmail(ctx, email)
	hash := u.PasswordHash
	if err != nil {
		if !isNotFound(err) {
			_ = s.limits.Release(release, acctKey)
			_ = s.limits.Release(release, ipKey)
			return shared.TokenResponse{}, err
		}
		hash = dummyHash
	}
	if !passwordMatches(req.Password, hash) || err != nil || u.Disabled {
		// The reservations stay: they are the failures counted. An unknown email is recorded with no
		// actor and the email's keyed hash only; a known account's failure names the account.
		detail := "wrong password"
		switch {
		case err != nil:
			detail = "no such account"
		case u.Disabled:
			detail = "account disabled"
		}
		return shared.TokenResponse{}, audited(ErrBadCredentials,
			s.record(ctx, u.ID, u.Role, s.emailRef(email), "auth.login_failed", detail, ErrBadCredentials))
	}
	_ = s.limits.Reset(release, acctKey)
	_ = s.limits.Release(release, ipKey)
	resp, err := s.open(ctx, u, ip)
	if aerr := s.record(ctx, u.ID, u.Role, "", "auth.login", "", err); aerr != nil && err == nil {
		return shared.TokenResponse{}, aerr
	}
	return resp, err
}

// open opens a session for u and returns its tokens (the sign-in's answer).
func (s *Service) open(ctx context.Context, u User, ip string) (shared.TokenResponse, error) {
	at := s.now().UTC()
	sess := Session{ID: ident.New(), UserID: u.ID, CreatedAt: at, LastUsedAt: at, IP: ip}
	if err := s.store.InsertSession(ctx, sess); err != nil {
		return shared.TokenResponse{}, fmt.Errorf("open session: %w", err)
	}
	return s.issue(ctx, u, sess.ID)
}

// tooMany is the answer to a refused reservation: ErrTooManyLogins, or the counter's own error.
func tooMany(err error) error {
	if err != nil {
		return err
	}
	return ErrTooManyLogins
}

// issue signs a new token pair for the session, answered with the account's profile and what its role
// grants (so that screens know at once what to offer).
func (s *Service) issue(ctx context.Context, u User, sessionID string) (shared.TokenResponse, error) {
	g, err := s.grantsOf(ctx, u)
	if err != nil {
		return shared.TokenResponse{}, err
	}
	access, _, err := s.tokens.sign(useAccess, u, sessionID, s.tokens.accessTTL)
	if err != nil {
		return shared.TokenResponse{}, err
	}
	refresh, _, err := s.tokens.sign(useRefresh, u, sessionID, s.tokens.refreshTTL)
	if err != nil {
		return shared.TokenResponse{}, err
	}
	pub := u.Public()
	pub.Permissions = g.List()
	return shared.TokenResponse{Token: access, TokenType: "Bearer", ExpiresIn: int(s.tokens.accessTTL.Seconds()),
		RefreshToken: refresh, User: pub}, nil
}

// Refresh spends a refresh token for a new pair. Each refresh token works once: a second use means it
// was stolen or replayed, and the whole session is revoked.
func (s *Service) Refresh(ctx context.Context, raw, ip string) (shared.TokenResponse, error) {
	if err := s.perAddress(ctx, "refresh:"+ip, s.maxRef); err != nil {
		return shared.TokenResponse{}, err
	}
	c, err := s.tokens.parse(raw, useRefresh)
	if err != nil {
		return shared.TokenResponse{}, err
	}
	u, _, err := s.check(ctx, c)
	if err != nil {
		return shared.TokenResponse{}, err
	}
	if err := s.store.SpendToken(ctx, c.ID, c.SessionID, s.now().UTC()); err != nil {
		if errors.Is(err, ErrTokenSpent) {
			_ = s.store.RevokeSession(ctx, c.SessionID, s.now().UTC())
			return shared.TokenResponse{}, audited(ErrBadToken,
				s.record(ctx, u.ID, u.Role, u.ID, "auth.token_reuse", "a refresh token used twice: the session is ended", ErrBadToken))
		}
		return shared.TokenResponse{}, err
	}
	if err := s.store.TouchSession(ctx, c.SessionID, s.now().UTC()); err != nil {
		return shared.TokenResponse{}, err
	}
	return s.issue(ctx, u, c.SessionID)
}

// Authenticate checks an access token against the live session and account: a revoked session, a
// disabled account or a changed epoch (password, role) fails at once.
func (s *Service) Authenticate(ctx context.Context, raw string) (Principal, error) {
	c, err := s.tokens.parse(raw, useAccess)
	if err != nil {
		return Principal{}, err
	}
	u, sess, err := s.check(ctx, c)
	if err != nil {
		return Principal{}, err
	}
	g, err := s.grantsOf(ctx, u)
	if err != nil {
		return Principal{}, err
	}
	return Principal{UserID: u.ID, Role: u.Role, RoleID: u.roleKey(), grants: g, PatientID: u.PatientID, SessionID: sess.ID,
		Epoch: u.Epoch, Expires: c.ExpiresAt.Time}, nil
}

// IssueTicket returns a single-use websocket ticket for the caller, valid for TicketTTL. The
// websocket session it opens ends when the caller's access token would have expired.
func (s *Service) IssueTicket(ctx context.Context, p Principal) (string, error) {
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return "", err
	}
	t, _, err := s.tokens.signWith(useWSTicket, u, p.SessionID, TicketTTL, p.Expires.Unix())
	return t, err
}

// RedeemTicket checks a websocket ticket and spends it: a ticket opens one connection only.
func (s *Service) RedeemTicket(ctx context.Context, raw string) (Principal, error) {
	c, err := s.tokens.parse(raw, useWSTicket)
	if err != nil {
		return Principal{}, err
	}
	u, sess, err := s.check(ctx, c)
	if err != nil {
		return Principal{}, err
	}
	if err := s.store.SpendToken(ctx, c.ID, c.SessionID, s.now().UTC()); err != nil {
		if errors.Is(err, ErrTokenSpent) {
			return Principal{}, ErrBadToken
		}
		return Principal{}, err
	}
	g, err := s.grantsOf(ctx, u)
	if err != nil {
		return Principal{}, err
	}
	return Principal{UserID: u.ID, Role: u.Role, RoleID: u.roleKey(), grants: g, PatientID: u.PatientID, SessionID: sess.ID,
		Epoch: u.Epoch, Expires: time.Unix(c.SessionExpires, 0)}, nil
}

// SessionValid checks again what Authenticate checked when p signed in: its session is not revoked nor
// past its idle timeout or maximum lifetime, its account not disabled and the account's epoch
// unchanged. A live websocket asks it periodically. When all that holds but the role's grants changed
// since (an admin changed the role), it answers ErrGrantsChanged: the connection should be made again,
// under the new grants, not ended.
func (s *Service) SessionValid(ctx context.Context, p Principal) error {
	c := &claims{SessionID: p.SessionID, Epoch: p.Epoch}
	c.Subject = p.UserID
	u, _, err := s.check(ctx, c)
	if err != nil {
		return err
	}
	g, err := s.grantsOf(ctx, u)
	if err != nil {
		return err
	}
	if !slices.Equal(g.List(), p.Grants()) {
		return ErrGrantsChanged
	}
	return nil
}

// revoke tells Revocations, if any, that a session (or, with sessionID "", every session of the
// account) ended.
func (s *Service) revoke(ctx context.Context, userID, sessionID string) {
	if s.revoked != nil {
		s.revoked.Revoked(ctx, userID, sessionID)
	}
}

func (s *Service) check(ctx context.Context, c *claims) (User, Session, error) {
	if !ident.Valid(c.SessionID) || !ident.Valid(c.Subject) {
		return User{}, Session{}, ErrBadToken
	}
	sess, err := s.store.SessionByID(ctx, c.SessionID)
	if err != nil {
		if isNotFound(err) {
			return User{}, Session{}, ErrBadToken
		}
		return User{}, Session{}, err
	}
	if sess.RevokedAt != nil || sess.UserID != c.Subject {
		return User{}, Session{}, ErrBadToken
	}
	if err := s.live(ctx, sess); err != nil {
		return User{}, Session{}, err
	}
	u, err := s.store.UserByID(ctx, c.Subject)
	if err != nil {
		if isNotFound(err) {
			return User{}, Session{}, ErrBadToken
		}
		return User{}, Session{}, err
	}
	if u.Disabled || u.Epoch != c.Epoch {
		return User{}, Session{}, ErrBadToken
	}
	return u, sess, nil
}

// live checks that a session is within its idle timeout (since its sign-in or last refresh) and its
// maximum lifetime (since its sign-in); one past either is revoked, and ErrBadToken answered.
func (s *Service) live(ctx context.Context, sess Session) error {
	now := s.now()
	// A session stored before LastUsedAt was kept has none: its idle time counts from its next refresh.
	idle := !sess.LastUsedAt.IsZero() && s.idle > 0 && now.Sub(sess.LastUsedAt) > s.idle
	if idle || (s.lifetime > 0 && now.Sub(sess.CreatedAt) > s.lifetime) {
		if err := s.store.RevokeSession(context.WithoutCancel(ctx), sess.ID, now.UTC()); err != nil {
			return err
		}
		return ErrBadToken
	}
	return nil
}

// Logout revokes the caller's session; its access and refresh tokens stop working at once.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	err := s.store.RevokeSession(ctx, p.SessionID, s.now().UTC())
	s.revoke(ctx, p.UserID, p.SessionID)
	if aerr := s.record(ctx, p.UserID, p.Role, "", "auth.logout", "", err); aerr != nil && err == nil {
		err = aerr
	}
	return err
}

// ChangePassword checks the current password, sets the new one and ends every session of the account.
// Audited as auth.password_change whatever the outcome.
func (s *Service) ChangePassword(ctx context.Context, p Principal, req shared.ChangePasswordRequest) error {
	err := s.changePassword(ctx, p, req)
	if aerr := s.record(ctx, p.UserID, p.Role, p.UserID, "auth.password_change", "", err); aerr != nil && err == nil {
		err = aerr
	}
	return err
}

func (s *Service) changePassword(ctx context.Context, p Principal, req shared.ChangePasswordRequest) error {
	// A stolen access token must not become a way to guess the password: throttle like sign-in.
	key := "pw:" + p.UserID
	if ok, err := s.limits.Reserve(ctx, key, s.maxAcct, s.window); err != nil || !ok {
		return tooMany(err)
	}
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		_ = s.limits.Release(context.WithoutCancel(ctx), key)
		return err
	}
	if !passwordMatches(req.CurrentPassword, u.PasswordHash) {
		return fault.New(fault.ErrForbidden, "current password is incorrect")
	}
	_ = s.limits.Reset(context.WithoutCancel(ctx), key)
	if err := checkPassword(req.NewPassword, u.Email); err != nil {
		return err
	}
	hash, err := s.hash(req.NewPassword)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return s.setPassword(ctx, u, hash)
}

// setPassword stores a new password hash and a new epoch: every token of the account stops working at
// once, and its live connections are told to close.
func (s *Service) setPassword(ctx context.Context, u User, hash string) error {
	epoch := s.newEpoch(u)
	err := s.store.UpdateUser(ctx, u.ID, UserChange{PasswordHash: &hash, Epoch: &epoch})
	s.revoke(ctx, u.ID, "")
	return err
}

// newEpoch returns an epoch different from the account's current one.
func (s *Service) newEpoch(u User) int64 {
	e := s.now().UnixNano()
	if e <= u.Epoch {
		e = u.Epoch + 1
	}
	return e
}

// Me returns the caller's profile.
func (s *Service) Me(ctx context.Context, p Principal) (User, error) {
	return s.store.UserByID(ctx, p.UserID)
}

// UpdateProfile changes the caller's display name.
func (s *Service) UpdateProfile(ctx context.Context, p Principal, req shared.UpdateProfileRequest) (User, error) {
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return User{}, err
	}
	name, _, err := checkIdentity(req.Name, u.Email)
	if err != nil {
		return User{}, err
	}
	if err := s.store.UpdateUser(ctx, u.ID, UserChange{Name: &name}); err != nil {
		return User{}, err
	}
	u.Name = name
	return u, nil
}

// User returns one account (admin).
func (s *Service) User(ctx context.Context, id string) (User, error) {
	if !ident.Valid(id) {
		return User{}, fault.Invalid("malformed user id")
	}
	return s.store.UserByID(ctx, id)
}

// Users lists accounts, a page at a time (admin); with a role, only that role's.
func (s *Service) Users(ctx context.Context, role shared.Role, page, limit int) ([]User, int, error) {
	if role != "" && !role.Valid() {
		return nil, 0, fault.Invalid("role must be one of admin, doctor, staff, patient")
	}
	return s.store.ListUsers(ctx, role, (page-1)*limit, limit)
}

// UpdateUser changes an account's role or disabled flag (admin). Either change ends the account's
// sessions at once. An admin cannot demote or disable themself, so that the last admin is not lost by
// accident. Each change asked for is audited (user.role_change, user.disable, user.enable) whatever
// the outcome.
func (s *Service) UpdateUser(ctx context.Context, by Principal, id string, req shared.UpdateUserRequest) (User, error) {
	before, u, err := s.updateUser(ctx, by, id, req)
	actor, role := by.UserID, by.Role
	if by == erasure {
		actor, role = "", ""
	}
	var aerr error
	if asked := askedRole(req); asked != "" && (before.roleKey() != asked || err != nil) {
		detail := fmt.Sprintf("%s → %s", before.roleKey(), asked)
		if before.Role == "" {
			detail = "→ " + asked
		}
		aerr = errors.Join(aerr, s.record(ctx, actor, role, targetID(id), "user.role_change", clip(detail), err))
	}
	if req.Disabled != nil && (before.Disabled != *req.Disabled || err != nil) {
		action, detail := "user.enable", ""
		if *req.Disabled {
			action = "user.disable"
		}
		if by == erasure {
			detail = "erasure"
		}
		aerr = errors.Join(aerr, s.record(ctx, actor, role, targetID(id), action, detail, err))
	}
	if aerr != nil && err == nil {
		return User{}, aerr
	}
	return u, err
}

// askedRole is the role id a change asks for, or "".
func askedRole(req shared.UpdateUserRequest) string {
	switch {
	case req.RoleID != nil:
		return *req.RoleID
	case req.Role != nil:
		return string(*req.Role)
	}
	return ""
}

// updateUser is UpdateUser; it returns the account before and after the change.
func (s *Service) updateUser(ctx context.Context, by Principal, id string, req shared.UpdateUserRequest) (before, after User, err error) {
	if !ident.Valid(id) {
		return User{}, User{}, fault.Invalid("malformed user id")
	}
	if req.Role == nil && req.RoleID == nil && req.Disabled == nil {
		return User{}, User{}, fault.Invalid("nothing to change: give role or role_id, and/or disabled")
	}
	if req.Role != nil && req.RoleID != nil {
		return User{}, User{}, fault.Invalid("give role or role_id, not both")
	}
	if req.Role != nil && !req.Role.Valid() {
		return User{}, User{}, fault.Invalid("role must be one of admin, doctor, staff, patient")
	}
	kind, roleID := req.Role, (*string)(nil)
	if req.Role != nil {
		empty := ""
		roleID = &empty
	}
	if req.RoleID != nil {
		r, err := s.role(ctx, *req.RoleID)
		if errors.Is(err, ErrRoleNotFound) {
			return User{}, User{}, fault.Invalid("no role %q (GET /api/roles lists them)", clip(*req.RoleID))
		} else if err != nil {
			return User{}, User{}, err
		}
		custom := ""
		if !r.BuiltIn() {
			custom = r.ID
		}
		kind, roleID = &r.Kind, &custom
	}
	if id == by.UserID {
		return User{}, User{}, fault.New(fault.ErrForbidden, "you cannot change your own role or disable yourself")
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return u, User{}, err
	}
	if kind != nil && *kind != u.Role && (u.PatientID != "") != (*kind == shared.RolePatient) {
		return u, User{}, fault.Invalid("a patient account cannot change to a staff role, nor a staff account to patient; register a separate account")
	}
	before = u
	epoch := s.newEpoch(u)
	ch := UserChange{Role: kind, RoleID: roleID, Disabled: req.Disabled, Epoch: &epoch}
	err = s.store.UpdateUser(ctx, id, ch)
	s.revoke(ctx, id, "")
	if err != nil {
		return before, User{}, err
	}
	after = u
	if kind != nil {
		after.Role, after.RoleID = *kind, *roleID
	}
	if req.Disabled != nil {
		after.Disabled = *req.Disabled
	}
	// No change may leave nobody who can manage roles (docs/roles.md).
	if g, gerr := s.grantsOf(ctx, before); gerr != nil || before.Disabled || !g.Has(shared.PermRolesManage) {
		return before, after, gerr
	}
	if err := s.keepAnAdmin(ctx, func(ctx context.Context) error {
		kind, roleID, disabled, epoch := before.Role, before.RoleID, before.Disabled, s.newEpoch(after)
		return s.store.UpdateUser(ctx, id, UserChange{Role: &kind, RoleID: &roleID, Disabled: &disabled, Epoch: &epoch})
	}); err != nil {
		return before, User{}, err
	}
	return before, after, nil
}

// EnsureAdmin creates an admin with these credentials when no admin exists yet. It reports whether it
// created one. Several instances starting at once are safe: the unique email index lets one win.
func (s *Service) EnsureAdmin(ctx context.Context, name, email, password string) (bool, error) {
	has, err := s.store.HasAdmin(ctx)
	if err != nil || has {
		return false, err
	}
	return s.CreateAdmin(ctx, name, email, password)
}

// CreateAdmin creates an admin account (the `hms create-admin` command and EnsureAdmin).
func (s *Service) CreateAdmin(ctx context.Context, name, email, password string) (bool, error) {
	name, email, err := checkIdentity(name, email)
	if err != nil {
		return false, err
	}
	if err := checkPassword(password, email); err != nil {
		return false, err
	}
	u, err := s.create(ctx, name, email, password, shared.RoleAdmin)
	if err != nil {
		if errors.Is(err, ErrEmailTaken) {
			return false, nil
		}
		return false, err
	}
	// Made by the system (hms create-admin, ADMIN_EMAIL, the development admin): no actor.
	return true, s.record(ctx, "", "", u.ID, "user.create", "admin, by the server's configuration or hms create-admin", nil)
}

// UserExists reports whether an account exists, for other domains (notifications).
func (s *Service) UserExists(ctx context.Context, id string) (bool, error) {
	if !ident.Valid(id) {
		return false, nil
	}
	_, err := s.store.UserByID(ctx, id)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// erasure is the principal an erasure disables an account as: the change is the erasure's, not an
// admin's (a patient erasing themself may not change their own account through the admin path).
var erasure = Principal{UserID: "gdpr-erasure", Role: shared.RoleAdmin}

// EraseAccount disables an erased patient's account (its epoch changes, so every token it holds stops
// working at once), renames it to the pseudonym, replaces its email (the address may register again)
// and ends every session. It is idempotent, and an account already gone is not an error.
func (s *Service) EraseAccount(ctx context.Context, userID, pseudonym string) error {
	_, err := s.UpdateUser(ctx, erasure, userID, shared.UpdateUserRequest{Disabled: new(true)})
	if errors.Is(err, fault.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.store.PseudonymiseAccount(ctx, userID, pseudonym, "erased-"+userID+"@erased.invalid", s.now().UTC())
}
