package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/notify"
)

// colNotifyPref holds each user's notification preferences; its _id is the user's.
const colNotifyPref = "notification_prefs"

var preferenceIndexes = indexSet{
	colNotifyPref: {
		{Keys: bson.D{{Key: "on_call", Value: 1}}, Options: options.Index().SetName("on_call")},
	},
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
