package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ErasePatient implements notify.Store: an erased patient's notifications, deliveries (they hold the
// addresses) and preferences go; notifications are messages, not clinical records.
func (s *Notifications) ErasePatient(ctx context.Context, userID, patientID string) error {
	type deletion struct {
		col    string
		filter bson.D
	}
	deletes := []deletion{
		{colNotifications, bson.D{{Key: "patient_id", Value: patientID}}},
		{colDeliveries, bson.D{{Key: "patient_id", Value: patientID}}},
	}
	if userID != "" {
		deletes = append(deletes, deletion{colNotifications, bson.D{{Key: "recipient_id", Value: userID}}},
			deletion{colDeliveries, bson.D{{Key: "recipient_id", Value: userID}}},
			deletion{colNotifyPref, bson.D{{Key: "_id", Value: userID}}})
	}
	// The deliveries' bodies go first: they are found through the deliveries.
	type idDoc struct {
		ID string `bson:"_id"`
	}
	for _, d := range deletes {
		if d.col != colDeliveries {
			continue
		}
		ids, err := findAll(ctx, s.db.Collection(colDeliveries), "find deliveries to erase", d.filter,
			options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), func(d idDoc) string { return d.ID })
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			deletes = append([]deletion{{colBodies, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}}}, deletes...)
		}
	}
	leave := s.gate.enter()
	defer leave()
	for _, d := range deletes {
		if _, err := s.db.Collection(d.col).DeleteMany(ctx, d.filter); err != nil {
			return wrap("delete "+d.col, err)
		}
	}
	return nil
}
