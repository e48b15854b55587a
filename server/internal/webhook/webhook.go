// Package webhook sends the hospital's events to systems that subscribed to them, and receives the
// partners' signed webhooks (an insurer's answer to a claim, an external pharmacy's fill), both in the
// Standard Webhooks format: headers webhook-id, webhook-timestamp and webhook-signature (v1,
// HMAC-SHA256 of "id.timestamp.body" under a whsec_ secret), signed and verified with the Standard
// Webhooks Go library.
//
// Outbound, delivery is enqueued exactly once and delivered at least once: a Must reaction (package
// reaction) to each catalogued event inserts one delivery per matching subscription under a unique _id
// (the event's occurrence and the subscription), so a reaction run twice enqueues nothing more. Every
// instance's worker looks for due deliveries and claims attempt n of one by inserting it under a unique
// _id (delivery|n): of two instances, one sends. A 2xx answer delivers it; anything else is retried on
// the configured schedule (with jitter), then the delivery is a dead letter an admin may redeliver (the
// same webhook-id, so receivers drop what they had).
//
// Inbound, a partner's webhook is verified with the partner's secret, refused when older than five
// minutes, and applied once by its webhook-id: the receipt is an insert under a unique _id, a replay
// answers 200 and changes nothing.
//
// Payloads carry ids, the event type and time, never clinical text: a receiver fetches what it needs
// through the FHIR API with a machine client.
package webhook

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strconv"
	"time"

	"hms/server/internal/fault"
)

// Event types the hospital sends (the catalogue admins choose from).
const (
	AppointmentBooked      = "appointment.booked"
	AppointmentRescheduled = "appointment.rescheduled"
	AppointmentCancelled   = "appointment.cancelled"
	PrescriptionCreated    = "prescription.created"
	ClaimSubmitted         = "claim.submitted"
	LabResultReleased      = "lab.result-released"
	WardAdmitted           = "ward.admitted"
	WardDischarged         = "ward.discharged"
	// Test is the event "send test event" sends; no subscription chooses it.
	Test = "webhook.test"
)

// CatalogueEntry describes one event a subscription may choose.
type CatalogueEntry struct {
	Type        string `json:"type"`
	Description string `json:"description"`
	// Data names the ids the payload's data carries.
	Data []string `json:"data"`
}

// Catalogue is every event a subscription may choose, in the order the screen shows them.
var Catalogue = []CatalogueEntry{
	{AppointmentBooked, "An appointment was booked", []string{"appointment_id", "step"}},
	{AppointmentRescheduled, "An appointment moved to another slot", []string{"appointment_id", "step"}},
	{AppointmentCancelled, "An appointment was cancelled", []string{"appointment_id", "step"}},
	{PrescriptionCreated, "A prescription was written (the e-prescription to an external pharmacy)", []string{"prescription_id", "patient_id"}},
	{ClaimSubmitted, "An insurance claim was submitted to its payer", []string{"claim_id", "payer_id"}},
	{LabResultReleased, "A lab order's results were released", []string{"order_id"}},
	{WardAdmitted, "A patient was admitted to a ward", []string{"admission_id"}},
	{WardDischarged, "A patient was discharged from a ward", []string{"admission_id"}},
}

// catalogued reports whether t is in the catalogue.
func catalogued(t string) bool {
	for _, e := range Catalogue {
		if e.Type == t {
			return true
		}
	}
	return false
}

// Subscription is an endpoint an admin subscribed to some events. Its secret is shown once, when it
// is made; it is kept sealed at rest, since every delivery is signed with it.
type Subscription struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Description string    `json:"description,omitempty"`
	Events      []string  `json:"events"`
	Enabled     bool      `json:"enabled"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
	Secret      string    `json:"-"`
}

// Delivery states.
const (
	Pending   = "pending"
	Delivered = "delivered"
	Dead      = "dead"
)

// Delivery is one event to one subscription. Its ID is the webhook-id every attempt sends.
type Delivery struct {
	ID             string `json:"id"`
	SubscriptionID string `json:"subscription_id"`
	EventType      string `json:"event_type"`
	Payload        []byte `json:"-"`
	State          string `json:"state"`
	// Attempts is how many attempts were made; Round is the attempt count when the current round of
	// retries began (a redelivery starts a new round, with the whole schedule again).
	Attempts   int       `json:"attempts"`
	Round      int       `json:"-"`
	NextAt     time.Time `json:"next_at"`
	CreatedAt  time.Time `json:"created_at"`
	LastAt     time.Time `json:"last_at,omitzero"`
	LastStatus int       `json:"last_status,omitempty"`
	LastError  string    `json:"last_error,omitempty"`
}

// Attempt is one POST of a delivery, claimed by insert under "<delivery>|<n>".
type Attempt struct {
	DeliveryID     string    `json:"delivery_id"`
	SubscriptionID string    `json:"subscription_id"`
	EventType      string    `json:"event_type"`
	N              int       `json:"n"`
	At             time.Time `json:"at"`
	Instance       string    `json:"-"`
	Ended          time.Time `json:"ended,omitzero"`
	StatusCode     int       `json:"status_code,omitempty"`
	Error          string    `json:"error,omitempty"`
	LatencyMS      int64     `json:"latency_ms"`
}

// ID is the attempt's unique id.
func (a Attempt) ID() string { return attemptID(a.DeliveryID, a.N) }

// Partner kinds.
const (
	Insurer  = "insurer"
	Pharmacy = "pharmacy"
)

// Partner is a system that sends the hospital webhooks: an insurer (linked to its billing payer) or an
// external pharmacy. Its secret is shown once and kept sealed.
type Partner struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	PayerID   string    `json:"payer_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Secret    string    `json:"-"`
}

// Receipt is an inbound webhook as received: stored once per (partner, webhook-id).
type Receipt struct {
	PartnerID string    `json:"partner_id"`
	MessageID string    `json:"message_id"`
	Type      string    `json:"type"`
	At        time.Time `json:"at"`
	// Outcome is "applied", "unchanged" (already so) or "rejected" (Detail says why).
	Outcome string `json:"outcome"`
	Status  int    `json:"status"`
	Detail  string `json:"detail,omitempty"`
}

// Store errors.
var (
	ErrNotFound  = fault.New(fault.ErrNotFound, "no such webhook subscription, delivery or partner")
	ErrDuplicate = errors.New("webhook: already stored")
)

// Store keeps subscriptions, deliveries, attempts, partners and receipts.
type Store interface {
	InsertSubscription(ctx context.Context, s Subscription) error
	Subscription(ctx context.Context, id string) (Subscription, error)
	Subscriptions(ctx context.Context) ([]Subscription, error)
	SetEnabled(ctx context.Context, id string, enabled bool) error
	DeleteSubscription(ctx context.Context, id string) error

	// InsertDelivery fails with ErrDuplicate when the delivery is stored already.
	InsertDelivery(ctx context.Context, d Delivery) error
	Delivery(ctx context.Context, id string) (Delivery, error)
	// Due returns up to limit pending deliveries whose NextAt is not after now.
	Due(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	// Deliveries returns a subscription's newest deliveries (state: any when empty).
	Deliveries(ctx context.Context, subscriptionID, state string, limit int) ([]Delivery, error)
	// SaveDelivery writes the delivery's state, counts and times.
	SaveDelivery(ctx context.Context, d Delivery) error

	// ClaimAttempt inserts a; it fails with ErrDuplicate when that attempt was claimed before.
	ClaimAttempt(ctx context.Context, a Attempt) error
	Attempt(ctx context.Context, id string) (Attempt, error)
	EndAttempt(ctx context.Context, a Attempt) error
	// Attempts returns a subscription's newest attempts.
	Attempts(ctx context.Context, subscriptionID string, limit int) ([]Attempt, error)

	InsertPartner(ctx context.Context, p Partner) error
	Partner(ctx context.Context, id string) (Partner, error)
	Partners(ctx context.Context) ([]Partner, error)
	// Receipt returns the receipt of a partner's webhook-id, ErrNotFound when there is none.
	Receipt(ctx context.Context, partnerID, messageID string) (Receipt, error)
	// InsertReceipt fails with ErrDuplicate when that webhook-id was received before.
	InsertReceipt(ctx context.Context, r Receipt) error
	Receipts(ctx context.Context, partnerID string, limit int) ([]Receipt, error)
}

func attemptID(deliveryID string, n int) string { return deliveryID + "|" + strconv.Itoa(n) }

// newSecret makes a whsec_ secret of 32 random bytes.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}
