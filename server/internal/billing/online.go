package billing

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"hms/server/internal/fault"
)

// Provider is an online payment provider: it makes a hosted payment page for an amount of an invoice
// (the patient's card goes to the provider, never to HMS), and verifies and reads what its webhook
// reports. Stripe is one (package stripepay); another is added by implementing this.
type Provider interface {
	// Name names the provider ("stripe"): it is part of each online payment's identity.
	Name() string
	// Checkout makes a payment page for amount (minor units of the invoice's currency) of inv and
	// answers its URL and the provider's session id.
	Checkout(ctx context.Context, inv Invoice, amount int64, successURL, cancelURL string) (url, sessionID string, err error)
	// Completed verifies a webhook delivery (its body and headers) and answers the payment it reports
	// as completed; ok is false for an event that reports none. A delivery whose signature is missing,
	// wrong or stale is an error wrapping ErrBadSignature.
	Completed(payload []byte, header http.Header) (p OnlinePayment, ok bool, err error)
	// Refund sends part or all of an online payment back to where it came from (the patient's card) and
	// answers the provider's refund id. The same Key refunds once however often it is asked. A refund
	// the provider refuses is an error wrapping a *RefusedError.
	Refund(ctx context.Context, r ProviderRefund) (refundID string, err error)
}

// ProviderRefund is a refund a provider is asked to make.
type ProviderRefund struct {
	// Reference is the payment's id at the provider (OnlinePayment.Reference: a Stripe PaymentIntent).
	Reference string
	// Amount is in minor units of Currency.
	Amount    int64
	Currency  string
	InvoiceID string
	// Key is the refund's ledger op: the provider's idempotency key.
	Key string
}

// RefusedError is a provider's refusal, with its reason (safe to show: it names no card data).
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "refused: " + e.Reason }

// ErrBadSignature: a webhook delivery is not signed by the provider, was changed, or is too old.
var ErrBadSignature = errors.New("billing: bad webhook signature")

// OnlinePayment is a payment a provider reports as completed.
type OnlinePayment struct {
	// EventID is the provider's id of the delivery's event, for the log.
	EventID string
	// SessionID is the provider's payment session: one session is one payment, however many events
	// report it and however often they are delivered.
	SessionID string
	InvoiceID string
	Amount    int64
	Currency  string
	// Reference is the provider's payment id (a Stripe PaymentIntent).
	Reference string
}

// Errors of online payment.
var (
	errOnlineOff    = fault.Coded(fault.ErrConflict, "online_payment_off", "online payment is not set up at this hospital; pay at the desk")
	errNothingToPay = fault.Coded(fault.ErrConflict, "nothing_to_pay", "the invoice has nothing left to pay")
	errRefundOff    = fault.Coded(fault.ErrConflict, "provider_off",
		"the payment was made online through a provider that is not set up here now, so the money cannot go back to the card")
)

// OnlinePayment reports whether patients can pay online.
func (s *Service) OnlinePayment() bool { return s.online != nil }

// Currency is the hospital's currency.
func (s *Service) Currency() string { return s.currency }

// Checkout makes a provider's payment page for an issued invoice's balance: the patient's part only,
// never the insurer's share (see Invoice.Balance). The page sends the patient
// back to their bills in the web app.
func (s *Service) Checkout(ctx context.Context, inv Invoice) (pageURL, sessionID string, err error) {
	if s.online == nil {
		return "", "", errOnlineOff
	}
	if inv.Status != Issued {
		return "", "", errNotIssued
	}
	invs := []Invoice{inv}
	if err := s.settle(ctx, invs); err != nil {
		return "", "", err
	}
	if invs[0].Balance <= 0 {
		return "", "", errNothingToPay
	}
	back := s.returnTo + "/patient?section=bills&invoice=" + url.QueryEscape(inv.ID)
	pageURL, sessionID, err = s.online.Checkout(ctx, invs[0], invs[0].Balance, back+"&paid=1", back+"&cancelled=1")
	if err != nil {
		s.log.WarnContext(ctx, "online checkout", "invoice", inv.ID, "err", err)
		return "", "", fault.New(fault.ErrUnavailable, "the payment provider did not answer; try again in a moment")
	}
	return pageURL, sessionID, nil
}

// Webhook verifies a delivery of the provider's webhook and records the payment it reports, once per
// provider session however often and however concurrently it is delivered. The money is taken by
// then: it is recorded even when it is more than the balance (two pages paid at once), which the log
// says, so that the desk refunds the difference. A delivery about an invoice that is not here, or in
// another currency, is logged and answered as done (retrying would not change it).
func (s *Service) Webhook(ctx context.Context, payload []byte, header http.Header) (p Payment, recorded bool, err error) {
	if s.online == nil {
		return Payment{}, false, errOnlineOff
	}
	op, ok, err := s.online.Completed(payload, header)
	if errors.Is(err, ErrBadSignature) {
		return Payment{}, false, fault.Coded(fault.ErrInvalid, "bad_signature", "the webhook's signature is missing, wrong or too old")
	} else if err != nil {
		return Payment{}, false, fault.Invalid("the webhook's event cannot be read: %v", err)
	}
	if !ok {
		return Payment{}, false, nil
	}
	if !strings.EqualFold(op.Currency, s.currency) || op.Amount <= 0 {
		s.log.ErrorContext(ctx, "online payment not recorded: wrong currency or amount", "event", op.EventID,
			"session", op.SessionID, "currency", op.Currency, "amount", op.Amount)
		return Payment{}, false, nil
	}
	id := opID("pay", s.online.Name(), op.SessionID)
	if e, err := s.store.EntryByOp(ctx, id); err == nil {
		p, err := s.finishPayment(ctx, e, nil)
		return p, false, err
	} else if !errors.Is(err, ErrNotFound) {
		return Payment{}, false, err
	}
	inv, err := s.store.Invoice(ctx, op.InvoiceID)
	if errors.Is(err, ErrNotFound) {
		s.log.ErrorContext(ctx, "online payment not recorded: no such invoice", "event", op.EventID, "session", op.SessionID)
		return Payment{}, false, nil
	} else if err != nil {
		return Payment{}, false, err
	}
	owed, err := s.patientDue(ctx, inv)
	if err != nil {
		return Payment{}, false, err
	}
	e := Entry{InvoiceID: inv.ID, Op: id, Kind: PaymentEntry, PaymentID: id, PatientID: inv.PatientID, Method: Online,
		Amount: op.Amount, Currency: s.currency, Reference: op.Reference, By: "provider:" + s.online.Name(), At: s.clock()}
	e, after, replayed, err := s.appendEntry(ctx, e, func(l ledger) error {
		if op.Amount > owed-l.paid() {
			s.log.WarnContext(ctx, "online payment is more than the balance: refund the difference", "invoice", inv.ID, "session", op.SessionID)
		}
		return nil
	})
	if err != nil {
		return Payment{}, false, err
	}
	p, err = s.finishPayment(ctx, e, after)
	if err == nil && !replayed {
		s.changed(ctx, inv.PatientID, inv.ID, "payment")
	}
	return p, !replayed, err
}

// refundAtProvider sends refund e of online payment pay back through the provider that took it, before
// anything is recorded: at most what is left of the payment, under e's op as the provider's idempotency
// key, so a retried request (or one whose recording failed after the provider accepted) refunds once
// there too. It answers the provider's refund id; a refusal or failure is a 502 saying why.
func (s *Service) refundAtProvider(ctx context.Context, pay, e Entry) (string, error) {
	if s.online == nil || pay.By != "provider:"+s.online.Name() {
		return "", errRefundOff
	}
	entries, err := s.store.Entries(ctx, pay.InvoiceID)
	if err != nil {
		return "", err
	}
	if e.Amount > pay.Amount-ledger(entries).refunded(pay.Op) {
		return "", errOverRefund
	}
	id, err := s.online.Refund(ctx, ProviderRefund{Reference: pay.Reference, Amount: e.Amount, Currency: pay.Currency,
		InvoiceID: pay.InvoiceID, Key: e.Op})
	if err != nil {
		s.log.WarnContext(ctx, "refund at the payment provider", "payment", pay.Op, "provider", s.online.Name(), "err", err)
		var refused *RefusedError
		if errors.As(err, &refused) {
			return "", fault.Coded(fault.ErrUpstream, "refund_refused", "%s refused the refund, so nothing was refunded: %s",
				s.online.Name(), refused.Reason)
		}
		return "", fault.Coded(fault.ErrUpstream, "refund_failed", "%s did not take the refund (no answer, or an error on its side), so nothing was refunded; try again in a moment",
			s.online.Name())
	}
	return id, nil
}
