package mongostore

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/seal"
)

// Sealed fields (SECURITY.md row 30) are bound to where they are stored: "<collection>/<id>/<field>",
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
// `hms rekey` seals), or absent.
func openRaw(keys *seal.Keyring, raw bson.RawValue, where string) (string, error) {
	switch raw.Type {
	case bson.TypeEmbeddedDocument:
		var v seal.Value
		if err := raw.Unmarshal(&v); err != nil {
			return "", fmt.Errorf("read sealed %s: %w", where, err)
		}
		return openText(keys, v, where)
	case bson.TypeString:
		return raw.StringValue(), nil
	case 0, bson.TypeNull:
		return "", nil
	}
	return "", fmt.Errorf("%s has unexpected type %s", where, raw.Type)
}
