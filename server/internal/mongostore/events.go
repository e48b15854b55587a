package mongostore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/event"
	"hms/shared"
)

var _ event.Store = (*Events)(nil)

// Events stores the live-event stream.
type Events struct {
	gate *gate
	col  *mongo.Collection
}

// NewEvents returns the event store on db.
func NewEvents(db *DB) *Events { return &Events{gate: db.gate, col: db.Collection(colEvents)} }

type eventDoc struct {
	Channel string    `bson:"channel"`
	Seq     int64     `bson:"seq"`
	Type    string    `bson:"type"`
	At      time.Time `bson:"at"`
	// Data is kept as the JSON text the event was published with, so replay sends the same bytes.
	Data string `bson:"data"`
}

// InsertEvent implements event.Store.
func (s *Events) InsertEvent(ctx context.Context, ev shared.Event) error {
	leave := s.gate.enter()
	_, err := s.col.InsertOne(ctx, eventDoc{Channel: ev.Channel, Seq: ev.Seq, Type: ev.Type, At: ev.At, Data: string(ev.Data)})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return event.ErrSeqTaken
	}
	return wrap("insert event", err)
}

// EventsAfter implements event.Store.
func (s *Events) EventsAfter(ctx context.Context, channel string, since int64, limit int) ([]shared.Event, error) {
	opts := options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}).SetLimit(int64(limit))
	cur, err := s.col.Find(ctx, bson.D{{Key: "channel", Value: channel}, {Key: "seq", Value: bson.D{{Key: "$gt", Value: since}}}}, opts)
	if err != nil {
		return nil, wrap("find events", err)
	}
	var docs []eventDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap("find events", err)
	}
	out := make([]shared.Event, len(docs))
	for i, d := range docs {
		out[i] = shared.Event{Channel: d.Channel, Seq: d.Seq, Type: d.Type, At: d.At.UTC(), Data: json.RawMessage(d.Data)}
	}
	return out, nil
}

// Head implements event.Store.
func (s *Events) Head(ctx context.Context, channel string) (int64, error) {
	var d eventDoc
	err := s.col.FindOne(ctx, bson.D{{Key: "channel", Value: channel}},
		options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}}).SetProjection(bson.D{{Key: "seq", Value: 1}})).Decode(&d)
	if errors.Is(classify(err), errNoDocument) {
		return 0, nil
	}
	if err != nil {
		return 0, wrap("find event head", err)
	}
	return d.Seq, nil
}

// PruneEvents implements event.Store. It works in Go rather than with an aggregation (FerretDB's
// $group with $max is not dependable): it reads the old events' channel and seq, then deletes per
// channel everything old below that channel's newest event.
func (s *Events) PruneEvents(ctx context.Context, cutoff time.Time) (int, error) {
	cur, err := s.col.Find(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: cutoff}}}},
		options.Find().SetProjection(bson.D{{Key: "channel", Value: 1}, {Key: "seq", Value: 1}}))
	if err != nil {
		return 0, wrap("find old events", err)
	}
	var docs []eventDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, wrap("find old events", err)
	}
	channels := map[string]bool{}
	for _, d := range docs {
		channels[d.Channel] = true
	}
	deleted := 0
	for ch := range channels {
		head, err := s.Head(ctx, ch)
		if err != nil {
			return deleted, err
		}
		leave := s.gate.enter()
		res, err := s.col.DeleteMany(ctx, bson.D{{Key: "channel", Value: ch},
			{Key: "at", Value: bson.D{{Key: "$lt", Value: cutoff}}}, {Key: "seq", Value: bson.D{{Key: "$lt", Value: head}}}})
		leave()
		if err != nil {
			return deleted, wrap("prune events", err)
		}
		deleted += int(res.DeletedCount)
	}
	return deleted, nil
}
