package auth

import (
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"hms/server/internal/clock"
	"hms/server/internal/ident"
)

// Token types, carried in the "token_use" claim so that a refresh token never passes for an access
// token (RFC 8725 §3.11), nor the other way round.
const (
	useAccess   = "access"
	useRefresh  = "refresh"
	useWSTicket = "ws-ticket"
	// useClient is an integration client's access token (client credentials grant): accepted on
	// the FHIR API only.
	useClient = "client"
)

// TicketTTL is how long a websocket ticket may wait to be used.
const TicketTTL = 30 * time.Second

// maxTokenLen bounds what is parsed at all: a real token is a few hundred bytes.
const maxTokenLen = 4096

type claims struct {
	jwt.RegisteredClaims
	Use       string `json:"token_use"`
	SessionID string `json:"sid"`
	Epoch     int64  `json:"ep"`
	// SessionExpires, on a websocket ticket, is the expiry of the access token it was issued for.
	SessionExpires int64 `json:"sx,omitempty"`
	// Scope, on a client's token, is the space-separated scopes it was granted (RFC 8693 §4.2).
	Scope string `json:"scope,omitempty"`
}

// Tokens signs and checks HS256 JWTs with a pinned algorithm, issuer and audience, and a required expiry.
type Tokens struct {
	secret     []byte
	issuer     string
	audience   string
	accessTTL  time.Duration
	refreshTTL time.Duration
	now        func() time.Time
	parser     *jwt.Parser
}

// NewTokens returns a signer/checker timed by clk (nil: the system time).
func NewTokens(secret, issuer, audience string, accessTTL, refreshTTL time.Duration, clk *clock.Clock) *Tokens {
	now := clk.Now
	return &Tokens{
		secret: []byte(secret), issuer: issuer, audience: audience,
		accessTTL: accessTTL, refreshTTL: refreshTTL, now: now,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(issuer),
			jwt.WithAudience(audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(5*time.Second),
			jwt.WithTimeFunc(now),
		),
	}
}

func (t *Tokens) sign(use string, u User, sessionID string, ttl time.Duration) (string, string, error) {
	return t.signWith(use, u, sessionID, ttl, 0)
}

func (t *Tokens) signWith(use string, u User, sessionID string, ttl time.Duration, sessionExpires int64) (string, string, error) {
	now := t.now()
	jti := ident.New()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Subject:   u.ID,
			Audience:  jwt.ClaimStrings{t.audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti,
		},
		Use: use, SessionID: sessionID, Epoch: u.Epoch, SessionExpires: sessionExpires,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	if err != nil {
		return "", "", fmt.Errorf("sign token: %w", err)
	}
	return s, jti, nil
}

// parse checks signature, algorithm, issuer, audience, expiry, not-before and the token use.
func (t *Tokens) parse(raw, use string) (*claims, error) {
	if raw == "" || len(raw) > maxTokenLen {
		return nil, ErrBadToken
	}
	var c claims
	_, err := t.parser.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return t.secret, nil })
	if err == nil && c.Use == useClient && use != useClient {
		return nil, ErrMachineToken
	}
	if err != nil || c.Use != use || c.Subject == "" || c.SessionID == "" && use != useClient {
		return nil, ErrBadToken
	}
	return &c, nil
}

// signClient signs an integration client's access token for scopes, valid for ttl.
func (t *Tokens) signClient(cl Client, scopes []Scope, ttl time.Duration) (string, time.Time, error) {
	now := t.now()
	exp := now.Add(ttl)
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: t.issuer, Subject: cl.ID, Audience: jwt.ClaimStrings{t.audience},
			ExpiresAt: jwt.NewNumericDate(exp), NotBefore: jwt.NewNumericDate(now), IssuedAt: jwt.NewNumericDate(now),
			ID: ident.New(),
		},
		Use: useClient, Epoch: cl.Epoch, Scope: strings.Join(scopeStrings(scopes), " "),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign client token: %w", err)
	}
	return s, exp, nil
}
