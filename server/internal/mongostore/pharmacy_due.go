package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/pharmacy"
)

// This file holds the pharmacy store's reads for refill and follow-up alerts (pharmacy.DueAlerts):
// one query each, bounded by a date or by the ids asked for. FerretDB evaluates these filters itself,
// after reading the collection, so they bound what crosses the wire, not what is scanned.

// RecentFills implements pharmacy.Store. A claim's time precedes its dispensing, which a claim left
// pending for long may do much later: either at or after since counts.
func (s *Pharmacy) RecentFills(ctx context.Context, since time.Time) ([]pharmacy.FillClaim, error) {
	after := bson.D{{Key: "$gte", Value: since}}
	return findAll(ctx, s.fills, "find recent fills",
		bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "at", Value: after}}, bson.D{{Key: "dispensed_at", Value: after}}}}},
		options.Find(), fillDoc.claim)
}

// MovementsByFill implements pharmacy.Store.
func (s *Pharmacy) MovementsByFill(ctx context.Context, fillIDs []string) ([]pharmacy.Movement, error) {
	if len(fillIDs) == 0 {
		return nil, nil
	}
	return findAllOpen(ctx, s.moves, "find fill movements", bson.D{{Key: "fill_id", Value: in(fillIDs)}}, options.Find(), s.movement)
}

// PrescriptionsByID implements pharmacy.Store.
func (s *Pharmacy) PrescriptionsByID(ctx context.Context, ids []string) ([]pharmacy.Prescription, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return findAllOpen(ctx, s.rxs, "find prescriptions by id", bson.D{{Key: "_id", Value: in(ids)}}, options.Find(), s.prescription)
}

// Cancelled implements pharmacy.Store.
func (s *Pharmacy) Cancelled(ctx context.Context, prescriptionIDs []string) ([]string, error) {
	if len(prescriptionIDs) == 0 {
		return nil, nil
	}
	return findAll(ctx, s.cancels, "find cancellations", bson.D{{Key: "_id", Value: in(prescriptionIDs)}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), func(d struct {
			ID string `bson:"_id"`
		}) string {
			return d.ID
		})
}
