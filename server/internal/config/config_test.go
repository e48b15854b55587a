package config

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func lookup(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

const goodSecret = "0123456789abcdef0123456789abcdef"

func TestJWTSecretRequiredOutsideDebug(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		wantErr string
	}{
		{"missing, debug unset", map[string]string{}, "JWT_SECRET is missing"},
		{"missing, DEBUG=False", map[string]string{"DEBUG": "False"}, "JWT_SECRET is missing"},
		{"default placeholder", map[string]string{"DEBUG": "false", "JWT_SECRET": DefaultJWTSecret}, "still the default"},
		{"too short", map[string]string{"JWT_SECRET": "short-secret"}, "shorter than 32"},
		{"missing but debug", map[string]string{"DEBUG": "True"}, ""},
		{"good secret", map[string]string{"JWT_SECRET": goodSecret}, ""},
		{"bad bool", map[string]string{"DEBUG": "maybe", "JWT_SECRET": goodSecret}, "DEBUG=\"maybe\""},
		{"bad duration", map[string]string{"JWT_SECRET": goodSecret, "ACCESS_TOKEN_TTL": "soon"}, "ACCESS_TOKEN_TTL"},
		{"admin email without password", map[string]string{"JWT_SECRET": goodSecret, "ADMIN_EMAIL": "a@b.org"}, "go together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromLookup(lookup(tt.vars))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c, err := FromLookup(lookup(map[string]string{"JWT_SECRET": goodSecret}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.DataDir != "./data" || c.StorageMode() != "embedded-ferretdb-sqlite" {
		t.Fatalf("got addr %q dir %q storage %q, want :8080 ./data embedded-ferretdb-sqlite", c.HTTPAddr, c.DataDir, c.StorageMode())
	}
	if len(c.TrustedProxies) != 0 {
		t.Fatalf("got trusted proxies %v, want none by default", c.TrustedProxies)
	}
}

func TestLogValueMasksSecrets(t *testing.T) {
	c, err := FromLookup(lookup(map[string]string{
		"JWT_SECRET": goodSecret, "SECRET_KEY": "the-secret-key-value", "EMAIL_HOST_PASSWORD": "smtp-pass-value",
		"DATABASE_URL": "mongodb://user:db-pass-value@db:27017/", "REDIS_URL": "redis://:redis-pass-value@r:6379/0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	out := buf.String()
	for _, secret := range []string{goodSecret, "the-secret-key-value", "smtp-pass-value", "db-pass-value", "redis-pass-value"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains secret %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "mongodb://user:***@db:27017/") {
		t.Errorf("got %s, want the database URL with its password masked", out)
	}
}

func TestDevJWTSecretPersists(t *testing.T) {
	dir := t.TempDir()
	c, err := FromLookup(lookup(map[string]string{"DEBUG": "true", "DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureDevJWTSecret(); err != nil {
		t.Fatal(err)
	}
	first := c.JWTSecret
	c2, _ := FromLookup(lookup(map[string]string{"DEBUG": "true", "DATA_DIR": dir}))
	if err := c2.EnsureDevJWTSecret(); err != nil {
		t.Fatal(err)
	}
	if len(first) < 32 || c2.JWTSecret != first {
		t.Fatalf("got secrets %q then %q, want one random secret of 32+ chars kept across starts", first, c2.JWTSecret)
	}
}
