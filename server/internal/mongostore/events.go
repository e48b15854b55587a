package mongostore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/event"
	"hms/shared"
)

var _ event.Store = (*Events)(nil)

// Events stores the live-event stream. An event's _id is its channel and zero-padded seq, and
// `event_heads` keeps, per channel, a recent seq: finding a channel's head is then a few lookups by _id
// (the only query FerretDB's SQLite backend answers without reading the whole collection), not a scan
// of every event, which took a second per new channel at 15,000 events.
type Events struct {
	gate       *gate
	col, heads *mongo.Collection
	migrations *mongo.Collection
}

// NewEvents returns the event store on db.
func NewEvents(db *DB) *Events {
	return &Events{gate: db.gate, col: db.Collection(colEvents), heads: db.Collection(colEventHeads),
		migrations: db.Collection(colMigrations)}
}

func eventID(channel string, seq int64) string { return fmt.Sprintf("%s#%012d", channel, seq) }

type eventDoc struct {
	ID      any       `bson:"_id,omitempty"` // eventID; events stored before it are ObjectIDs
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
	_, err := s.col.InsertOne(ctx, eventDoc{ID: eventID(ev.Channel, ev.Seq), Channel: ev.Channel, Seq: ev.Seq, Type: ev.Type,
		At: ev.At, Data: string(ev.Data)})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return event.ErrSeqTaken
	}
	if err != nil {
		return wrap("insert event", err)
	}
	// The hint is written for a channel's first event and then every headEvery events: Head looks up
	// at most that many events by _id, and publishing does not pay a second write per event.
	if ev.Seq == 1 || ev.Seq%headEvery == 0 {
		return s.setHead(ctx, ev.Channel, ev.Seq)
	}
	return nil
}

// headEvery is how often a channel's head hint is brought up to date.
const headEvery = 32

// setHead records seq as the channel's head hint. A hint that lags (a lost race between two
// numbering paths, a crash before this write) only costs Head a few more lookups.
func (s *Events) setHead(ctx context.Context, channel string, seq int64) error {
	leave := s.gate.enter()
	_, err := s.heads.UpdateOne(ctx, bson.D{{Key: "_id", Value: channel}}, bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: seq}}}},
		options.UpdateOne().SetUpsert(true))
	leave()
	return wrap("record event head", err)
}

// EventsAfter implements event.Store. The first few events are looked up by _id one after the other
// (the common replay is a handful, or none); a longer replay, or a lookup that misses before the
// channel's head (older documents without such an _id, a number lost to a failed insert), takes the
// rest from one query on the channel.
func (s *Events) EventsAfter(ctx context.Context, channel string, since int64, limit int) ([]shared.Event, error) {
	var out []shared.Event
	for seq := since + 1; len(out) < min(limit, replayLookups); seq++ {
		d, err := findOne[eventDoc](ctx, s.col, "find event", bson.D{{Key: "_id", Value: eventID(channel, seq)}}, errNoDocument)
		if errors.Is(err, errNoDocument) {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append(out, d.event())
	}
	if len(out) == limit {
		return out, nil
	}
	head, err := s.Head(ctx, channel)
	if err != nil {
		return nil, err
	}
	last := since + int64(len(out))
	if head <= last {
		return out, nil
	}
	rest, err := findAll(ctx, s.col, "find events",
		bson.D{{Key: "channel", Value: channel}, {Key: "seq", Value: bson.D{{Key: "$gt", Value: last}}}},
		options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}).SetLimit(int64(limit-len(out))), eventDoc.event)
	return append(out, rest...), err
}

// replayLookups is how many events a replay looks up by _id before it queries the channel instead.
const replayLookups = 16

func (d eventDoc) event() shared.Event {
	return shared.Event{Channel: d.Channel, Seq: d.Seq, Type: d.Type, At: d.At.UTC(), Data: json.RawMessage(d.Data)}
}

// Head implements event.Store: the hint, then forward while the next event exists. Every channel with
// events has a hint (written with each event, by MigrateHeads for older data, and by pruning), so a
// channel without one has no events.
func (s *Events) Head(ctx context.Context, channel string) (int64, error) {
	h, err := findOne[struct {
		Seq int64 `bson:"seq"`
	}](ctx, s.heads, "find event head", bson.D{{Key: "_id", Value: channel}}, nil)
	if err != nil {
		return 0, err
	}
	head := h.Seq
	for {
		_, err := findOne[struct {
			ID string `bson:"_id"`
		}](ctx, s.col, "find event", bson.D{{Key: "_id", Value: eventID(channel, head+1)}}, errNoDocument)
		if errors.Is(err, errNoDocument) {
			return head, nil
		}
		if err != nil {
			return 0, err
		}
		head++
	}
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
		// The newest event survives, but the hint must not depend on the older ones.
		if err := s.setHead(ctx, ch, head); err != nil {
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

// EraseEvents implements event.Store: one update of the matching events (a scan of the collection,
// which erasure, being rare, can afford). The data is matched as text ($regex on the quoted mention).
func (s *Events) EraseEvents(ctx context.Context, channels, mentions []string) (int, error) {
	or := bson.A{bson.D{{Key: "channel", Value: bson.D{{Key: "$in", Value: channels}}}}}
	for _, m := range mentions {
		or = append(or, bson.D{{Key: "data", Value: bson.D{{Key: "$regex", Value: regexp.QuoteMeta(m)}}}})
	}
	leave := s.gate.enter()
	res, err := s.col.UpdateMany(ctx, bson.D{{Key: "type", Value: bson.D{{Key: "$ne", Value: shared.EventErased}}}, {Key: "$or", Value: or}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "type", Value: shared.EventErased}, {Key: "data", Value: "{}"}}}})
	leave()
	if err != nil {
		return 0, wrap("erase events", err)
	}
	return int(res.ModifiedCount), nil
}

// MigrateHeads writes the head hint of every channel whose events were stored before hints existed.
// It runs once per database (recorded in `migrations`); running it twice, or on several instances at
// once, is harmless.
func (s *Events) MigrateHeads(ctx context.Context) error {
	const name = "event_heads_v1"
	err := s.migrations.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(classify(err), errNoDocument) {
		return wrap("read migrations", err)
	}
	cur, err := s.col.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "channel", Value: 1}, {Key: "seq", Value: 1}}))
	if err != nil {
		return wrap("read events", err)
	}
	var docs []eventDoc
	if err := cur.All(ctx, &docs); err != nil {
		return wrap("read events", err)
	}
	heads := map[string]int64{}
	for _, d := range docs {
		heads[d.Channel] = max(heads[d.Channel], d.Seq)
	}
	for ch, seq := range heads {
		if err := s.setHead(ctx, ch, seq); err != nil {
			return err
		}
	}
	leave := s.gate.enter()
	_, err = s.migrations.InsertOne(ctx, bson.D{{Key: "_id", Value: name}, {Key: "at", Value: time.Now().UTC()}})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return nil
	}
	return wrap("record migration", err)
}
