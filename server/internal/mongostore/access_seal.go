package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"hms/server/internal/seal"
)

// Break-the-glass and referral reasons are free text that may name a condition ("unconscious, needs
// the allergy list"), so they are sealed like clinical notes (SECURITY.md row 30), each bound to its
// document: where = "<collection>/<id>/reason".

func reasonWhere(col, id string) string { return fieldWhere(col, id, "reason") }

func (s *AccessGrants) sealReason(col, id, text string) (seal.Value, error) {
	return sealText(s.keys, text, reasonWhere(col, id))
}

// openReason reads a stored reason: a sealed value, or plain text written before encryption.
func (s *AccessGrants) openReason(col, id string, raw bson.RawValue) (string, error) {
	return openRaw(s.keys, raw, reasonWhere(col, id))
}

// Rekey seals again, under the active key, every reason that is plain text or sealed under another key.
// A value is replaced only if it is still the one read. It reports after each collection and returns
// how many values it re-sealed.
func (s *AccessGrants) Rekey(ctx context.Context, progress func(collection string, scanned, resealed int)) (int, error) {
	total := 0
	for _, c := range []struct {
		name string
		col  *mongo.Collection
	}{{colAccessGrants, s.grants}, {colReferrals, s.referrals}} {
		scanned, resealed, err := s.rekey(ctx, c.name, c.col)
		total += resealed
		if err != nil {
			return total, err
		}
		if progress != nil {
			progress(c.name, scanned, resealed)
		}
	}
	return total, nil
}

func (s *AccessGrants) rekey(ctx context.Context, name string, col *mongo.Collection) (scanned, resealed int, err error) {
	cur, err := col.Find(ctx, bson.D{})
	if err != nil {
		return 0, 0, wrap("rekey: read "+name, err)
	}
	defer func() { _ = cur.Close(ctx) }()
	for cur.Next(ctx) {
		scanned++
		raw, lerr := cur.Current.LookupErr("reason")
		if lerr != nil {
			continue
		}
		var v seal.Value
		if raw.Type == bson.TypeEmbeddedDocument && raw.Unmarshal(&v) == nil && v.Key == s.keys.Active() {
			continue
		}
		id, _ := cur.Current.Lookup("_id").StringValueOK()
		text, err := s.openReason(name, id, raw)
		if err != nil {
			return scanned, resealed, err
		}
		sealed, err := s.sealReason(name, id, text)
		if err != nil {
			return scanned, resealed, err
		}
		leave := s.gate.enter()
		res, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "reason", Value: raw}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "reason", Value: sealed}}}})
		leave()
		if err != nil {
			return scanned, resealed, wrap("rekey: update "+name, err)
		}
		resealed += int(res.ModifiedCount)
	}
	if err := cur.Err(); err != nil {
		return scanned, resealed, wrap("rekey: read "+name, err)
	}
	return scanned, resealed, nil
}
