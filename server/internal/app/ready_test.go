package app_test

import (
	"testing"

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
