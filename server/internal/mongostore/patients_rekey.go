package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"hms/server/internal/patient"
	"hms/server/internal/seal"
)

// Rekey seals again, under the active key, every sealed field of patient records (medical history,
// allergies, conditions) and of history revisions that is plain text or sealed under another key, so
// that an old key can be retired; it also recomputes a record's blind-index terms under the active key.
// Each document is replaced only if its fields are still the ones read (a write meanwhile already used
// the active key). It reports after each collection and returns how many values it re-sealed.
func (s *Patients) Rekey(ctx context.Context, progress func(collection string, scanned, resealed int)) (int, error) {
	total := 0
	for _, c := range []struct {
		name   string
		col    *mongo.Collection
		pid    string // the field holding the patient id
		fields []string
	}{
		{colPatients, s.patients, "_id", []string{"medical_history", "allergies", "conditions"}},
		{colRevisions, s.revisions, "patient_id", []string{"medical_history"}},
	} {
		cur, err := c.col.Find(ctx, bson.D{})
		if err != nil {
			return total, wrap("rekey: read "+c.name, err)
		}
		scanned, resealed := 0, 0
		for cur.Next(ctx) {
			scanned++
			n, err := s.rekeyDoc(ctx, c.col, c.pid, c.fields, cur.Current)
			if err != nil {
				_ = cur.Close(ctx)
				return total, err
			}
			resealed += n
		}
		if err := cur.Err(); err != nil {
			_ = cur.Close(ctx)
			return total, wrap("rekey: read "+c.name, err)
		}
		_ = cur.Close(ctx)
		total += resealed
		if progress != nil {
			progress(c.name, scanned, resealed)
		}
	}
	return total, nil
}

// rekeyDoc re-seals one document's fields that need it and returns how many it re-sealed.
func (s *Patients) rekeyDoc(ctx context.Context, col *mongo.Collection, pidField string, fields []string, doc bson.Raw) (int, error) {
	pid, _ := doc.Lookup(pidField).StringValueOK()
	filter := bson.D{{Key: "_id", Value: doc.Lookup("_id")}}
	set := bson.D{}
	var history string
	var conditions []string
	resealed := 0
	for _, f := range fields {
		raw, err := doc.LookupErr(f)
		if err != nil {
			continue
		}
		var v seal.Value
		current := raw.Type == bson.TypeEmbeddedDocument && raw.Unmarshal(&v) == nil && v.Key == s.keys.Active()
		var sealed seal.Value
		if f == "medical_history" {
			// A record's revision is "revision", a revision document's "rev".
			revField := "rev"
			if pidField == "_id" {
				revField = "revision"
			}
			rev64, _ := doc.Lookup(revField).AsInt64OK()
			var v2 bool
			if history, v2, err = s.openHistory(pid, int(rev64), raw); err != nil {
				return 0, err
			}
			if current = current && v2; !current {
				sealed, err = s.sealHistory(pid, int(rev64), history)
			}
		} else {
			list, err2 := s.openList(pid, f, raw)
			if err2 != nil {
				return 0, err2
			}
			if f == "conditions" {
				conditions = list
			}
			if !current {
				sealed, err = s.sealList(pid, f, list)
			}
		}
		if err != nil {
			return 0, err
		}
		if !current {
			filter = append(filter, bson.E{Key: f, Value: raw})
			set = append(set, bson.E{Key: f, Value: sealed})
			resealed++
		}
	}
	if _, erased := doc.LookupErr("erased_at"); pidField == "_id" && erased != nil {
		// (An erased record keeps no search keys: ErasedPatientFields.)
		if k, _ := doc.Lookup("terms_key").StringValueOK(); k != s.keys.Active() {
			set = append(set, bson.E{Key: "condition_terms", Value: s.terms(conditions...)},
				bson.E{Key: "history_terms", Value: s.terms(patient.IndexedHistory(history, doc.Lookup("history_by_patient").Type == bson.TypeBoolean && doc.Lookup("history_by_patient").Boolean()))},
				bson.E{Key: "terms_key", Value: s.keys.Active()})
			if resealed == 0 {
				// Only the terms change: guard them on the fields they are computed from.
				for _, f := range []string{"medical_history", "conditions"} {
					if raw, err := doc.LookupErr(f); err == nil {
						filter = append(filter, bson.E{Key: f, Value: raw})
					}
				}
			}
		}
	}
	if len(set) == 0 {
		return 0, nil
	}
	leave := s.gate.enter()
	res, err := col.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: set}})
	leave()
	if err != nil {
		return 0, wrap("rekey: update", err)
	}
	if res.ModifiedCount == 0 {
		return 0, nil
	}
	return resealed, nil
}
