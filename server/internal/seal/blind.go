package seal

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// blindLabel is the HKDF info that separates the blind-index keys from the encryption keys: the same
// secret never serves as both an AES key and an HMAC key.
const blindLabel = "hms blind index v1"

// blindKeys derives one HMAC key per sealing key, in the keyring's order.
func blindKeys(keys []Key) ([][]byte, error) {
	out := make([][]byte, 0, len(keys))
	for _, k := range keys {
		bk, err := hkdf.Key(sha256.New, k.Secret[:], nil, blindLabel, 32)
		if err != nil {
			return nil, fmt.Errorf("seal: derive blind-index key: %w", err)
		}
		out = append(out, bk)
	}
	return out, nil
}

// BlindIndex returns the keyed blind index of term under the active key: HMAC-SHA256 with a key
// derived (HKDF, label "hms blind index v1") from the active key's secret, truncated to 128 bits, in
// hex. Equal terms give equal indexes, so an exact-word search can run on encrypted fields; someone
// with the database but not the key learns only which records share a term, not the term.
//
// Rotation: stored indexes are recomputed under the active key by `hms rekey` (with the sealed
// values); until then BlindIndexes, which searches use, also yields the index under every older key
// the ring still holds, so a search finds records indexed before the rotation.
func (k *Keyring) BlindIndex(term string) string { return blind(k.blind[0], term) }

// BlindIndexes returns term's blind index under every key of the ring, the active one first.
func (k *Keyring) BlindIndexes(term string) []string {
	out := make([]string, len(k.blind))
	for i, bk := range k.blind {
		out[i] = blind(bk, term)
	}
	return out
}

func blind(key []byte, term string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(term))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
