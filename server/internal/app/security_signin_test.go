package app_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

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
