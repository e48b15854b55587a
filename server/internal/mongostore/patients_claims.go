package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/patient"
)

// Collections of the claims that make MRNs, merges and keyed registrations exclusive (docs/architecture.md: an
// insert under a unique index).
const (
	// colMRNs: _id is the MRN (one owner per number), unique patient_id (one number per patient).
	colMRNs = "patient_mrns"
	// colMerges: _id is the source record (merged once).
	colMerges = "patient_merges"
	// colRegistrationKeys: _id is user id + ":" + Idempotency-Key.
	colRegistrationKeys = "patient_registration_keys"
)

var patientIndexes = indexSet{
	colMRNs: {mongo.IndexModel{Keys: bson.D{{Key: "patient_id", Value: 1}},
		Options: options.Index().SetUnique(true).SetName("patient_unique")},
	},
	colMerges: {mongo.IndexModel{Keys: bson.D{{Key: "into", Value: 1}}, Options: options.Index().SetName("into")}},
	// The search keys, for a real MongoDB (FerretDB 1.24 does not use indexes for lookups, docs/architecture.md);
	// the array fields are multikey indexes.
	colPatients: {
		mongo.IndexModel{Keys: bson.D{{Key: "mrn", Value: 1}}, Options: options.Index().SetName("mrn")},
		mongo.IndexModel{Keys: bson.D{{Key: "name_fold", Value: 1}}, Options: options.Index().SetName("name_fold")},
		mongo.IndexModel{Keys: bson.D{{Key: "name_prefixes", Value: 1}}, Options: options.Index().SetName("name_prefixes")},
		mongo.IndexModel{Keys: bson.D{{Key: "condition_terms", Value: 1}}, Options: options.Index().SetName("condition_terms")},
		mongo.IndexModel{Keys: bson.D{{Key: "history_terms", Value: 1}}, Options: options.Index().SetName("history_terms")},
		mongo.IndexModel{Keys: bson.D{{Key: "phone_key", Value: 1}}, Options: options.Index().SetName("phone_key")},
	},
}

// ClaimMRN implements patient.Store.
func (s *Patients) ClaimMRN(ctx context.Context, mrn, patientID string) (string, error) {
	col := s.patients.Database().Collection(colMRNs)
	leave := s.gate.enter()
	_, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: mrn}, {Key: "patient_id", Value: patientID}})
	leave()
	if !errors.Is(classify(err), errDuplicate) {
		return mrn, wrap("claim mrn", err)
	}
	// Either the number is someone else's or this patient holds one already.
	prev, err := findOne[struct {
		MRN string `bson:"_id"`
	}](ctx, col, "find mrn", bson.D{{Key: "patient_id", Value: patientID}}, patient.ErrMRNTaken)
	return prev.MRN, err
}

// SetMRN implements patient.Store.
func (s *Patients) SetMRN(ctx context.Context, patientID, mrn string) error {
	leave := s.gate.enter()
	_, err := s.patients.UpdateOne(ctx, bson.D{{Key: "_id", Value: patientID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "mrn", Value: mrn}}}})
	leave()
	return wrap("set mrn", err)
}

// WithoutMRN implements patient.Store.
func (s *Patients) WithoutMRN(ctx context.Context) ([]string, error) {
	type idOnly struct {
		ID string `bson:"_id"`
	}
	return findAll(ctx, s.patients, "find records without mrn",
		bson.D{{Key: "mrn", Value: bson.D{{Key: "$exists", Value: false}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), func(d idOnly) string { return d.ID })
}

type mergeDoc struct {
	Source string    `bson:"_id"`
	Into   string    `bson:"into"`
	ByID   string    `bson:"by_id"`
	At     time.Time `bson:"at"`
}

// ClaimMerge implements patient.Store.
func (s *Patients) ClaimMerge(ctx context.Context, m patient.Merge) (patient.Merge, error) {
	leave := s.gate.enter()
	_, err := s.patients.Database().Collection(colMerges).InsertOne(ctx, mergeDoc{Source: m.Source, Into: m.Into, ByID: m.ByID, At: m.At})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		prev, err := s.MergeOf(ctx, m.Source)
		if err != nil {
			return patient.Merge{}, err
		}
		return prev, patient.ErrMergeTaken
	}
	return m, wrap("claim merge", err)
}

// MergeOf implements patient.Store.
func (s *Patients) MergeOf(ctx context.Context, source string) (patient.Merge, error) {
	d, err := findOne[mergeDoc](ctx, s.patients.Database().Collection(colMerges), "find merge",
		bson.D{{Key: "_id", Value: source}}, patient.ErrNotFound)
	return patient.Merge{Source: d.Source, Into: d.Into, ByID: d.ByID, At: d.At.UTC()}, err
}

// DeleteMerge implements patient.Store.
func (s *Patients) DeleteMerge(ctx context.Context, source string) error {
	leave := s.gate.enter()
	_, err := s.patients.Database().Collection(colMerges).DeleteOne(ctx, bson.D{{Key: "_id", Value: source}})
	leave()
	return wrap("delete merge", err)
}

// SetMergedInto implements patient.Store.
func (s *Patients) SetMergedInto(ctx context.Context, source, into string, at time.Time) error {
	leave := s.gate.enter()
	_, err := s.patients.UpdateOne(ctx, bson.D{{Key: "_id", Value: source}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "merged_into", Value: into}, {Key: "updated_at", Value: at}}}})
	leave()
	return wrap("mark merged", err)
}

// Migrated reports whether the one-off step name ran on this database (recorded in `migrations`).
func (s *Patients) Migrated(ctx context.Context, name string) (bool, error) {
	err := retryRead(ctx, func() error {
		return s.patients.Database().Collection(colMigrations).FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Err()
	})
	if errors.Is(classify(err), errNoDocument) {
		return false, nil
	}
	return err == nil, wrap("read migrations", err)
}

// MarkMigrated records that the one-off step name ran (a second mark is not an error).
func (s *Patients) MarkMigrated(ctx context.Context, name string) error {
	leave := s.gate.enter()
	_, err := s.patients.Database().Collection(colMigrations).InsertOne(ctx, bson.D{{Key: "_id", Value: name}, {Key: "at", Value: time.Now().UTC()}})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return nil
	}
	return wrap("record migration", err)
}
