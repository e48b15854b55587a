package app_test

// Rows 1–11 of docs/security.md: tokens, sessions, sign-in and passwords.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/shared"
)

// freshClaims returns the claims of a real token with new iat/nbf/exp/jti, so that signing them with
// the server's secret and HS256 gives a token the server accepts (the control every forgery is
// measured against).
func freshClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	c := tokenClaims(t, token)
	now := time.Now()
	jti := make([]byte, 12)
	_, _ = rand.Read(jti)
	c["iat"], c["nbf"], c["exp"] = now.Unix(), now.Unix(), now.Add(5*time.Minute).Unix()
	c["jti"] = hex.EncodeToString(jti)
	return c
}

// signJWT signs claims with a golang-jwt method and key.
func signJWT(t *testing.T, m jwt.SigningMethod, claims map[string]any, key any) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, jwt.MapClaims(claims)).SignedString(key)
	if err != nil {
		t.Fatalf("sign %s: %v", m.Alg(), err)
	}
	return s
}

// hs256 builds a token by hand: the given header, the claims, and an HMAC-SHA256 signature with key.
func hs256(t *testing.T, header, claims map[string]any, key []byte) string {
	t.Helper()
	input := b64JSON(t, header) + "." + b64JSON(t, claims)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// TestSecurity01NoOrMalformedBearer checks row 1: without a token, or with a malformed Authorization
// header, a write is refused with 401 and changes nothing.
func TestSecurity01NoOrMalformedBearer(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	p := env.NewUser(shared.RolePatient)
	pid := p.User.PatientID
	env.Put("/api/patient/"+pid, p.Token, map[string]string{"medical_history": "original"}).Want(t, http.StatusOK)
	before := rawPatient(t, env, pid)

	for _, c := range []struct{ name, header string }{
		{"no header", ""},
		{"empty bearer", "Bearer "},
		{"bearer without space", "Bearer"},
		{"bearer whitespace", "Bearer    "},
		{"basic scheme", "Basic dXNlcjpwYXNz"},
		{"token without scheme", p.Token},
		{"other scheme", "Token " + p.Token},
		{"not a JWT", "Bearer not-a-jwt"},
		{"empty segments", "Bearer .."},
		{"garbage segments", "Bearer a.b.c"},
		{"two tokens", "Bearer " + p.Token + " " + p.Token},
		{"truncated signature", "Bearer " + p.Token[:len(p.Token)-4]},
		{"appended bytes", "Bearer " + p.Token + "AAAA"},
		{"missing signature", "Bearer " + p.Token[:strings.LastIndex(p.Token, ".")+1]},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := apptest.Request{Method: "PUT", Path: "/api/patient/" + pid, Body: map[string]string{"medical_history": "tampered"}}
			if c.header != "" {
				req.Header = map[string]string{"Authorization": c.header}
			}
			r := env.Do(req)
			wantErr(t, r, http.StatusUnauthorized, "unauthenticated")
			if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("got WWW-Authenticate %q, want a Bearer challenge", got)
			}
			if after := rawPatient(t, env, pid); after != before {
				t.Errorf("got record %+v, want it unchanged %+v", after, before)
			}
		})
	}
}

// TestSecurity02AlgorithmPinned checks row 2: only HS256 with the server's secret is accepted; alg
// "none", other HMAC sizes, asymmetric algorithms (including RS256 declared over an HMAC of the
// secret, the key-confusion attack) and a wrong secret all get 401.
func TestSecurity02AlgorithmPinned(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	p := env.NewUser(shared.RolePatient)
	secret := []byte(env.Config.JWTSecret)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	claims := freshClaims(t, p.Token)
	orig := strings.Split(p.Token, ".")

	t.Run("control: HS256 with the secret is accepted", func(t *testing.T) {
		env.Get("/api/me", signJWT(t, jwt.SigningMethodHS256, claims, secret)).Want(t, http.StatusOK)
	})
	for _, c := range []struct{ name, token string }{
		{"alg none", signJWT(t, jwt.SigningMethodNone, claims, jwt.UnsafeAllowNoneSignatureType)},
		{"alg NONE", b64JSON(t, map[string]any{"alg": "NONE", "typ": "JWT"}) + "." + b64JSON(t, claims) + "."},
		{"alg none with the original signature", b64JSON(t, map[string]any{"alg": "none", "typ": "JWT"}) + "." + orig[1] + "." + orig[2]},
		{"no alg", hs256(t, map[string]any{"typ": "JWT"}, claims, secret)},
		{"HS384 with the secret", signJWT(t, jwt.SigningMethodHS384, claims, secret)},
		{"HS512 with the secret", signJWT(t, jwt.SigningMethodHS512, claims, secret)},
		{"RS256", signJWT(t, jwt.SigningMethodRS256, claims, rsaKey)},
		{"PS256", signJWT(t, jwt.SigningMethodPS256, claims, rsaKey)},
		{"ES256", signJWT(t, jwt.SigningMethodES256, claims, ecKey)},
		{"RS256 header over an HMAC of the secret", hs256(t, map[string]any{"alg": "RS256", "typ": "JWT"}, claims, secret)},
		{"HS256 with another secret", signJWT(t, jwt.SigningMethodHS256, claims, []byte(strings.Repeat("x", 64)))},
		{"HS256 with an empty secret", hs256(t, map[string]any{"alg": "HS256", "typ": "JWT"}, claims, []byte{})},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantErr(t, env.Get("/api/me", c.token), http.StatusUnauthorized, "unauthenticated")
		})
	}
	t.Run("refresh with alg none", func(t *testing.T) {
		rc := freshClaims(t, p.RefreshToken)
		tok := signJWT(t, jwt.SigningMethodNone, rc, jwt.UnsafeAllowNoneSignatureType)
		wantErr(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: tok}), http.StatusUnauthorized, "unauthenticated")
	})
}

// TestSecurity03EditedPayload checks row 3: a real token whose payload is edited but not re-signed
// gets 401.
func TestSecurity03EditedPayload(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	p := env.NewUser(shared.RolePatient)
	parts := strings.Split(p.Token, ".")
	edit := func(t *testing.T, change func(c map[string]any)) string {
		t.Helper()
		c := tokenClaims(t, p.Token)
		change(c)
		return parts[0] + "." + b64JSON(t, c) + "." + parts[2]
	}

	t.Run("control: the token as issued", func(t *testing.T) {
		env.Get("/api/me", p.Token).Want(t, http.StatusOK)
	})
	for _, c := range []struct {
		name, path string
		change     func(c map[string]any)
	}{
		{"role admin added", "/api/users", func(c map[string]any) { c["role"] = "admin" }},
		{"sub is the admin", "/api/me", func(c map[string]any) { c["sub"] = admin.ID() }},
		{"ep changed", "/api/me", func(c map[string]any) {
			c["ep"] = json.Number(fmt.Sprint(mustInt(t, c["ep"]) + 1))
		}},
		{"exp extended", "/api/me", func(c map[string]any) { c["exp"] = time.Now().Add(365 * 24 * time.Hour).Unix() }},
		{"sid is the admin's", "/api/me", func(c map[string]any) { c["sid"] = tokenClaims(t, admin.Token)["sid"] }},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantErr(t, env.Get(c.path, edit(t, c.change)), http.StatusUnauthorized, "unauthenticated")
		})
	}
}

func mustInt(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("got claim %v (%T), want a number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("claim %v: %v", v, err)
	}
	return i
}

// TestSecurity04TimeAudienceIssuer checks row 4: tokens signed with the real secret and otherwise
// valid claims are refused when expired, without exp, not yet valid, or for another audience or issuer.
func TestSecurity04TimeAudienceIssuer(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	p := env.NewUser(shared.RolePatient)
	secret := []byte(env.Config.JWTSecret)
	if env.Config.JWTIssuer != "hms" || env.Config.JWTAudience != "hms-api" {
		t.Fatalf("got issuer %q audience %q, want the defaults hms and hms-api", env.Config.JWTIssuer, env.Config.JWTAudience)
	}
	if c := tokenClaims(t, p.Token); c["iss"] != "hms" || c["token_use"] != "access" || c["sid"] == nil || c["ep"] == nil {
		t.Fatalf("got real claims %v, want iss hms, token_use access, sid and ep", c)
	}
	now := time.Now()
	sign := func(t *testing.T, change func(c map[string]any)) string {
		t.Helper()
		c := freshClaims(t, p.Token)
		change(c)
		return signJWT(t, jwt.SigningMethodHS256, c, secret)
	}

	t.Run("control: fresh claims accepted", func(t *testing.T) {
		env.Get("/api/me", sign(t, func(map[string]any) {})).Want(t, http.StatusOK)
	})
	for _, c := range []struct {
		name   string
		change func(c map[string]any)
	}{
		{"expired an hour ago", func(c map[string]any) {
			c["iat"], c["nbf"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		}},
		{"expired a minute ago", func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() }},
		{"no exp", func(c map[string]any) { delete(c, "exp") }},
		{"exp not a number", func(c map[string]any) { c["exp"] = "never" }},
		{"nbf in an hour", func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }},
		{"iat in an hour", func(c map[string]any) { c["iat"] = now.Add(time.Hour).Unix() }},
		{"wrong aud", func(c map[string]any) { c["aud"] = []string{"other-api"} }},
		{"aud string wrong", func(c map[string]any) { c["aud"] = "other-api" }},
		{"no aud", func(c map[string]any) { delete(c, "aud") }},
		{"wrong iss", func(c map[string]any) { c["iss"] = "not-hms" }},
		{"no iss", func(c map[string]any) { delete(c, "iss") }},
		{"no token_use", func(c map[string]any) { delete(c, "token_use") }},
		{"no sid", func(c map[string]any) { delete(c, "sid") }},
		{"no sub", func(c map[string]any) { delete(c, "sub") }},
		{"unknown sid", func(c map[string]any) { c["sid"] = "0123456789abcdef01234567" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantErr(t, env.Get("/api/me", sign(t, c.change)), http.StatusUnauthorized, "unauthenticated")
		})
	}
	t.Run("expired refresh token", func(t *testing.T) {
		c := freshClaims(t, p.RefreshToken)
		c["iat"], c["nbf"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		tok := signJWT(t, jwt.SigningMethodHS256, c, secret)
		wantErr(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: tok}), http.StatusUnauthorized, "unauthenticated")
	})
}

// TestSecurity05TokenUse checks row 5: access and refresh tokens cannot pass for each other, a refresh
// token works once, and replaying it revokes the session.
func TestSecurity05TokenUse(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	p := env.NewUser(shared.RolePatient)

	t.Run("refresh token as access token", func(t *testing.T) {
		wantErr(t, env.Get("/api/me", p.RefreshToken), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Put("/api/patient/"+p.User.PatientID, p.RefreshToken, map[string]string{"medical_history": "x"}),
			http.StatusUnauthorized, "unauthenticated")
	})
	t.Run("access token at refresh", func(t *testing.T) {
		wantErr(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: p.Token}), http.StatusUnauthorized, "unauthenticated")
	})
	t.Run("refresh token with token_use access, re-signed", func(t *testing.T) {
		c := freshClaims(t, p.RefreshToken)
		c["token_use"] = "access"
		// Signed with the real secret this is a valid access token: the claim, not the TTL, tells them apart.
		tok := signJWT(t, jwt.SigningMethodHS256, c, []byte(env.Config.JWTSecret))
		wantErr(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: tok}), http.StatusUnauthorized, "unauthenticated")
	})

	t.Run("refresh once, replay revokes the session", func(t *testing.T) {
		u := signIn(t, env, p.User.Email, apptest.Password)
		var next shared.TokenResponse
		env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: u.RefreshToken}).Want(t, http.StatusOK).Decode(t, &next)
		if next.Token == "" || next.RefreshToken == "" || next.Token == u.Token || next.RefreshToken == u.RefreshToken {
			t.Fatalf("got refresh response %+v, want a new pair", next)
		}
		env.Get("/api/me", next.Token).Want(t, http.StatusOK)

		wantErr(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: u.RefreshToken}), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Get("/api/me", next.Token), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Get("/api/me", u.Token), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: next.RefreshToken}), http.StatusUnauthorized, "unauthenticated")
		// Another session of the same account is not the replayed one and keeps working.
		env.Get("/api/me", p.Token).Want(t, http.StatusOK)
	})
}

// TestSecurity06HugeBearer checks row 6: a 1 MB Authorization header is refused with 401 (the token is
// not parsed at all).
func TestSecurity06HugeBearer(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	junk := strings.Repeat("A", 1<<20)
	dotted := strings.Repeat("eyJhbGciOi.", (1<<20)/11)
	for _, c := range []struct{ name, method, path, token string }{
		{"junk on a Roles route", "GET", "/api/me", junk},
		{"dotted junk on a Roles route", "GET", "/api/me", dotted},
		{"junk on an OptionalAuth route", "POST", "/api/auth/register", junk},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := env.Do(apptest.Request{Method: c.method, Path: c.path, Header: map[string]string{"Authorization": "Bearer " + c.token},
				Body: map[string]string{"name": "x", "email": "huge@test.hms", "password": apptest.Password}})
			wantErr(t, r, http.StatusUnauthorized, "unauthenticated")
		})
	}
	if n := countDocs(t, env, "users", bson.D{{Key: "email", Value: "huge@test.hms"}}); n != 0 {
		t.Errorf("got %d accounts registered under a junk token, want 0", n)
	}
}

// TestSecurity07TokensEndAtOnce checks row 7: after logout, a password change, disabling the account or
// lowering its role, the old tokens get 401 at once.
func TestSecurity07TokensEndAtOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()

	t.Run("logout", func(t *testing.T) {
		p := env.NewUser(shared.RolePatient)
		env.Post("/api/auth/logout", p.Token, nil).Want(t, http.StatusNoContent)
		wantErr(t, env.Get("/api/me", p.Token), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: p.RefreshToken}), http.StatusUnauthorized, "unauthenticated")
	})

	t.Run("password change", func(t *testing.T) {
		p := env.NewUser(shared.RolePatient)
		other := signIn(t, env, p.User.Email, apptest.Password) // a second session, e.g. another device
		const next = "a brand new passphrase 2024"
		env.Post("/api/auth/password", p.Token, shared.ChangePasswordRequest{CurrentPassword: apptest.Password, NewPassword: next}).
			Want(t, http.StatusNoContent)
		for name, tok := range map[string]string{"access": p.Token, "other session's access": other.Token} {
			if r := env.Get("/api/me", tok); r.Status != http.StatusUnauthorized {
				t.Errorf("%s token: got status %d, want 401", name, r.Status)
			}
		}
		for name, tok := range map[string]string{"refresh": p.RefreshToken, "other session's refresh": other.RefreshToken} {
			if r := env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: tok}); r.Status != http.StatusUnauthorized {
				t.Errorf("%s token: got status %d, want 401", name, r.Status)
			}
		}
		wantErr(t, env.Post("/api/auth/login", "", shared.LoginRequest{Email: p.User.Email, Password: apptest.Password}),
			http.StatusUnauthorized, "unauthenticated")
		env.Get("/api/me", signIn(t, env, p.User.Email, next).Token).Want(t, http.StatusOK)
	})

	t.Run("account disabled", func(t *testing.T) {
		d := env.NewUser(shared.RoleDoctor)
		env.Get("/api/me", d.Token).Want(t, http.StatusOK)
		env.Patch("/api/users/"+d.ID(), admin.Token, map[string]bool{"disabled": true}).Want(t, http.StatusOK)
		wantErr(t, env.Get("/api/me", d.Token), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: d.RefreshToken}), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Post("/api/auth/login", "", shared.LoginRequest{Email: d.User.Email, Password: apptest.Password}),
			http.StatusUnauthorized, "unauthenticated")
	})

	t.Run("admin lowered to doctor", func(t *testing.T) {
		var reg shared.RegisterResponse
		env.Post("/api/auth/register", admin.Token, shared.RegisterRequest{Name: "Second Admin", Email: "admin2@test.hms",
			Password: apptest.Password, Role: shared.RoleAdmin}).Want(t, http.StatusCreated).Decode(t, &reg)
		a2 := signIn(t, env, "admin2@test.hms", apptest.Password)
		env.Get("/api/users", a2.Token).Want(t, http.StatusOK)
		env.Patch("/api/users/"+reg.ID, admin.Token, map[string]string{"role": "doctor"}).Want(t, http.StatusOK)
		wantErr(t, env.Get("/api/users", a2.Token), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Get("/api/me", a2.Token), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: a2.RefreshToken}), http.StatusUnauthorized, "unauthenticated")
		again := signIn(t, env, "admin2@test.hms", apptest.Password)
		if again.User.Role != shared.RoleDoctor {
			t.Errorf("got role %q after signing in again, want doctor", again.User.Role)
		}
		wantErr(t, env.Get("/api/users", again.Token), http.StatusForbidden, "forbidden")
	})

	t.Run("doctor lowered to staff", func(t *testing.T) {
		d := env.NewUser(shared.RoleDoctor)
		env.Patch("/api/users/"+d.ID(), admin.Token, map[string]string{"role": "staff"}).Want(t, http.StatusOK)
		wantErr(t, env.Get("/api/me", d.Token), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: d.RefreshToken}), http.StatusUnauthorized, "unauthenticated")
	})
}

// TestSecurity08LoginBruteForce checks row 8: failed sign-ins are limited per account and per client
// address, a spoofed X-Forwarded-For does not reset the address count, the answer is 429 with
// Retry-After, and while locked even the right password is refused.
func TestSecurity08LoginBruteForce(t *testing.T) {
	t.Parallel()
	login := func(env *apptest.Env, email, password, xff string) *apptest.Response {
		req := apptest.Request{Method: "POST", Path: "/api/auth/login", Body: shared.LoginRequest{Email: email, Password: password}}
		if xff != "" {
			req.Header = map[string]string{"X-Forwarded-For": xff, "X-Real-IP": xff}
		}
		return env.Do(req)
	}
	wantLocked := func(t *testing.T, r *apptest.Response) {
		t.Helper()
		wantErr(t, r, http.StatusTooManyRequests, "too_many_requests")
		if got := r.Header.Get("Retry-After"); got != "900" {
			t.Errorf("got Retry-After %q, want \"900\" (LOGIN_WINDOW 15m)", got)
		}
	}

	t.Run("per account", func(t *testing.T) {
		t.Parallel()
		env := apptest.New(t, apptest.WithEnv("LOGIN_MAX_FAILURES", "3"), apptest.WithEnv("LOGIN_MAX_PER_IP", "1000"),
			apptest.WithEnv("LOGIN_WINDOW", "15m"))
		victim, bystander := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
		email := victim.User.Email
		for i := range 3 {
			wantErr(t, login(env, email, fmt.Sprintf("wrong password %d", i), fmt.Sprintf("198.51.100.%d", i)), http.StatusUnauthorized, "unauthenticated")
		}
		wantLocked(t, login(env, email, "wrong password 3", "198.51.100.3"))
		wantLocked(t, login(env, email, apptest.Password, "198.51.100.4"))
		wantLocked(t, login(env, strings.ToUpper(email), apptest.Password, ""))
		wantLocked(t, login(env, " "+email+" ", apptest.Password, ""))
		// The lock is on that account: another one still signs in from the same address.
		signIn(t, env, bystander.User.Email, apptest.Password)
	})

	t.Run("per client address", func(t *testing.T) {
		t.Parallel()
		env := apptest.New(t, apptest.WithEnv("LOGIN_MAX_FAILURES", "1000"), apptest.WithEnv("LOGIN_MAX_PER_IP", "4"),
			apptest.WithEnv("LOGIN_WINDOW", "15m"))
		real := env.NewUser(shared.RolePatient)
		for i := range 4 {
			wantErr(t, login(env, fmt.Sprintf("nobody%d@test.hms", i), apptest.Password, fmt.Sprintf("203.0.113.%d", i+1)),
				http.StatusUnauthorized, "unauthenticated")
		}
		wantLocked(t, login(env, "nobody-else@test.hms", apptest.Password, "203.0.113.50"))
		wantLocked(t, login(env, "yet-another@test.hms", "whatever pass", "10.9.8.7, 203.0.113.51"))
		wantLocked(t, login(env, real.User.Email, apptest.Password, "192.0.2.77"))
		wantLocked(t, login(env, real.User.Email, apptest.Password, ""))
	})
}

// TestSecurity09NoAccountEnumeration checks row 9: an unknown email, a wrong password and a disabled
// account get the same status, headers and body apart from the request ID.
func TestSecurity09NoAccountEnumeration(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	u := env.NewUser(shared.RolePatient)
	off := env.NewUser(shared.RoleStaff)
	env.Patch("/api/users/"+off.ID(), admin.Token, map[string]bool{"disabled": true}).Want(t, http.StatusOK)

	type answer struct {
		Status  int
		Body    map[string]any
		WWWAuth string
		Type    string
	}
	get := func(t *testing.T, email, password string) answer {
		t.Helper()
		r := env.Post("/api/auth/login", "", shared.LoginRequest{Email: email, Password: password})
		var body map[string]any
		r.Decode(t, &body)
		if body["request_id"] == "" || body["request_id"] == nil {
			t.Errorf("got no request_id in %s", r.Body)
		}
		delete(body, "request_id")
		return answer{r.Status, body, r.Header.Get("WWW-Authenticate"), r.Header.Get("Content-Type")}
	}
	wrong := get(t, u.User.Email, "not the password 123")
	if wrong.Status != http.StatusUnauthorized {
		t.Fatalf("got status %d for a wrong password, want 401", wrong.Status)
	}
	for _, c := range []struct{ name, email, password string }{
		{"unknown email", "nobody-here@test.hms", "not the password 123"},
		{"unknown email, the real password", "nobody-here2@test.hms", apptest.Password},
		{"disabled account, right password", off.User.Email, apptest.Password},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := get(t, c.email, c.password)
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(wrong)
			if string(gj) != string(wj) {
				t.Errorf("got %s, want the wrong-password answer %s", gj, wj)
			}
		})
	}
}

// TestSecurity10PasswordPolicy checks row 10: short, common and email-equal passwords get 400, a
// 64-character one is accepted, and the stored hash is argon2id and does not contain the password.
func TestSecurity10PasswordPolicy(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	for _, c := range []struct{ name, email, password string }{
		{"7 characters", "short@test.hms", "Zq7!x9w"},
		{"empty", "empty@test.hms", ""},
		{"common", "common@test.hms", "password123"},
		{"common, other case", "common2@test.hms", "PassWord123"},
		{"equal to the email", "same-as-email@test.hms", "same-as-email@test.hms"},
		{"equal to the email, other case", "same2@test.hms", "SAME2@TEST.HMS"},
		{"129 characters", "long@test.hms", strings.Repeat("abcdefgh", 16) + "x"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := env.Post("/api/auth/register", "", shared.RegisterRequest{Name: "Weak", Email: c.email, Password: c.password})
			wantErr(t, r, http.StatusBadRequest, "invalid_request")
			if n := countDocs(t, env, "users", bson.D{{Key: "email", Value: c.email}}); n != 0 {
				t.Errorf("got %d accounts for %s, want 0", n, c.email)
			}
		})
	}

	long := make([]byte, 32)
	_, _ = rand.Read(long)
	pw64 := hex.EncodeToString(long)
	if len(pw64) != 64 {
		t.Fatalf("got a %d-character password, want 64", len(pw64))
	}
	t.Run("64 characters accepted and stored as argon2id", func(t *testing.T) {
		env.SignUp("Long", "long64@test.hms", pw64)
		reg := signIn(t, env, "long64@test.hms", pw64)
		d := rawDoc(t, env, "users", bson.D{{Key: "_id", Value: reg.ID()}})
		hash, _ := d["password_hash"].(string)
		if !strings.HasPrefix(hash, "$argon2id$") {
			t.Errorf("got password_hash %q, want it to start with $argon2id$", hash)
		}
		if strings.Contains(hash, pw64) || strings.Contains(hash, pw64[:16]) {
			t.Errorf("got the password inside password_hash %q", hash)
		}
		for k, v := range d {
			if s, ok := v.(string); ok && k != "password_hash" && strings.Contains(s, pw64[:16]) {
				t.Errorf("got the password in field %s of the user document", k)
			}
		}
	})

	t.Run("weak new password at change", func(t *testing.T) {
		p := env.NewUser(shared.RolePatient)
		for _, weak := range []string{"short", "password123", p.User.Email} {
			wantErr(t, env.Post("/api/auth/password", p.Token, shared.ChangePasswordRequest{CurrentPassword: apptest.Password, NewPassword: weak}),
				http.StatusBadRequest, "invalid_request")
		}
		env.Get("/api/me", p.Token).Want(t, http.StatusOK) // nothing changed: the session lives on
		signIn(t, env, p.User.Email, apptest.Password)
	})
}

// TestSecurity11NoSelfRegistrationAsStaff checks row 11: only an admin may register an admin, doctor
// or staff account.
func TestSecurity11NoSelfRegistrationAsStaff(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	callers := map[string]string{
		"anonymous": "",
		"patient":   env.NewUser(shared.RolePatient).Token,
		"doctor":    env.NewUser(shared.RoleDoctor).Token,
		"staff":     env.NewUser(shared.RoleStaff).Token,
	}
	adminTok := env.Admin().Token
	n := 0
	for _, caller := range []string{"anonymous", "patient", "doctor", "staff"} {
		for _, role := range []shared.Role{shared.RoleAdmin, shared.RoleDoctor, shared.RoleStaff} {
			t.Run(string(role)+" by "+caller, func(t *testing.T) {
				n++
				email := fmt.Sprintf("climber%d@test.hms", n)
				r := env.Post("/api/auth/register", callers[caller], shared.RegisterRequest{Name: "Climber", Email: email,
					Password: apptest.Password, Role: role})
				wantErr(t, r, http.StatusForbidden, "forbidden")
				if c := countDocs(t, env, "users", bson.D{{Key: "email", Value: email}}); c != 0 {
					t.Errorf("got %d accounts for %s, want 0", c, email)
				}
			})
		}
	}
	for _, role := range []shared.Role{shared.RoleAdmin, shared.RoleDoctor, shared.RoleStaff} {
		t.Run(string(role)+" by admin", func(t *testing.T) {
			email := "made-" + string(role) + "@test.hms"
			var reg shared.RegisterResponse
			env.Post("/api/auth/register", adminTok, shared.RegisterRequest{Name: "Made", Email: email, Password: apptest.Password, Role: role}).
				Want(t, http.StatusCreated).Decode(t, &reg)
			if reg.User.Role != role || reg.PatientID != "" {
				t.Errorf("got role %q patient_id %q, want %q and none", reg.User.Role, reg.PatientID, role)
			}
			if got := signIn(t, env, email, apptest.Password).User.Role; got != role {
				t.Errorf("got role %q at sign-in, want %q", got, role)
			}
		})
	}
	t.Run("patient by anonymous", func(t *testing.T) {
		env.Post("/api/auth/register", "", shared.RegisterRequest{Name: "P", Email: "selfmade@test.hms", Password: apptest.Password, Role: shared.RolePatient}).
			Want(t, http.StatusAccepted)
	})
}
