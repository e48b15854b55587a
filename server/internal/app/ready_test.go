package app_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/server/internal/testenv"
)

type readiness struct {
	Status  string `json:"status"`
	Storage string `json:"storage"`
	Broker  string `json:"broker"`
}

// TestReadinessReportsRedis: with Redis up the server is ready; with Redis stopped it stays up, REST
// keeps serving and readiness says degraded (docs/security.md row 26); when Redis returns, ready again.
func TestReadinessReportsRedis(t *testing.T) {
	t.Parallel()
	redis := testenv.OwnRedis(t)
	env := apptest.New(t, apptest.WithEnv("REDIS_URL", redis.URL()))

	var r readiness
	env.Get("/readyz", "").Want(t, 200).Decode(t, &r)
	if r.Status != "ready" || r.Storage != "ok" || r.Broker != "redis ok" {
		t.Fatalf("got %+v, want ready with storage ok and redis ok", r)
	}

	redis.Stop()
	env.Get("/readyz", "").Want(t, 200).Decode(t, &r)
	if r.Status != "degraded" || r.Storage != "ok" || r.Broker != "redis down" {
		t.Fatalf("got %+v with Redis stopped, want degraded, storage ok, redis down", r)
	}
	patient := env.NewUser("patient")
	env.Get("/api/patient/"+patient.User.PatientID, patient.Token).Want(t, 200)

	if err := redis.Start(); err != nil {
		t.Fatal(err)
	}
	env.Get("/readyz", "").Want(t, 200).Decode(t, &r)
	if r.Status != "ready" {
		t.Fatalf("got %+v after Redis came back, want ready", r)
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.Get("/healthz", "").Want(t, 200)
	var r readiness
	env.Get("/readyz", "").Want(t, 200).Decode(t, &r)
	if r.Status != "ready" || r.Broker != "memory" {
		t.Fatalf("got %+v, want ready on the memory broker without REDIS_URL", r)
	}
}

// TestHospitalTodayIsInItsZone: the screens' calendar comes from the server. At 23:30 UTC on 6 December
// it is already 7 December in Auckland, and the answer says so, whatever the server machine's zone.
func TestHospitalTodayIsInItsZone(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_TZ", "Pacific/Auckland"), apptest.WithEnv("HOSPITAL_NAME", "St Mary's"))
	at := time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC)
	env.SetClock(func() time.Time { return at })
	var h struct {
		Name     string    `json:"name"`
		TimeZone string    `json:"time_zone"`
		Locale   string    `json:"locale"`
		Today    string    `json:"today"`
		Now      time.Time `json:"now"`
	}
	env.Get("/api/hospital", "").Want(t, 200).Decode(t, &h)
	if h.Name != "St Mary's" || h.TimeZone != "Pacific/Auckland" || h.Today != "2026-12-07" || h.Locale != "en-GB" ||
		!h.Now.Equal(at) {
		t.Fatalf("got %+v, want St Mary's in Pacific/Auckland on 2026-12-07 at 23:30 UTC", h)
	}
}

// TestReadyzTurnsUnreadyOnShutdown: once shutdown begins, /readyz answers 503 shutting_down at once,
// while the other routes go on serving the requests that still arrive.
func TestReadyzTurnsUnreadyOnShutdown(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	patient := env.NewUser("patient")
	env.Get("/readyz", "").Want(t, 200)

	env.App.BeginShutdown()
	var r readiness
	env.Get("/readyz", "").Want(t, 503).Decode(t, &r)
	if r.Status != "shutting_down" {
		t.Fatalf("got %+v after shutdown began, want status shutting_down", r)
	}
	env.Get("/healthz", "").Want(t, 200)
	env.Get("/api/patient/"+patient.User.PatientID, patient.Token).Want(t, 200)
	// Each response says its connection closes after it (a client's transport takes the header away,
	// so the handler is asked directly).
	w := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Host = "localhost"
	env.App.Handler.ServeHTTP(w, req)
	if w.Code != 200 || w.Header().Get("Connection") != "close" {
		t.Fatalf("got %d with Connection %q while shutting down, want 200 and close", w.Code, w.Header().Get("Connection"))
	}
}

// TestVersionRoute: GET /api/version answers without a token; a test binary is not stamped.
func TestVersionRoute(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	var v struct{ Version, Commit, Built string }
	env.Get("/api/version", "").Want(t, 200).Decode(t, &v)
	if v.Version != "dev" || v.Commit != "dev" || v.Built != "dev" {
		t.Fatalf("got %+v, want dev for every field", v)
	}
}
