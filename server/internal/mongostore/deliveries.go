package mongostore

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/notify"
	"hms/shared"
)

// Collections of a notification's deliveries: their state, their sealed messages kept apart, and the
// claims on each attempt.
const (
	colDeliveries = "notification_deliveries"
	colBodies     = "delivery_bodies"
	colAttempts   = "delivery_attempts"
)

var deliveryIndexes = indexSet{
	colDeliveries: {
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "next_at", Value: 1}}, Options: options.Index().SetName("status_next")},
		{Keys: bson.D{{Key: "notification_id", Value: 1}}, Options: options.Index().SetName("notification")},
		{Keys: bson.D{{Key: "created_at", Value: -1}}, Options: options.Index().SetName("created")},
	},
	colAttempts: {
		{Keys: bson.D{{Key: "delivery_id", Value: 1}, {Key: "n", Value: 1}},
			Options: options.Index().SetUnique(true).SetName("delivery_attempt_unique")},
	},
	colSendClaims: {
		{Keys: bson.D{{Key: "hour", Value: 1}}, Options: options.Index().SetName("hour")},
	},
}

type deliveryDoc struct {
	ID             string               `bson:"_id"`
	NotificationID string               `bson:"notification_id"`
	RecipientID    string               `bson:"recipient_id"`
	PatientID      string               `bson:"patient_id,omitempty"`
	Kind           string               `bson:"kind"`
	Channel        string               `bson:"channel"`
	To             string               `bson:"to"`
	Urgent         bool                 `bson:"urgent,omitempty"`
	Status         string               `bson:"status"`
	Attempts       int                  `bson:"attempts"`
	NextAt         time.Time            `bson:"next_at"`
	LastError      string               `bson:"last_error,omitempty"`
	ProviderID     string               `bson:"provider_id,omitempty"`
	SentAt         *time.Time           `bson:"sent_at,omitempty"`
	Log            []shared.DeliveryLog `bson:"log"`
	CreatedAt      time.Time            `bson:"created_at"`
	UpdatedAt      time.Time            `bson:"updated_at"`
}

// bodyDoc is a delivery's message, sealed; its id is the delivery's.
type bodyDoc struct {
	ID      string        `bson:"_id"`
	Subject bson.RawValue `bson:"subject,omitempty"`
	Text    bson.RawValue `bson:"text,omitempty"`
	HTML    bson.RawValue `bson:"html,omitempty"`
}

type attemptDoc struct {
	ID         string    `bson:"_id"`
	DeliveryID string    `bson:"delivery_id"`
	N          int       `bson:"n"`
	Instance   string    `bson:"instance"`
	At         time.Time `bson:"at"`
}

func (s *Notifications) deliveryToDoc(d notify.Delivery) (deliveryDoc, bodyDoc, error) {
	doc := deliveryDoc{ID: d.ID, NotificationID: d.NotificationID, RecipientID: d.RecipientID, PatientID: d.PatientID,
		Kind: d.Kind, Channel: d.Channel, To: d.To, Urgent: d.Urgent, Status: d.Status, Attempts: d.Attempts,
		NextAt: d.NextAt, LastError: d.LastError, ProviderID: d.ProviderID, SentAt: d.SentAt,
		Log: d.Log, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if doc.Log == nil {
		doc.Log = []shared.DeliveryLog{}
	}
	body := bodyDoc{ID: d.ID}
	var e1, e2, e3 error
	body.Subject, e1 = s.sealRaw(d.Subject, colBodies, d.ID, "subject")
	body.Text, e2 = s.sealRaw(d.Text, colBodies, d.ID, "text")
	body.HTML, e3 = s.sealRaw(d.HTML, colBodies, d.ID, "html")
	return doc, body, errors.Join(e1, e2, e3)
}

func (s *Notifications) deliveryFromDoc(doc deliveryDoc) notify.Delivery {
	d := notify.Delivery{ID: doc.ID, NotificationID: doc.NotificationID, RecipientID: doc.RecipientID, PatientID: doc.PatientID,
		Kind: doc.Kind, Channel: doc.Channel, To: doc.To, Urgent: doc.Urgent, Status: doc.Status, Attempts: doc.Attempts,
		NextAt: doc.NextAt.UTC(), LastError: doc.LastError, ProviderID: doc.ProviderID,
		SentAt: doc.SentAt, Log: doc.Log, CreatedAt: doc.CreatedAt.UTC(), UpdatedAt: doc.UpdatedAt.UTC()}
	for i := range d.Log {
		d.Log[i].At = d.Log[i].At.UTC()
	}
	return d
}

// Bodies implements notify.Store: one query for all of ds (on FerretDB a read costs a scan of the
// collection, and bodies are the large documents; DropBodies keeps the collection to what is pending).
func (s *Notifications) Bodies(ctx context.Context, ds []notify.Delivery) (map[string]bool, error) {
	missing := map[string]bool{}
	if len(ds) == 0 {
		return missing, nil
	}
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	bodies, err := findIn(ctx, s.bodies, "find delivery bodies", "_id", ids, nil, func(b bodyDoc) bodyDoc { return b })
	if err != nil {
		return nil, err
	}
	byID := make(map[string]bodyDoc, len(bodies))
	for _, b := range bodies {
		byID[b.ID] = b
	}
	for i := range ds {
		b, ok := byID[ds[i].ID]
		if !ok {
			missing[ds[i].ID] = true
			continue
		}
		var e1, e2, e3 error
		ds[i].Subject, e1 = openRaw(s.keys, b.Subject, fieldWhere(colBodies, b.ID, "subject"))
		ds[i].Text, e2 = openRaw(s.keys, b.Text, fieldWhere(colBodies, b.ID, "text"))
		ds[i].HTML, e3 = openRaw(s.keys, b.HTML, fieldWhere(colBodies, b.ID, "html"))
		if err := errors.Join(e1, e2, e3); err != nil {
			return nil, err
		}
	}
	return missing, nil
}

// DropBodies implements notify.Store.
func (s *Notifications) DropBodies(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	leave := s.gate.enter()
	defer leave()
	if len(ids) <= fewKeys { // one by one: an _id equality is answered by the index
		for _, id := range ids {
			if _, err := s.bodies.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
				return wrap("delete delivery body", err)
			}
		}
		return nil
	}
	_, err := s.bodies.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	return wrap("delete delivery bodies", err)
}

// Prune implements notify.Store: finished deliveries (sent, skipped) last changed before before go,
// with their attempt claims and any body left.
func (s *Notifications) Prune(ctx context.Context, before time.Time) (int, error) {
	if err := s.pruneSendClaims(ctx, before); err != nil {
		return 0, err
	}
	type idDoc struct {
		ID string `bson:"_id"`
	}
	filter := bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{shared.DeliverySent, shared.DeliverySkipped}}}},
		{Key: "updated_at", Value: bson.D{{Key: "$lt", Value: before}}}}
	ids, err := findAll(ctx, s.dels, "find deliveries to prune", filter,
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetLimit(5000), func(d idDoc) string { return d.ID })
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	in := bson.D{{Key: "$in", Value: ids}}
	leave := s.gate.enter()
	defer leave()
	for _, c := range []struct {
		col    *mongo.Collection
		filter bson.D
	}{{s.tries, bson.D{{Key: "delivery_id", Value: in}}}, {s.bodies, bson.D{{Key: "_id", Value: in}}}, {s.dels, bson.D{{Key: "_id", Value: in}}}} {
		if _, err := c.col.DeleteMany(ctx, c.filter); err != nil {
			return 0, wrap("prune "+c.col.Name(), err)
		}
	}
	return len(ids), nil
}

// DeliveriesOf implements notify.Store.
func (s *Notifications) DeliveriesOf(ctx context.Context, ids []string) (map[string][]notify.Delivery, error) {
	out := map[string][]notify.Delivery{}
	if len(ids) == 0 {
		return out, nil
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})
	docs, err := findIn(ctx, s.dels, "find deliveries", "notification_id", ids, opts, func(d deliveryDoc) deliveryDoc { return d })
	if err != nil {
		return nil, err
	}
	for _, doc := range docs {
		d := s.deliveryFromDoc(doc)
		out[d.NotificationID] = append(out[d.NotificationID], d)
	}
	return out, nil
}

// Due implements notify.Store. It asks once per state with an equality on status, which FerretDB hands
// to PostgreSQL, so the deliveries already sent (nearly all of them) are not read; the time bounds,
// order and limit are applied here.
func (s *Notifications) Due(ctx context.Context, now time.Time, limit int) ([]notify.Delivery, error) {
	var due []deliveryDoc
	for _, st := range []struct{ status, field string }{
		{shared.DeliveryQueued, "next_at"}, {shared.DeliveryRetrying, "next_at"},
	} {
		filter := bson.D{{Key: "status", Value: st.status}, {Key: st.field, Value: bson.D{{Key: "$lte", Value: now}}}}
		opts := options.Find().SetSort(bson.D{{Key: "urgent", Value: -1}, {Key: st.field, Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit))
		docs, err := findAll(ctx, s.dels, "find due deliveries", filter, opts, func(d deliveryDoc) deliveryDoc { return d })
		if err != nil {
			return nil, err
		}
		due = append(due, docs...)
	}
	// Urgent ones (emergency pages) first, then the longest waiting.
	slices.SortFunc(due, func(a, b deliveryDoc) int {
		if a.Urgent != b.Urgent {
			if a.Urgent {
				return -1
			}
			return 1
		}
		return cmp.Or(a.NextAt.Compare(b.NextAt), strings.Compare(a.ID, b.ID))
	})
	out := make([]notify.Delivery, 0, min(len(due), limit))
	for _, doc := range due[:min(len(due), limit)] {
		out = append(out, s.deliveryFromDoc(doc))
	}
	return out, nil
}

func attemptID(deliveryID string, n int) string { return deliveryID + "#" + strconv.Itoa(n) }

// ClaimAttempt implements notify.Store: an insert under the unique {delivery_id, n} index.
func (s *Notifications) ClaimAttempt(ctx context.Context, a notify.Attempt) error {
	leave := s.gate.enter()
	_, err := s.tries.InsertOne(ctx, attemptDoc{ID: attemptID(a.DeliveryID, a.N), DeliveryID: a.DeliveryID, N: a.N, Instance: a.Instance, At: a.At})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return notify.ErrAttemptTaken
	}
	return wrap("claim delivery attempt", err)
}

// AttemptClaim implements notify.Store.
func (s *Notifications) AttemptClaim(ctx context.Context, deliveryID string, n int) (notify.Attempt, error) {
	d, err := findOne[attemptDoc](ctx, s.tries, "find delivery attempt", bson.D{{Key: "_id", Value: attemptID(deliveryID, n)}}, notify.ErrNoDelivery)
	return notify.Attempt{DeliveryID: d.DeliveryID, N: d.N, Instance: d.Instance, At: d.At.UTC()}, err
}

// SaveDelivery implements notify.Store. Only the holder of the delivery's current attempt claim calls
// it (or an admin on a dead one), so the update does not race.
func (s *Notifications) SaveDelivery(ctx context.Context, d notify.Delivery, entry shared.DeliveryLog) error {
	set := bson.D{{Key: "status", Value: d.Status}, {Key: "attempts", Value: d.Attempts}, {Key: "next_at", Value: d.NextAt},
		{Key: "last_error", Value: d.LastError}, {Key: "provider_id", Value: d.ProviderID},
		{Key: "sent_at", Value: d.SentAt}, {Key: "updated_at", Value: d.UpdatedAt}}
	leave := s.gate.enter()
	_, err := s.dels.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}},
		bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: bson.D{{Key: "log", Value: entry}}}})
	leave()
	return wrap("save delivery", err)
}

// Delivery implements notify.Store.
func (s *Notifications) Delivery(ctx context.Context, id string) (notify.Delivery, error) {
	doc, err := findOne[deliveryDoc](ctx, s.dels, "find delivery", bson.D{{Key: "_id", Value: id}}, notify.ErrNoDelivery)
	if err != nil {
		return notify.Delivery{}, err
	}
	return s.deliveryFromDoc(doc), nil
}

// ListDeliveries implements notify.Store.
func (s *Notifications) ListDeliveries(ctx context.Context, status, channel string, skip, limit int) ([]notify.Delivery, int, error) {
	filter := bson.D{}
	if status != "" {
		filter = append(filter, bson.E{Key: "status", Value: status})
	}
	if channel != "" {
		filter = append(filter, bson.E{Key: "channel", Value: channel})
	}
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}).SetSkip(int64(skip)).SetLimit(int64(limit))
	docs, err := findAll(ctx, s.dels, "list deliveries", filter, opts, func(d deliveryDoc) deliveryDoc { return d })
	if err != nil {
		return nil, 0, err
	}
	var total int64
	err = retryRead(ctx, func() (err error) { total, err = s.dels.CountDocuments(ctx, filter); return err })
	if err != nil {
		return nil, 0, wrap("count deliveries", err)
	}
	out := make([]notify.Delivery, len(docs))
	for i, doc := range docs {
		out[i] = s.deliveryFromDoc(doc)
	}
	return out, int(total), nil
}

// DeliveryCount is how many deliveries of one channel are in one state.
type DeliveryCount struct {
	Channel string `bson:"channel"`
	Status  string `bson:"status"`
	N       int    `bson:"n"`
}

// CountDeliveries counts the deliveries by channel and state (one $group with one accumulator, which
// FerretDB computes correctly), for the metrics.
func (s *Notifications) CountDeliveries(ctx context.Context) ([]DeliveryCount, error) {
	pipeline := mongo.Pipeline{{{Key: "$group", Value: bson.D{
		{Key: "_id", Value: bson.D{{Key: "channel", Value: "$channel"}, {Key: "status", Value: "$status"}}},
		{Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}},
	}}}}
	var rows []struct {
		ID struct {
			Channel string `bson:"channel"`
			Status  string `bson:"status"`
		} `bson:"_id"`
		N int `bson:"n"`
	}
	err := retryRead(ctx, func() error {
		cur, err := s.dels.Aggregate(ctx, pipeline)
		if err != nil {
			return err
		}
		rows = rows[:0]
		return cur.All(ctx, &rows)
	})
	if err != nil {
		return nil, wrap("count deliveries", err)
	}
	out := make([]DeliveryCount, len(rows))
	for i, r := range rows {
		out[i] = DeliveryCount{Channel: r.ID.Channel, Status: r.ID.Status, N: r.N}
	}
	slices.SortFunc(out, func(a, b DeliveryCount) int {
		return cmp.Or(cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Status, b.Status))
	})
	return out, nil
}
