package webhook_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"hms/server/internal/auth"
	"hms/server/internal/clock"
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
	"hms/server/internal/testenv"
	"hms/server/internal/webhook"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// BenchmarkDeliveries measures deliveries per second from enqueue to a 2xx answer: b.N events
// enqueued to one subscription on a local receiver that verifies each signature with the Standard
// Webhooks library, sent by one instance's worker (16 at once), each attempt claimed by insert and
// recorded, on the test database (FerretDB on PostgreSQL).
func BenchmarkDeliveries(b *testing.B) {
	key, err := seal.FromSecret("benchmark secret key, long enough to derive from")
	if err != nil {
		b.Fatal(err)
	}
	keys, err := seal.NewKeyring(key)
	if err != nil {
		b.Fatal(err)
	}
	svc := webhook.NewService(mongostore.NewWebhooks(testenv.IndexedDB(b), keys), slog.New(slog.NewTextHandler(io.Discard, nil)),
		webhook.Config{AllowHTTP: true, Clock: clock.System(), Instance: "bench"})
	var ok, bad atomic.Int64
	var wh atomic.Pointer[standardwebhooks.Webhook]
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := wh.Load().Verify(body, r.Header); err != nil {
			bad.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		ok.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	ctx := context.Background()
	made, err := svc.CreateSubscription(ctx, auth.Principal{UserID: "bench"}, webhook.SubscriptionRequest{URL: recv.URL + "/hooks",
		Events: []string{webhook.AppointmentBooked}})
	if err != nil {
		b.Fatal(err)
	}
	v, err := standardwebhooks.NewWebhook(made.Secret)
	if err != nil {
		b.Fatal(err)
	}
	wh.Store(v)
	run := time.Now().UnixNano()
	for i := 0; i < b.N; i++ {
		if err := svc.Enqueue(ctx, webhook.AppointmentBooked, fmt.Sprintf("appointment.booked:%d-%d:1", run, i),
			map[string]any{"appointment_id": fmt.Sprint(i), "step": 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	for ok.Load() < int64(b.N) {
		if svc.RunOnce(ctx) == 0 && ok.Load() < int64(b.N) {
			b.Fatalf("nothing due with %d of %d delivered (%d bad signatures)", ok.Load(), b.N, bad.Load())
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
	if bad.Load() > 0 {
		b.Fatalf("%d signatures did not verify", bad.Load())
	}
}
