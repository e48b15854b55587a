package mongostore

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"hms/server/internal/seal"
)

// Sealed fields (docs/security.md row 30) are bound to where they are stored: "<collection>/<id>/<field>",
// so a value copied into another record or field does not open. These helpers are the one way the
// stores seal and open them.

// fieldWhere names a sealed field's place.
func fieldWhere(col, id, field string) string { return col + "/" + id + "/" + field }

// sealText seals text for where.
func sealText(keys *seal.Keyring, text, where string) (seal.Value, error) {
	v, err := keys.Seal(text, where)
	if err != nil {
		return v, fmt.Errorf("seal %s: %w", where, err)
	}
	return v, nil
}

// openText opens a value sealed for where.
func openText(keys *seal.Keyring, v seal.Value, where string) (string, error) {
	text, err := keys.Open(v, where)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", where, err)
	}
	return text, nil
}

// openRaw reads a stored field that is sealed, plain text written before encryption (which
// `hms rekey` seals; accepted only while the keyring accepts plaintext), or absent.
func openRaw(keys *seal.Keyring, raw bson.RawValue, where string) (string, error) {
	switch raw.Type {
	case bson.TypeEmbeddedDocument:
		var v seal.Value
		if err := raw.Unmarshal(&v); err != nil {
			return "", fmt.Errorf("read sealed %s: %w", where, err)
		}
		return openText(keys, v, where)
	case bson.TypeString:
		if !keys.AcceptsPlaintext() {
			return "", fmt.Errorf("%s: %w", where, seal.ErrPlaintext)
		}
		return raw.StringValue(), nil
	case 0, bson.TypeNull:
		return "", nil
	}
	return "", fmt.Errorf("%s has unexpected type %s", where, raw.Type)
}

// rekeyFields seals again, under the active key, the listed fields (top-level, or a dotted path into
// an embedded document) of every document of col
// that are sealed under another key or stored in clear (written before encryption). where names a
// field's place (nil: fieldWhere(collection, _id, field)). Each update is conditional on the old value,
// so a value changed meanwhile is left to its writer. It returns how many documents it read and how
// many fields it re-sealed. Every sealed store's Rekey is made of it.
func rekeyFields(ctx context.Context, g *gate, keys *seal.Keyring, col *mongo.Collection,
	where func(doc bson.Raw, field string) string, fields ...string) (scanned, resealed int, err error) {
	name := col.Name()
	cur, err := col.Find(ctx, bson.D{})
	if err != nil {
		return 0, 0, wrap("rekey: read "+name, err)
	}
	defer func() { _ = cur.Close(ctx) }()
	for cur.Next(ctx) {
		scanned++
		id, _ := cur.Current.Lookup("_id").StringValueOK()
		for _, field := range fields {
			raw, lerr := cur.Current.LookupErr(strings.Split(field, ".")...)
			if lerr != nil || raw.Type == bson.TypeNull {
				continue
			}
			var v seal.Value
			if raw.Type == bson.TypeEmbeddedDocument && raw.Unmarshal(&v) == nil && v.Key == keys.Active() {
				continue
			}
			at := fieldWhere(name, id, field)
			if where != nil {
				at = where(cur.Current, field)
			}
			text, err := openRaw(keys, raw, at)
			if err != nil {
				return scanned, resealed, err
			}
			sealed, err := sealText(keys, text, at)
			if err != nil {
				return scanned, resealed, err
			}
			leave := g.enter()
			res, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: field, Value: raw}},
				bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: sealed}}}})
			leave()
			if err != nil {
				return scanned, resealed, wrap("rekey: update "+name, err)
			}
			resealed += int(res.ModifiedCount)
		}
	}
	if err := cur.Err(); err != nil {
		return scanned, resealed, wrap("rekey: read "+name, err)
	}
	return scanned, resealed, nil
}
