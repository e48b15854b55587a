package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/audit"
	"hms/shared"
)

var _ audit.Store = (*Audit)(nil)

// Audit stores audit entries. It offers no update or delete.
type Audit struct {
	gate *gate
	col  *mongo.Collection
}

// NewAudit returns the audit store on db.
func NewAudit(db *DB) *Audit { return &Audit{gate: db.gate, col: db.Collection(colAudit)} }

type auditDoc struct {
	ID        string    `bson:"_id"`
	At        time.Time `bson:"at"`
	ActorID   string    `bson:"actor_id"`
	ActorRole string    `bson:"actor_role"`
	PatientID string    `bson:"patient_id,omitempty"`
	Channel   string    `bson:"channel,omitempty"`
	Action    string    `bson:"action"`
	Outcome   string    `bson:"outcome"`
	IP        string    `bson:"ip"`
	RequestID string    `bson:"request_id"`
}

// InsertAudit implements audit.Store.
func (s *Audit) InsertAudit(ctx context.Context, e audit.Entry) error {
	leave := s.gate.enter()
	_, err := s.col.InsertOne(ctx, auditDoc{ID: e.ID, At: e.At, ActorID: e.ActorID, ActorRole: string(e.ActorRole),
		PatientID: e.PatientID, Channel: e.Channel, Action: e.Action, Outcome: e.Outcome, IP: e.IP, RequestID: e.RequestID})
	leave()
	return wrap("insert audit entry", err)
}

// ListAudit implements audit.Store.
func (s *Audit) ListAudit(ctx context.Context, f audit.Filter, skip, limit int) ([]audit.Entry, error) {
	filter := bson.D{}
	if f.PatientID != "" {
		filter = append(filter, bson.E{Key: "patient_id", Value: f.PatientID})
	}
	if f.ActorID != "" {
		filter = append(filter, bson.E{Key: "actor_id", Value: f.ActorID})
	}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetSkip(int64(skip)).SetLimit(int64(limit))
	cur, err := s.col.Find(ctx, filter, opts)
	if err != nil {
		return nil, wrap("list audit", err)
	}
	var docs []auditDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap("list audit", err)
	}
	out := make([]audit.Entry, len(docs))
	for i, d := range docs {
		out[i] = audit.Entry{ID: d.ID, At: d.At.UTC(), ActorID: d.ActorID, ActorRole: shared.Role(d.ActorRole),
			PatientID: d.PatientID, Channel: d.Channel, Action: d.Action, Outcome: d.Outcome, IP: d.IP, RequestID: d.RequestID}
	}
	return out, nil
}
