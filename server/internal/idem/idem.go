// Package idem runs a request at most once per Idempotency-Key. The key is claimed by an insert under
// a unique id (the caller's id and the key, so that two callers never share one) before the request
// does anything; a repeat with the same body gets what the first made, one with another body a
// conflict, and a request that fails frees its key so that it may be retried.
package idem

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"time"

	"hms/server/internal/fault"
)

// Key is a claimed Idempotency-Key.
type Key struct {
	ID          string // Scope(caller, key)
	Fingerprint string // Fingerprint of the request it was claimed for
	// ResultID names what the request made: "" while it runs, unless the caller knew the id before
	// making it (then a repeat may find the id before the result exists).
	ResultID string
	At       time.Time
}

// Store keeps claimed keys; the key's ID is unique.
type Store interface {
	// ClaimKey stores k; when a key with its ID was claimed before, it returns that key and ErrClaimed.
	ClaimKey(ctx context.Context, k Key) (Key, error)
	// CompleteKey records the id of what the request under key id made.
	CompleteKey(ctx context.Context, id, resultID string) error
	// ReleaseKey frees a key whose request failed.
	ReleaseKey(ctx context.Context, id string) error
}

// The errors of a claim. ErrClaimed is the store's; the others are a repeat's answers.
var (
	ErrClaimed    = fault.New(fault.ErrConflict, "this Idempotency-Key was used before")
	ErrMismatch   = fault.New(fault.ErrConflict, "this Idempotency-Key was used with a different request")
	ErrInProgress = fault.New(fault.ErrConflict, "a request with this Idempotency-Key is still in progress; retry shortly")
	ErrInvalid    = fault.Invalid("Idempotency-Key must be 1–100 printable ASCII characters")
)

// Check reports whether key may be an Idempotency-Key ("" means none was sent, which is valid).
func Check(key string) error {
	if len(key) > 100 || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return ErrInvalid
	}
	return nil
}

// Scope is the id a caller's key is stored under: one caller's key never names another's request.
func Scope(caller, key string) string { return caller + ":" + key }

// Fingerprint is the hash a repeat's request is compared by.
func Fingerprint(request []byte) string {
	sum := sha256.Sum256(request)
	return hex.EncodeToString(sum[:])
}

// Claim runs do once under k. It claims k first; when k was claimed before, a repeat of the same
// request (same fingerprint) gets the id the first one stored and replayed = true, without running
// do, and another request ErrMismatch. A repeat while the first runs gets ErrInProgress (when the
// caller knew the result's id in advance, it reports a result it cannot find yet as in progress
// itself). When do fails the key is released, so the same request may be tried again; a process that
// dies while do runs leaves the key claimed, in progress. log (nil: slog.Default()) is told when a key
// cannot be completed or released; the request's own answer stands.
func Claim(ctx context.Context, s Store, log *slog.Logger, k Key, do func() (resultID string, err error)) (string, bool, error) {
	if log == nil {
		log = slog.Default()
	}
	prev, err := s.ClaimKey(ctx, k)
	if errors.Is(err, ErrClaimed) {
		switch {
		case prev.Fingerprint != k.Fingerprint:
			return "", false, ErrMismatch
		case prev.ResultID == "":
			return "", false, ErrInProgress
		}
		return prev.ResultID, true, nil
	}
	if err != nil {
		return "", false, err
	}
	id, err := do()
	if err != nil {
		if rerr := s.ReleaseKey(context.WithoutCancel(ctx), k.ID); rerr != nil {
			log.WarnContext(ctx, "release idempotency key", "err", rerr)
		}
		return "", false, err
	}
	if id != k.ResultID {
		if cerr := s.CompleteKey(ctx, k.ID, id); cerr != nil {
			log.WarnContext(ctx, "complete idempotency key", "err", cerr)
		}
	}
	return id, false, nil
}
