package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/notify"
)

var _ notify.Store = (*Notifications)(nil)

// Notifications stores notifications.
type Notifications struct {
	gate *gate
	col  *mongo.Collection
}

// NewNotifications returns the notification store on db.
func NewNotifications(db *DB) *Notifications {
	return &Notifications{gate: db.gate, col: db.Collection(colNotifications)}
}

type notificationDoc struct {
	ID          string     `bson:"_id"`
	RecipientID string     `bson:"recipient_id"`
	SenderID    string     `bson:"sender_id"`
	Message     string     `bson:"message"`
	CreatedAt   time.Time  `bson:"created_at"`
	ReadAt      *time.Time `bson:"read_at,omitempty"`
}

// InsertNotification implements notify.Store.
func (s *Notifications) InsertNotification(ctx context.Context, n notify.Notification) error {
	leave := s.gate.enter()
	_, err := s.col.InsertOne(ctx, notificationDoc(n))
	leave()
	return wrap("insert notification", err)
}

// ListNotifications implements notify.Store.
func (s *Notifications) ListNotifications(ctx context.Context, recipientID string, skip, limit int) ([]notify.Notification, error) {
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).SetSkip(int64(skip)).SetLimit(int64(limit))
	cur, err := s.col.Find(ctx, bson.D{{Key: "recipient_id", Value: recipientID}}, opts)
	if err != nil {
		return nil, wrap("list notifications", err)
	}
	var docs []notificationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap("list notifications", err)
	}
	out := make([]notify.Notification, len(docs))
	for i, d := range docs {
		d.CreatedAt = d.CreatedAt.UTC()
		out[i] = notify.Notification(d)
	}
	return out, nil
}
