package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/seal"
	"hms/server/internal/webhook"
)

// The webhooks' collections. Deliveries are inserted under "<occurrence>|<subscription>" and attempts
// under "<delivery>|<n>", receipts under "<partner>|<webhook-id>": each insert is the claim.
const (
	colWebhookSubs       = "webhook_subscriptions"
	colWebhookDeliveries = "webhook_deliveries"
	colWebhookAttempts   = "webhook_attempts"
	colWebhookPartners   = "webhook_partners"
	colWebhookReceipts   = "webhook_receipts"
)

var webhookIndexes = indexSet{
	colWebhookDeliveries: {
		{Keys: bson.D{{Key: "state", Value: 1}, {Key: "next_at", Value: 1}}, Options: options.Index().SetName("due")},
		{Keys: bson.D{{Key: "subscription_id", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("subscription")},
	},
	colWebhookAttempts: {
		{Keys: bson.D{{Key: "subscription_id", Value: 1}, {Key: "at", Value: -1}}, Options: options.Index().SetName("subscription")},
	},
	colWebhookReceipts: {
		{Keys: bson.D{{Key: "partner_id", Value: 1}, {Key: "at", Value: -1}}, Options: options.Index().SetName("partner")},
	},
}

var _ webhook.Store = (*Webhooks)(nil)

// Webhooks stores webhook subscriptions, deliveries, attempts, partners and receipts; the secrets are
// sealed at rest.
type Webhooks struct {
	gate                                        *gate
	keys                                        *seal.Keyring
	subs, deliveries, attempts, partners, rcpts *mongo.Collection
}

// NewWebhooks returns the webhook store on db.
func NewWebhooks(db *DB, keys *seal.Keyring) *Webhooks {
	return &Webhooks{gate: db.gate, keys: keys, subs: db.Collection(colWebhookSubs), deliveries: db.Collection(colWebhookDeliveries),
		attempts: db.Collection(colWebhookAttempts), partners: db.Collection(colWebhookPartners), rcpts: db.Collection(colWebhookReceipts)}
}

type webhookSubDoc struct {
	ID          string     `bson:"_id"`
	URL         string     `bson:"url"`
	Description string     `bson:"description,omitempty"`
	Events      []string   `bson:"events"`
	Enabled     bool       `bson:"enabled"`
	CreatedAt   time.Time  `bson:"created_at"`
	CreatedBy   string     `bson:"created_by"`
	Secret      seal.Value `bson:"secret"`
}

type webhookDeliveryDoc struct {
	ID             string    `bson:"_id"`
	SubscriptionID string    `bson:"subscription_id"`
	EventType      string    `bson:"event_type"`
	Payload        []byte    `bson:"payload"`
	State          string    `bson:"state"`
	Attempts       int       `bson:"attempts"`
	Round          int       `bson:"round"`
	NextAt         time.Time `bson:"next_at"`
	CreatedAt      time.Time `bson:"created_at"`
	LastAt         time.Time `bson:"last_at,omitempty"`
	LastStatus     int       `bson:"last_status,omitempty"`
	LastError      string    `bson:"last_error,omitempty"`
}

type webhookAttemptDoc struct {
	ID             string    `bson:"_id"`
	DeliveryID     string    `bson:"delivery_id"`
	SubscriptionID string    `bson:"subscription_id"`
	EventType      string    `bson:"event_type"`
	N              int       `bson:"n"`
	At             time.Time `bson:"at"`
	Instance       string    `bson:"instance,omitempty"`
	Ended          time.Time `bson:"ended,omitempty"`
	StatusCode     int       `bson:"status_code,omitempty"`
	Error          string    `bson:"error,omitempty"`
	LatencyMS      int64     `bson:"latency_ms"`
}

type webhookPartnerDoc struct {
	ID        string     `bson:"_id"`
	Name      string     `bson:"name"`
	Kind      string     `bson:"kind"`
	PayerID   string     `bson:"payer_id,omitempty"`
	CreatedAt time.Time  `bson:"created_at"`
	CreatedBy string     `bson:"created_by"`
	Secret    seal.Value `bson:"secret"`
}

type webhookReceiptDoc struct {
	ID        string    `bson:"_id"`
	PartnerID string    `bson:"partner_id"`
	MessageID string    `bson:"message_id"`
	Type      string    `bson:"type"`
	At        time.Time `bson:"at"`
	Outcome   string    `bson:"outcome"`
	Status    int       `bson:"status"`
	Detail    string    `bson:"detail,omitempty"`
}

func webhookErr(what string, err error) error {
	switch classify(err) {
	case nil:
		return nil
	case errDuplicate:
		return webhook.ErrDuplicate
	case errNoDocument:
		return webhook.ErrNotFound
	}
	return wrap(what, err)
}

// InsertSubscription implements webhook.Store.
func (s *Webhooks) InsertSubscription(ctx context.Context, sub webhook.Subscription) error {
	secret, err := sealText(s.keys, sub.Secret, fieldWhere(colWebhookSubs, sub.ID, "secret"))
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	defer leave()
	_, err = s.subs.InsertOne(ctx, webhookSubDoc{ID: sub.ID, URL: sub.URL, Description: sub.Description, Events: sub.Events,
		Enabled: sub.Enabled, CreatedAt: sub.CreatedAt, CreatedBy: sub.CreatedBy, Secret: secret})
	return webhookErr("insert webhook subscription", err)
}

func (s *Webhooks) openSub(d webhookSubDoc) (webhook.Subscription, error) {
	secret, err := openText(s.keys, d.Secret, fieldWhere(colWebhookSubs, d.ID, "secret"))
	return webhook.Subscription{ID: d.ID, URL: d.URL, Description: d.Description, Events: d.Events, Enabled: d.Enabled,
		CreatedAt: d.CreatedAt, CreatedBy: d.CreatedBy, Secret: secret}, err
}

// Subscription implements webhook.Store.
func (s *Webhooks) Subscription(ctx context.Context, id string) (webhook.Subscription, error) {
	leave := s.gate.enter()
	d, err := findOne[webhookSubDoc](ctx, s.subs, "read webhook subscription", bson.D{{Key: "_id", Value: id}}, webhook.ErrNotFound)
	leave()
	if err != nil {
		return webhook.Subscription{}, err
	}
	return s.openSub(d)
}

// Subscriptions implements webhook.Store.
func (s *Webhooks) Subscriptions(ctx context.Context) ([]webhook.Subscription, error) {
	leave := s.gate.enter()
	defer leave()
	return findAllOpen(ctx, s.subs, "list webhook subscriptions", bson.D{}, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}), s.openSub)
}

// SetEnabled implements webhook.Store.
func (s *Webhooks) SetEnabled(ctx context.Context, id string, enabled bool) error {
	leave := s.gate.enter()
	defer leave()
	r, err := s.subs.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "enabled", Value: enabled}}}})
	if err == nil && r.MatchedCount == 0 {
		return webhook.ErrNotFound
	}
	return webhookErr("enable webhook subscription", err)
}

// DeleteSubscription implements webhook.Store.
func (s *Webhooks) DeleteSubscription(ctx context.Context, id string) error {
	leave := s.gate.enter()
	defer leave()
	r, err := s.subs.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err == nil && r.DeletedCount == 0 {
		return webhook.ErrNotFound
	}
	return webhookErr("delete webhook subscription", err)
}

func webhookDeliveryOf(d webhook.Delivery) webhookDeliveryDoc {
	return webhookDeliveryDoc{ID: d.ID, SubscriptionID: d.SubscriptionID, EventType: d.EventType, Payload: d.Payload, State: d.State,
		Attempts: d.Attempts, Round: d.Round, NextAt: d.NextAt, CreatedAt: d.CreatedAt, LastAt: d.LastAt, LastStatus: d.LastStatus, LastError: d.LastError}
}

func fromDeliveryDoc(d webhookDeliveryDoc) webhook.Delivery {
	return webhook.Delivery{ID: d.ID, SubscriptionID: d.SubscriptionID, EventType: d.EventType, Payload: d.Payload, State: d.State,
		Attempts: d.Attempts, Round: d.Round, NextAt: d.NextAt, CreatedAt: d.CreatedAt, LastAt: d.LastAt, LastStatus: d.LastStatus, LastError: d.LastError}
}

// InsertDelivery implements webhook.Store.
func (s *Webhooks) InsertDelivery(ctx context.Context, d webhook.Delivery) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.deliveries.InsertOne(ctx, webhookDeliveryOf(d))
	return webhookErr("insert webhook delivery", err)
}

// Delivery implements webhook.Store.
func (s *Webhooks) Delivery(ctx context.Context, id string) (webhook.Delivery, error) {
	leave := s.gate.enter()
	defer leave()
	d, err := findOne[webhookDeliveryDoc](ctx, s.deliveries, "read webhook delivery", bson.D{{Key: "_id", Value: id}}, webhook.ErrNotFound)
	return fromDeliveryDoc(d), err
}

// Due implements webhook.Store.
func (s *Webhooks) Due(ctx context.Context, now time.Time, limit int) ([]webhook.Delivery, error) {
	leave := s.gate.enter()
	defer leave()
	return findAll(ctx, s.deliveries, "due webhook deliveries",
		bson.D{{Key: "state", Value: webhook.Pending}, {Key: "next_at", Value: bson.D{{Key: "$lte", Value: now}}}},
		options.Find().SetSort(bson.D{{Key: "next_at", Value: 1}}).SetLimit(int64(limit)), fromDeliveryDoc)
}

// Deliveries implements webhook.Store.
func (s *Webhooks) Deliveries(ctx context.Context, subscriptionID, state string, limit int) ([]webhook.Delivery, error) {
	filter := bson.D{{Key: "subscription_id", Value: subscriptionID}}
	if state != "" {
		filter = append(filter, bson.E{Key: "state", Value: state})
	}
	leave := s.gate.enter()
	defer leave()
	return findAll(ctx, s.deliveries, "list webhook deliveries", filter,
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(int64(limit)), fromDeliveryDoc)
}

// SaveDelivery implements webhook.Store.
func (s *Webhooks) SaveDelivery(ctx context.Context, d webhook.Delivery) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.deliveries.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "state", Value: d.State}, {Key: "attempts", Value: d.Attempts}, {Key: "round", Value: d.Round},
		{Key: "next_at", Value: d.NextAt}, {Key: "last_at", Value: d.LastAt}, {Key: "last_status", Value: d.LastStatus},
		{Key: "last_error", Value: d.LastError}}}})
	return webhookErr("save webhook delivery", err)
}

func webhookAttemptOf(a webhook.Attempt) webhookAttemptDoc {
	return webhookAttemptDoc{ID: a.ID(), DeliveryID: a.DeliveryID, SubscriptionID: a.SubscriptionID, EventType: a.EventType, N: a.N,
		At: a.At, Instance: a.Instance, Ended: a.Ended, StatusCode: a.StatusCode, Error: a.Error, LatencyMS: a.LatencyMS}
}

func fromAttemptDoc(d webhookAttemptDoc) webhook.Attempt {
	return webhook.Attempt{DeliveryID: d.DeliveryID, SubscriptionID: d.SubscriptionID, EventType: d.EventType, N: d.N, At: d.At,
		Instance: d.Instance, Ended: d.Ended, StatusCode: d.StatusCode, Error: d.Error, LatencyMS: d.LatencyMS}
}

// ClaimAttempt implements webhook.Store.
func (s *Webhooks) ClaimAttempt(ctx context.Context, a webhook.Attempt) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.attempts.InsertOne(ctx, webhookAttemptOf(a))
	return webhookErr("claim webhook attempt", err)
}

// Attempt implements webhook.Store.
func (s *Webhooks) Attempt(ctx context.Context, id string) (webhook.Attempt, error) {
	leave := s.gate.enter()
	defer leave()
	d, err := findOne[webhookAttemptDoc](ctx, s.attempts, "read webhook attempt", bson.D{{Key: "_id", Value: id}}, webhook.ErrNotFound)
	return fromAttemptDoc(d), err
}

// EndAttempt implements webhook.Store.
func (s *Webhooks) EndAttempt(ctx context.Context, a webhook.Attempt) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.attempts.UpdateOne(ctx, bson.D{{Key: "_id", Value: a.ID()}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "ended", Value: a.Ended}, {Key: "status_code", Value: a.StatusCode}, {Key: "error", Value: a.Error},
		{Key: "latency_ms", Value: a.LatencyMS}}}})
	return webhookErr("end webhook attempt", err)
}

// Attempts implements webhook.Store.
func (s *Webhooks) Attempts(ctx context.Context, subscriptionID string, limit int) ([]webhook.Attempt, error) {
	leave := s.gate.enter()
	defer leave()
	return findAll(ctx, s.attempts, "list webhook attempts", bson.D{{Key: "subscription_id", Value: subscriptionID}},
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}}).SetLimit(int64(limit)), fromAttemptDoc)
}

// InsertPartner implements webhook.Store.
func (s *Webhooks) InsertPartner(ctx context.Context, p webhook.Partner) error {
	secret, err := sealText(s.keys, p.Secret, fieldWhere(colWebhookPartners, p.ID, "secret"))
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	defer leave()
	_, err = s.partners.InsertOne(ctx, webhookPartnerDoc{ID: p.ID, Name: p.Name, Kind: p.Kind, PayerID: p.PayerID,
		CreatedAt: p.CreatedAt, CreatedBy: p.CreatedBy, Secret: secret})
	return webhookErr("insert webhook partner", err)
}

func (s *Webhooks) openPartner(d webhookPartnerDoc) (webhook.Partner, error) {
	secret, err := openText(s.keys, d.Secret, fieldWhere(colWebhookPartners, d.ID, "secret"))
	return webhook.Partner{ID: d.ID, Name: d.Name, Kind: d.Kind, PayerID: d.PayerID, CreatedAt: d.CreatedAt, CreatedBy: d.CreatedBy, Secret: secret}, err
}

// Partner implements webhook.Store.
func (s *Webhooks) Partner(ctx context.Context, id string) (webhook.Partner, error) {
	leave := s.gate.enter()
	d, err := findOne[webhookPartnerDoc](ctx, s.partners, "read webhook partner", bson.D{{Key: "_id", Value: id}}, webhook.ErrNotFound)
	leave()
	if err != nil {
		return webhook.Partner{}, err
	}
	return s.openPartner(d)
}

// Partners implements webhook.Store.
func (s *Webhooks) Partners(ctx context.Context) ([]webhook.Partner, error) {
	leave := s.gate.enter()
	defer leave()
	return findAllOpen(ctx, s.partners, "list webhook partners", bson.D{}, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}), s.openPartner)
}

func fromReceiptDoc(d webhookReceiptDoc) webhook.Receipt {
	return webhook.Receipt{PartnerID: d.PartnerID, MessageID: d.MessageID, Type: d.Type, At: d.At, Outcome: d.Outcome, Status: d.Status, Detail: d.Detail}
}

// Receipt implements webhook.Store.
func (s *Webhooks) Receipt(ctx context.Context, partnerID, messageID string) (webhook.Receipt, error) {
	leave := s.gate.enter()
	defer leave()
	d, err := findOne[webhookReceiptDoc](ctx, s.rcpts, "read webhook receipt", bson.D{{Key: "_id", Value: partnerID + "|" + messageID}}, webhook.ErrNotFound)
	if errors.Is(err, webhook.ErrNotFound) {
		return webhook.Receipt{}, err
	}
	return fromReceiptDoc(d), err
}

// InsertReceipt implements webhook.Store.
func (s *Webhooks) InsertReceipt(ctx context.Context, r webhook.Receipt) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.rcpts.InsertOne(ctx, webhookReceiptDoc{ID: r.PartnerID + "|" + r.MessageID, PartnerID: r.PartnerID, MessageID: r.MessageID,
		Type: r.Type, At: r.At, Outcome: r.Outcome, Status: r.Status, Detail: r.Detail})
	return webhookErr("insert webhook receipt", err)
}

// Receipts implements webhook.Store.
func (s *Webhooks) Receipts(ctx context.Context, partnerID string, limit int) ([]webhook.Receipt, error) {
	leave := s.gate.enter()
	defer leave()
	return findAll(ctx, s.rcpts, "list webhook receipts", bson.D{{Key: "partner_id", Value: partnerID}},
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}}).SetLimit(int64(limit)), fromReceiptDoc)
}
