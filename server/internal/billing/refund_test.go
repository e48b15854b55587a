package billing_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/server/internal/billing/stripepay"
	"hms/server/internal/fault"
	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
	"hms/shared"
)

// stripeRefunds stands in front of a stripe-mock: it passes every call on, keeps what each
// POST /v1/refunds asked (its Idempotency-Key and form), and while refuse is set answers those with
// the error Stripe gives for a refund above what is left of the payment.
type stripeRefunds struct {
	URL    string
	refuse atomic.Bool
	mu     sync.Mutex
	asked  []refundAsked
}

type refundAsked struct {
	key  string
	form url.Values
}

const stripeRefusal = "Refund amount (£50.00) is greater than unrefunded amount on charge (£10.00)"

func newStripeRefunds(t *testing.T) *stripeRefunds {
	t.Helper()
	mock, err := url.Parse(testenv.StripeMock(t))
	if err != nil {
		t.Fatal(err)
	}
	s := &stripeRefunds{}
	proxy := httputil.NewSingleHostReverseProxy(mock)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/refunds" {
			body, _ := io.ReadAll(r.Body)
			form, _ := url.ParseQuery(string(body))
			s.mu.Lock()
			s.asked = append(s.asked, refundAsked{key: r.Header.Get("Idempotency-Key"), form: form})
			s.mu.Unlock()
			if s.refuse.Load() {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"error":{"type":"invalid_request_error","code":"amount_too_large","message":"`+stripeRefusal+`"}}`)
				return
			}
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			r.ContentLength = int64(len(body))
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func (s *stripeRefunds) calls() []refundAsked {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]refundAsked(nil), s.asked...)
}

// TestOnlineRefundGoesBackThroughStripe: refunding an online payment asks Stripe (stripe-mock) for a
// refund of the PaymentIntent that paid, for the amount, under an idempotency key that is the same when
// the request is retried; Stripe's refusal records nothing and says why (502 refund_refused); once
// Stripe took it the refund is recorded with Stripe's refund id as its reference, and the same key
// again refunds nothing more. A cash payment's refund never reaches Stripe.
func TestOnlineRefundGoesBackThroughStripe(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	stripe := newStripeRefunds(t)
	svc := billing.NewService(mongostore.NewBilling(f.db, keys), billing.Options{Currency: "GBP", Now: f.clock,
		Online: stripepay.New(stripepay.Config{SecretKey: "sk_test_hms", WebhookSecret: webhookSecret, APIBase: stripe.URL})})
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	inv := f.issued(t, "p1", "PROC")
	body, sig := stripeEvent(t, "evt_1", "cs_test_paid", inv.ID, 6000, time.Now(), webhookSecret)
	online, recorded, err := svc.Webhook(ctx, body, http.Header{"Stripe-Signature": {sig}})
	if err != nil || !recorded || online.Method != billing.Online {
		t.Fatalf("the online payment: got %+v %v %v", online, recorded, err)
	}
	cash, _, err := pay(svc, inv.ID, billing.Cash, 4000, "cash-1", "desk")
	if err != nil {
		t.Fatal(err)
	}
	refund := func(paymentID string, amount int64, key string) (billing.Payment, bool, error) {
		return svc.Refund(ctx, billing.RefundRequest{PaymentID: paymentID, Amount: amount, Reason: "cancelled", Key: key, By: "admin"})
	}
	refunds := func() []billing.Entry {
		es, err := f.store.Entries(ctx, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []billing.Entry
		for _, e := range es {
			if e.Kind == billing.RefundEntry {
				out = append(out, e)
			}
		}
		return out
	}

	stripe.refuse.Store(true)
	_, _, err = refund(online.ID, 1500, "r1")
	wantCode(t, "a refund Stripe refuses", err, fault.ErrUpstream, "refund_refused")
	if !strings.Contains(err.Error(), stripeRefusal) {
		t.Errorf("the refusal says %q, want Stripe's reason %q in it", err, stripeRefusal)
	}
	if rs := refunds(); len(rs) != 0 {
		t.Fatalf("after the refusal: got refunds %+v, want none recorded", rs)
	}

	stripe.refuse.Store(false)
	got, replayed, err := refund(online.ID, 1500, "r1") // the request retried
	if err != nil || replayed || got.Refunded != 1500 {
		t.Fatalf("the refund: got %+v replayed=%v %v, want 1500 refunded", got, replayed, err)
	}
	asked := stripe.calls()
	if len(asked) != 2 {
		t.Fatalf("Stripe was asked %d times, want twice (refused, then taken)", len(asked))
	}
	for i, a := range asked {
		if a.form.Get("payment_intent") != "pi_cs_test_paid" || a.form.Get("amount") != "1500" {
			t.Errorf("ask %d: got %v, want a refund of 1500 of pi_cs_test_paid", i, a.form)
		}
		if !strings.HasPrefix(a.key, "ref_") || a.key != asked[0].key {
			t.Errorf("ask %d: idempotency key %q, want the refund's op, the same on retry (%q)", i, a.key, asked[0].key)
		}
	}
	rs := refunds()
	if len(rs) != 1 || rs[0].Op != asked[0].key || !strings.HasPrefix(rs[0].Reference, "re_") || rs[0].Amount != 1500 {
		t.Fatalf("recorded refunds %+v, want one of 1500 under op %s with Stripe's refund id", rs, asked[0].key)
	}
	if again, replayed, err := refund(online.ID, 1500, "r1"); err != nil || !replayed || again.Refunded != 1500 || len(stripe.calls()) != 2 {
		t.Fatalf("the same key again: got %+v replayed=%v %v after %d asks, want the refund replayed without asking Stripe",
			again, replayed, err, len(stripe.calls()))
	}

	// At most what is left, checked before Stripe is asked.
	_, _, err = refund(online.ID, 4501, "r2")
	wantFault(t, "more than is left of the online payment", err, "over_refund")
	// Cash goes back at the desk: Stripe hears nothing of it.
	if p, _, err := refund(cash.ID, 1000, "r3"); err != nil || p.Refunded != 1000 || len(stripe.calls()) != 2 {
		t.Fatalf("a cash refund: got %+v %v after %d asks of Stripe, want 1000 refunded and Stripe not asked", p, err, len(stripe.calls()))
	}
}

// failingProvider is a provider whose refunds fail without a refusal (no answer, a 5xx).
type failingProvider struct{ billing.Provider }

func (failingProvider) Name() string { return "stripe" }

func (failingProvider) Refund(context.Context, billing.ProviderRefund) (string, error) {
	return "", errors.New("connection reset by peer")
}

// TestOnlineRefundProviderDown: a provider that does not answer is a 502 refund_failed that records
// nothing; with no provider set up any more, an online payment's refund is a 409 provider_off.
func TestOnlineRefundProviderDown(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	inv := f.issued(t, "p1", "PROC")
	// The payment as the webhook records it (provider:stripe, the PaymentIntent as its reference).
	if err := f.store.InsertEntry(ctx, billing.Entry{InvoiceID: inv.ID, Seq: 1, Op: "pay_online", Kind: billing.PaymentEntry,
		PaymentID: "pay_online", PatientID: "p1", Method: billing.Online, Amount: 5000, Currency: "GBP", Reference: "pi_1",
		By: "provider:stripe", At: f.clock(), Receipt: "RCT-2026-000001"}); err != nil {
		t.Fatal(err)
	}
	req := billing.RefundRequest{PaymentID: "pay_online", Amount: 100, Reason: "cancelled", Key: "r1", By: "admin"}
	down := billing.NewService(mongostore.NewBilling(f.db, keys), billing.Options{Currency: "GBP", Now: f.clock, Online: failingProvider{}})
	_, _, err := down.Refund(ctx, req)
	wantCode(t, "a refund the provider fails", err, fault.ErrUpstream, "refund_failed")
	_, _, err = f.svc.Refund(ctx, req)
	wantCode(t, "a refund with no provider set up", err, fault.ErrConflict, "provider_off")
	if d := f.detail(t, inv.ID); d.Paid != 5000 || d.Payments[0].Refunded != 0 {
		t.Fatalf("after the failures: got paid %d, refunded %d; want nothing refunded", d.Paid, d.Payments[0].Refunded)
	}
}

// TestOnlineRefundHTTP: through the real router, a refund Stripe refuses is 502 refund_refused with
// Stripe's reason and refunds nothing; asked again once Stripe takes it, it is 201 and recorded.
func TestOnlineRefundHTTP(t *testing.T) {
	t.Parallel()
	stripe := newStripeRefunds(t)
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"), apptest.WithEnv("PUBLIC_URL", "https://hms.example.org"),
		apptest.WithEnv("STRIPE_SECRET_KEY", "sk_test_hms"), apptest.WithEnv("STRIPE_WEBHOOK_SECRET", webhookSecret),
		apptest.WithEnv("STRIPE_API_BASE", stripe.URL))
	admin, staff, pat := env.Admin(), env.NewUser(shared.RoleStaff), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	env.Put("/api/billing/prices/PROC", admin.Token, map[string]any{"name": "Procedure", "kind": "procedure", "amount": 10000}).Want(t, 200)
	env.Do(keyed("POST", "/api/patients/"+pid+"/charges", staff.Token, "c1", map[string]any{"code": "PROC", "reason": "done"})).Want(t, 201)
	var inv billing.Invoice
	env.Post("/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}).Want(t, 201).Decode(t, &inv)
	env.Post("/api/invoices/"+inv.ID+"/issue", staff.Token, billing.RevRequest{Rev: inv.Rev}).Want(t, 200).Decode(t, &inv)
	body, sig := stripeEvent(t, "evt_1", "cs_test_http", inv.ID, 10000, time.Now(), webhookSecret)
	deliver(env, body, sig).Want(t, 200)
	var detail billing.InvoiceDetail
	env.Get("/api/invoices/"+inv.ID, staff.Token).Want(t, 200).Decode(t, &detail)
	if len(detail.Payments) != 1 || detail.Payments[0].Method != billing.Online {
		t.Fatalf("got payments %+v, want the online one", detail.Payments)
	}
	refund := "/api/payments/" + detail.Payments[0].ID + "/refund"

	stripe.refuse.Store(true)
	r := env.Do(keyed("POST", refund, admin.Token, "r1", map[string]any{"amount": 2500, "reason": "cancelled"}))
	r.WantError(t, 502, "refund_refused")
	if !strings.Contains(string(r.Body), "refused the refund") || !strings.Contains(string(r.Body), "greater than unrefunded amount") {
		t.Errorf("the 502 says %s, want that Stripe refused and why", r.Body)
	}
	env.Get("/api/invoices/"+inv.ID, staff.Token).Want(t, 200).Decode(t, &detail)
	if detail.Paid != 10000 {
		t.Fatalf("after the refusal: got paid %d, want 10000 (nothing refunded)", detail.Paid)
	}
	stripe.refuse.Store(false)
	var p billing.Payment
	env.Do(keyed("POST", refund, admin.Token, "r1", map[string]any{"amount": 2500, "reason": "cancelled"})).Want(t, 201).Decode(t, &p)
	if p.Refunded != 2500 {
		t.Fatalf("the refund: got %+v, want 2500 refunded", p)
	}
}
