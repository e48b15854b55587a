package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/notify"
	"hms/server/internal/seal"
	"hms/shared"
)

var _ notify.Store = (*Notifications)(nil)

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
