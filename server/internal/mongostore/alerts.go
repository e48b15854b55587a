package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/alert"
	"hms/shared"
)

var _ alert.Store = (*Alerts)(nil)

// Alerts stores emergency alerts, their acknowledgements and escalations, and broadcasts.
type Alerts struct {
	gate                                  *gate
	alerts, acks, escalations, broadcasts *mongo.Collection
}

// NewAlerts returns the alert store on db.
func NewAlerts(db *DB) *Alerts {
	return &Alerts{gate: db.gate, alerts: db.Collection(colAlerts), acks: db.Collection(colAlertAcks),
		escalations: db.Collection(colEscalations), broadcasts: db.Collection(colBroadcasts)}
}

type alertDoc struct {
	ID            string    `bson:"_id"`
	Message       string    `bson:"message"`
	Location      string    `bson:"location,omitempty"`
	Severity      string    `bson:"severity"`
	RaisedBy      string    `bson:"raised_by"`
	At            time.Time `bson:"at"`
	AppointmentID string    `bson:"appointment_id,omitempty"`
	Department    string    `bson:"department,omitempty"`
	Ticket        int       `bson:"ticket,omitempty"`
	Complaint     string    `bson:"complaint,omitempty"`
	ResolvedAt    time.Time `bson:"resolved_at,omitempty"`
	ResolvedBy    string    `bson:"resolved_by,omitempty"`
	ResolvedHow   string    `bson:"resolved_how,omitempty"`
}

func (d alertDoc) alert() alert.Alert {
	d.At = d.At.UTC()
	if !d.ResolvedAt.IsZero() {
		d.ResolvedAt = d.ResolvedAt.UTC()
	}
	return alert.Alert(d)
}

type ackDoc struct {
	AlertID string    `bson:"alert_id"`
	UserID  string    `bson:"user_id"`
	Role    string    `bson:"role"`
	At      time.Time `bson:"at"`
}

// InsertAlert implements alert.Store.
func (s *Alerts) InsertAlert(ctx context.Context, a alert.Alert) error {
	leave := s.gate.enter()
	_, err := s.alerts.InsertOne(ctx, alertDoc(a))
	leave()
	return wrap("insert alert", err)
}

// AlertByID implements alert.Store.
func (s *Alerts) AlertByID(ctx context.Context, id string) (alert.Alert, error) {
	d, err := findOne[alertDoc](ctx, s.alerts, "find alert", bson.D{{Key: "_id", Value: id}}, alert.ErrNotFound)
	if err != nil {
		return alert.Alert{}, err
	}
	return d.alert(), nil
}

// ListAlerts implements alert.Store.
func (s *Alerts) ListAlerts(ctx context.Context, since time.Time, limit int) ([]alert.Alert, error) {
	cur, err := s.alerts.Find(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$gte", Value: since}}}},
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, wrap("list alerts", err)
	}
	var docs []alertDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap("list alerts", err)
	}
	out := make([]alert.Alert, len(docs))
	for i, d := range docs {
		out[i] = d.alert()
	}
	return out, nil
}

// ResolveAlert implements alert.Store: the first resolution is kept.
func (s *Alerts) ResolveAlert(ctx context.Context, id string, at time.Time, by, how string) error {
	leave := s.gate.enter()
	r, err := s.alerts.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "resolved_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "resolved_at", Value: at}, {Key: "resolved_by", Value: by}, {Key: "resolved_how", Value: how}}}})
	leave()
	if err != nil {
		return wrap("resolve alert", err)
	}
	if r.MatchedCount == 0 {
		if _, err := s.AlertByID(ctx, id); err != nil {
			return err
		}
		return alert.ErrAlreadyResolved
	}
	return nil
}

// OpenAlertsOf implements alert.Store.
func (s *Alerts) OpenAlertsOf(ctx context.Context, appointmentID string) ([]alert.Alert, error) {
	cur, err := s.alerts.Find(ctx, bson.D{{Key: "appointment_id", Value: appointmentID}, {Key: "resolved_at", Value: bson.D{{Key: "$exists", Value: false}}}})
	if err != nil {
		return nil, wrap("find alerts of appointment", err)
	}
	var docs []alertDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap("find alerts of appointment", err)
	}
	out := make([]alert.Alert, len(docs))
	for i, d := range docs {
		out[i] = d.alert()
	}
	return out, nil
}

// InsertAck implements alert.Store.
func (s *Alerts) InsertAck(ctx context.Context, alertID string, a shared.AlertAck) error {
	leave := s.gate.enter()
	_, err := s.acks.InsertOne(ctx, ackDoc{AlertID: alertID, UserID: a.UserID, Role: string(a.Role), At: a.At})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return alert.ErrAlreadyAcked
	}
	return wrap("insert ack", err)
}

// Acks implements alert.Store.
func (s *Alerts) Acks(ctx context.Context, alertIDs []string) (map[string][]shared.AlertAck, error) {
	out := map[string][]shared.AlertAck{}
	if len(alertIDs) == 0 {
		return out, nil
	}
	cur, err := s.acks.Find(ctx, bson.D{{Key: "alert_id", Value: bson.D{{Key: "$in", Value: alertIDs}}}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}}))
	if err != nil {
		return nil, wrap("find acks", err)
	}
	var docs []ackDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap("find acks", err)
	}
	for _, d := range docs {
		out[d.AlertID] = append(out[d.AlertID], shared.AlertAck{UserID: d.UserID, Role: shared.Role(d.Role), At: d.At.UTC()})
	}
	return out, nil
}

// ClaimEscalation implements alert.Store: the alert id is the claim's _id.
func (s *Alerts) ClaimEscalation(ctx context.Context, alertID string, at time.Time) error {
	leave := s.gate.enter()
	_, err := s.escalations.InsertOne(ctx, bson.D{{Key: "_id", Value: alertID}, {Key: "at", Value: at}})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return alert.ErrAlreadyEscalated
	}
	return wrap("claim escalation", err)
}

// Escalated implements alert.Store.
func (s *Alerts) Escalated(ctx context.Context, alertIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(alertIDs) == 0 {
		return out, nil
	}
	cur, err := s.escalations.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: alertIDs}}}})
	if err != nil {
		return nil, wrap("find escalations", err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap("find escalations", err)
	}
	for _, d := range docs {
		out[d.ID] = true
	}
	return out, nil
}

// InsertBroadcast implements alert.Store.
func (s *Alerts) InsertBroadcast(ctx context.Context, b shared.Broadcast) error {
	leave := s.gate.enter()
	_, err := s.broadcasts.InsertOne(ctx, bson.D{{Key: "_id", Value: b.ID}, {Key: "message", Value: b.Message},
		{Key: "sent_by", Value: b.SentBy}, {Key: "at", Value: b.At}})
	leave()
	return wrap("insert broadcast", err)
}
