package mongostore

import (
	"context"
	"fmt"

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
)

// EnsureIndexes creates every index the stores rely on; it is safe to run at every start.
// The unique ones are what make claims and revisions exclusive (DESIGN.md).
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
		colAudit: {
			{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "at", Value: -1}}, Options: options.Index().SetName("patient_time")},
			{Keys: bson.D{{Key: "at", Value: -1}}, Options: options.Index().SetName("time")},
		},
	}
	for col, models := range specs {
		if _, err := db.Collection(col).Indexes().CreateMany(ctx, models); err != nil {
			return fmt.Errorf("create indexes on %s: %w", col, err)
		}
	}
	return nil
}
