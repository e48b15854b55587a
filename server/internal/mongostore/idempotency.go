package mongostore

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"hms/server/internal/idem"
)

var _ idem.Store = (*idempotencyKeys)(nil)

// idempotencyKeys stores the Idempotency-Keys of one kind of request in one collection: _id is the
// scoped key, and the result's id is kept under the field that collection has always used
// (appointment_id in idempotency_keys, patient_id in patient_registration_keys), so keys claimed
// before this type existed still replay.
type idempotencyKeys struct {
	gate   *gate
	col    *mongo.Collection
	result string
}

// newIdempotencyKeys returns the keys stored in collection name, with the result's id in field result.
func newIdempotencyKeys(db *DB, name, result string) *idempotencyKeys {
	return &idempotencyKeys{gate: db.gate, col: db.Collection(name), result: result}
}

// ClaimKey implements idem.Store.
func (s *idempotencyKeys) ClaimKey(ctx context.Context, k idem.Key) (idem.Key, error) {
	leave := s.gate.enter()
	_, err := s.col.InsertOne(ctx, bson.D{{Key: "_id", Value: k.ID}, {Key: "fingerprint", Value: k.Fingerprint},
		{Key: s.result, Value: k.ResultID}, {Key: "at", Value: k.At}})
	leave()
	if !errors.Is(classify(err), errDuplicate) {
		return k, wrap("claim idempotency key", err)
	}
	// Released between the insert and this read: the first request failed, and a retry will claim it.
	d, err := findOne[bson.M](ctx, s.col, "find idempotency key", bson.D{{Key: "_id", Value: k.ID}}, idem.ErrInProgress)
	if err != nil {
		return idem.Key{}, err
	}
	prev := idem.Key{ID: k.ID}
	prev.Fingerprint, _ = d["fingerprint"].(string)
	prev.ResultID, _ = d[s.result].(string)
	if at, ok := d["at"].(bson.DateTime); ok {
		prev.At = at.Time().UTC()
	}
	return prev, idem.ErrClaimed
}

// CompleteKey implements idem.Store.
func (s *idempotencyKeys) CompleteKey(ctx context.Context, id, resultID string) error {
	leave := s.gate.enter()
	_, err := s.col.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: s.result, Value: resultID}}}})
	leave()
	return wrap("complete idempotency key", err)
}

// ReleaseKey implements idem.Store.
func (s *idempotencyKeys) ReleaseKey(ctx context.Context, id string) error {
	leave := s.gate.enter()
	_, err := s.col.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	leave()
	return wrap("delete idempotency key", err)
}
