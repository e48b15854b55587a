package app_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/testenv"
	"hms/shared"
)

// concurrentLogins sends n wrong-password sign-ins for email at once, spread over the servers, and
// counts the answers by status.
func concurrentLogins(t *testing.T, envs []*apptest.Env, email string, n int) map[int]int {
	t.Helper()
	var (
		mu   sync.Mutex
		got  = map[int]int{}
		wg   sync.WaitGroup
		errs = make(chan error, n)
	)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			env := envs[i%len(envs)]
			r, err := apptest.Client{URL: env.URL}.Send(context.Background(), apptest.Request{Method: "POST", Path: "/api/auth/login",
				Body: shared.LoginRequest{Email: email, Password: fmt.Sprintf("wrong password %d", i)}})
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			got[r.Status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return got
}

// TestSecurity38ConcurrentWrongPasswords checks row 38: N wrong passwords sent at once against a limit
// of 3 are checked at most 3 times, the rest answered 429 — on one instance, and on two instances that
// share their counters through Redis.
func TestSecurity38ConcurrentWrongPasswords(t *testing.T) {
	t.Parallel()
	const n = 16
	limits := []apptest.Option{apptest.WithEnv("LOGIN_MAX_FAILURES", "3"), apptest.WithEnv("LOGIN_MAX_PER_IP", "1000"),
		apptest.WithEnv("MAX_CONCURRENT_REQUESTS", "64")}
	tests := []struct {
		name  string
		redis bool
	}{
		{"one instance, in process", false},
		{"two instances sharing Redis", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := limits
			if tt.redis {
				srv, prefix := testenv.Redis(t)
				opts = append(append([]apptest.Option{}, limits...), apptest.WithEnv("REDIS_URL", srv.URL()), apptest.WithEnv("REDIS_PREFIX", prefix))
			}
			env := apptest.New(t, opts...)
			envs := []*apptest.Env{env}
			if tt.redis {
				envs = append(envs, env.Sibling())
			}
			victim := env.NewUser(shared.RolePatient)
			got := concurrentLogins(t, envs, victim.User.Email, n)
			if got[http.StatusUnauthorized] > 3 || got[http.StatusUnauthorized]+got[http.StatusTooManyRequests] != n {
				t.Fatalf("got answers %v, want at most 3 × 401 and the rest 429", got)
			}
			// The account stays locked on every instance, even for the right password.
			for _, e := range envs {
				wantErr(t, e.Post("/api/auth/login", "", shared.LoginRequest{Email: victim.User.Email, Password: apptest.Password}),
					http.StatusTooManyRequests, "too_many_requests")
			}
		})
	}
}

// halfSend opens a connection to the server and sends a request whose body stops half-way; the
// connection stays open until the test ends.
func halfSend(t *testing.T, env *apptest.Env, path string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"email\": \"slo", path)
	if err != nil {
		t.Fatal(err)
	}
}

// TestSecurity39SlowBodiesDoNotHoldTheGate checks row 39's first half: with room for two requests at
// once, two clients that stop half-way through a body on public routes do not make a signed-in
// request wait: bodies are read before a request takes its turn.
func TestSecurity39SlowBodiesDoNotHoldTheGate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("MAX_CONCURRENT_REQUESTS", "2"))
	p := env.NewUser(shared.RolePatient)
	for _, path := range []string{"/api/auth/login", "/api/auth/register", "/api/auth/refresh"} {
		halfSend(t, env, path)
	}
	// Set-up, not a measure: give the server the moment it takes to start on the half-sent requests.
	time.Sleep(300 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := apptest.Client{URL: env.URL}.Send(ctx, apptest.Request{Method: "GET", Path: "/api/me", Token: p.Token})
	if err != nil {
		t.Fatalf("got %v, want GET /api/me answered while slow bodies are sent", err)
	}
	r.Want(t, http.StatusOK)
	// A signed-in slow body does not hold it either.
	halfSend(t, env, "/api/notifications/send")
	halfSend(t, env, "/api/appointments")
	time.Sleep(300 * time.Millisecond)
	r, err = apptest.Client{URL: env.URL}.Send(ctx, apptest.Request{Method: "GET", Path: "/api/me", Token: p.Token})
	if err != nil {
		t.Fatalf("got %v, want GET /api/me answered while slow bodies are sent", err)
	}
	r.Want(t, http.StatusOK)
}

// TestSecurity39RegisterRefreshPerAddress checks row 39's second half: self-registration and token
// refresh are limited per client address (429 with Retry-After once over), while an admin registering
// staff is not limited.
func TestSecurity39RegisterRefreshPerAddress(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("REGISTER_MAX_PER_IP", "2"), apptest.WithEnv("REFRESH_MAX_PER_IP", "2"),
		apptest.WithEnv("LOGIN_WINDOW", "15m"))
	register := func(email, token string, role shared.Role) *apptest.Response {
		return env.Post("/api/auth/register", token, shared.RegisterRequest{Name: "Limit Test", Email: email, Password: apptest.Password, Role: role})
	}
	wantLimited := func(t *testing.T, r *apptest.Response) {
		t.Helper()
		wantErr(t, r, http.StatusTooManyRequests, "too_many_requests")
		if got := r.Header.Get("Retry-After"); got != "900" {
			t.Errorf("got Retry-After %q, want \"900\" (LOGIN_WINDOW 15m)", got)
		}
	}
	for i := range 2 {
		if r := register(fmt.Sprintf("limit%d@test.hms", i), "", ""); r.Status/100 != 2 {
			t.Fatalf("got %d for registration %d, want it accepted", r.Status, i+1)
		}
	}
	wantLimited(t, register("limit2@test.hms", "", ""))
	admin := env.Admin()
	for i := range 3 {
		register(fmt.Sprintf("staff%d@test.hms", i), admin.Token, shared.RoleStaff).Want(t, http.StatusCreated)
	}

	refresh := admin.RefreshToken
	for range 2 {
		var tr shared.TokenResponse
		env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: refresh}).Want(t, http.StatusOK).Decode(t, &tr)
		refresh = tr.RefreshToken
	}
	wantLimited(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: refresh}))
}

// TestSecurity32SessionIdleAndLifetime checks row 32: a refresh after SESSION_IDLE_TIMEOUT without
// one, or past SESSION_MAX_LIFETIME from the sign-in however active, is 401 and ends the session (its
// access token stops working too); a session used within both refreshes. The session's times are
// moved back in the store rather than waited for.
func TestSecurity32SessionIdleAndLifetime(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("SESSION_IDLE_TIMEOUT", "30m"), apptest.WithEnv("SESSION_MAX_LIFETIME", "12h"))
	tests := []struct {
		name             string
		signedIn, used   time.Duration // how long ago
		wantStatus       int
		wantSessionAlive bool
	}{
		{"used 10 minutes ago", 2 * time.Hour, 10 * time.Minute, http.StatusOK, true},
		{"idle 31 minutes", 2 * time.Hour, 31 * time.Minute, http.StatusUnauthorized, false},
		{"signed in 13 hours ago, used a minute ago", 13 * time.Hour, time.Minute, http.StatusUnauthorized, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := env.NewUser(shared.RolePatient)
			var me shared.User
			env.Get("/api/me", p.Token).Want(t, http.StatusOK).Decode(t, &me)
			claims := tokenClaims(t, p.Token)
			sid, _ := claims["sid"].(string)
			principal, err := env.App.Auth.Authenticate(context.Background(), p.Token) // while the session is fresh
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			_, err = env.App.DB.Collection("sessions").UpdateOne(context.Background(), bson.D{{Key: "_id", Value: sid}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "created_at", Value: now.Add(-tt.signedIn)}, {Key: "last_used_at", Value: now.Add(-tt.used)}}}})
			if err != nil {
				t.Fatal(err)
			}
			r := env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: p.RefreshToken})
			if r.Status != tt.wantStatus {
				t.Fatalf("got refresh %d, want %d; body: %s", r.Status, tt.wantStatus, r.Body)
			}
			access := env.Get("/api/me", p.Token)
			if alive := access.Status == http.StatusOK; alive != tt.wantSessionAlive {
				t.Fatalf("got GET /api/me %d with the old access token, want the session alive=%v", access.Status, tt.wantSessionAlive)
			}
			if err := env.App.Auth.SessionValid(context.Background(), principal); (err == nil) != tt.wantSessionAlive {
				t.Fatalf("got SessionValid %v, want the session alive=%v", err, tt.wantSessionAlive)
			}
		})
	}
}
