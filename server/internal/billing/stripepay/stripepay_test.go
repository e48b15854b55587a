package stripepay_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"hms/server/internal/billing"
	"hms/server/internal/billing/stripepay"
	"hms/server/internal/testenv"
)

const secret = "whsec_unit"

func signed(t *testing.T, typ string, session map[string]any, at time.Time) ([]byte, http.Header) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"id": "evt_1", "object": "event", "type": typ, "api_version": stripe.APIVersion,
		"created": at.Unix(), "data": map[string]any{"object": session}})
	if err != nil {
		t.Fatal(err)
	}
	p := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: at})
	return p.Payload, http.Header{"Stripe-Signature": {p.Header}}
}

// TestCheckoutOnStripeMock: a Checkout Session made on stripe-mock (which validates the request against
// Stripe's API description) answers a Stripe page and a cs_ session id.
func TestCheckoutOnStripeMock(t *testing.T) {
	p := stripepay.New(stripepay.Config{SecretKey: "sk_test_unit", WebhookSecret: secret, APIBase: testenv.StripeMock(t)})
	url, id, err := p.Checkout(context.Background(), billing.Invoice{ID: "inv1", Number: "INV-2026-000001", Currency: "EUR"},
		1234, "https://hms.example.org/patient?paid=1", "https://hms.example.org/patient?cancelled=1")
	if err != nil || !strings.HasPrefix(url, "https://checkout.stripe.com/") || !strings.HasPrefix(id, "cs_") {
		t.Fatalf("got %q %q %v, want a Stripe page and a session id", url, id, err)
	}
}

// TestCompleted: a paid session is a payment; an unpaid one and other events are none; a bad, stale
// or missing signature is ErrBadSignature.
func TestCompleted(t *testing.T) {
	p := stripepay.New(stripepay.Config{SecretKey: "sk_test_unit", WebhookSecret: secret})
	paid := map[string]any{"id": "cs_1", "object": "checkout.session", "payment_status": "paid", "amount_total": 700,
		"currency": "eur", "metadata": map[string]string{"invoice_id": "inv1"}, "payment_intent": "pi_1"}
	body, h := signed(t, "checkout.session.completed", paid, time.Now())
	op, ok, err := p.Completed(body, h)
	if err != nil || !ok || op != (billing.OnlinePayment{EventID: "evt_1", SessionID: "cs_1", InvoiceID: "inv1", Amount: 700, Currency: "EUR", Reference: "pi_1"}) {
		t.Fatalf("paid session: got %+v %v %v", op, ok, err)
	}
	unpaid := map[string]any{"id": "cs_2", "object": "checkout.session", "payment_status": "unpaid", "amount_total": 700, "currency": "eur"}
	for name, tt := range map[string]struct {
		typ     string
		session map[string]any
	}{
		"unpaid (a delayed method)": {"checkout.session.completed", unpaid},
		"another event":             {"checkout.session.expired", paid},
	} {
		body, h := signed(t, tt.typ, tt.session, time.Now())
		if _, ok, err := p.Completed(body, h); ok || err != nil {
			t.Errorf("%s: got ok=%v %v, want no payment", name, ok, err)
		}
	}
	stale, sh := signed(t, "checkout.session.completed", paid, time.Now().Add(-6*time.Minute))
	for name, tt := range map[string]struct {
		body []byte
		h    http.Header
	}{
		"tampered":     {[]byte(strings.Replace(string(body), "700", "7000", 1)), h},
		"stale":        {stale, sh},
		"not signed":   {body, http.Header{}},
		"wrong header": {body, http.Header{"Stripe-Signature": {"t=1,v1=abc"}}},
	} {
		if _, ok, err := p.Completed(tt.body, tt.h); ok || !errors.Is(err, billing.ErrBadSignature) {
			t.Errorf("%s: got ok=%v %v, want ErrBadSignature", name, ok, err)
		}
	}
}
