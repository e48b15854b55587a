// Package apptest runs the whole server in-process for HTTP tests: the real router and services on a
// fresh test database (testenv), with helpers to call it and to make users of each role.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/app"
	"hms/server/internal/config"
	"hms/server/internal/mongostore"
	"hms/server/internal/notify"
	"hms/server/internal/testenv"
	"hms/shared"
)

// Env is one running server for one test.
type Env struct {
	T      testing.TB
	App    *app.App
	URL    string
	Config config.Config
	logs   *lockedBuffer
	mu     sync.Mutex
	db     *mongostore.DB
	srv    *httptest.Server
	log    *slog.Logger
	clock  func() time.Time // what the hospital clock reads, kept across Restart
	admin  string           // the token of the last Admin sign-in, for the helpers that act as the admin
	// outbox keeps every email the server sends (shared with Restart and Sibling).
	outbox *outbox
}

// outbox is an email transport that keeps what it is given, so that tests without an SMTP server can
// follow the links the server emails (see EmailedToken).
type outbox struct {
	mu   sync.Mutex
	sent []notify.Delivery
}

func (o *outbox) Send(_ context.Context, d notify.Delivery) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, d)
	return "outbox-" + d.ID, nil
}

func (o *outbox) Permanent(error) bool           { return false }
func (o *outbox) RetryAfter(error) time.Duration { return 0 }

// tee keeps each email in the outbox, then hands it to the real transport, if any.
type tee struct {
	box  *outbox
	next notify.Transport
}

func (t tee) Send(ctx context.Context, d notify.Delivery) (string, error) {
	id, _ := t.box.Send(ctx, d)
	if t.next == nil {
		return id, nil
	}
	return t.next.Send(ctx, d)
}

func (t tee) Permanent(err error) bool {
	return t.next != nil && t.next.Permanent(err)
}

func (t tee) RetryAfter(err error) time.Duration {
	if t.next == nil {
		return 0
	}
	return t.next.RetryAfter(err)
}

func (o *outbox) newest(address, kind string) (notify.Delivery, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.sent) - 1; i >= 0; i-- {
		if d := o.sent[i]; d.Kind == kind && strings.EqualFold(d.To, address) {
			return d, true
		}
	}
	return notify.Delivery{}, false
}

// Option changes the test server's settings.
type Option func(vars map[string]string)

// WithEnv sets an environment variable of the server's configuration.
func WithEnv(name, value string) Option { return func(v map[string]string) { v[name] = value } }

// New starts a server on a fresh database. Its logs are captured (see Logs).
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	vars := map[string]string{
		"DEBUG":         "false",
		"JWT_SECRET":    hex.EncodeToString(secret),
		"SECRET_KEY":    "apptest-" + hex.EncodeToString(secret),
		"ALLOWED_HOSTS": "127.0.0.1,localhost",
		// Every test client is 127.0.0.1: a test registers and refreshes far more than one person would.
		"REGISTER_MAX_PER_IP": "100000",
		"REFRESH_MAX_PER_IP":  "100000",
	}
	for _, o := range opts {
		o(vars)
	}
	cfg, err := config.FromLookup(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := &Env{T: t, Config: cfg, logs: logs, db: testenv.IndexedDB(t), log: log, outbox: &outbox{}}
	e.start()
	t.Cleanup(e.stop)
	return e
}

func (e *Env) start() {
	a, err := app.NewWithDB(context.Background(), e.Config, e.log, e.db)
	if err != nil {
		e.T.Fatalf("start app: %v", err)
	}
	if e.clock != nil {
		a.Clock.Set(e.clock)
	}
	// The outbox keeps every email; with EMAIL_HOST it also goes on to the SMTP server.
	a.Notify().SetTransport(shared.ChannelEmail, tee{e.outbox, a.Notify().Transport(shared.ChannelEmail)})
	e.App, e.srv = a, httptest.NewServer(a.Handler)
	e.URL = e.srv.URL
}

func (e *Env) stop() {
	e.srv.Close()
	_ = e.App.Close(context.Background())
}

// Restart stops the server and starts a new one on the same database, as after a process restart:
// nothing held in memory survives. The new server has a new URL.
func (e *Env) Restart() {
	e.T.Helper()
	e.stop()
	e.start()
}

// Sibling starts another server instance on the same database and settings, as a second instance
// behind a load balancer (with the in-process broker, live events do not cross to it; REST and the
// background jobs do). It stops when the test ends.
func (e *Env) Sibling() *Env {
	e.T.Helper()
	s := &Env{T: e.T, Config: e.Config, logs: e.logs, db: e.db.Borrow(e.db.Name()), log: e.log, clock: e.clock, outbox: e.outbox}
	s.start()
	e.T.Cleanup(s.stop)
	return s
}

// Logs returns everything the server logged so far.
func (e *Env) Logs() string { return e.logs.String() }

// LogsOf returns the log lines that mention s (a request ID, say).
func (e *Env) LogsOf(s string) string {
	var out []string
	for _, line := range strings.Split(e.Logs(), "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the body into v, failing the test on error.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Error returns the error body, if any.
func (r *Response) Error() shared.Error {
	var e shared.Error
	_ = json.Unmarshal(r.Body, &e)
	return e
}

// Request is an HTTP request to the test server. Body may be a string or []byte (sent as is), an
// io.Reader (streamed as is: with no known length it is sent chunked), or any other value (sent as
// JSON); a request with a body says Content-Type: application/json unless Header sets another.
type Request struct {
	Method, Path string
	Body         any
	Token        string
	Header       map[string]string
}

// HTTP makes the request to the server at baseURL, with the bearer token and headers.
func (r Request) HTTP(ctx context.Context, baseURL string) (*http.Request, error) {
	body := io.Reader(http.NoBody)
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	case io.Reader:
		body = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("encode body: %w", err)
		}
		body = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, baseURL+r.Path, body)
	if err != nil {
		return nil, err
	}
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	return req, nil
}

// Client is the tests' HTTP client: it sends a Request to the server at URL and reads the whole
// response. Env.Do uses one; a test of a server that is not an Env (another process) makes its own.
type Client struct {
	URL string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
}

// Send sends the request and reads the whole response. It returns transport errors rather than
// failing a test, for callers that check them (or run where a test may not be failed).
func (c Client) Send(ctx context.Context, r Request) (*Response, error) {
	req, err := r.HTTP(ctx, c.URL)
	if err != nil {
		return nil, err
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", r.Method, r.Path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// Do sends the request and reads the whole response, failing the Env's test on a transport error.
func (e *Env) Do(r Request) *Response {
	e.T.Helper()
	resp, err := Client{URL: e.URL}.Send(context.Background(), r)
	if err != nil {
		e.T.Fatal(err)
	}
	return resp
}

// Get, Post, Put and Patch are shorthands for Do.
func (e *Env) Get(path, token string) *Response {
	e.T.Helper()
	return e.Do(Request{Method: "GET", Path: path, Token: token})
}

// Post sends a POST.
func (e *Env) Post(path, token string, body any) *Response {
	e.T.Helper()
	return e.Do(Request{Method: "POST", Path: path, Token: token, Body: body})
}

// Put sends a PUT.
func (e *Env) Put(path, token string, body any) *Response {
	e.T.Helper()
	return e.Do(Request{Method: "PUT", Path: path, Token: token, Body: body})
}

// Patch sends a PATCH.
func (e *Env) Patch(path, token string, body any) *Response {
	e.T.Helper()
	return e.Do(Request{Method: "PATCH", Path: path, Token: token, Body: body})
}

// Want fails the test unless the response has the status.
func (r *Response) Want(t testing.TB, status int) *Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("got status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// WantError fails the test unless the response has the status and, in the common error shape, the
// error code and a request ID equal to the X-Request-ID header. It returns the decoded body.
func (r *Response) WantError(t testing.TB, status int, code string) shared.Error {
	t.Helper()
	if r.Status != status {
		t.Fatalf("got status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	var e shared.Error
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("got body %q, want the JSON error shape: %v", r.Body, err)
	}
	if e.Error.Code != code {
		t.Errorf("got error code %q, want %q (message %q)", e.Error.Code, code, e.Error.Message)
	}
	if e.RequestID == "" || e.RequestID != r.Header.Get("X-Request-ID") {
		t.Errorf("got body request_id %q and X-Request-ID %q, want the same non-empty ID", e.RequestID, r.Header.Get("X-Request-ID"))
	}
	return e
}

// RawDocs returns every document of collection col matching filter, as stored (sealed fields sealed).
func (e *Env) RawDocs(t testing.TB, col string, filter bson.D) []bson.M {
	t.Helper()
	cur, err := e.App.DB.Collection(col).Find(context.Background(), filter)
	if err != nil {
		t.Fatalf("find %s %v: %v", col, filter, err)
	}
	var out []bson.M
	if err := cur.All(context.Background(), &out); err != nil {
		t.Fatalf("read %s: %v", col, err)
	}
	return out
}

// Password is a password that passes the policy, for test accounts.
const Password = "correct horse battery staple"

// User is a signed-in test account.
type User struct {
	shared.TokenResponse
	Password string
}

// ID returns the user's id.
func (u User) ID() string { return u.User.ID }

// Login signs in and returns the tokens, failing the test unless it answers 200.
func (e *Env) Login(email, password string) User {
	e.T.Helper()
	var tr shared.TokenResponse
	e.Post("/api/auth/login", "", shared.LoginRequest{Email: email, Password: password}).Want(e.T, 200).Decode(e.T, &tr)
	return User{TokenResponse: tr, Password: password}
}

// Admin returns a signed-in admin (the first call creates one).
func (e *Env) Admin() User {
	e.T.Helper()
	const email = "root-admin@test.hms"
	if _, err := e.App.Auth.EnsureAdmin(context.Background(), "Test Admin", email, Password); err != nil {
		e.T.Fatalf("create admin: %v", err)
	}
	u := e.Login(email, Password)
	e.mu.Lock()
	e.admin = u.Token
	e.mu.Unlock()
	return u
}

// adminToken returns an admin's token for the helpers that act as the admin (NewUser, NewDoctor): the
// last Admin sign-in's while it is still valid, else a new sign-in's. Each sign-in checks a password
// hash, which makes up much of a test's set-up under -race.
func (e *Env) adminToken() string {
	e.T.Helper()
	e.mu.Lock()
	token := e.admin
	e.mu.Unlock()
	if token != "" {
		if _, err := e.App.Auth.Authenticate(context.Background(), token); err == nil {
			return token
		}
	}
	return e.Admin().Token
}

// NewUser registers an account of the role (a patient signs up and follows the emailed link; other
// roles are registered by an admin) and signs it in.
func (e *Env) NewUser(role shared.Role) User {
	e.T.Helper()
	email := testenv.RandomName(string(role)) + "@test.hms"
	if role == shared.RolePatient {
		return e.SignUp("Test "+string(role), email, Password)
	}
	e.Post("/api/auth/register", e.adminToken(), shared.RegisterRequest{Name: "Test " + string(role), Email: email,
		Password: Password, Role: role}).Want(e.T, 201)
	return e.Login(email, Password)
}

// SignUp registers a patient as anyone would (202), follows the link emailed to confirm the address
// (read from the stored email: see EmailedToken) and returns the account signed in by the confirmation.
func (e *Env) SignUp(name, email, password string) User {
	e.T.Helper()
	// A link emailed to the address before (an earlier sign-up of the same email) is not this one's.
	before := e.newestToken(email, shared.KindAccountConfirm)
	e.Post("/api/auth/register", "", shared.RegisterRequest{Name: name, Email: email, Password: password}).Want(e.T, 202)
	token := e.emailedTokenAfter(email, shared.KindAccountConfirm, before)
	if token == "" {
		e.T.Fatalf("no confirmation link was emailed to %s", email)
	}
	var tr shared.TokenResponse
	e.Post("/api/auth/confirm", "", shared.ConfirmRequest{Token: token}).Want(e.T, 201).Decode(e.T, &tr)
	return User{TokenResponse: tr, Password: password}
}

var linkToken = regexp.MustCompile(`[?&]token=([A-Za-z0-9_-]+)`)

// EmailedToken returns the token of the newest link of kind (shared.KindAccountConfirm,
// shared.KindPasswordLink) emailed to address, waiting up to 10 s for it to be sent: every email the
// server sends is kept in the Env's outbox (and, with EMAIL_HOST, also goes to that server). "" when
// there is none.
func (e *Env) EmailedToken(address, kind string) string {
	e.T.Helper()
	return e.emailedTokenAfter(address, kind, "")
}

// newestToken is the token of the newest link of kind emailed to address so far ("" when none).
func (e *Env) newestToken(address, kind string) string {
	if d, ok := e.outbox.newest(address, kind); ok {
		if m := linkToken.FindStringSubmatch(d.Text); m != nil {
			return m[1]
		}
	}
	return ""
}

// emailedTokenAfter waits up to 10 s for a link of kind to address whose token is not old.
func (e *Env) emailedTokenAfter(address, kind, old string) string {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if t := e.newestToken(address, kind); t != "" && t != old {
			return t
		}
		if time.Now().After(deadline) {
			return ""
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
