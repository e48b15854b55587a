package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"hms/server/internal/seal"
)

// Break-the-glass and referral reasons are free text that may name a condition ("unconscious, needs
// the allergy list"), so they are sealed like clinical notes (docs/security.md row 30), each bound to its
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
		scanned, resealed, err := rekeyFields(ctx, s.gate, s.keys, c.col, nil, "reason")
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
