package app_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"hms/server/internal/apptest"
	"hms/server/internal/webhook"
	"hms/shared"
)

// receiver is a webhook endpoint run by a test: it refuses connections while closed, answers 503
// while failing, and otherwise verifies each request's signature with the Standard Webhooks library
// and keeps what it received, by webhook-id.
type receiver struct {
	t       *testing.T
	addr    string
	failing atomic.Bool
	secret  atomic.Pointer[string]

	mu       sync.Mutex
	srv      *http.Server
	got      map[string]received // webhook-id → the last verified delivery
	times    map[string]int      // webhook-id → verified deliveries received
	badSigs  int
	answered int
}

type received struct {
	Type string         `json:"type"`
	Data map[string]any `json:"data"`
}

func newReceiver(t *testing.T) *receiver {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, addr: ln.Addr().String(), got: map[string]received{}, times: map[string]int{}}
	r.serve(ln)
	t.Cleanup(r.close)
	return r
}

func (r *receiver) url() string { return "http://" + r.addr + "/hooks" }

func (r *receiver) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(r.handle), ReadHeaderTimeout: 5 * time.Second}
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// close stops listening: connections are refused until open.
func (r *receiver) close() {
	r.mu.Lock()
	srv := r.srv
	r.srv = nil
	r.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// open listens again on the same address.
func (r *receiver) open() {
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		r.t.Fatalf("listen again on %s: %v", r.addr, err)
	}
	r.serve(ln)
}

func (r *receiver) handle(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if r.failing.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	wh, err := standardwebhooks.NewWebhook(*r.secret.Load())
	if err != nil {
		r.t.Errorf("the receiver's secret: %v", err)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answered++
	if err := wh.Verify(body, req.Header); err != nil {
		r.badSigs++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var m received
	if err := json.Unmarshal(body, &m); err != nil {
		r.t.Errorf("payload %s: %v", body, err)
	}
	id := req.Header.Get("webhook-id")
	r.got[id] = m
	r.times[id]++
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) snapshot() (map[string]received, map[string]int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	got, times := map[string]received{}, map[string]int{}
	for k, v := range r.got {
		got[k] = v
	}
	for k, v := range r.times {
		times[k] = v
	}
	return got, times, r.badSigs
}

// subscribe makes a subscription to the receiver as the admin and gives the receiver its secret.
func subscribe(t *testing.T, env *apptest.Env, token string, r *receiver, events ...string) webhook.Subscription {
	t.Helper()
	var made webhook.Created[webhook.Subscription]
	env.Post("/api/webhooks/subscriptions", token, webhook.SubscriptionRequest{URL: r.url(), Events: events}).
		Want(t, http.StatusCreated).Decode(t, &made)
	if len(made.Secret) < 20 || made.Secret[:6] != "whsec_" {
		t.Fatalf("got secret %q, want a whsec_ secret", made.Secret)
	}
	r.secret.Store(&made.Secret)
	return made.Item
}

// deliveryLog reads a subscription's delivery log.
func deliveryLog(t *testing.T, env *apptest.Env, token, id string) webhook.Log {
	t.Helper()
	var l webhook.Log
	env.Get("/api/webhooks/subscriptions/"+id+"/deliveries?limit=100", token).Want(t, http.StatusOK).Decode(t, &l)
	return l
}

// settle advances the hospital clock a step at a time (so that every backoff passes) until every
// delivery of the subscription is in state, or fails after a while.
func settle(t *testing.T, env *apptest.Env, clock *apptest.Clock, token, id string, want int, state string) webhook.Log {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		l := deliveryLog(t, env, token, id)
		n := 0
		for _, d := range l.Deliveries {
			if d.State == state {
				n++
			}
		}
		if n == want && len(l.Deliveries) == want {
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d of %d deliveries %s; log: %+v", n, want, state, l.Deliveries)
		}
		if clock != nil {
			clock.Advance(time.Minute)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWebhookReceiverDownGetsEveryEvent: a receiver that refuses connections, then answers 503, then
// comes back gets every event once its deliveries are retried, each signature verifying with the
// Standard Webhooks library; two instances deliver from the same database and none is sent twice.
func TestWebhookReceiverDownGetsEveryEvent(t *testing.T) {
	env := apptest.New(t, apptest.WithEnv("WEBHOOK_ALLOW_HTTP", "true"), apptest.WithEnv("WEBHOOK_POLL", "20ms"),
		apptest.WithEnv("WEBHOOK_RETRY", "10s,30s,2m,10m"))
	h := env.Hospital()
	sibling := env.Sibling()
	_ = sibling
	r := newReceiver(t)
	sub := subscribe(t, env, h.Admin.Token, r, webhook.AppointmentBooked, webhook.AppointmentRescheduled, webhook.AppointmentCancelled)

	r.close() // connections refused
	pat := env.NewUser(shared.RolePatient)
	var booked []shared.Appointment
	for i := range 4 {
		booked = append(booked, env.Book(h.Staff.Token, h.Doctor.ID(), pat.User.PatientID, apptest.At(9, 15*i)))
	}
	env.Patch("/api/appointments/"+booked[1].ID, h.Staff.Token, shared.RescheduleRequest{Start: apptest.At(15, 0)}).Want(t, http.StatusOK)
	env.Post("/api/appointments/"+booked[2].ID+"/cancel", h.Staff.Token, shared.ReasonRequest{Reason: "unwell"}).Want(t, http.StatusOK)

	// Every first attempt fails: refused.
	waitFor(t, "the webhook deliveries", func() bool {
		l := deliveryLog(t, env, h.Admin.Token, sub.ID)
		if len(l.Deliveries) != 6 {
			return false
		}
		for _, d := range l.Deliveries {
			if d.Attempts < 1 || d.State != webhook.Pending || d.LastError == "" {
				return false
			}
		}
		return true
	})
	// Then it answers 503 for a round of retries.
	r.failing.Store(true)
	r.open()
	h.Clock.Advance(15 * time.Second)
	waitFor(t, "the webhook deliveries", func() bool {
		for _, d := range deliveryLog(t, env, h.Admin.Token, sub.ID).Deliveries {
			if d.Attempts < 2 || d.LastStatus != http.StatusServiceUnavailable {
				return false
			}
		}
		return true
	})
	// Back: every event arrives.
	r.failing.Store(false)
	l := settle(t, env, h.Clock, h.Admin.Token, sub.ID, 6, webhook.Delivered)

	got, times, bad := r.snapshot()
	if bad != 0 {
		t.Errorf("got %d deliveries whose signature did not verify, want 0", bad)
	}
	want := map[string]string{} // appointment id + type
	for _, a := range booked {
		want[a.ID+" "+webhook.AppointmentBooked] = ""
	}
	want[booked[1].ID+" "+webhook.AppointmentRescheduled] = ""
	want[booked[2].ID+" "+webhook.AppointmentCancelled] = ""
	for _, d := range l.Deliveries {
		m, ok := got[d.ID]
		if !ok {
			t.Errorf("delivery %s (%s) never reached the receiver", d.ID, d.EventType)
			continue
		}
		if times[d.ID] != 1 {
			t.Errorf("delivery %s reached the receiver %d times, want once", d.ID, times[d.ID])
		}
		key := m.Data["appointment_id"].(string) + " " + m.Type
		if _, ok := want[key]; !ok {
			t.Errorf("got %s, want one of %v", key, want)
		}
		delete(want, key)
		if d.Attempts < 3 {
			t.Errorf("delivery %s took %d attempts, want at least 3 (refused, 503, delivered)", d.ID, d.Attempts)
		}
	}
	if len(want) > 0 {
		t.Errorf("events never delivered: %v", want)
	}
	if len(l.Attempts) < 18 {
		t.Errorf("got %d attempts in the log, want at least 18", len(l.Attempts))
	}
	for _, a := range l.Attempts {
		if a.Ended.IsZero() || (a.Error == "") != (a.StatusCode >= 200 && a.StatusCode < 300) {
			t.Errorf("attempt %+v: want an outcome, an error exactly when it was not 2xx", a)
		}
	}
}

// TestWebhookDeadLetterRedelivered: a delivery failing through the whole schedule is a dead letter;
// redelivered, it reaches the receiver under the same webhook-id. The test event arrives too.
func TestWebhookDeadLetterRedelivered(t *testing.T) {
	env := apptest.New(t, apptest.WithEnv("WEBHOOK_ALLOW_HTTP", "true"), apptest.WithEnv("WEBHOOK_POLL", "20ms"),
		apptest.WithEnv("WEBHOOK_RETRY", "10s,20s"))
	h := env.Hospital()
	r := newReceiver(t)
	sub := subscribe(t, env, h.Admin.Token, r, webhook.AppointmentBooked)
	r.failing.Store(true)
	pat := env.NewUser(shared.RolePatient)
	env.Book(h.Staff.Token, h.Doctor.ID(), pat.User.PatientID, apptest.At(9, 0))
	l := settle(t, env, h.Clock, h.Admin.Token, sub.ID, 1, webhook.Dead)
	dead := l.Deliveries[0]
	if dead.Attempts != 3 {
		t.Errorf("got %d attempts before the dead letter, want 3 (one and two retries)", dead.Attempts)
	}
	var dl webhook.Log
	env.Get("/api/webhooks/subscriptions/"+sub.ID+"/deliveries?state=dead", h.Admin.Token).Want(t, http.StatusOK).Decode(t, &dl)
	if len(dl.Deliveries) != 1 {
		t.Errorf("got %d dead letters, want 1", len(dl.Deliveries))
	}

	r.failing.Store(false)
	env.Post("/api/webhooks/redeliver", h.Admin.Token, webhook.RedeliverRequest{DeliveryID: dead.ID}).Want(t, http.StatusAccepted)
	l = settle(t, env, nil, h.Admin.Token, sub.ID, 1, webhook.Delivered)
	got, _, _ := r.snapshot()
	if _, ok := got[dead.ID]; !ok || l.Deliveries[0].Attempts != 4 {
		t.Errorf("got %v after %d attempts, want the dead letter's webhook-id %s on attempt 4", got, l.Deliveries[0].Attempts, dead.ID)
	}
	env.Post("/api/webhooks/redeliver", h.Admin.Token, webhook.RedeliverRequest{DeliveryID: "nothing|here"}).Want(t, http.StatusNotFound)

	env.Post("/api/webhooks/subscriptions/"+sub.ID+"/test", h.Admin.Token, nil).Want(t, http.StatusAccepted)
	waitFor(t, "the webhook deliveries", func() bool {
		got, _, _ := r.snapshot()
		for _, m := range got {
			if m.Type == webhook.Test {
				return true
			}
		}
		return false
	})
}

// TestWebhookSubscriptionRules: URLs must be https unless allowed, never link-local or metadata
// addresses; events come from the catalogue; only webhook.manage holders see any of it; a disabled
// subscription gets no deliveries.
func TestWebhookSubscriptionRules(t *testing.T) {
	env := apptest.New(t)
	admin, staff := env.Admin(), env.NewUser(shared.RoleStaff)
	post := func(url string, events ...string) *apptest.Response {
		return env.Post("/api/webhooks/subscriptions", admin.Token, webhook.SubscriptionRequest{URL: url, Events: events})
	}
	for _, tc := range []struct{ url, why string }{
		{"http://receiver.example/hooks", "http without WEBHOOK_ALLOW_HTTP"},
		{"https://169.254.169.254/latest/meta-data", "the metadata address"},
		{"https://[fe80::1]/hooks", "a link-local address"},
		{"https://metadata.google.internal/x", "a metadata host name"},
		{"ftp://receiver.example/hooks", "another scheme"},
		{"https://user:pw@receiver.example/hooks", "credentials in the URL"},
		{"/hooks", "a relative URL"},
	} {
		post(tc.url, webhook.AppointmentBooked).WantError(t, http.StatusBadRequest, "invalid_request")
	}
	post("https://receiver.example/hooks", "appointment.finished").WantError(t, http.StatusBadRequest, "invalid_request")
	post("https://receiver.example/hooks").WantError(t, http.StatusBadRequest, "invalid_request")
	var made webhook.Created[webhook.Subscription]
	post("https://receiver.example/hooks", webhook.ClaimSubmitted).Want(t, http.StatusCreated).Decode(t, &made)
	var list webhook.List[webhook.Subscription]
	env.Get("/api/webhooks/subscriptions", admin.Token).Want(t, http.StatusOK).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].URL != "https://receiver.example/hooks" {
		t.Errorf("got %+v, want the one subscription", list.Items)
	}
	if body := string(env.Get("/api/webhooks/subscriptions", admin.Token).Body); strings.Contains(body, made.Secret) || strings.Contains(body, "whsec_") {
		t.Errorf("the list shows the secret: %s", body)
	}
	env.Get("/api/webhooks/subscriptions", staff.Token).Want(t, http.StatusForbidden)
	env.Post("/api/webhooks/subscriptions", staff.Token, webhook.SubscriptionRequest{URL: "https://x.example", Events: []string{webhook.ClaimSubmitted}}).Want(t, http.StatusForbidden)
	env.Patch("/api/webhooks/subscriptions/"+made.Item.ID, admin.Token, map[string]any{"enabled": false}).Want(t, http.StatusOK)
	env.Patch("/api/webhooks/subscriptions/"+made.Item.ID, admin.Token, map[string]any{}).Want(t, http.StatusBadRequest)
	env.Do(apptest.Request{Method: "DELETE", Path: "/api/webhooks/subscriptions/" + made.Item.ID, Token: admin.Token}).Want(t, http.StatusNoContent)
	env.Do(apptest.Request{Method: "DELETE", Path: "/api/webhooks/subscriptions/" + made.Item.ID, Token: admin.Token}).Want(t, http.StatusNotFound)
	env.Get("/api/webhooks/subscriptions/nope/deliveries", admin.Token).Want(t, http.StatusBadRequest)
}

// TestWebhookClinicalEvents: a subscriber to the clinical events gets a prescription written (the
// e-prescription), a lab report released, an admission and a discharge, each once, signed, carrying
// the ids the catalogue names and no clinical text.
func TestWebhookClinicalEvents(t *testing.T) {
	env := apptest.New(t, apptest.WithEnv("WEBHOOK_ALLOW_HTTP", "true"), apptest.WithEnv("WEBHOOK_POLL", "20ms"))
	f := env.Pharmacy(nil)
	r := newReceiver(t)
	sub := subscribe(t, env, f.Admin.Token, r, webhook.PrescriptionCreated, webhook.LabResultReleased, webhook.WardAdmitted, webhook.WardDischarged)

	rx := f.Prescribe(shared.PrescribeRequest{Instructions: "after food"})
	var o shared.LabOrder
	env.Post("/api/patients/"+f.PatientID+"/lab-orders", f.Doctor.Token, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &o)
	env.Post("/api/lab-orders/"+o.ID+"/results", f.Staff.Token, apptest.LabResults).Want(t, http.StatusCreated)
	env.Post("/api/lab-orders/"+o.ID+"/release", f.Doctor.Token, nil).Want(t, http.StatusOK)
	env.Post("/api/wards", f.Admin.Token, shared.CreateWardRequest{ID: "hook-ward", Name: "Hook ward", Department: f.Dept}).Want(t, http.StatusCreated)
	var beds shared.BedList
	env.Post("/api/wards/hook-ward/beds", f.Admin.Token, shared.AddBedsRequest{Labels: []string{"H1"}}).Want(t, http.StatusCreated).Decode(t, &beds)
	var adm shared.Admission
	env.Post("/api/admissions", f.Staff.Token, shared.AdmitRequest{PatientID: f.PatientID, WardID: "hook-ward", BedID: beds.Items[0].ID,
		DoctorID: f.Doctor.ID(), Source: shared.SourcePlanned, Reason: "elective"}).Want(t, http.StatusCreated).Decode(t, &adm)
	env.Post("/api/admissions/"+adm.ID+"/discharge", f.Staff.Token, shared.DischargeRequest{Summary: "uneventful", Disposition: "home"}).Want(t, http.StatusOK)

	l := settle(t, env, nil, f.Admin.Token, sub.ID, 4, webhook.Delivered)
	got, times, bad := r.snapshot()
	if bad != 0 {
		t.Errorf("%d deliveries did not verify", bad)
	}
	want := map[string][2]string{
		webhook.PrescriptionCreated: {"prescription_id", rx.ID},
		webhook.LabResultReleased:   {"order_id", o.ID},
		webhook.WardAdmitted:        {"admission_id", adm.ID},
		webhook.WardDischarged:      {"admission_id", adm.ID},
	}
	for _, d := range l.Deliveries {
		m, ok := got[d.ID]
		if !ok || times[d.ID] != 1 {
			t.Errorf("delivery %s (%s) reached the receiver %d times, want once", d.ID, d.EventType, times[d.ID])
			continue
		}
		w, ok := want[m.Type]
		if !ok {
			t.Errorf("unexpected event %s", m.Type)
			continue
		}
		if m.Data[w[0]] != w[1] {
			t.Errorf("%s carried %v, want %s = %s", m.Type, m.Data, w[0], w[1])
		}
		raw, _ := json.Marshal(m)
		for _, text := range []string{"after food", "hyperkalaemia", "potassium", "elective", "uneventful", "Amoxicillin"} {
			if strings.Contains(strings.ToLower(string(raw)), strings.ToLower(text)) {
				t.Errorf("%s carried clinical text %q: %s", m.Type, text, raw)
			}
		}
		delete(want, m.Type)
	}
	if len(want) > 0 {
		t.Errorf("never delivered: %v", want)
	}
}
