// Package seal encrypts fields of patient data at rest with AES-256-GCM (docs/security.md row 30).
//
// Each value is stored as a small document holding the ID of the key that sealed it, a random nonce and
// the ciphertext, so keys can be rotated: a keyring opens values sealed under any key it holds and seals
// new ones under its active key; `hms rekey` re-seals old values under the active key. Every value is
// bound to where it belongs (its record and field, as GCM's additional data), so a ciphertext copied
// into another record does not open.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Value is a sealed field as stored: {k: key id, n: nonce, c: ciphertext with GCM tag}.
type Value struct {
	Key   string `bson:"k" json:"k"`
	Nonce []byte `bson:"n" json:"n"`
	Data  []byte `bson:"c" json:"c"`
}

// Errors from Open.
var (
	ErrUnknownKey = errors.New("sealed with a key this server does not have")
	ErrTampered   = errors.New("sealed value does not open: tampered, or moved from another record")
)

// Keyring holds the keys values may be sealed with; the first is the active one.
type Keyring struct {
	active string
	aeads  map[string]cipher.AEAD
	order  []string
	blind  [][]byte // blind-index keys, in order (blind.go)
	// plaintext: stored plain text is accepted where a sealed value belongs (AcceptPlaintext).
	plaintext bool
}

// ErrPlaintext is plain text found where a sealed value belongs while the keyring does not accept it.
var ErrPlaintext = errors.New("plain text where a sealed value belongs: data stored before encryption, or planted; " +
	"set SEAL_LEGACY_PLAINTEXT=true and run hms rekey to seal legacy data")

// AcceptPlaintext says whether the stores may read plain text where a sealed value belongs, and
// `hms rekey` seal it as genuine: only while legacy data written before a field was sealed may exist
// (SEAL_LEGACY_PLAINTEXT). Otherwise such a value is refused (ErrPlaintext), so text planted in the
// database is never taken for, nor sealed into, real data. A new keyring accepts it; the server's
// (config.Keyring) follows the setting. Call it before the keyring is used.
func (k *Keyring) AcceptPlaintext(accept bool) { k.plaintext = accept }

// AcceptsPlaintext reports AcceptPlaintext's setting.
func (k *Keyring) AcceptsPlaintext() bool { return k.plaintext }

// Key is one 256-bit key and its ID.
type Key struct {
	ID     string
	Secret [32]byte
}

// NewKeyring makes a keyring of keys; keys[0] seals new values.
func NewKeyring(keys ...Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("seal: no keys")
	}
	k := &Keyring{active: keys[0].ID, aeads: map[string]cipher.AEAD{}, plaintext: true}
	for _, key := range keys {
		if key.ID == "" || strings.ContainsAny(key.ID, ":, ") || len(key.ID) > 32 {
			return nil, fmt.Errorf("seal: key id %q: 1–32 characters, no ':', ',' or space", key.ID)
		}
		if _, dup := k.aeads[key.ID]; dup {
			return nil, fmt.Errorf("seal: key id %q given twice", key.ID)
		}
		block, err := aes.NewCipher(key.Secret[:])
		if err != nil {
			return nil, fmt.Errorf("seal: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("seal: %w", err)
		}
		k.aeads[key.ID] = aead
		k.order = append(k.order, key.ID)
	}
	var err error
	if k.blind, err = blindKeys(keys); err != nil {
		return nil, err
	}
	return k, nil
}

// ParseKeys reads ENCRYPTION_KEYS: "id:base64key,id:base64key", the first active. Each key is 32 bytes
// (standard or URL base64, padded or not): `openssl rand -base64 32`.
func ParseKeys(s string) ([]Key, error) {
	var keys []Key
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, b64, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("ENCRYPTION_KEYS: %q is not id:base64key", redact(part))
		}
		raw, err := decode64(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("ENCRYPTION_KEYS: key %q must be 32 bytes in base64 (openssl rand -base64 32)", id)
		}
		k := Key{ID: strings.TrimSpace(id)}
		copy(k.Secret[:], raw)
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("ENCRYPTION_KEYS: no keys")
	}
	return keys, nil
}

// FromSecret derives a key from a secret such as SECRET_KEY (HKDF-SHA256). Its ID is taken from the
// key itself, so a changed SECRET_KEY is a new key, not a silent mismatch.
func FromSecret(secret string) (Key, error) {
	raw, err := hkdf.Key(sha256.New, []byte(secret), nil, "hms field encryption v1", 32)
	if err != nil {
		return Key{}, fmt.Errorf("seal: derive key: %w", err)
	}
	var k Key
	copy(k.Secret[:], raw)
	sum := sha256.Sum256(raw)
	k.ID = "sk-" + hex.EncodeToString(sum[:4])
	return k, nil
}

// Active is the ID of the key that seals new values.
func (k *Keyring) Active() string { return k.active }

// Seal encrypts plaintext under the active key, bound to where (e.g. "patients/<id>/medical_history").
func (k *Keyring) Seal(plaintext, where string) (Value, error) {
	aead := k.aeads[k.active]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return Value{}, fmt.Errorf("seal: nonce: %w", err)
	}
	return Value{Key: k.active, Nonce: nonce, Data: aead.Seal(nil, nonce, []byte(plaintext), []byte(where))}, nil
}

// Open decrypts v, which must have been sealed for the same where.
func (k *Keyring) Open(v Value, where string) (string, error) {
	aead, ok := k.aeads[v.Key]
	if !ok {
		return "", fmt.Errorf("%w (key %q)", ErrUnknownKey, v.Key)
	}
	if len(v.Nonce) != aead.NonceSize() {
		return "", ErrTampered
	}
	out, err := aead.Open(nil, v.Nonce, v.Data, []byte(where))
	if err != nil {
		return "", ErrTampered
	}
	return string(out), nil
}

func decode64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// redact keeps a mistyped key out of error messages and logs.
func redact(s string) string {
	if id, _, ok := strings.Cut(s, ":"); ok {
		return id + ":…"
	}
	if len(s) > 4 {
		return s[:4] + "…"
	}
	return "…"
}
