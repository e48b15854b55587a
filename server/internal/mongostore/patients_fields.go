package mongostore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/patient"
	"hms/server/internal/seal"
)

// listWhere binds a patient's sealed list (allergies, conditions) to that patient and field.
func listWhere(patientID, field string) string { return "patient/" + patientID + "/" + field }

// sealList seals a clinical list (allergies or conditions) as one JSON array.
func (s *Patients) sealList(patientID, field string, items []string) (seal.Value, error) {
	if items == nil {
		items = []string{}
	}
	b, err := json.Marshal(items)
	if err != nil {
		return seal.Value{}, fmt.Errorf("seal %s: %w", field, err)
	}
	v, err := s.keys.Seal(string(b), listWhere(patientID, field))
	if err != nil {
		return v, fmt.Errorf("seal %s: %w", field, err)
	}
	return v, nil
}

// openList reads a stored clinical list: a sealed JSON array, a plain array (written before
// encryption; `hms rekey` seals it) or nothing.
func (s *Patients) openList(patientID, field string, raw bson.RawValue) ([]string, error) {
	var out []string
	switch raw.Type {
	case bson.TypeEmbeddedDocument:
		var v seal.Value
		if err := raw.Unmarshal(&v); err != nil {
			return nil, fmt.Errorf("read sealed %s: %w", field, err)
		}
		text, err := s.keys.Open(v, listWhere(patientID, field))
		if err != nil {
			return nil, fmt.Errorf("open %s of patient %s: %w", field, patientID, err)
		}
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			return nil, fmt.Errorf("read %s of patient %s: %w", field, patientID, err)
		}
	case bson.TypeArray:
		if !s.keys.AcceptsPlaintext() {
			return nil, fmt.Errorf("%s of patient %s: %w", field, patientID, seal.ErrPlaintext)
		}
		if err := raw.Unmarshal(&out); err != nil {
			return nil, fmt.Errorf("read %s of patient %s: %w", field, patientID, err)
		}
	case 0, bson.TypeNull:
	default:
		return nil, fmt.Errorf("%s of patient %s has unexpected type %s", field, patientID, raw.Type)
	}
	return out, nil
}

// UpdateFields implements patient.Store: one $set of the fields given, with their search keys. Each
// field is written whole (a sealed list is replaced), so two PATCHes of different fields both land.
func (s *Patients) UpdateFields(ctx context.Context, id string, c patient.Changes, at time.Time) error {
	set := bson.D{{Key: "updated_at", Value: at}}
	if c.Name != nil {
		set = append(set, bson.E{Key: "name", Value: *c.Name},
			bson.E{Key: "name_keys", Value: nonNilStrings(patient.Words(*c.Name))},
			bson.E{Key: "name_prefixes", Value: namePrefixes(*c.Name)},
			bson.E{Key: "name_fold", Value: patient.FoldedName(*c.Name)})
	}
	for _, f := range []struct {
		key string
		v   *string
	}{{"date_of_birth", c.DateOfBirth}, {"sex", c.Sex}, {"phone", c.Phone}, {"address", c.Address}} {
		if f.v != nil {
			set = append(set, bson.E{Key: f.key, Value: *f.v})
		}
	}
	if c.Phone != nil {
		set = append(set, bson.E{Key: "phone_key", Value: patient.PhoneKey(*c.Phone)})
	}
	if c.EmergencyContacts != nil {
		set = append(set, bson.E{Key: "emergency_contacts", Value: *c.EmergencyContacts})
	}
	if c.Unidentified != nil {
		set = append(set, bson.E{Key: "unidentified", Value: *c.Unidentified})
	}
	if c.Allergies != nil {
		v, err := s.sealList(id, "allergies", *c.Allergies)
		if err != nil {
			return err
		}
		set = append(set, bson.E{Key: "allergies", Value: v})
	}
	if c.Conditions != nil {
		v, err := s.sealList(id, "conditions", *c.Conditions)
		if err != nil {
			return err
		}
		set = append(set, bson.E{Key: "conditions", Value: v},
			bson.E{Key: "condition_terms", Value: s.terms(*c.Conditions...)})
	}
	leave := s.gate.enter()
	res, err := s.patients.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	leave()
	if err != nil {
		return wrap("update patient", err)
	}
	if res.MatchedCount == 0 {
		return patient.ErrNotFound
	}
	return nil
}

// IndexSearchKeys computes the search keys of records stored before them (no name_prefixes or no
// terms_key; erased records excepted): name words and prefixes, folded name, phone digits, blind-index terms. It runs at start;
// it returns how many records it indexed.
func (s *Patients) IndexSearchKeys(ctx context.Context) (int, error) {
	// An erased record has no search keys on purpose (ErasedPatientFields): it is not indexed again.
	missing := bson.D{{Key: "erased_at", Value: bson.D{{Key: "$exists", Value: false}}}, {Key: "$or", Value: bson.A{
		bson.D{{Key: "name_prefixes", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "terms_key", Value: bson.D{{Key: "$exists", Value: false}}}},
	}}}
	docs, err := findAll(ctx, s.patients, "find records to index", missing, nil, func(d storedPatient) storedPatient { return d })
	if err != nil {
		return 0, err
	}
	for i, d := range docs {
		r, err := s.record(d)
		if err != nil {
			return i, err
		}
		set := bson.D{
			{Key: "name_keys", Value: nonNilStrings(patient.Words(r.Name))}, {Key: "name_prefixes", Value: namePrefixes(r.Name)},
			{Key: "name_fold", Value: patient.FoldedName(r.Name)}, {Key: "phone_key", Value: patient.PhoneKey(r.Phone)},
			{Key: "condition_terms", Value: s.terms(r.Conditions...)}, {Key: "history_terms", Value: s.terms(patient.IndexedHistory(r.MedicalHistory, d.HistoryByPatient))},
			{Key: "terms_key", Value: s.keys.Active()},
		}
		leave := s.gate.enter()
		_, err = s.patients.UpdateOne(ctx, bson.D{{Key: "_id", Value: r.ID}, {Key: "updated_at", Value: d.F.UpdatedAt}},
			bson.D{{Key: "$set", Value: set}})
		leave()
		if err != nil {
			return i, wrap("index patient", err)
		}
	}
	return len(docs), nil
}
