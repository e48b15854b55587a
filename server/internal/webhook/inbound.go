package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
)

// Tolerance is how far a partner's webhook-timestamp may be from the hospital's clock.
const Tolerance = 5 * time.Minute

// Inbound event types partners send.
const (
	ClaimStatus             = "claim.status"
	PrescriptionDispensed   = "prescription.dispensed"
	PrescriptionUnavailable = "prescription.unavailable"
)

// ClaimStatusData is an insurer's answer to a claim: approved, partially_approved (approved_amount),
// denied (reason) or paid (paid_amount; approved_amount too when the claim was not answered before).
// Amounts are in minor units.
type ClaimStatusData struct {
	ClaimID        string `json:"claim_id"`
	Status         string `json:"status"`
	ApprovedAmount *int64 `json:"approved_amount,omitempty"`
	PaidAmount     *int64 `json:"paid_amount,omitempty"`
	Reason         string `json:"reason,omitempty"`
}

// PrescriptionData is an external pharmacy's word on an e-prescription: dispensed or unavailable.
type PrescriptionData struct {
	PrescriptionID string `json:"prescription_id"`
	Note           string `json:"note,omitempty"`
}

// Inbound applies partners' webhooks in the domains' own terms (the composition root implements it).
// Each method is idempotent by what it changes: applying the same message again changes nothing and
// answers "unchanged".
type Inbound interface {
	// PayerExists tells whether a billing payer exists (an insurer partner is linked to one).
	PayerExists(ctx context.Context, payerID string) error
	// ClaimStatus moves the claim as a clerk recording the insurer's answer or payment would; the claim
	// must be the payer's. It answers "applied" or "unchanged".
	ClaimStatus(ctx context.Context, p Partner, d ClaimStatusData) (string, error)
	// Prescription records an external pharmacy's outcome on a prescription and tells the patient.
	Prescription(ctx context.Context, p Partner, messageID, eventType string, d PrescriptionData) (string, error)
}

// Received is the answer to an inbound webhook.
type Received struct {
	Received bool   `json:"received"`
	Outcome  string `json:"outcome"`
	Replayed bool   `json:"replayed"`
}

var (
	errUnknownPartner = fault.Coded(fault.ErrUnauthenticated, "unknown_partner", "no such partner: register it in the admin console first")
	errSignature      = fault.Coded(fault.ErrUnauthenticated, "bad_signature", "the webhook-signature does not match the body signed with the partner's secret")
	errHeaders        = fault.Coded(fault.ErrUnauthenticated, "missing_headers", "webhook-id, webhook-timestamp and webhook-signature are required")
)

// Receive verifies and applies a partner's webhook. A bad signature, a timestamp more than five
// minutes off, an unknown partner or a malformed body change nothing; a webhook-id received before
// answers as it did (replayed) and changes nothing.
func (s *Service) Receive(ctx context.Context, partnerID string, h http.Header, body []byte) (Received, error) {
	if !ident.Valid(partnerID) {
		return Received{}, errUnknownPartner
	}
	p, err := s.store.Partner(ctx, partnerID)
	if errors.Is(err, ErrNotFound) {
		return Received{}, errUnknownPartner
	}
	if err != nil {
		return Received{}, err
	}
	id, ts := h.Get(standardwebhooks.HeaderWebhookID), h.Get(standardwebhooks.HeaderWebhookTimestamp)
	if id == "" || ts == "" || h.Get(standardwebhooks.HeaderWebhookSignature) == "" {
		return Received{}, errHeaders
	}
	if len(id) > 200 {
		return Received{}, fault.Coded(fault.ErrUnauthenticated, "bad_headers", "webhook-id is at most 200 characters")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Received{}, fault.Coded(fault.ErrUnauthenticated, "bad_headers", "webhook-timestamp must be whole seconds since 1970")
	}
	if off := time.Since(time.Unix(sec, 0)); off > Tolerance || off < -Tolerance {
		return Received{}, fault.Coded(fault.ErrUnauthenticated, "stale_timestamp",
			"webhook-timestamp is %s off the server's clock; at most 5 minutes is accepted", off.Round(time.Second).Abs())
	}
	// The freshness is checked above (the library's own check gives no detail); the library checks
	// the signature.
	wh, err := standardwebhooks.NewWebhook(p.Secret)
	if err != nil {
		return Received{}, fmt.Errorf("partner %s secret: %w", p.ID, err)
	}
	if err := wh.VerifyIgnoringTimestamp(body, h); err != nil {
		return Received{}, errSignature
	}
	if r, err := s.store.Receipt(ctx, p.ID, id); err == nil {
		return Received{Received: true, Outcome: r.Outcome, Replayed: true}, nil
	} else if !errors.Is(err, ErrNotFound) {
		return Received{}, err
	}
	typ, outcome, applyErr := s.apply(ctx, p, id, body)
	if applyErr != nil && !errors.Is(applyErr, fault.ErrInvalid) && !errors.Is(applyErr, fault.ErrConflict) &&
		!errors.Is(applyErr, fault.ErrNotFound) {
		return Received{}, applyErr // not recorded: the partner's retry applies it
	}
	r := Receipt{PartnerID: p.ID, MessageID: id, Type: typ, At: s.now(), Outcome: outcome, Status: http.StatusOK}
	if applyErr != nil {
		r.Outcome, r.Detail = "rejected", errText(applyErr)
		r.Status = http.StatusBadRequest
		if errors.Is(applyErr, fault.ErrConflict) {
			r.Status = http.StatusConflict
		}
	}
	if err := s.store.InsertReceipt(ctx, r); errors.Is(err, ErrDuplicate) {
		return Received{Received: true, Outcome: outcome, Replayed: true}, nil
	} else if err != nil {
		return Received{}, err
	}
	if applyErr != nil {
		return Received{}, applyErr
	}
	return Received{Received: true, Outcome: outcome}, nil
}

// inboundMessage is a partner's body: the Standard Webhooks shape.
type inboundMessage struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// apply parses the body for the partner's kind and applies it through the domain.
func (s *Service) apply(ctx context.Context, p Partner, id string, body []byte) (string, string, error) {
	var m inboundMessage
	if err := strictJSON(body, &m); err != nil {
		return "", "", fault.Invalid("body: %v; want {\"type\", \"timestamp\", \"data\"}", err)
	}
	if s.cfg.Inbound == nil {
		return m.Type, "", fault.Invalid("inbound webhooks are not handled by this server")
	}
	switch {
	case p.Kind == Insurer && m.Type == ClaimStatus:
		var d ClaimStatusData
		if err := strictJSON(m.Data, &d); err != nil {
			return m.Type, "", fault.Invalid("data: %v", err)
		}
		if !ident.Valid(d.ClaimID) {
			return m.Type, "", fault.Invalid("data.claim_id is required (24 hex digits)")
		}
		switch d.Status {
		case "approved", "partially_approved", "denied", "paid":
		default:
			return m.Type, "", fault.Invalid("data.status must be approved, partially_approved, denied or paid")
		}
		out, err := s.cfg.Inbound.ClaimStatus(ctx, p, d)
		return m.Type, out, err
	case p.Kind == Pharmacy && (m.Type == PrescriptionDispensed || m.Type == PrescriptionUnavailable):
		var d PrescriptionData
		if err := strictJSON(m.Data, &d); err != nil {
			return m.Type, "", fault.Invalid("data: %v", err)
		}
		if !ident.Valid(d.PrescriptionID) {
			return m.Type, "", fault.Invalid("data.prescription_id is required (24 hex digits)")
		}
		if len(d.Note) > 500 {
			return m.Type, "", fault.Invalid("data.note is at most 500 characters")
		}
		out, err := s.cfg.Inbound.Prescription(ctx, p, id, m.Type, d)
		return m.Type, out, err
	case p.Kind == Insurer:
		return m.Type, "", fault.Invalid("type: an insurer sends %s", ClaimStatus)
	}
	return m.Type, "", fault.Invalid("type: a pharmacy sends %s or %s", PrescriptionDispensed, PrescriptionUnavailable)
}

// strictJSON decodes one JSON value, refusing unknown fields and trailing data.
func strictJSON(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return errors.New("empty")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
