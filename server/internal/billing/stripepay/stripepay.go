// Package stripepay is Stripe as a billing.Provider: a Checkout Session (Stripe's hosted payment page)
// for an invoice's balance, and its webhook, verified with Stripe's signature before anything is read.
// Card data goes to Stripe only; HMS keeps the session and PaymentIntent ids.
package stripepay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"hms/server/internal/billing"
)

// Config is how HMS reaches Stripe.
type Config struct {
	// SecretKey is the API key (sk_live_…, sk_test_…): STRIPE_SECRET_KEY.
	SecretKey string
	// WebhookSecret is the webhook endpoint's signing secret (whsec_…): STRIPE_WEBHOOK_SECRET.
	WebhookSecret string
	// APIBase replaces https://api.stripe.com (a stripe-mock in tests): STRIPE_API_BASE.
	APIBase string
	// HTTPClient makes the API calls (a client with a timeout when nil).
	HTTPClient *http.Client
}

// Provider is Stripe.
type Provider struct {
	client *stripe.Client
	secret string
}

var _ billing.Provider = (*Provider)(nil)

// New returns Stripe as a payment provider.
func New(c Config) *Provider {
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	bc := &stripe.BackendConfig{HTTPClient: c.HTTPClient, LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelError},
		MaxNetworkRetries: stripe.Int64(2)}
	if c.APIBase != "" {
		bc.URL = stripe.String(strings.TrimRight(c.APIBase, "/"))
	}
	return &Provider{client: stripe.NewClient(c.SecretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(bc))),
		secret: c.WebhookSecret}
}

// Name implements billing.Provider.
func (p *Provider) Name() string { return "stripe" }

// Checkout implements billing.Provider: a Checkout Session in payment mode for amount, named by the
// invoice's number only (no descriptions: Stripe needs no health data), with the invoice's id in its
// metadata and in its PaymentIntent's, which the webhook reads back.
func (p *Provider) Checkout(ctx context.Context, inv billing.Invoice, amount int64, successURL, cancelURL string) (string, string, error) {
	name := "Invoice " + inv.Number
	params := &stripe.CheckoutSessionCreateParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		SuccessURL:        stripe.String(successURL),
		CancelURL:         stripe.String(cancelURL),
		ClientReferenceID: stripe.String(inv.ID),
		LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{
			Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripe.String(strings.ToLower(inv.Currency)),
				UnitAmount:  stripe.Int64(amount),
				ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String(name)},
			},
		}},
		PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{
			Metadata: map[string]string{"invoice_id": inv.ID},
		},
	}
	params.AddMetadata("invoice_id", inv.ID)
	s, err := p.client.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return "", "", fmt.Errorf("stripe: create checkout session: %w", err)
	}
	if s.URL == "" || s.ID == "" {
		return "", "", errors.New("stripe: the checkout session has no URL")
	}
	return s.URL, s.ID, nil
}

// Completed implements billing.Provider. The signature is checked by stripe-go's webhook package
// against STRIPE_WEBHOOK_SECRET, with its default tolerance of 300 s (an older delivery, a replay, is
// refused). A completed Checkout Session reports its payment once it is paid: at once for cards
// (checkout.session.completed with payment_status "paid"), later for delayed methods
// (checkout.session.async_payment_succeeded). Every other event reports none.
func (p *Provider) Completed(payload []byte, header http.Header) (billing.OnlinePayment, bool, error) {
	// The event's API version is not checked: HMS reads a session's id, metadata, amount, currency and
	// payment status, which every version has; refusing an endpoint pinned to another version would
	// leave paid invoices unpaid.
	ev, err := webhook.ConstructEventWithOptions(payload, header.Get("Stripe-Signature"), p.secret,
		webhook.ConstructEventOptions{Tolerance: webhook.DefaultTolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		if errors.Is(err, webhook.ErrNotSigned) || errors.Is(err, webhook.ErrInvalidHeader) ||
			errors.Is(err, webhook.ErrNoValidSignature) || errors.Is(err, webhook.ErrTooOld) {
			return billing.OnlinePayment{}, false, fmt.Errorf("%w: %v", billing.ErrBadSignature, err)
		}
		return billing.OnlinePayment{}, false, err
	}
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded":
	default:
		return billing.OnlinePayment{}, false, nil
	}
	var s stripe.CheckoutSession
	if err := json.Unmarshal(ev.Data.Raw, &s); err != nil {
		return billing.OnlinePayment{}, false, fmt.Errorf("read the checkout session: %w", err)
	}
	if s.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid || s.ID == "" {
		return billing.OnlinePayment{}, false, nil
	}
	op := billing.OnlinePayment{EventID: ev.ID, SessionID: s.ID, InvoiceID: s.Metadata["invoice_id"],
		Amount: s.AmountTotal, Currency: strings.ToUpper(string(s.Currency))}
	if op.InvoiceID == "" {
		op.InvoiceID = s.ClientReferenceID
	}
	if s.PaymentIntent != nil {
		op.Reference = s.PaymentIntent.ID
	}
	return op, true, nil
}

// Refund implements billing.Provider: a Refund of the PaymentIntent that paid (or of its Charge), for
// amount, under Stripe's idempotency key r.Key, so the same refund asked again (a retried request) is
// the one refund Stripe made. Only the invoice's id and the key go to Stripe with it, no reason (a
// reason may name care). Stripe's refusal (more than is left of the payment, a payment it does not
// know) is a billing.RefusedError with Stripe's message.
func (p *Provider) Refund(ctx context.Context, r billing.ProviderRefund) (string, error) {
	params := &stripe.RefundCreateParams{Amount: stripe.Int64(r.Amount)}
	switch {
	case strings.HasPrefix(r.Reference, "pi_"):
		params.PaymentIntent = stripe.String(r.Reference)
	case strings.HasPrefix(r.Reference, "ch_"), strings.HasPrefix(r.Reference, "py_"):
		params.Charge = stripe.String(r.Reference)
	default:
		return "", &billing.RefusedError{Reason: "the payment has no Stripe payment id to refund"}
	}
	params.SetIdempotencyKey(r.Key)
	params.AddMetadata("invoice_id", r.InvoiceID)
	params.AddMetadata("hms_refund", r.Key)
	rf, err := p.client.V1Refunds.Create(ctx, params)
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && se.HTTPStatusCode >= 400 && se.HTTPStatusCode < 500 && se.Msg != "" {
			return "", fmt.Errorf("stripe: create refund: %w", &billing.RefusedError{Reason: se.Msg})
		}
		return "", fmt.Errorf("stripe: create refund: %w", err)
	}
	switch rf.Status {
	case stripe.RefundStatusFailed, stripe.RefundStatusCanceled:
		return "", fmt.Errorf("stripe: refund %s: %w", rf.ID, &billing.RefusedError{Reason: "Stripe reports the refund " + string(rf.Status)})
	}
	return rf.ID, nil
}
