package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"hms/server/internal/clock"
)

const (
	fuzzSecret      = "fuzz-secret-0123456789abcdef0123456789"
	fuzzOtherSecret = "another-secret-0123456789abcdef012345"
)

// fuzzNow is the time the fuzzed tokens are checked at.
var fuzzNow = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

// Ways FuzzTokenParse assembles a token from the fuzzed header and payload.
const (
	signOurs  = iota // HMAC-SHA256 with our secret, whatever the header says
	signOther        // HMAC-SHA256 with another secret
	signNone         // no signature (alg none's shape)
	signRaw          // the header bytes are the whole token, as sent
	signModes
)

func fuzzTokens() *Tokens {
	return NewTokens(fuzzSecret, "hms", "hms-api", 15*time.Minute, 12*time.Hour, clock.New(func() time.Time { return fuzzNow }))
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func hs256(secret, input string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(input))
	return m.Sum(nil)
}

// FuzzTokenParse checks the token parser's promises on any input (docs/security.md rows 2–6):
//   - it never panics, whatever the token and whichever use is asked for;
//   - a token not signed with our key (another key, no signature, alg none) is never accepted;
//   - a token it accepts has the header alg HS256, a signature that is HMAC-SHA256 of its first two
//     parts under our key (checked here independently of golang-jwt), our issuer and audience, the use
//     asked for, a subject and a session, and is inside its lifetime.
//
// make test runs it for a few seconds (scripts/test.sh); `go test -fuzz FuzzTokenParse` runs it longer.
func FuzzTokenParse(f *testing.F) {
	tok := fuzzTokens()
	u := User{ID: "6a0000000000000000000001", Epoch: 3}
	access, _, err := tok.sign(useAccess, u, "s1", 15*time.Minute)
	if err != nil {
		f.Fatal(err)
	}
	refresh, _, err := tok.sign(useRefresh, u, "s1", 12*time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(access, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	for mode := range uint8(signModes) {
		f.Add(header, payload, mode)
	}
	f.Add([]byte(access), []byte{}, uint8(signRaw))
	f.Add([]byte(refresh), []byte{}, uint8(signRaw))
	f.Add([]byte(access[:len(access)-2]+"AA"), []byte{}, uint8(signRaw))
	f.Add([]byte(strings.Repeat("A", maxTokenLen+1)), []byte{}, uint8(signRaw))
	for _, alg := range []string{"none", "None", "HS384", "HS512", "RS256", "ES256", "PS256", "EdDSA", ""} {
		h := []byte(`{"alg":"` + alg + `","typ":"JWT"}`)
		f.Add(h, payload, uint8(signOurs))
		f.Add(h, payload, uint8(signNone))
	}
	f.Add([]byte(`{"alg":"HS256","typ":"JWT","crit":["exp"]}`), payload, uint8(signOurs))
	f.Add([]byte(`{"alg":"HS256"}`), bytes.Replace(payload, []byte(`"access"`), []byte(`"refresh"`), 1), uint8(signOurs))
	f.Add([]byte(`{"alg":"HS256"}`), []byte(`{"iss":"hms","aud":"hms-api","sub":"x","sid":"s","token_use":"access"}`), uint8(signOurs))
	f.Add([]byte(`{"alg":"HS256"}`), []byte(`{"iss":"hms","aud":["x","hms-api"],"sub":"x","sid":"s","token_use":"access","exp":1e300}`), uint8(signOurs))

	f.Fuzz(func(t *testing.T, header, payload []byte, mode uint8) {
		mode %= signModes
		input := b64(header) + "." + b64(payload)
		var raw string
		switch mode {
		case signOurs:
			raw = input + "." + b64(hs256(fuzzSecret, input))
		case signOther:
			raw = input + "." + b64(hs256(fuzzOtherSecret, input))
		case signNone:
			raw = input + "."
		case signRaw:
			raw = string(header)
		}
		for _, use := range []string{useAccess, useRefresh, useWSTicket} {
			c, err := tok.parse(raw, use)
			if err != nil {
				continue
			}
			if mode == signOther || mode == signNone {
				t.Fatalf("accepted a token not signed with our key (mode %d) as %s: %q", mode, use, raw)
			}
			checkAccepted(t, raw, use, c)
		}
	})
}

// checkAccepted fails t unless raw, which parse accepted as use with claims c, is a token HMS issued.
func checkAccepted(t *testing.T, raw, use string, c *claims) {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("accepted a token of %d parts: %q", len(parts), raw)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || json.Unmarshal(hb, &h) != nil || h.Alg != "HS256" {
		t.Fatalf("accepted a token whose header is %q, want alg HS256: %q", hb, raw)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, hs256(fuzzSecret, parts[0]+"."+parts[1])) {
		t.Fatalf("accepted a token whose signature is not ours: %q", raw)
	}
	if c.Use != use || c.Subject == "" || c.SessionID == "" || c.Issuer != "hms" {
		t.Fatalf("accepted as %s claims %+v", use, c)
	}
	audience := false
	for _, a := range c.Audience {
		audience = audience || a == "hms-api"
	}
	if !audience {
		t.Fatalf("accepted a token for the audiences %v", c.Audience)
	}
	const leeway = 5 * time.Second
	if c.ExpiresAt == nil || !fuzzNow.Before(c.ExpiresAt.Add(leeway)) {
		t.Fatalf("accepted a token without exp, or expired (%v) at %v", c.ExpiresAt, fuzzNow)
	}
	if c.NotBefore != nil && fuzzNow.Add(leeway).Before(c.NotBefore.Time) {
		t.Fatalf("accepted a token not valid before %v at %v", c.NotBefore, fuzzNow)
	}
	if c.IssuedAt != nil && fuzzNow.Add(leeway).Before(c.IssuedAt.Time) {
		t.Fatalf("accepted a token issued at %v, after %v", c.IssuedAt, fuzzNow)
	}
}

// TestTokenParseSeeds: the token FuzzTokenParse starts from is accepted when signed with our key and
// asked for as what it is, so the fuzzer explores around a token that passes, and refused otherwise.
func TestTokenParseSeeds(t *testing.T) {
	tok := fuzzTokens()
	access, _, err := tok.sign(useAccess, User{ID: "6a0000000000000000000001"}, "s1", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(access, ".")
	input := parts[0] + "." + parts[1]
	noneHeader := b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1]
	tests := []struct {
		name, raw, use string
		want           bool
	}{
		{"ours, as access", input + "." + b64(hs256(fuzzSecret, input)), useAccess, true},
		{"ours, as refresh", input + "." + b64(hs256(fuzzSecret, input)), useRefresh, false},
		{"another key", input + "." + b64(hs256(fuzzOtherSecret, input)), useAccess, false},
		{"no signature", input + ".", useAccess, false},
		{"alg none", noneHeader + ".", useAccess, false},
		{"alg none, signed with our key", noneHeader + "." + b64(hs256(fuzzSecret, noneHeader)), useAccess, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tok.parse(tt.raw, tt.use)
			if got := err == nil; got != tt.want {
				t.Fatalf("got accepted %v (%v), want %v", got, err, tt.want)
			}
		})
	}
}
