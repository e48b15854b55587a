package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// secretPrefix starts every client secret, so that a secret pasted where it should not be is easy to
// recognise (and for secret scanners).
const secretPrefix = "hmscs_"

// newSecret returns a client secret: 256 random bits, base64url, with the prefix.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return secretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// hashSecret is the stored form of a client secret: its SHA-256. The secret is 256 random bits, so
// no guessing or dictionary attack on the hash is possible and a slow password hash (argon2id) would
// only cost CPU on every token request (docs/integrations.md).
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// secretMatches compares a presented secret with the stored hash in constant time.
func secretMatches(secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(hash)) == 1
}

// clientTarget names a client in the activity log.
func clientTarget(id string) string { return "client:" + id }

// checkClientName trims and checks a client's name: 1–100 characters, no control characters.
func checkClientName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", fault.Invalid("name is required, at most 100 characters")
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", fault.Invalid("name must not hold control characters")
	}
	return name, nil
}

// clientsOn refuses when no client store is wired.
func (s *Service) clientsOn() error {
	if s.clients == nil {
		return fault.New(fault.ErrUnavailable, "integration clients are not available on this server")
	}
	return nil
}

// RegisterClient registers an integration client for by and returns it with its secret, which is
// shown this once. Audited as client.create.
func (s *Service) RegisterClient(ctx context.Context, by Principal, req shared.CreateIntegrationClientRequest) (Client, string, error) {
	cl, secret, err := s.registerClient(ctx, by, req)
	aerr := s.record(ctx, by.UserID, by.Role, clientTarget(cl.ID), "client.create", cl.Name, err)
	if err = audited(err, aerr); err != nil {
		return Client{}, "", err
	}
	return cl, secret, nil
}

func (s *Service) registerClient(ctx context.Context, by Principal, req shared.CreateIntegrationClientRequest) (Client, string, error) {
	if err := s.clientsOn(); err != nil {
		return Client{}, "", err
	}
	name, err := checkClientName(req.Name)
	if err != nil {
		return Client{}, "", err
	}
	scopes, err := ParseScopes(req.Scopes)
	if err != nil {
		return Client{}, "", err
	}
	secret, err := newSecret()
	if err != nil {
		return Client{}, "", err
	}
	cl := Client{ID: ident.New(), Name: name, Scopes: scopes, SecretHash: hashSecret(secret), Epoch: 1,
		CreatedBy: by.UserID, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	if err := s.clients.InsertClient(ctx, cl); err != nil {
		return Client{}, "", err
	}
	return cl, secret, nil
}

// RotateClient gives a client a new secret, shown this once: the old secret stops at once, and so do
// the tokens issued under it. Audited as client.rotate.
func (s *Service) RotateClient(ctx context.Context, by Principal, id string) (Client, string, error) {
	cl, secret, err := s.rotateClient(ctx, id)
	aerr := s.record(ctx, by.UserID, by.Role, clientTarget(targetID(id)), "client.rotate", cl.Name, err)
	if err = audited(err, aerr); err != nil {
		return Client{}, "", err
	}
	return cl, secret, nil
}

func (s *Service) rotateClient(ctx context.Context, id string) (Client, string, error) {
	cl, err := s.client(ctx, id)
	if err != nil {
		return Client{}, "", err
	}
	if cl.RevokedAt != nil {
		return cl, "", ErrClientRevoked
	}
	secret, err := newSecret()
	if err != nil {
		return Client{}, "", err
	}
	at := s.now().UTC().Truncate(time.Millisecond)
	if err := s.clients.RotateClient(ctx, id, cl.Epoch, hashSecret(secret), at); err != nil {
		return cl, "", err
	}
	cl.Epoch++
	cl.SecretHash = hashSecret(secret)
	cl.RotatedAt = &at
	return cl, secret, nil
}

// RevokeClient revokes a client: its secret and every token it holds stop working at once (each
// request reads the client). Revoking a revoked client changes nothing. Audited as client.revoke.
func (s *Service) RevokeClient(ctx context.Context, by Principal, id string) (Client, error) {
	cl, err := s.revokeClient(ctx, id)
	aerr := s.record(ctx, by.UserID, by.Role, clientTarget(targetID(id)), "client.revoke", cl.Name, err)
	return cl, audited(err, aerr)
}

func (s *Service) revokeClient(ctx context.Context, id string) (Client, error) {
	cl, err := s.client(ctx, id)
	if err != nil || cl.RevokedAt != nil {
		return cl, err
	}
	at := s.now().UTC().Truncate(time.Millisecond)
	if err := s.clients.RevokeClient(ctx, id, at); err != nil {
		return cl, err
	}
	cl.RevokedAt = &at
	return cl, nil
}

// Clients lists a page of the integration clients, newest first.
func (s *Service) Clients(ctx context.Context, page, limit int) ([]Client, int, error) {
	if err := s.clientsOn(); err != nil {
		return nil, 0, err
	}
	return s.clients.Clients(ctx, (page-1)*limit, limit)
}

// client reads a client by id (404 for a malformed or unknown one).
func (s *Service) client(ctx context.Context, id string) (Client, error) {
	if err := s.clientsOn(); err != nil {
		return Client{}, err
	}
	if !ident.Valid(id) {
		return Client{}, ErrClientNotFound
	}
	return s.clients.ClientByID(ctx, id)
}

// authenticateClient checks a client's access token against the live client record, read by _id on
// every request: a revoked client, or one rotated since the token was issued, fails at once.
func (s *Service) authenticateClient(ctx context.Context, raw string) (Principal, error) {
	c, err := s.tokens.parse(raw, useClient)
	if err != nil {
		return Principal{}, err
	}
	if s.clients == nil || !ident.Valid(c.Subject) {
		return Principal{}, ErrBadToken
	}
	cl, err := s.clients.ClientByID(ctx, c.Subject)
	if errors.Is(err, fault.ErrNotFound) {
		return Principal{}, ErrBadToken
	}
	if err != nil {
		return Principal{}, err
	}
	if cl.RevokedAt != nil || cl.Epoch != c.Epoch {
		// The principal comes with the refusal, for the activity log to name the client.
		return Principal{UserID: clientTarget(cl.ID), Role: shared.RoleClient, RoleID: string(shared.RoleClient),
			grants: NewGrants(nil), Client: &ClientCaller{ID: cl.ID, Name: cl.Name}}, ErrClientTokenRevoked
	}
	var scopes []Scope
	for _, f := range strings.Fields(c.Scope) {
		if sc, err := ParseScope(f); err == nil && within([]Scope{sc}, cl.Scopes) {
			scopes = append(scopes, sc)
		}
	}
	return Principal{UserID: clientTarget(cl.ID), Role: shared.RoleClient, RoleID: string(shared.RoleClient),
		grants: NewGrants(nil), Expires: c.ExpiresAt.Time, Client: &ClientCaller{ID: cl.ID, Name: cl.Name, Scopes: scopes}}, nil
}
