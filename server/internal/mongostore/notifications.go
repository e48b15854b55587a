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
	"hms/server/internal/seal"
	"hms/shared"
)

var _ notify.Store = (*Notifications)(nil)

// Collections of the notification service (notifications itself is colNotifications).
const (
	colDeliveries = "notification_deliveries"
	colBodies     = "delivery_bodies"
	colAttempts   = "delivery_attempts"
	colNotifyPref = "notification_prefs"
)

var notifyIndexes = indexSet{
	colDeliveries: {
		mongo.IndexModel{Keys: bson.D{{Key: "status", Value: 1}, {Key: "next_at", Value: 1}}, Options: options.Index().SetName("status_next")},
		mongo.IndexModel{Keys: bson.D{{Key: "notification_id", Value: 1}}, Options: options.Index().SetName("notification")},
		mongo.IndexModel{Keys: bson.D{{Key: "created_at", Value: -1}}, Options: options.Index().SetName("created")},
	},
	colAttempts: {
		mongo.IndexModel{Keys: bson.D{{Key: "delivery_id", Value: 1}, {Key: "n", Value: 1}},
			Options: options.Index().SetUnique(true).SetName("delivery_attempt_unique")},
	},
	colNotifyPref: {
		mongo.IndexModel{Keys: bson.D{{Key: "on_call", Value: 1}}, Options: options.Index().SetName("on_call")},
	},
}

// Notifications stores notifications, their deliveries, attempt claims and preferences. Messages,
// subjects and delivery bodies are sealed: a notification can say what a patient is treated for.
type Notifications struct {
	gate *gate
	db   *DB
	col  *mongo.Collection
	dels *mongo.Collection
	// bodies holds each delivery's message, apart from its state: the state is updated at every
	// attempt, and FerretDB rewrites a whole document on each update.
	bodies *mongo.Collection
	tries  *mongo.Collection
	prefs  *mongo.Collection
	keys   *seal.Keyring
}

// NewNotifications returns the notification store on db.
func NewNotifications(db *DB, keys *seal.Keyring) *Notifications {
	return &Notifications{gate: db.gate, db: db, col: db.Collection(colNotifications), dels: db.Collection(colDeliveries),
		bodies: db.Collection(colBodies), tries: db.Collection(colAttempts), prefs: db.Collection(colNotifyPref), keys: keys}
}

type notificationDoc struct {
	ID          string        `bson:"_id"`
	RecipientID string        `bson:"recipient_id"`
	PatientID   string        `bson:"patient_id,omitempty"`
	SenderID    string        `bson:"sender_id"`
	Kind        string        `bson:"kind,omitempty"`
	Subject     bson.RawValue `bson:"subject,omitempty"`
	Message     bson.RawValue `bson:"message"`
	CreatedAt   time.Time     `bson:"created_at"`
	ReadAt      *time.Time    `bson:"read_at"`
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

type prefsDoc struct {
	ID         string    `bson:"_id"`
	Email      bool      `bson:"email"`
	SMS        bool      `bson:"sms"`
	Phone      string    `bson:"phone,omitempty"`
	QuietStart string    `bson:"quiet_start,omitempty"`
	QuietEnd   string    `bson:"quiet_end,omitempty"`
	OnCall     bool      `bson:"on_call"`
	UpdatedAt  time.Time `bson:"updated_at"`
}

// Rekey seals every notification's subject and message, and every delivery's subject and body,
// again under the active key (hms rekey).
func (s *Notifications) Rekey(ctx context.Context, progress func(collection string, scanned, resealed int)) (int, error) {
	total := 0
	for _, c := range []struct {
		col    *mongo.Collection
		fields []string
	}{{s.col, []string{"subject", "message"}}, {s.bodies, []string{"subject", "text", "html"}}} {
		scanned, resealed, err := rekeyFields(ctx, s.gate, s.keys, c.col, nil, c.fields...)
		total += resealed
		if err != nil {
			return total, err
		}
		if progress != nil {
			progress(c.col.Name(), scanned, resealed)
		}
	}
	return total, nil
}

// sealRaw seals text for where as a stored value; empty text is stored as nothing.
func (s *Notifications) sealRaw(text, col, id, field string) (bson.RawValue, error) {
	if text == "" {
		return bson.RawValue{}, nil
	}
	v, err := sealText(s.keys, text, fieldWhere(col, id, field))
	if err != nil {
		return bson.RawValue{}, err
	}
	t, b, err := bson.MarshalValue(v)
	return bson.RawValue{Type: t, Value: b}, err
}

func (s *Notifications) toDoc(n notify.Notification) (notificationDoc, error) {
	d := notificationDoc{ID: n.ID, RecipientID: n.RecipientID, PatientID: n.PatientID, SenderID: n.SenderID, Kind: n.Kind,
		CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
	var err1, err2 error
	d.Subject, err1 = s.sealRaw(n.Subject, colNotifications, n.ID, "subject")
	d.Message, err2 = s.sealRaw(n.Message, colNotifications, n.ID, "message")
	return d, errors.Join(err1, err2)
}

func (s *Notifications) fromDoc(d notificationDoc) (notify.Notification, error) {
	n := notify.Notification{ID: d.ID, RecipientID: d.RecipientID, PatientID: d.PatientID, SenderID: d.SenderID, Kind: d.Kind,
		CreatedAt: d.CreatedAt.UTC(), ReadAt: d.ReadAt}
	var err1, err2 error
	n.Subject, err1 = openRaw(s.keys, d.Subject, fieldWhere(colNotifications, d.ID, "subject"))
	n.Message, err2 = openRaw(s.keys, d.Message, fieldWhere(colNotifications, d.ID, "message"))
	if n.ReadAt != nil {
		t := n.ReadAt.UTC()
		n.ReadAt = &t
	}
	return n, errors.Join(err1, err2)
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

// insertAll inserts docs unordered and returns the indexes of those that were new; duplicates (stored
// before, by this or another instance) are not errors.
func (s *Notifications) insertAll(ctx context.Context, col *mongo.Collection, docs []any) (map[int]bool, error) {
	out := make(map[int]bool, len(docs))
	if len(docs) == 0 {
		return out, nil
	}
	for i := range docs {
		out[i] = true
	}
	leave := s.gate.enter()
	_, err := col.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	leave()
	if err == nil {
		return out, nil
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			if !errors.Is(classify(we), errDuplicate) && !mongo.IsDuplicateKeyError(we) {
				return nil, wrap("insert "+col.Name(), err)
			}
			delete(out, we.Index)
		}
		return out, nil
	}
	if len(docs) == 1 && errors.Is(classify(err), errDuplicate) {
		return map[int]bool{}, nil
	}
	return nil, wrap("insert "+col.Name(), err)
}

// Insert implements notify.Store: the deliveries' bodies, the deliveries, then the notifications, so
// that a notification that exists has all its deliveries, and a delivery its body (a crash in between
// is repaired by making the notification again).
func (s *Notifications) Insert(ctx context.Context, ns []notify.Notification, ds []notify.Delivery) (map[string]bool, error) {
	for start := 0; start < len(ds); start += 500 {
		docs, bodies := make([]any, 0, 500), make([]any, 0, 500)
		for _, d := range ds[start:min(start+500, len(ds))] {
			doc, body, err := s.deliveryToDoc(d)
			if err != nil {
				return nil, err
			}
			docs = append(docs, doc)
			if d.Status != shared.DeliverySkipped { // a skipped one is never sent
				bodies = append(bodies, body)
			}
		}
		if _, err := s.insertAll(ctx, s.bodies, bodies); err != nil {
			return nil, err
		}
		if _, err := s.insertAll(ctx, s.dels, docs); err != nil {
			return nil, err
		}
	}
	inserted := make(map[string]bool, len(ns))
	for start := 0; start < len(ns); start += 500 {
		part := ns[start:min(start+500, len(ns))]
		batch := make([]any, 0, len(part))
		for _, n := range part {
			doc, err := s.toDoc(n)
			if err != nil {
				return nil, err
			}
			batch = append(batch, doc)
		}
		fresh, err := s.insertAll(ctx, s.col, batch)
		if err != nil {
			return nil, err
		}
		for i := range fresh {
			inserted[part[i].ID] = true
		}
	}
	return inserted, nil
}

func (s *Notifications) decodeAll(docs []notificationDoc) ([]notify.Notification, error) {
	out := make([]notify.Notification, len(docs))
	for i, d := range docs {
		n, err := s.fromDoc(d)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func unreadOf(recipientID string) bson.D {
	return bson.D{{Key: "recipient_id", Value: recipientID}, {Key: "read_at", Value: nil}}
}

// List implements notify.Store.
func (s *Notifications) List(ctx context.Context, recipientID string, unreadOnly bool, skip, limit int) ([]notify.Notification, int, error) {
	filter := bson.D{{Key: "recipient_id", Value: recipientID}}
	if unreadOnly {
		filter = unreadOf(recipientID)
	}
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).SetSkip(int64(skip)).SetLimit(int64(limit))
	docs, err := findAll(ctx, s.col, "list notifications", filter, opts, func(d notificationDoc) notificationDoc { return d })
	if err != nil {
		return nil, 0, err
	}
	out, err := s.decodeAll(docs)
	if err != nil {
		return nil, 0, err
	}
	unread, err := s.Unread(ctx, recipientID)
	return out, unread, err
}

// Unread implements notify.Store.
func (s *Notifications) Unread(ctx context.Context, recipientID string) (int, error) {
	var n int64
	err := retryRead(ctx, func() (err error) {
		n, err = s.col.CountDocuments(ctx, unreadOf(recipientID))
		return err
	})
	return int(n), wrap("count unread notifications", err)
}

// Notification implements notify.Store.
func (s *Notifications) Notification(ctx context.Context, id string) (notify.Notification, error) {
	d, err := findOne[notificationDoc](ctx, s.col, "find notification", bson.D{{Key: "_id", Value: id}}, notify.ErrNotFound)
	if err != nil {
		return notify.Notification{}, err
	}
	return s.fromDoc(d)
}

// Existing implements notify.Store.
func (s *Notifications) Existing(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	type idDoc struct {
		ID string `bson:"_id"`
	}
	for start := 0; start < len(ids); start += 1000 {
		found, err := findIn(ctx, s.col, "find notifications", "_id", ids[start:min(start+1000, len(ids))],
			options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), func(d idDoc) string { return d.ID })
		if err != nil {
			return nil, err
		}
		for _, id := range found {
			out[id] = true
		}
	}
	return out, nil
}

// MarkRead implements notify.Store. Setting read_at is the same write whoever makes it, so two
// screens marking at once cannot lose anything that matters.
func (s *Notifications) MarkRead(ctx context.Context, recipientID string, ids []string, at time.Time) ([]string, error) {
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "read_at", Value: at}}}}
	if ids != nil && len(ids) <= fewKeys { // one by one: an _id equality is answered by the index
		marked := []string{}
		for _, id := range ids {
			leave := s.gate.enter()
			res, err := s.col.UpdateOne(ctx, append(bson.D{{Key: "_id", Value: id}}, unreadOf(recipientID)...), set)
			leave()
			if err != nil {
				return marked, wrap("mark notification read", err)
			}
			if res.ModifiedCount > 0 {
				marked = append(marked, id)
			}
		}
		return marked, nil
	}
	filter := unreadOf(recipientID)
	if ids != nil {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}})
	}
	type idDoc struct {
		ID string `bson:"_id"`
	}
	found, err := findAll(ctx, s.col, "find unread notifications", filter,
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), func(d idDoc) string { return d.ID })
	if err != nil || len(found) == 0 {
		return []string{}, err
	}
	leave := s.gate.enter()
	_, err = s.col.UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: found}}}}, set)
	leave()
	return found, wrap("mark notifications read", err)
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

// Preferences implements notify.Store.
func (s *Notifications) Preferences(ctx context.Context, userIDs []string) (map[string]notify.Preferences, error) {
	out := map[string]notify.Preferences{}
	if len(userIDs) == 0 {
		return out, nil
	}
	docs, err := findIn(ctx, s.prefs, "find notification preferences", "_id", uniq(userIDs), nil, func(d prefsDoc) prefsDoc { return d })
	for _, d := range docs {
		out[d.ID] = notify.Preferences{Email: d.Email, SMS: d.SMS, Phone: d.Phone, QuietStart: d.QuietStart, QuietEnd: d.QuietEnd, OnCall: d.OnCall}
	}
	return out, err
}

// SetPreferences implements notify.Store: the user replaces their own document.
func (s *Notifications) SetPreferences(ctx context.Context, userID string, p notify.Preferences) error {
	doc := prefsDoc{ID: userID, Email: p.Email, SMS: p.SMS, Phone: p.Phone, QuietStart: p.QuietStart, QuietEnd: p.QuietEnd,
		OnCall: p.OnCall, UpdatedAt: time.Now().UTC()}
	leave := s.gate.enter()
	_, err := s.prefs.ReplaceOne(ctx, bson.D{{Key: "_id", Value: userID}}, doc, options.Replace().SetUpsert(true))
	leave()
	return wrap("save notification preferences", err)
}

// OnCall implements notify.Store.
func (s *Notifications) OnCall(ctx context.Context) ([]string, error) {
	return findAll(ctx, s.prefs, "find on-call users", bson.D{{Key: "on_call", Value: true}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), func(d prefsDoc) string { return d.ID })
}

// Contacts implements notify.Store: accounts (name, email, role) and patient records (name, phone, and
// their account's email).
func (s *Notifications) Contacts(ctx context.Context, userIDs, patientIDs []string) (map[string]notify.Contact, map[string]notify.Contact, error) {
	byPatient := map[string]notify.Contact{}
	if len(patientIDs) > 0 {
		type pdoc struct {
			ID     string `bson:"_id"`
			UserID string `bson:"user_id"`
			Name   string `bson:"name"`
			Email  string `bson:"email"`
			Phone  string `bson:"phone"`
		}
		docs, err := findIn(ctx, s.db.Collection(colPatients), "find patient contacts", "_id", uniq(patientIDs),
			options.Find().SetProjection(bson.D{{Key: "user_id", Value: 1}, {Key: "name", Value: 1}, {Key: "email", Value: 1}, {Key: "phone", Value: 1}}),
			func(d pdoc) pdoc { return d })
		if err != nil {
			return nil, nil, err
		}
		for _, d := range docs {
			byPatient[d.ID] = notify.Contact{UserID: d.UserID, PatientID: d.ID, Name: d.Name, Email: d.Email, Phone: d.Phone, Role: shared.RolePatient}
			if d.UserID != "" {
				userIDs = append(userIDs, d.UserID)
			}
		}
	}
	byUser := map[string]notify.Contact{}
	if len(userIDs) > 0 {
		docs, err := findIn(ctx, s.db.Collection(colUsers), "find user contacts", "_id", uniq(userIDs),
			options.Find().SetProjection(bson.D{{Key: "password_hash", Value: 0}}), func(d userDoc) userDoc { return d })
		if err != nil {
			return nil, nil, err
		}
		for _, d := range docs {
			byUser[d.ID] = notify.Contact{UserID: d.ID, PatientID: d.PatientID, Name: d.Name, Email: d.Email, Role: shared.Role(d.Role), Disabled: d.Disabled}
		}
	}
	for id, c := range byPatient {
		if u, ok := byUser[c.UserID]; ok {
			c.Email, c.Disabled = u.Email, u.Disabled
			byPatient[id] = c
		}
	}
	return byUser, byPatient, nil
}

// ActiveUsers implements notify.Store.
func (s *Notifications) ActiveUsers(ctx context.Context, after string, limit int) ([]string, error) {
	filter := bson.D{{Key: "disabled", Value: false}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}}
	return findAll(ctx, s.db.Collection(colUsers), "list active users", filter,
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)),
		func(d userDoc) string { return d.ID })
}

func uniq(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
