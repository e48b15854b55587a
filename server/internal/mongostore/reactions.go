package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/reaction"
)

// The reaction bus's collections: occurrences of events with Must reactions, and the attempts of each
// reaction, each claimed by insert under its unique _id.
const (
	colOccurrences      = "reaction_occurrences"
	colReactionAttempts = "reaction_attempts"
)

var reactionIndexes = indexSet{
	colOccurrences: {
		{Keys: bson.D{{Key: "finished_at", Value: 1}, {Key: "at", Value: 1}}, Options: options.Index().SetName("finished_time")},
	},
	colReactionAttempts: {
		{Keys: bson.D{{Key: "occurrence", Value: 1}}, Options: options.Index().SetName("occurrence")},
	},
}

var _ reaction.Store = (*Reactions)(nil)

// Reactions stores the reaction bus's occurrences and attempts.
type Reactions struct {
	gate                  *gate
	occurrences, attempts *mongo.Collection
}

// NewReactions returns the reaction store on db.
func NewReactions(db *DB) *Reactions {
	return &Reactions{gate: db.gate, occurrences: db.Collection(colOccurrences), attempts: db.Collection(colReactionAttempts)}
}

type occurrenceDoc struct {
	ID         string     `bson:"_id"`
	Type       string     `bson:"type"`
	Data       []byte     `bson:"data"`
	At         time.Time  `bson:"at"`
	Happened   bool       `bson:"happened,omitempty"`
	FinishedAt *time.Time `bson:"finished_at,omitempty"`
}

type reactionAttemptDoc struct {
	ID         string    `bson:"_id"`
	Occurrence string    `bson:"occurrence"`
	Reaction   string    `bson:"reaction"`
	N          int       `bson:"n"`
	At         time.Time `bson:"at"`
	Instance   string    `bson:"instance,omitempty"`
	Ended      time.Time `bson:"ended,omitempty"`
	Err        string    `bson:"err,omitempty"`
}

// RecordOccurrence implements reaction.Store.
func (s *Reactions) RecordOccurrence(ctx context.Context, o reaction.Occurrence) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.occurrences.InsertOne(ctx, occurrenceDoc{ID: o.ID, Type: o.Type, Data: o.Data, At: o.At})
	if errors.Is(classify(err), errDuplicate) {
		return nil
	}
	return wrap("record occurrence", err)
}

// ForgetOccurrence implements reaction.Store.
func (s *Reactions) ForgetOccurrence(ctx context.Context, id string) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.occurrences.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return wrap("forget occurrence", err)
}

// MarkHappened implements reaction.Store. Setting a flag needs no exclusivity: every writer sets the
// same value.
func (s *Reactions) MarkHappened(ctx context.Context, id string) error {
	return s.set(ctx, "mark occurrence happened", id, bson.E{Key: "happened", Value: true})
}

// FinishOccurrence implements reaction.Store; a finished occurrence has happened.
func (s *Reactions) FinishOccurrence(ctx context.Context, id string, at time.Time) error {
	return s.set(ctx, "finish occurrence", id, bson.E{Key: "finished_at", Value: at}, bson.E{Key: "happened", Value: true})
}

func (s *Reactions) set(ctx context.Context, what, id string, fields ...bson.E) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.occurrences.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D(fields)}})
	return wrap(what, err)
}

// Unfinished implements reaction.Store.
func (s *Reactions) Unfinished(ctx context.Context, cutoff time.Time, limit int) ([]reaction.Occurrence, error) {
	return findAll(ctx, s.occurrences, "list unfinished occurrences",
		bson.D{{Key: "finished_at", Value: bson.D{{Key: "$exists", Value: false}}}, {Key: "at", Value: bson.D{{Key: "$lt", Value: cutoff}}}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}}).SetLimit(int64(limit)),
		func(d occurrenceDoc) reaction.Occurrence {
			return reaction.Occurrence{ID: d.ID, Type: d.Type, Data: d.Data, At: d.At.UTC(), Happened: d.Happened}
		})
}

// ClaimAttempt implements reaction.Store: the insert under the attempt's _id is the claim.
func (s *Reactions) ClaimAttempt(ctx context.Context, a reaction.Attempt) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.attempts.InsertOne(ctx, reactionAttemptDoc{ID: a.ID(), Occurrence: a.Occurrence, Reaction: a.Reaction, N: a.N,
		At: a.At, Instance: a.Instance})
	if errors.Is(classify(err), errDuplicate) {
		return reaction.ErrClaimed
	}
	return wrap("claim reaction attempt", err)
}

// Attempt implements reaction.Store.
func (s *Reactions) Attempt(ctx context.Context, id string) (reaction.Attempt, bool, error) {
	errNone := errors.New("none")
	d, err := findOne[reactionAttemptDoc](ctx, s.attempts, "find reaction attempt", bson.D{{Key: "_id", Value: id}}, errNone)
	if errors.Is(err, errNone) {
		return reaction.Attempt{}, false, nil
	}
	if err != nil {
		return reaction.Attempt{}, false, err
	}
	return reaction.Attempt{Occurrence: d.Occurrence, Reaction: d.Reaction, N: d.N, At: d.At.UTC(), Instance: d.Instance,
		Ended: d.Ended.UTC(), Err: d.Err}, true, nil
}

// EndAttempt implements reaction.Store. Only the attempt's claimant writes its outcome.
func (s *Reactions) EndAttempt(ctx context.Context, id string, at time.Time, errText string) error {
	leave := s.gate.enter()
	defer leave()
	set := bson.D{{Key: "ended", Value: at}}
	if errText != "" {
		set = append(set, bson.E{Key: "err", Value: errText})
	}
	_, err := s.attempts.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	return wrap("end reaction attempt", err)
}

// PruneOccurrences implements reaction.Store.
func (s *Reactions) PruneOccurrences(ctx context.Context, cutoff time.Time) (int, error) {
	type idDoc struct {
		ID string `bson:"_id"`
	}
	ids, err := findAll(ctx, s.occurrences, "list finished occurrences",
		bson.D{{Key: "finished_at", Value: bson.D{{Key: "$lt", Value: cutoff}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetLimit(1000), func(d idDoc) string { return d.ID })
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	leave := s.gate.enter()
	defer leave()
	if _, err := s.attempts.DeleteMany(ctx, bson.D{{Key: "occurrence", Value: bson.D{{Key: "$in", Value: ids}}}}); err != nil {
		return 0, wrap("prune reaction attempts", err)
	}
	res, err := s.occurrences.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return 0, wrap("prune occurrences", err)
	}
	return int(res.DeletedCount), nil
}
