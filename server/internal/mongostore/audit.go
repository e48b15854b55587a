package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/audit"
	"hms/server/internal/fault"
	"hms/shared"
)

var _ audit.Store = (*Audit)(nil)

const colAuditChains = "audit_chains"

// auditIndexes: the chain's uniqueness is the _id ("<chain>:<seq>", docs/audit.md), so that entries
// from before chaining, which have no chain, need no partial index; actor_time serves the activity
// log's filter by actor.
var auditIndexes = indexSet{
	colAudit: {
		{Keys: bson.D{{Key: "actor_id", Value: 1}, {Key: "at", Value: -1}}, Options: options.Index().SetName("actor_time")},
	},
	colAuditChains: {
		{Keys: bson.D{{Key: "seen_at", Value: 1}}, Options: options.Index().SetName("seen")},
	},
}

// Audit stores audit entries. It offers no update or delete.
type Audit struct {
	gate   *gate
	col    *mongo.Collection
	chains *mongo.Collection
}

// NewAudit returns the audit store on db.
func NewAudit(db *DB) *Audit {
	return &Audit{gate: db.gate, col: db.Collection(colAudit), chains: db.Collection(colAuditChains)}
}

// auditDoc is an entry as stored. A chained entry's _id is its chain and seq (the seq zero-padded, so
// that _id order is chain-then-seq order) and its own id is in entry_id; an entry from before
// chaining has its id as _id and no chain fields.
type auditDoc struct {
	ID        string    `bson:"_id"`
	EntryID   string    `bson:"entry_id,omitempty"`
	At        time.Time `bson:"at"`
	ActorID   string    `bson:"actor_id"`
	ActorRole string    `bson:"actor_role"`
	PatientID string    `bson:"patient_id,omitempty"`
	Channel   string    `bson:"channel,omitempty"`
	Target    string    `bson:"target,omitempty"`
	Action    string    `bson:"action"`
	Outcome   string    `bson:"outcome"`
	IP        string    `bson:"ip"`
	Detail    string    `bson:"detail,omitempty"`
	RequestID string    `bson:"request_id"`
	Chain     string    `bson:"chain,omitempty"`
	Seq       int64     `bson:"seq,omitempty"`
	Prev      string    `bson:"prev,omitempty"`
	Hash      string    `bson:"hash,omitempty"`
}

// AuditKey is the _id of a chained entry: its chain and its seq, zero-padded.
func AuditKey(chain string, seq int64) string { return fmt.Sprintf("%s:%012d", chain, seq) }

func toAuditDoc(e audit.Entry) auditDoc {
	d := auditDoc{ID: e.ID, At: e.At, ActorID: e.ActorID, ActorRole: string(e.ActorRole), PatientID: e.PatientID,
		Channel: e.Channel, Target: e.Target, Action: e.Action, Outcome: e.Outcome, IP: e.IP, Detail: e.Detail,
		RequestID: e.RequestID, Chain: e.Chain, Seq: e.Seq, Prev: e.Prev, Hash: e.Hash}
	if e.Chain != "" {
		d.ID, d.EntryID = AuditKey(e.Chain, e.Seq), e.ID
	}
	return d
}

func (d auditDoc) entry() audit.Entry {
	id := d.ID
	if d.EntryID != "" {
		id = d.EntryID
	}
	return audit.Entry{ID: id, At: d.At.UTC(), ActorID: d.ActorID, ActorRole: shared.Role(d.ActorRole),
		PatientID: d.PatientID, Channel: d.Channel, Target: d.Target, Action: d.Action, Outcome: d.Outcome, IP: d.IP,
		Detail: d.Detail, RequestID: d.RequestID, Chain: d.Chain, Seq: d.Seq, Prev: d.Prev, Hash: d.Hash}
}

// InsertAudit implements audit.Store: one ordered insert; a (chain, seq) stored already is a conflict.
func (s *Audit) InsertAudit(ctx context.Context, entries []audit.Entry) error {
	docs := make([]any, len(entries))
	for i, e := range entries {
		docs[i] = toAuditDoc(e)
	}
	leave := s.gate.enter()
	_, err := s.col.InsertMany(ctx, docs, options.InsertMany().SetOrdered(true))
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return fault.New(fault.ErrConflict, "audit entry stored already")
	}
	return wrap("insert audit entries", err)
}

func auditFilter(f audit.Filter) bson.D {
	filter := bson.D{}
	for _, kv := range []struct{ k, v string }{{"patient_id", f.PatientID}, {"actor_id", f.ActorID}, {"action", f.Action}, {"outcome", f.Outcome}} {
		if kv.v != "" {
			filter = append(filter, bson.E{Key: kv.k, Value: kv.v})
		}
	}
	at := bson.D{}
	if !f.From.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: f.From})
	}
	if !f.To.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: f.To})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	return filter
}

var newestFirst = bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}

// ListAudit implements audit.Store.
func (s *Audit) ListAudit(ctx context.Context, f audit.Filter, skip, limit int) ([]audit.Entry, error) {
	opts := options.Find().SetSort(newestFirst).SetSkip(int64(skip)).SetLimit(int64(limit))
	return findAll(ctx, s.col, "list audit", auditFilter(f), opts, auditDoc.entry)
}

// EachAudit implements audit.Store.
func (s *Audit) EachAudit(ctx context.Context, f audit.Filter, fn func(audit.Entry) error) error {
	return s.each(ctx, "export audit", auditFilter(f), options.Find().SetSort(newestFirst), fn)
}

// EachChained implements audit.Store: by _id, which is chain-then-seq order for chained entries.
func (s *Audit) EachChained(ctx context.Context, fn func(audit.Entry) error) error {
	return s.each(ctx, "walk audit", bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), fn)
}

func (s *Audit) each(ctx context.Context, what string, filter bson.D, opts *options.FindOptionsBuilder, fn func(audit.Entry) error) error {
	cur, err := s.col.Find(ctx, filter, opts.SetBatchSize(500))
	if err != nil {
		return wrap(what, err)
	}
	defer func() { _ = cur.Close(context.WithoutCancel(ctx)) }()
	for cur.Next(ctx) {
		var d auditDoc
		if err := cur.Decode(&d); err != nil {
			return wrap(what, err)
		}
		if err := fn(d.entry()); err != nil {
			return err
		}
	}
	return wrap(what, cur.Err())
}

// Anchors implements audit.Store.
func (s *Audit) Anchors(ctx context.Context) ([]audit.Entry, error) {
	filter := bson.D{{Key: "action", Value: bson.D{{Key: "$in", Value: []string{audit.ActionAnchor, audit.ActionChainEnd}}}}}
	return findAll(ctx, s.col, "audit anchors", filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), auditDoc.entry)
}

// ChainHead implements audit.Store: the last _id of the chain's range.
func (s *Audit) ChainHead(ctx context.Context, chain string) (audit.Entry, error) {
	if strings.ContainsAny(chain, ":;") {
		return audit.Entry{}, fault.Invalid("malformed chain id")
	}
	// ";" follows ":" in byte order, so [chain+":", chain+";") is exactly the chain's _ids.
	filter := bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: chain + ":"}, {Key: "$lt", Value: chain + ";"}}}}
	es, err := findAll(ctx, s.col, "audit chain head", filter,
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(1), auditDoc.entry)
	if err != nil {
		return audit.Entry{}, err
	}
	if len(es) == 0 {
		return audit.Entry{}, fault.New(fault.ErrNotFound, "audit chain %s has no entries", chain)
	}
	return es[0], nil
}

type chainDoc struct {
	ID        string    `bson:"_id"`
	Instance  string    `bson:"instance"`
	StartedAt time.Time `bson:"started_at"`
	SeenAt    time.Time `bson:"seen_at"`
}

func (d chainDoc) chain() audit.Chain {
	return audit.Chain{ID: d.ID, Instance: d.Instance, StartedAt: d.StartedAt.UTC(), SeenAt: d.SeenAt.UTC()}
}

// RegisterChain implements audit.Store.
func (s *Audit) RegisterChain(ctx context.Context, c audit.Chain) error {
	leave := s.gate.enter()
	_, err := s.chains.InsertOne(ctx, chainDoc{ID: c.ID, Instance: c.Instance, StartedAt: c.StartedAt, SeenAt: c.SeenAt})
	leave()
	return wrap("register audit chain", err)
}

// TouchChain implements audit.Store: only the chain's own process moves its SeenAt.
func (s *Audit) TouchChain(ctx context.Context, id string, at time.Time) error {
	leave := s.gate.enter()
	_, err := s.chains.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "seen_at", Value: at}}}})
	leave()
	return wrap("touch audit chain", err)
}

// Chains implements audit.Store.
func (s *Audit) Chains(ctx context.Context, since time.Time) ([]audit.Chain, error) {
	filter := bson.D{}
	if !since.IsZero() {
		filter = bson.D{{Key: "seen_at", Value: bson.D{{Key: "$gte", Value: since}}}}
	}
	return findAll(ctx, s.chains, "audit chains", filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), chainDoc.chain)
}
