package mongostore

import (
	"context"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/patient"
	"hms/shared"
)

// demographics is what search and duplicate detection read, in name order: no sealed field is
// fetched or opened.
func demographics() *options.FindOptionsBuilder {
	return options.Find().SetProjection(bson.D{{Key: "medical_history", Value: 0},
		{Key: "allergies", Value: 0}, {Key: "conditions", Value: 0}, {Key: "condition_terms", Value: 0},
		{Key: "history_terms", Value: 0}}).SetSort(bson.D{{Key: "name_fold", Value: 1}, {Key: "_id", Value: 1}})
}

// Search implements patient.Store. Names match by an anchored regular expression on the array of
// folded name words (a prefix of any word); medical terms by their blind index under every key of the
// ring (so records indexed before a key rotation are found until `hms rekey` recomputes them).
// FerretDB scans the collection for each query either way (DESIGN.md); the figures are in the README.
func (s *Patients) Search(ctx context.Context, q patient.Query) ([]patient.Record, int, error) {
	filter := s.searchFilter(q)
	n, err := s.patients.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, wrap("count patients", err)
	}
	opts := demographics().SetSkip(int64(q.Skip)).SetLimit(int64(q.Limit))
	out, err := findAll(ctx, s.patients, "search patients", filter, opts,
		func(d struct {
			F patientFields `bson:",inline"`
		}) patient.Record {
			return summary(d.F)
		})
	return out, int(n), err
}

func (s *Patients) searchFilter(q patient.Query) bson.D {
	and := bson.A{}
	for _, p := range q.Prefixes {
		and = append(and, bson.D{{Key: "name_keys", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(p)}}}})
	}
	if q.ID != "" {
		and = append(and, bson.D{{Key: "_id", Value: q.ID}})
	}
	if q.MRN != "" {
		and = append(and, bson.D{{Key: "mrn", Value: q.MRN}})
	}
	for _, t := range q.Terms {
		in := bson.D{{Key: "$in", Value: s.keys.BlindIndexes(t)}}
		and = append(and, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "condition_terms", Value: in}}, bson.D{{Key: "history_terms", Value: in}}}}})
	}
	if !q.WithMerged {
		and = append(and, bson.D{{Key: "merged_into", Value: bson.D{{Key: "$exists", Value: false}}}})
	}
	if len(and) == 0 {
		return bson.D{}
	}
	return bson.D{{Key: "$and", Value: and}}
}

// Duplicates implements patient.Store: the same folded name and date of birth, the same phone digits,
// or (for an unidentified record, whose date of birth is rarely known) the same folded name.
func (s *Patients) Duplicates(ctx context.Context, r patient.Record) ([]patient.Record, error) {
	or := bson.A{}
	name := patient.FoldedName(r.Name)
	if r.DateOfBirth != "" && name != "" {
		or = append(or, bson.D{{Key: "name_fold", Value: name}, {Key: "date_of_birth", Value: r.DateOfBirth}})
	}
	if pk := patient.PhoneKey(r.Phone); len(pk) >= 5 {
		or = append(or, bson.D{{Key: "phone_key", Value: pk}})
	}
	if r.Unidentified && name != "" {
		or = append(or, bson.D{{Key: "name_fold", Value: name}})
	}
	if len(or) == 0 {
		return nil, nil
	}
	filter := bson.D{{Key: "$or", Value: or}, {Key: "_id", Value: bson.D{{Key: "$ne", Value: r.ID}}},
		{Key: "merged_into", Value: bson.D{{Key: "$exists", Value: false}}}}
	return findAll(ctx, s.patients, "find duplicates", filter,
		demographics().SetLimit(100),
		func(d struct {
			F patientFields `bson:",inline"`
		}) patient.Record {
			return summary(d.F)
		})
}

// Revisions implements patient.Store.
func (s *Patients) Revisions(ctx context.Context, patientID string, skip, limit int) ([]patient.Revision, int, error) {
	filter := bson.D{{Key: "patient_id", Value: patientID}}
	n, err := s.revisions.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, wrap("count revisions", err)
	}
	docs, err := findAll(ctx, s.revisions, "list revisions", filter,
		options.Find().SetSort(bson.D{{Key: "rev", Value: -1}}).SetSkip(int64(skip)).SetLimit(int64(limit)),
		func(d revisionDoc) revisionDoc { return d })
	if err != nil {
		return nil, 0, err
	}
	out := make([]patient.Revision, len(docs))
	for i, d := range docs {
		text, err := s.keys.Open(d.MedicalHistory, historyWhere(patientID))
		if err != nil {
			return nil, 0, err
		}
		out[i] = patient.Revision{PatientID: d.PatientID, Rev: d.Rev, MedicalHistory: text, AuthorID: d.AuthorID,
			AuthorRole: shared.Role(d.AuthorRole), At: d.At.UTC()}
	}
	return out, int(n), nil
}
