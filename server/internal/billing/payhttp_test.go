package billing_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/server/internal/testenv"
	"hms/shared"
)

const webhookSecret = "whsec_hms_test_secret"

// stripeEnv starts a server whose Stripe is a stripe-mock (Stripe's own API emulator).
func stripeEnv(t *testing.T) *apptest.Env {
	t.Helper()
	mock := testenv.StripeMock(t)
	return apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"), apptest.WithEnv("PUBLIC_URL", "https://hms.example.org"),
		apptest.WithEnv("STRIPE_SECRET_KEY", "sk_test_hms"), apptest.WithEnv("STRIPE_WEBHOOK_SECRET", webhookSecret),
		apptest.WithEnv("STRIPE_API_BASE", mock))
}

// stripeEvent is the body Stripe posts when a Checkout Session is paid, and its Stripe-Signature header
// signed at `at` with secret.
func stripeEvent(t *testing.T, eventID, sessionID, invoiceID string, amount int64, at time.Time, secret string) ([]byte, string) {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"id": eventID, "object": "event", "type": "checkout.session.completed", "api_version": stripe.APIVersion,
		"created": at.Unix(), "livemode": false,
		"data": map[string]any{"object": map[string]any{
			"id": sessionID, "object": "checkout.session", "mode": "payment", "status": "complete",
			"payment_status": "paid", "amount_total": amount, "currency": "gbp", "client_reference_id": invoiceID,
			"metadata": map[string]string{"invoice_id": invoiceID}, "payment_intent": "pi_" + sessionID,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: at})
	return signed.Payload, signed.Header
}

func deliver(env *apptest.Env, body []byte, signature string) *apptest.Response {
	return env.Do(apptest.Request{Method: "POST", Path: "/api/payments/stripe/webhook", Body: body,
		Header: map[string]string{"Stripe-Signature": signature}})
}

func keyed(method, path, token, key string, body any) apptest.Request {
	return apptest.Request{Method: method, Path: path, Token: token, Body: body, Header: map[string]string{"Idempotency-Key": key}}
}

// billingEvent reads the next billing.changed on channel.
func billingEvent(t *testing.T, ws *apptest.WS, channel string) shared.BillingChangedEvent {
	t.Helper()
	f := ws.NextEvent(channel, 10*time.Second)
	var ev shared.BillingChangedEvent
	if f.Type != shared.EventBillingChanged || json.Unmarshal(f.Data, &ev) != nil {
		t.Fatalf("got %+v on %s, want billing.changed", f, channel)
	}
	return ev
}

// TestPaymentsAndStripe: desk payments, refunds, Stripe Checkout against stripe-mock and its webhook,
// through the real router on the real store: partial payments then 409 overpayment; the same key once;
// only staff and admins take payments and only admins refund; a patient checks out their own invoice and
// no one else's (404); a webhook delivered five times at once records one payment; a tampered or stale
// signature is 400 and records nothing; billing.changed reaches the billing desk and the patient, and
// the billing channel is closed to doctors and patients; every action is audited.
func TestPaymentsAndStripe(t *testing.T) {
	t.Parallel()
	env := stripeEnv(t)
	admin, staff, doctor := env.Admin(), env.NewUser(shared.RoleStaff), env.NewUser(shared.RoleDoctor)
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID

	var cfg struct {
		Currency      string `json:"currency"`
		OnlinePayment bool   `json:"online_payment"`
	}
	env.Get("/api/billing/config", pat.Token).Want(t, 200).Decode(t, &cfg)
	if cfg.Currency != "GBP" || !cfg.OnlinePayment {
		t.Fatalf("config: got %+v, want GBP with online payment", cfg)
	}

	// The billing channel: staff and admins, not doctors or patients.
	desk := env.MustDialWS(staff.Token, "")
	if ans, _ := desk.Subscribe(shared.ChannelBilling, nil); ans.Op != shared.OpSubscribed {
		t.Fatalf("staff subscribing to billing: got %+v", ans)
	}
	if ans, _ := env.MustDialWS(admin.Token, "").Subscribe(shared.ChannelBilling, nil); ans.Op != shared.OpSubscribed {
		t.Fatalf("an admin subscribing to billing: got %+v", ans)
	}
	for name, u := range map[string]apptest.User{"a doctor": doctor, "a patient": pat} {
		if ans, _ := env.MustDialWS(u.Token, "").Subscribe(shared.ChannelBilling, nil); ans.Op != shared.OpError {
			t.Errorf("%s subscribing to billing: got %+v, want refused", name, ans)
		}
	}
	portal := env.MustDialWS(pat.Token, "") // subscribed to user:<id> on connect

	env.Put("/api/billing/prices/PROC", admin.Token, map[string]any{"name": "Procedure", "kind": "procedure", "amount": 10000}).Want(t, 200)
	env.Do(keyed("POST", "/api/patients/"+pid+"/charges", staff.Token, "c1", map[string]any{"code": "PROC", "reason": "done in clinic"})).Want(t, 201)
	var inv billing.Invoice
	env.Post("/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}).Want(t, 201).Decode(t, &inv)
	payments := "/api/invoices/" + inv.ID + "/payments"
	env.Do(keyed("POST", payments, staff.Token, "early", map[string]any{"method": "cash", "amount": 100})).WantError(t, 409, "invoice_not_issued")
	env.Post("/api/invoices/"+inv.ID+"/checkout", pat.Token, nil).WantError(t, 409, "invoice_not_issued")
	env.Post("/api/invoices/"+inv.ID+"/issue", staff.Token, billing.RevRequest{Rev: inv.Rev}).Want(t, 200).Decode(t, &inv)
	if inv.Balance != 10000 || inv.PaymentStatus != billing.Unpaid {
		t.Fatalf("issued: got balance %d %q, want 10000 unpaid", inv.Balance, inv.PaymentStatus)
	}
	for _, want := range []string{"charged", "drafted", "issued"} {
		if ev := billingEvent(t, desk, shared.ChannelBilling); ev.Kind != want || ev.PatientID != pid {
			t.Fatalf("desk: got %+v, want %s for the patient", ev, want)
		}
		if ev := billingEvent(t, portal, shared.ChannelUser+":"+pat.ID()); ev.Kind != want {
			t.Fatalf("portal: got %+v, want %s", ev, want)
		}
	}

	// At the desk.
	env.Do(keyed("POST", payments, pat.Token, "p0", map[string]any{"method": "cash", "amount": 100})).Want(t, 403)
	env.Do(keyed("POST", payments, doctor.Token, "p0", map[string]any{"method": "cash", "amount": 100})).Want(t, 403)
	env.Post(payments, staff.Token, map[string]any{"method": "cash", "amount": 100}).WantError(t, 400, "invalid_request")
	env.Do(keyed("POST", payments, staff.Token, "p0", map[string]any{"method": "cash", "amount": 0})).WantError(t, 400, "invalid_request")
	env.Do(keyed("POST", payments, staff.Token, "p0", map[string]any{"method": "online", "amount": 10})).WantError(t, 400, "invalid_request")
	var first, again billing.Payment
	env.Do(keyed("POST", payments, staff.Token, "p1", map[string]any{"method": "card", "amount": 3000, "reference": "slip 99"})).Want(t, 201).Decode(t, &first)
	resp := env.Do(keyed("POST", payments, staff.Token, "p1", map[string]any{"method": "card", "amount": 3000}))
	resp.Want(t, 201).Decode(t, &again)
	if again.ID != first.ID || resp.Header.Get("Idempotent-Replayed") != "true" || first.ReceiptNumber == "" || first.ReceivedByName == "" {
		t.Fatalf("the same key: got %+v then %+v, want the first payment replayed, with a receipt and a name", first, again)
	}
	env.Do(keyed("POST", payments, staff.Token, "p2", map[string]any{"method": "cash", "amount": 7001})).WantError(t, 409, "overpayment")
	if ev := billingEvent(t, desk, shared.ChannelBilling); ev.Kind != "payment" || ev.InvoiceID != inv.ID {
		t.Fatalf("desk: got %+v, want the payment", ev)
	}

	// Online: a patient checks out their own invoice's balance, no one else's.
	checkout := "/api/invoices/" + inv.ID + "/checkout"
	env.Post(checkout, other.Token, nil).WantError(t, 404, "not_found")
	env.Post(checkout, doctor.Token, nil).Want(t, 403)
	var page struct {
		URL       string `json:"url"`
		SessionID string `json:"session_id"`
	}
	env.Post(checkout, pat.Token, nil).Want(t, 201).Decode(t, &page)
	if !strings.HasPrefix(page.URL, "https://checkout.stripe.com/") || !strings.HasPrefix(page.SessionID, "cs_") {
		t.Fatalf("checkout: got %+v, want a Stripe Checkout page and session", page)
	}

	// Stripe reports the session paid, five times at once: one payment.
	body, sig := stripeEvent(t, "evt_1", "cs_test_paid", inv.ID, 7000, time.Now(), webhookSecret)
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if r := deliver(env, body, sig); r.Status != 200 {
				t.Errorf("delivery: got %d %s, want 200", r.Status, r.Body)
			}
		})
	}
	wg.Wait()
	deliver(env, body, sig).Want(t, 200) // and once more later
	var detail billing.InvoiceDetail
	env.Get("/api/invoices/"+inv.ID, pat.Token).Want(t, 200).Decode(t, &detail)
	if detail.Paid != 10000 || detail.Balance != 0 || detail.PaymentStatus != billing.Paid || len(detail.Payments) != 2 ||
		detail.Payments[1].Method != billing.Online || detail.Payments[1].Amount != 7000 {
		t.Fatalf("after the webhook: got %+v, want paid in full by one online payment of 7000", detail)
	}
	env.Post(checkout, pat.Token, nil).WantError(t, 409, "nothing_to_pay")

	// Tampered and stale deliveries are refused and record nothing.
	body2, sig2 := stripeEvent(t, "evt_2", "cs_test_forged", inv.ID, 500, time.Now(), webhookSecret)
	deliver(env, []byte(strings.Replace(string(body2), "500", "900", 1)), sig2).WantError(t, 400, "bad_signature")
	body3, sig3 := stripeEvent(t, "evt_3", "cs_test_stale", inv.ID, 500, time.Now().Add(-10*time.Minute), webhookSecret)
	deliver(env, body3, sig3).WantError(t, 400, "bad_signature")
	body4, sig4 := stripeEvent(t, "evt_4", "cs_test_wrongkey", inv.ID, 500, time.Now(), "whsec_someone_else")
	deliver(env, body4, sig4).WantError(t, 400, "bad_signature")
	deliver(env, body2, "").WantError(t, 400, "bad_signature")
	env.Get("/api/invoices/"+inv.ID, staff.Token).Want(t, 200).Decode(t, &detail)
	if len(detail.Payments) != 2 || detail.Paid != 10000 {
		t.Fatalf("after refused deliveries: got %d payments, paid %d; want 2 and 10000", len(detail.Payments), detail.Paid)
	}

	// Refunds: admins only, with a reason, at most what is left.
	refund := "/api/payments/" + first.ID + "/refund"
	env.Do(keyed("POST", refund, pat.Token, "r1", map[string]any{"amount": 100, "reason": "x"})).Want(t, 403)
	env.Do(keyed("POST", refund, staff.Token, "r1", map[string]any{"amount": 100, "reason": "x"})).Want(t, 403)
	env.Do(keyed("POST", refund, admin.Token, "r1", map[string]any{"amount": 100})).WantError(t, 400, "invalid_request")
	env.Do(keyed("POST", refund, admin.Token, "r1", map[string]any{"amount": 3001, "reason": "overcharged"})).WantError(t, 409, "over_refund")
	var refunded billing.Payment
	env.Do(keyed("POST", refund, admin.Token, "r1", map[string]any{"amount": 1000, "reason": "overcharged"})).Want(t, 201).Decode(t, &refunded)
	env.Do(keyed("POST", refund, admin.Token, "r1", map[string]any{"amount": 1000, "reason": "overcharged"})).Want(t, 201).Decode(t, &refunded)
	if refunded.Refunded != 1000 {
		t.Fatalf("refund twice under one key: got refunded %d, want 1000", refunded.Refunded)
	}
	env.Get("/api/invoices/"+inv.ID, pat.Token).Want(t, 200).Decode(t, &detail)
	if detail.Paid != 9000 || detail.Balance != 1000 || detail.PaymentStatus != billing.PartiallyPaid {
		t.Fatalf("after the refund: got paid %d balance %d %q", detail.Paid, detail.Balance, detail.PaymentStatus)
	}
	kinds := map[string]bool{}
	for range 3 { // payment (desk), payment (online), refund
		kinds[billingEvent(t, portal, shared.ChannelUser+":"+pat.ID()).Kind] = true
	}
	if !kinds["payment"] || !kinds["refund"] {
		t.Errorf("the patient's portal heard %v, want payments and the refund", kinds)
	}
	// Events carry ids only.
	for _, d := range env.RawDocs(t, "events", bson.D{{Key: "channel", Value: shared.ChannelBilling}}) {
		if s := fmt.Sprint(d); strings.Contains(s, "Procedure") || strings.Contains(s, pat.User.Name) {
			t.Errorf("a billing event names more than ids: %s", s)
		}
	}

	for _, action := range []string{"billing.payment.record", "billing.payment.refund", "billing.invoice.checkout", "billing.payment.online"} {
		if docs := env.RawDocs(t, "audit", bson.D{{Key: "action", Value: action}}); len(docs) == 0 {
			t.Errorf("no audit entry for %s", action)
		}
	}
}

// TestOnlinePaymentOff: without Stripe keys the config says so, checkout is 409 online_payment_off and
// the webhook records nothing.
func TestOnlinePaymentOff(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin, staff, pat := env.Admin(), env.NewUser(shared.RoleStaff), env.NewUser(shared.RolePatient)
	var cfg struct {
		OnlinePayment bool `json:"online_payment"`
	}
	env.Get("/api/billing/config", staff.Token).Want(t, 200).Decode(t, &cfg)
	if cfg.OnlinePayment {
		t.Fatal("config: online payment is on without Stripe keys")
	}
	env.Put("/api/billing/prices/PROC", admin.Token, map[string]any{"name": "Procedure", "kind": "procedure", "amount": 100}).Want(t, 200)
	pid := pat.User.PatientID
	env.Do(keyed("POST", "/api/patients/"+pid+"/charges", staff.Token, "c1", map[string]any{"code": "PROC", "reason": "r"})).Want(t, 201)
	var inv billing.Invoice
	env.Post("/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}).Want(t, 201).Decode(t, &inv)
	env.Post("/api/invoices/"+inv.ID+"/issue", staff.Token, billing.RevRequest{Rev: inv.Rev}).Want(t, 200)
	env.Post("/api/invoices/"+inv.ID+"/checkout", pat.Token, nil).WantError(t, 409, "online_payment_off")
	body, sig := stripeEvent(t, "evt_1", "cs_x", inv.ID, 100, time.Now(), webhookSecret)
	deliver(env, body, sig).WantError(t, 409, "online_payment_off")
}
