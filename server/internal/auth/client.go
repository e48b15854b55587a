package auth

import (
	"context"
	"slices"
	"strings"
	"time"

	"hms/server/internal/fault"
	"hms/shared"
)

// Interactions a scope grants: read (GET, HEAD) or write (POST, PUT, PATCH, DELETE); "*" is both.
const (
	InteractionRead  = "read"
	InteractionWrite = "write"
	anyOf            = "*"
)

// Scope is one SMART-style system scope of an integration client: system/<Type>.<interaction>, where
// Type is a FHIR resource type the API serves or "*", and interaction read, write or "*".
type Scope struct {
	Type, Interaction string
}

// String is the scope as written: system/Patient.read.
func (s Scope) String() string { return "system/" + s.Type + "." + s.Interaction }

// Covers reports whether s grants interaction on resource type typ.
func (s Scope) Covers(typ, interaction string) bool {
	return (s.Type == anyOf || s.Type == typ) && (s.Interaction == anyOf || s.Interaction == interaction)
}

// ParseScope reads one scope, refusing what is not system/<Type or *>.<read, write or *> with a
// Type of shared.FHIRResourceTypes.
func ParseScope(raw string) (Scope, error) {
	rest, ok := strings.CutPrefix(raw, "system/")
	if !ok {
		return Scope{}, fault.Invalid("scope %q: want system/<ResourceType>.<read|write|*> (only system scopes are granted to clients)", cut(raw))
	}
	typ, inter, ok := strings.Cut(rest, ".")
	if !ok {
		return Scope{}, fault.Invalid("scope %q: want system/<ResourceType>.<read|write|*>", cut(raw))
	}
	if typ != anyOf && !slices.Contains(shared.FHIRResourceTypes, typ) {
		return Scope{}, fault.Invalid("scope %q: %q is not a FHIR resource type this server serves (%s, or *)",
			cut(raw), cut(typ), strings.Join(shared.FHIRResourceTypes, ", "))
	}
	if inter != InteractionRead && inter != InteractionWrite && inter != anyOf {
		return Scope{}, fault.Invalid("scope %q: the interaction must be read, write or *", cut(raw))
	}
	return Scope{Type: typ, Interaction: inter}, nil
}

// ParseScopes reads a list of scopes (at least one, at most 64), without duplicates, in the order given.
func ParseScopes(raw []string) ([]Scope, error) {
	if len(raw) == 0 {
		return nil, fault.Invalid("scopes: at least one scope is required, e.g. system/Patient.read")
	}
	if len(raw) > 64 {
		return nil, fault.Invalid("scopes: at most 64")
	}
	out := make([]Scope, 0, len(raw))
	for _, r := range raw {
		s, err := ParseScope(strings.TrimSpace(r))
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// scopeStrings writes scopes as their strings.
func scopeStrings(ss []Scope) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.String()
	}
	return out
}

// granted returns the scope of ss that grants interaction on typ, if any.
func granted(ss []Scope, typ, interaction string) (Scope, bool) {
	for _, s := range ss {
		if s.Covers(typ, interaction) {
			return s, true
		}
	}
	return Scope{}, false
}

// within reports whether every scope of asked is covered by one of held (system/Patient.read is
// within system/*.read).
func within(asked, held []Scope) bool {
	for _, a := range asked {
		ok := false
		for _, h := range held {
			if (h.Type == anyOf || h.Type == a.Type) && (h.Interaction == anyOf || h.Interaction == a.Interaction) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// cut shortens a client's text for a message.
func cut(s string) string {
	if r := []rune(s); len(r) > 64 {
		return string(r[:64]) + "…"
	}
	return s
}

// Client is a registered integration client as stored. Its secret is kept only as a hash.
type Client struct {
	ID         string
	Name       string
	Scopes     []Scope
	SecretHash string
	// Epoch changes with each rotation; a token carries the epoch it was issued under, and one of an
	// older epoch is refused.
	Epoch      int64
	CreatedBy  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RotatedAt  *time.Time
	RevokedAt  *time.Time
}

// Public is the client as listed.
func (c Client) Public() shared.IntegrationClient {
	return shared.IntegrationClient{ID: c.ID, Name: c.Name, Scopes: scopeStrings(c.Scopes), CreatedBy: c.CreatedBy,
		CreatedAt: c.CreatedAt, LastUsedAt: c.LastUsedAt, RotatedAt: c.RotatedAt, RevokedAt: c.RevokedAt}
}

// ClientStore keeps integration clients; every read is by _id, except the admin's listing.
type ClientStore interface {
	InsertClient(ctx context.Context, c Client) error
	// ClientByID returns ErrClientNotFound for an unknown id.
	ClientByID(ctx context.Context, id string) (Client, error)
	// Clients lists a page of clients, newest first, and how many there are.
	Clients(ctx context.Context, skip, limit int) ([]Client, int, error)
	// RotateClient sets a new secret hash and epoch on a client still at epoch from and not revoked;
	// otherwise ErrClientChanged (or ErrClientNotFound).
	RotateClient(ctx context.Context, id string, from int64, hash string, at time.Time) error
	// RevokeClient marks a client revoked at at (once: a revoked client keeps its first time).
	RevokeClient(ctx context.Context, id string, at time.Time) error
	// TouchClient sets when the client last obtained a token.
	TouchClient(ctx context.Context, id string, at time.Time) error
}

// The machine clients' errors.
var (
	ErrClientNotFound = fault.New(fault.ErrNotFound, "integration client not found")
	ErrClientRevoked  = fault.New(fault.ErrConflict, "this integration client is revoked")
	ErrClientChanged  = fault.New(fault.ErrConflict, "the client changed meanwhile (rotated or revoked): reload and try again")
	// ErrMachineToken refuses a machine client's token anywhere but the FHIR API.
	ErrMachineToken = fault.Coded(fault.ErrForbidden, "machine_token_not_allowed",
		"an integration client's token is accepted only on the FHIR API (/fhir/R4); this route needs a person's sign-in")
	// ErrClientTokenRevoked answers a machine token whose client was revoked or rotated since.
	ErrClientTokenRevoked = fault.Coded(fault.ErrUnauthenticated, "client_revoked",
		"this token's integration client was revoked or its secret rotated: get a new token")
)
