package mongostore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/notify"
)

// colSendClaims holds one document per message by email or SMS a sender sent in a clock hour, under
// the _id "<sender>@<hour>#<n>": the unique _id is what keeps a sender to NOTIFY_SEND_PER_HOUR on every
// instance together.
const colSendClaims = "notify_send_claims"

type sendClaimDoc struct {
	ID       string    `bson:"_id"`
	SenderID string    `bson:"sender_id"`
	Hour     time.Time `bson:"hour"`
	N        int       `bson:"n"`
	At       time.Time `bson:"at"`
}

// ClaimSend implements notify.Store: an insert under the unique _id (sender, hour, n).
func (s *Notifications) ClaimSend(ctx context.Context, c notify.SendClaim) error {
	id := c.SenderID + "@" + strconv.FormatInt(c.Hour.Unix(), 10) + "#" + strconv.Itoa(c.N)
	leave := s.gate.enter()
	_, err := s.db.Collection(colSendClaims).InsertOne(ctx, sendClaimDoc{ID: id, SenderID: c.SenderID, Hour: c.Hour, N: c.N, At: c.At})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return notify.ErrSendTaken
	}
	return wrap("claim a send", err)
}

// pruneSendClaims deletes the send claims of hours that ended before before.
func (s *Notifications) pruneSendClaims(ctx context.Context, before time.Time) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.db.Collection(colSendClaims).DeleteMany(ctx, bson.D{{Key: "hour", Value: bson.D{{Key: "$lt", Value: before.Add(-time.Hour)}}}})
	return wrap("prune send claims", err)
}
