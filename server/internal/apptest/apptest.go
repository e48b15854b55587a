// Package apptest runs the whole server in-process for HTTP tests: the real router and services on a
// fresh test database (testenv), with helpers to call it and to make users of each role.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/server/internal/app"
	"hms/server/internal/config"
	"hms/server/internal/mongostore"
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
	n      int
	mu     sync.Mutex
	db     *mongostore.DB
	srv    *httptest.Server
	log    *slog.Logger
	clock  func() time.Time // what the hospital clock reads, kept across Restart
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
	e := &Env{T: t, Config: cfg, logs: logs, db: testenv.DB(t), log: log}
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
	s := &Env{T: e.T, Config: e.Config, logs: e.logs, db: e.db.Borrow(e.db.Name()), log: e.log, clock: e.clock}
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

// Request is an HTTP request to the test server. Body may be a string/[]byte (sent as is) or any value
// (sent as JSON).
type Request struct {
	Method, Path string
	Body         any
	Token        string
	Header       map[string]string
}

// Do sends the request and reads the whole response.
func (e *Env) Do(r Request) *Response {
	e.T.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatalf("encode body: %v", err)
		}
		body = bytes.NewReader(j)
	}
	req, err := http.NewRequest(r.Method, e.URL+r.Path, body)
	if err != nil {
		e.T.Fatalf("new request: %v", err)
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
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatalf("read body: %v", err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
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
	return e.Login(email, Password)
}

// NewUser registers an account of the role (through an admin for non-patients) and signs it in.
func (e *Env) NewUser(role shared.Role) User {
	e.T.Helper()
	e.mu.Lock()
	e.n++
	email := testenv.RandomName(string(role)) + "@test.hms"
	e.mu.Unlock()
	token := ""
	if role != shared.RolePatient {
		token = e.Admin().Token
	}
	e.Post("/api/auth/register", token, shared.RegisterRequest{Name: "Test " + string(role), Email: email,
		Password: Password, Role: role}).Want(e.T, 201)
	return e.Login(email, Password)
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
