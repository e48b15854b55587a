package mongostore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/patient"
	"hms/server/internal/seal"
	"hms/shared"
)

// demographics is what search and duplicate detection read, in name order: no sealed field is
// fetched or opened.
func demographics() *options.FindOptionsBuilder {
	return options.Find().SetProjection(bson.D{{Key: "medical_history", Value: 0},
		{Key: "allergies", Value: 0}, {Key: "conditions", Value: 0}, {Key: "condition_terms", Value: 0},
		{Key: "history_terms", Value: 0}}).SetSort(bson.D{{Key: "name_fold", Value: 1}, {Key: "_id", Value: 1}})
}

// Search implements patient.Store. A name matches when each search word is a stored prefix of a
// word of the name (equality on name_prefixes); medical terms by their blind index under every key of
// the ring (so records indexed before a key rotation are found until `hms rekey` recomputes them).
//
// Measured on FerretDB 1.24 on PostgreSQL: a top-level equality (also on an array field) is handed to
// PostgreSQL; $regex, $or, $in and anything inside $and are evaluated by FerretDB after reading every
// document the handed-down part matches, and sorting and counting read every match too. So the first
// condition on each key stays top-level, a term search runs one query per (field, key) with the term
// as a plain equality and merges the results here, and a filtered search reads its matches once and
// pages here; only the unfiltered listing pages in the database (and counts when the page does not
// tell the total).
func (s *Patients) Search(ctx context.Context, q patient.Query) ([]patient.Record, int, error) {
	// An MRN names at most one record through its claim (patient_mrns, _id = the MRN): the record is
	// then looked up by _id, which FerretDB answers from its primary key, rather than by scanning the
	// patients for the mrn field.
	if q.MRN != "" && q.ID == "" {
		claim, err := findOne[struct {
			PatientID string `bson:"patient_id"`
		}](ctx, s.patients.Database().Collection(colMRNs), "find mrn", bson.D{{Key: "_id", Value: q.MRN}}, patient.ErrNotFound)
		switch {
		case errors.Is(err, patient.ErrNotFound):
			// No claim (a record stored without one): the scan below decides.
		case err != nil:
			return nil, 0, err
		default:
			return s.searchClaimed(ctx, q, claim.PatientID)
		}
	}
	if len(q.Terms) > 0 {
		return s.searchTerms(ctx, q)
	}
	filter := s.searchFilter(q, nil)
	if len(filter) > 0 && (q.WithMerged || len(filter) > 1) {
		// A filtered search: FerretDB reads every match to sort them anyway, so read them once and
		// page here rather than a page plus a count (two reads).
		all, err := findAll(ctx, s.patients, "search patients", filter, demographics(), summaryOf)
		if err != nil {
			return nil, 0, err
		}
		from, to := min(q.Skip, len(all)), min(q.Skip+q.Limit, len(all))
		return all[from:to], len(all), nil
	}
	out, err := findAll(ctx, s.patients, "search patients", filter, demographics().SetSkip(int64(q.Skip)).SetLimit(int64(q.Limit)), summaryOf)
	if err != nil {
		return nil, 0, err
	}
	if len(out) > 0 && len(out) < q.Limit || len(out) == 0 && q.Skip == 0 {
		return out, q.Skip + len(out), nil
	}
	n, err := s.patients.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, wrap("count patients", err)
	}
	return out, int(n), nil
}

// searchClaimed looks up the record an MRN claim names alone, by _id (a filter of _id and anything
// else is evaluated on every document), and keeps it when it holds the MRN.
func (s *Patients) searchClaimed(ctx context.Context, q patient.Query, id string) ([]patient.Record, int, error) {
	byID := q
	byID.ID, byID.MRN, byID.Skip, byID.Limit = id, "", 0, 1
	rs, _, err := s.Search(ctx, byID)
	if err != nil {
		return nil, 0, err
	}
	rs = slices.DeleteFunc(rs, func(r patient.Record) bool { return r.MRN != q.MRN })
	return rs[min(q.Skip, len(rs)):min(q.Skip+q.Limit, len(rs))], len(rs), nil
}

func summaryOf(d struct {
	F patientFields `bson:",inline"`
}) patient.Record {
	return summary(d.F)
}

// searchTerms runs q once for each blind index of its first term in each of the two term fields,
// merges the matches in name order and returns the page.
func (s *Patients) searchTerms(ctx context.Context, q patient.Query) ([]patient.Record, int, error) {
	seen := map[string]bool{}
	var all []patient.Record
	for _, idx := range s.keys.BlindIndexes(q.Terms[0]) {
		for _, field := range []string{"condition_terms", "history_terms"} {
			rs, err := findAll(ctx, s.patients, "search patients", s.searchFilter(q, bson.E{Key: field, Value: idx}),
				demographics(), summaryOf)
			if err != nil {
				return nil, 0, err
			}
			for _, r := range rs {
				if !seen[r.ID] {
					seen[r.ID] = true
					all = append(all, r)
				}
			}
		}
	}
	slices.SortFunc(all, func(a, b patient.Record) int {
		return cmp.Or(cmp.Compare(patient.FoldedName(a.Name), patient.FoldedName(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	from, to := min(q.Skip, len(all)), min(q.Skip+q.Limit, len(all))
	return all[from:to], len(all), nil
}

// searchFilter ANDs q's conditions, each at the top level of the filter unless its key is there
// already; first, when set, is the first term's equality (and q.Terms[0] is then not added again).
func (s *Patients) searchFilter(q patient.Query, first any) bson.D {
	var filter bson.D
	var and bson.A
	add := func(key string, v any) {
		for _, e := range filter {
			if e.Key == key {
				and = append(and, bson.D{{Key: key, Value: v}})
				return
			}
		}
		filter = append(filter, bson.E{Key: key, Value: v})
	}
	terms := q.Terms
	if e, ok := first.(bson.E); ok {
		add(e.Key, e.Value)
		terms = terms[1:]
	}
	if q.ID != "" {
		add("_id", q.ID)
	}
	if q.MRN != "" {
		add("mrn", q.MRN)
	}
	for _, p := range q.Prefixes {
		if r := []rune(p); len(r) > maxPrefix {
			add("name_prefixes", string(r[:maxPrefix]))
			add("name_keys", bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(p)}})
			continue
		}
		add("name_prefixes", p)
	}
	switch {
	case q.BirthFrom != "" && q.BirthFrom == q.BirthTo:
		add("date_of_birth", q.BirthFrom)
	case q.BirthFrom != "" || q.BirthTo != "":
		r := bson.D{}
		if q.BirthFrom != "" {
			r = append(r, bson.E{Key: "$gte", Value: q.BirthFrom})
		}
		if q.BirthTo != "" {
			r = append(r, bson.E{Key: "$lte", Value: q.BirthTo})
		}
		add("date_of_birth", r)
	}
	for _, t := range terms {
		in := bson.D{{Key: "$in", Value: s.keys.BlindIndexes(t)}}
		add("$or", bson.A{bson.D{{Key: "condition_terms", Value: in}}, bson.D{{Key: "history_terms", Value: in}}})
	}
	if !q.WithMerged {
		add("merged_into", bson.D{{Key: "$exists", Value: false}})
	}
	if len(and) > 0 {
		filter = append(filter, bson.E{Key: "$and", Value: and})
	}
	if filter == nil {
		return bson.D{}
	}
	return filter
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
		text, err := s.openSealedHistory(patientID, d.Rev, d.MedicalHistory)
		if err != nil {
			return nil, 0, err
		}
		out[i] = patient.Revision{PatientID: d.PatientID, Rev: d.Rev, MedicalHistory: text, AuthorID: d.AuthorID,
			AuthorRole: shared.Role(d.AuthorRole), At: d.At.UTC()}
	}
	return out, int(n), nil
}

// openSealedHistory opens a revision's sealed history (historyWhere, or the older binding).
func (s *Patients) openSealedHistory(patientID string, rev int, v seal.Value) (string, error) {
	t, b, err := bson.MarshalValue(v)
	if err != nil {
		return "", fmt.Errorf("read sealed history: %w", err)
	}
	text, _, err := s.openHistory(patientID, rev, bson.RawValue{Type: t, Value: b})
	return text, err
}
