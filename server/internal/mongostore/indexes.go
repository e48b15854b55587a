package mongostore

import (
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collection names.
const (
	colUsers         = "users"
	colSessions      = "sessions"
	colRefreshClaims = "refresh_claims"
	colPatients      = "patients"
	colRevisions     = "patient_revisions"
	colNotifications = "notifications"
	colAudit         = "audit"
	colEvents        = "events"
	colAlerts        = "alerts"
	colAlertAcks     = "alert_acks"
	colEscalations   = "alert_escalations"
	colBroadcasts    = "broadcasts"
	colTicketClaims  = "ws_ticket_claims"
	colDepartments   = "departments"
	colDoctors       = "doctors"
	colLeave         = "doctor_leave"
	colAppointments  = "appointments"
	colSteps         = "appointment_steps"
	colSlotClaims    = "slot_claims"
	colIdemKeys      = "idempotency_keys"
	colTicketNumbers = "ticket_numbers"
	colQueueTickets  = "queue_tickets"
	colEventHeads    = "event_heads"
	colMigrations    = "migrations"
)

// indexSet is the indexes of some collections, by collection. Each domain's store file declares its
// own beside its collections (accessIndexes, chartIndexes, …); EnsureIndexes lists them all.
type indexSet map[string][]mongo.IndexModel

// domainIndexes are the domains' index sets, in addition to the core ones in EnsureIndexes.
var domainIndexes = []indexSet{accessIndexes, auditIndexes, billingIndexes, insuranceIndexes, chartIndexes, deliveryIndexes, directoryIndexes, labIndexes, linkIndexes, patientIndexes, clientIndexes,
	pharmacyIndexes, preferenceIndexes, procedureIndexes, reactionIndexes, roleIndexes, wardIndexes, webhookIndexes}

// EnsureIndexes creates every index the stores rely on; it is safe to run at every start.
// The unique ones are what make claims and revisions exclusive (docs/architecture.md).
func (db *DB) EnsureIndexes(ctx context.Context) error {
	specs := map[string][]mongo.IndexModel{
		colUsers: {
			{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true).SetName("email_unique")},
			{Keys: bson.D{{Key: "role", Value: 1}}, Options: options.Index().SetName("role")},
		},
		colSessions: {
			{Keys: bson.D{{Key: "user_id", Value: 1}}, Options: options.Index().SetName("user")},
		},
		colRevisions: {
			{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "rev", Value: 1}},
				Options: options.Index().SetUnique(true).SetName("patient_rev_unique")},
		},
		colNotifications: {
			{Keys: bson.D{{Key: "recipient_id", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("recipient_time")},
		},
		colEvents: {
			{Keys: bson.D{{Key: "channel", Value: 1}, {Key: "seq", Value: 1}},
				Options: options.Index().SetUnique(true).SetName("channel_seq_unique")},
			{Keys: bson.D{{Key: "at", Value: 1}}, Options: options.Index().SetName("time")},
		},
		colAlertAcks: {
			{Keys: bson.D{{Key: "alert_id", Value: 1}, {Key: "user_id", Value: 1}},
				Options: options.Index().SetUnique(true).SetName("alert_user_unique")},
		},
		colAlerts: {
			{Keys: bson.D{{Key: "at", Value: -1}}, Options: options.Index().SetName("time")},
		},
		colLeave: {
			{Keys: bson.D{{Key: "doctor_id", Value: 1}, {Key: "from", Value: 1}}, Options: options.Index().SetName("doctor_from")},
		},
		// A slot claim's _id is doctor id + "@" + slot start, so the _id index makes a slot exclusive.
		colSlotClaims: {
			{Keys: bson.D{{Key: "doctor_id", Value: 1}, {Key: "start", Value: 1}}, Options: options.Index().SetName("doctor_start")},
		},
		colQueueTickets: {
			{Keys: bson.D{{Key: "ticket.department", Value: 1}, {Key: "ticket.day", Value: 1}}, Options: options.Index().SetName("department_day")},
		},
		colSteps: {
			{Keys: bson.D{{Key: "appointment_id", Value: 1}, {Key: "step", Value: 1}},
				Options: options.Index().SetUnique(true).SetName("appointment_step_unique")},
		},
		colTicketNumbers: {
			{Keys: bson.D{{Key: "department", Value: 1}, {Key: "day", Value: 1}, {Key: "number", Value: 1}},
				Options: options.Index().SetUnique(true).SetName("department_day_number_unique")},
		},
		colAppointments: {
			{Keys: bson.D{{Key: "doctor_id", Value: 1}, {Key: "start", Value: 1}}, Options: options.Index().SetName("doctor_start")},
			{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "start", Value: 1}}, Options: options.Index().SetName("patient_start")},
		},
		colAudit: {
			{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "at", Value: -1}}, Options: options.Index().SetName("patient_time")},
			{Keys: bson.D{{Key: "at", Value: -1}}, Options: options.Index().SetName("time")},
		},
	}
	for _, set := range domainIndexes {
		for col, models := range set {
			specs[col] = append(specs[col], models...)
		}
	}
	for col, models := range specs {
		if err := db.ensure(ctx, col, models); err != nil {
			return fmt.Errorf("create indexes on %s: %w", col, err)
		}
	}
	return nil
}

// ensure creates the indexes not there yet. Asking FerretDB's SQLite backend to create an index that
// already exists crashes its connection (FerretDB 1.24), so existing names are skipped.
func (db *DB) ensure(ctx context.Context, col string, models []mongo.IndexModel) error {
	iv := db.Collection(col).Indexes()
	specs, err := iv.ListSpecifications(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, s := range specs {
		have[s.Name] = true
	}
	var missing []mongo.IndexModel
	for _, m := range models {
		name := ""
		if m.Options != nil {
			var o options.IndexOptions
			for _, set := range m.Options.List() {
				_ = set(&o)
			}
			if o.Name != nil {
				name = *o.Name
			}
		}
		if name == "" || !have[name] {
			// CreateMany appends the index name to the model's options builder; the models registered
			// by registerIndexes are shared by every EnsureIndexes call (tests run several at once), so
			// the driver gets a copy to write to.
			if m.Options != nil {
				m.Options = &options.IndexOptionsBuilder{Opts: slices.Clone(m.Options.Opts)}
			}
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = iv.CreateMany(ctx, missing)
	return err
}
