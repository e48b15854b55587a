package config

import (
	"bytes"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"testing"
)

func lookup(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

const goodSecret = "0123456789abcdef0123456789abcdef"

// loadWith loads a Config from vars on top of good secrets and checks its error against wantErr ("":
// none). It reports whether there is a Config to check further.
func loadWith(t *testing.T, vars map[string]string, wantErr string) (Config, bool) {
	t.Helper()
	all := map[string]string{"JWT_SECRET": goodSecret, "SECRET_KEY": goodSecret}
	maps.Copy(all, vars)
	c, err := FromLookup(lookup(all))
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("got error %v, want one containing %q", err, wantErr)
		}
		return c, false
	}
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	return c, true
}

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
		{"no SECRET_KEY", map[string]string{"JWT_SECRET": goodSecret}, "SECRET_KEY is missing"},
		{"short SECRET_KEY", map[string]string{"JWT_SECRET": goodSecret, "SECRET_KEY": "short"}, "SECRET_KEY is shorter"},
		{"bad ENCRYPTION_KEYS", map[string]string{"JWT_SECRET": goodSecret, "ENCRYPTION_KEYS": "k1:dG9vLXNob3J0"}, "32 bytes"},
		{"good secrets", map[string]string{"JWT_SECRET": goodSecret, "SECRET_KEY": goodSecret}, ""},
		{"ENCRYPTION_KEYS instead of SECRET_KEY", map[string]string{"JWT_SECRET": goodSecret,
			"ENCRYPTION_KEYS": "k1:" + strings.Repeat("A", 43)}, ""},
		{"bad bool", map[string]string{"DEBUG": "maybe", "JWT_SECRET": goodSecret}, "DEBUG=\"maybe\""},
		{"bad duration", map[string]string{"JWT_SECRET": goodSecret, "ACCESS_TOKEN_TTL": "soon"}, "ACCESS_TOKEN_TTL"},
		{"admin email without password", map[string]string{"JWT_SECRET": goodSecret, "SECRET_KEY": goodSecret, "ADMIN_EMAIL": "a@b.org"}, "go together"},
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

func TestEmailSettings(t *testing.T) {
	tests := []struct {
		name     string
		vars     map[string]string
		wantFrom string
		wantTLS  string
		wantErr  string
	}{
		{"defaults", map[string]string{}, DefaultEmailFrom, "", ""},
		{"from and tls", map[string]string{"EMAIL_FROM": "St Mary's <no-reply@stmarys.example>", "EMAIL_TLS": "STARTTLS"},
			"St Mary's <no-reply@stmarys.example>", "starttls", ""},
		{"opportunistic", map[string]string{"EMAIL_TLS": "opportunistic"}, DefaultEmailFrom, "opportunistic", ""},
		{"none", map[string]string{"EMAIL_TLS": "none"}, DefaultEmailFrom, "none", ""},
		{"bad tls", map[string]string{"EMAIL_TLS": "ssl"}, "", "", `EMAIL_TLS="ssl": want starttls, opportunistic or none`},
		{"bad from", map[string]string{"EMAIL_FROM": "not an address"}, "", "", `EMAIL_FROM="not an address": want an email address`},
		{"header in from", map[string]string{"EMAIL_FROM": "a@b.org\r\nBcc: x@y.org"}, "", "", "EMAIL_FROM="},
		{"bad port", map[string]string{"EMAIL_PORT": "70000"}, "", "", "EMAIL_PORT=70000"},
		{"port not a number", map[string]string{"EMAIL_PORT": "smtp"}, "", "", `EMAIL_PORT="smtp": want a whole number`},
		{"user without password", map[string]string{"EMAIL_HOST_USER": "apikey"}, "", "", "EMAIL_HOST_USER and EMAIL_HOST_PASSWORD go together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := loadWith(t, tt.vars, tt.wantErr)
			if !ok {
				return
			}
			if c.EmailFrom != tt.wantFrom || c.EmailTLS != tt.wantTLS || c.EmailPort != 587 {
				t.Fatalf("got from %q tls %q port %d, want %q %q 587", c.EmailFrom, c.EmailTLS, c.EmailPort, tt.wantFrom, tt.wantTLS)
			}
		})
	}
}

func TestSMSSettings(t *testing.T) {
	twilio := "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
	tests := []struct {
		name         string
		vars         map[string]string
		wantProvider string
		wantFormat   string
		wantErr      string
	}{
		{"production default: none", map[string]string{}, "none", "form", ""},
		{"debug default: log", map[string]string{"DEBUG": "true"}, "log", "form", ""},
		{"debug, none asked for", map[string]string{"DEBUG": "true", "SMS_PROVIDER": "none"}, "none", "form", ""},
		{"twilio", map[string]string{"SMS_PROVIDER": "HTTP", "SMS_URL": twilio, "SMS_USERNAME": "AC123",
			"SMS_PASSWORD": "token", "SMS_FROM": "+15005550006"}, "http", "form", ""},
		{"json gateway", map[string]string{"SMS_PROVIDER": "http", "SMS_URL": "https://sms.example/v1/messages",
			"SMS_PASSWORD": "key", "SMS_FROM": "StMarys", "SMS_FORMAT": "JSON"}, "http", "json", ""},
		{"http on loopback", map[string]string{"SMS_PROVIDER": "http", "SMS_URL": "http://127.0.0.1:9999/send", "SMS_FROM": "HMS"}, "http", "form", ""},
		{"http on localhost", map[string]string{"SMS_PROVIDER": "http", "SMS_URL": "http://localhost:9999/send", "SMS_FROM": "HMS"}, "http", "form", ""},
		{"http on ::1", map[string]string{"SMS_PROVIDER": "http", "SMS_URL": "http://[::1]:9999/send", "SMS_FROM": "HMS"}, "http", "form", ""},
		{"plain http elsewhere", map[string]string{"SMS_PROVIDER": "http", "SMS_URL": "http://sms.example/send", "SMS_FROM": "HMS"},
			"", "", `SMS_URL="http://sms.example/send": want https`},
		{"not a URL", map[string]string{"SMS_PROVIDER": "http", "SMS_URL": "sms.example/send", "SMS_FROM": "HMS"},
			"", "", `SMS_URL="sms.example/send": want an https URL`},
		{"password in a bad URL is masked", map[string]string{"SMS_PROVIDER": "http", "SMS_URL": "http://u:url-pass@sms.example/", "SMS_FROM": "HMS"},
			"", "", `SMS_URL="http://u:***@sms.example/"`},
		{"http without URL", map[string]string{"SMS_PROVIDER": "http", "SMS_FROM": "HMS"}, "", "", "SMS_PROVIDER=http needs SMS_URL"},
		{"http without from", map[string]string{"SMS_PROVIDER": "http", "SMS_URL": twilio}, "", "", "SMS_PROVIDER=http needs SMS_FROM"},
		{"unknown provider", map[string]string{"SMS_PROVIDER": "twilio"}, "", "", `SMS_PROVIDER="twilio": want http, log or none`},
		{"unknown format", map[string]string{"SMS_FORMAT": "xml"}, "", "", `SMS_FORMAT="xml": want form`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := loadWith(t, tt.vars, tt.wantErr)
			if !ok {
				return
			}
			if c.SMSProvider != tt.wantProvider || c.SMSFormat != tt.wantFormat {
				t.Fatalf("got provider %q format %q, want %q %q", c.SMSProvider, c.SMSFormat, tt.wantProvider, tt.wantFormat)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c, err := FromLookup(lookup(map[string]string{"JWT_SECRET": goodSecret, "SECRET_KEY": goodSecret}))
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
		"JWT_SECRET": goodSecret, "SECRET_KEY": "the-secret-key-value-of-32-characters", "EMAIL_HOST_USER": "apikey", "EMAIL_HOST_PASSWORD": "smtp-pass-value",
		"SMS_PROVIDER": "http", "SMS_URL": "https://AC1:url-pass-value@sms.example/send", "SMS_FROM": "HMS", "SMS_PASSWORD": "sms-pass-value",
		"DATABASE_URL": "mongodb://user:db-pass-value@db:27017/", "REDIS_URL": "redis://:redis-pass-value@r:6379/0",
		"METRICS_TOKEN": "metrics-token-value",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	out := buf.String()
	for _, secret := range []string{goodSecret, "the-secret-key-value", "smtp-pass-value", "db-pass-value", "redis-pass-value", "sms-pass-value", "url-pass-value", "metrics-token-value"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains secret %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "mongodb://user:***@db:27017/") {
		t.Errorf("got %s, want the database URL with its password masked", out)
	}
}

func TestDevSecretsPersist(t *testing.T) {
	dir := t.TempDir()
	c, err := FromLookup(lookup(map[string]string{"DEBUG": "true", "DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureDevSecrets(); err != nil {
		t.Fatal(err)
	}
	c2, _ := FromLookup(lookup(map[string]string{"DEBUG": "true", "DATA_DIR": dir}))
	if err := c2.EnsureDevSecrets(); err != nil {
		t.Fatal(err)
	}
	if len(c.JWTSecret) < 32 || c2.JWTSecret != c.JWTSecret {
		t.Fatalf("got JWT secrets %q then %q, want one random secret of 32+ chars kept across starts", c.JWTSecret, c2.JWTSecret)
	}
	if len(c.SecretKey) < 32 || c2.SecretKey != c.SecretKey || c.SecretKey == c.JWTSecret || !c2.SecretKeyGenerated {
		t.Fatalf("got SECRET_KEY %q then %q, want its own random secret kept across starts", c.SecretKey, c2.SecretKey)
	}
}

// TestKeyring: SECRET_KEY alone seals; with ENCRYPTION_KEYS the first of those seals and the
// SECRET_KEY-derived key still opens what it sealed before.
func TestKeyring(t *testing.T) {
	base := map[string]string{"JWT_SECRET": goodSecret, "SECRET_KEY": goodSecret}
	c, err := FromLookup(lookup(base))
	if err != nil {
		t.Fatal(err)
	}
	old, err := c.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	v, _ := old.Seal("asthma", "patients/p1/medical_history")
	base["ENCRYPTION_KEYS"] = "k2:" + strings.Repeat("B", 43)
	c, _ = FromLookup(lookup(base))
	ring, err := c.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	if ring.Active() != "k2" {
		t.Fatalf("active key %q, want k2", ring.Active())
	}
	if got, err := ring.Open(v, "patients/p1/medical_history"); err != nil || got != "asthma" {
		t.Fatalf("opening a value sealed under SECRET_KEY: %q %v", got, err)
	}
	if out := c.LogValue().String(); strings.Contains(out, strings.Repeat("B", 20)) || !strings.Contains(out, "k2:***") {
		t.Fatalf("log shows %s, want key ids only", out)
	}
	// Plain text in sealed fields is accepted only with SEAL_LEGACY_PLAINTEXT.
	if ring.AcceptsPlaintext() {
		t.Error("by default the keyring accepts plaintext, want refused")
	}
	base["SEAL_LEGACY_PLAINTEXT"] = "true"
	c, _ = FromLookup(lookup(base))
	if ring, err = c.Keyring(); err != nil || !ring.AcceptsPlaintext() {
		t.Errorf("with SEAL_LEGACY_PLAINTEXT=true: accepts %v, %v, want accepted", ring != nil && ring.AcceptsPlaintext(), err)
	}
}

// TestPprofAddrLoopbackOnly: the profiler has no authentication (its heap dumps hold patient data and
// secrets), so PPROF_ADDR is accepted only on a loopback address; every interface (":6060"), a
// public address or a host name other than localhost is refused at start-up.
func TestPprofAddrLoopbackOnly(t *testing.T) {
	tests := []struct {
		addr, wantErr string
	}{
		{"", ""},
		{"127.0.0.1:6060", ""},
		{"localhost:6060", ""},
		{"[::1]:6060", ""},
		{"127.0.0.2:6060", ""},
		{":6060", `PPROF_ADDR=":6060": want a loopback address`},
		{"0.0.0.0:6060", `PPROF_ADDR="0.0.0.0:6060": want a loopback address`},
		{"[::]:6060", `PPROF_ADDR="[::]:6060": want a loopback address`},
		{"10.0.0.5:6060", `PPROF_ADDR="10.0.0.5:6060": want a loopback address`},
		{"hms.example:6060", `PPROF_ADDR="hms.example:6060": want a loopback address`},
		{"127.0.0.1", `PPROF_ADDR="127.0.0.1": want a loopback address`},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			c, ok := loadWith(t, map[string]string{"PPROF_ADDR": tt.addr}, tt.wantErr)
			if ok && c.PprofAddr != tt.addr {
				t.Fatalf("got PprofAddr %q, want %q", c.PprofAddr, tt.addr)
			}
		})
	}
}

// TestMetricsSettings: a METRICS_ADDR that cannot be listened on, or the main address again, and a short
// METRICS_TOKEN are start-up errors that say what to write instead.
func TestMetricsSettings(t *testing.T) {
	tests := []struct {
		name, addr, token, wantErr string
	}{
		{"neither", "", "", ""},
		{"loopback", "127.0.0.1:9100", "", ""},
		{"every interface", ":9100", "", ""},
		{"any free port", "127.0.0.1:0", "", ""},
		{"token", "", "0123456789abcdef", ""},
		{"no port", "127.0.0.1", "", `METRICS_ADDR="127.0.0.1": want host:port`},
		{"empty port", "127.0.0.1:", "", `METRICS_ADDR="127.0.0.1:": want host:port`},
		{"port too large", "127.0.0.1:99999", "", `METRICS_ADDR="127.0.0.1:99999": want host:port`},
		{"named port", "127.0.0.1:http", "", `METRICS_ADDR="127.0.0.1:http": want host:port`},
		{"the main address", ":8080", "", `METRICS_ADDR=":8080" is HTTP_ADDR`},
		{"short token", "", "short", "METRICS_TOKEN is shorter than 16 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := loadWith(t, map[string]string{"METRICS_ADDR": tt.addr, "METRICS_TOKEN": tt.token}, tt.wantErr)
			if ok && (c.MetricsAddr != tt.addr || c.MetricsToken != tt.token) {
				t.Fatalf("got %q, %q; want %q, %q", c.MetricsAddr, c.MetricsToken, tt.addr, tt.token)
			}
		})
	}
}

func TestNotifySendPerHour(t *testing.T) {
	tests := []struct {
		value   string
		want    int
		wantErr string
	}{
		{"", 60, ""},
		{"5", 5, ""},
		{"0", 0, "NOTIFY_SEND_PER_HOUR must be at least 1"},
		{"-1", 0, "NOTIFY_SEND_PER_HOUR must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			vars := map[string]string{}
			if tt.value != "" {
				vars["NOTIFY_SEND_PER_HOUR"] = tt.value
			}
			c, ok := loadWith(t, vars, tt.wantErr)
			if ok && c.Notify.SendPerHour != tt.want {
				t.Fatalf("got %d, want %d", c.Notify.SendPerHour, tt.want)
			}
		})
	}
}

// TestSessionAndAddressLimits: the session timeouts and the per-address limits of registration and
// refresh have their defaults, are read from the environment, and must be positive.
func TestSessionAndAddressLimits(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		wantErr string
		want    [4]string // idle, lifetime, register, refresh
	}{
		{"defaults", nil, "", [4]string{"30m0s", "12h0m0s", "10", "600"}},
		{"set", map[string]string{"SESSION_IDLE_TIMEOUT": "5m", "SESSION_MAX_LIFETIME": "8h", "REGISTER_MAX_PER_IP": "3", "REFRESH_MAX_PER_IP": "50"},
			"", [4]string{"5m0s", "8h0m0s", "3", "50"}},
		{"zero idle timeout", map[string]string{"SESSION_IDLE_TIMEOUT": "0s"}, "SESSION_IDLE_TIMEOUT", [4]string{}},
		{"zero register limit", map[string]string{"REGISTER_MAX_PER_IP": "0"}, "REGISTER_MAX_PER_IP", [4]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := loadWith(t, tt.vars, tt.wantErr)
			if !ok {
				return
			}
			got := [4]string{c.SessionIdleTimeout.String(), c.SessionMaxLifetime.String(),
				strconv.Itoa(c.RegisterMaxPerIP), strconv.Itoa(c.RefreshMaxPerIP)}
			if got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestHospitalLocale: the screens' locale defaults to en-GB, is read in its canonical form, and a value
// that is not a language tag stops the server at start-up.
func TestHospitalLocale(t *testing.T) {
	tests := []struct {
		value, want, wantErr string
	}{
		{"", "en-GB", ""},
		{"fr-fr", "fr-FR", ""},
		{"pt-BR", "pt-BR", ""},
		{"not a locale!", "", `HOSPITAL_LOCALE="not a locale!": want a language tag`},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			vars := map[string]string{}
			if tt.value != "" {
				vars["HOSPITAL_LOCALE"] = tt.value
			}
			c, ok := loadWith(t, vars, tt.wantErr)
			if ok && c.HospitalLocale != tt.want {
				t.Fatalf("got %q, want %q", c.HospitalLocale, tt.want)
			}
		})
	}
}

// TestHospitalCurrency: amounts are in one ISO 4217 currency, USD by default, written in capitals; an
// unknown code stops the server at start-up.
func TestHospitalCurrency(t *testing.T) {
	tests := []struct {
		value, want, wantErr string
	}{
		{"", "USD", ""},
		{"gbp", "GBP", ""},
		{"EUR", "EUR", ""},
		{"XYZ", "", `HOSPITAL_CURRENCY="XYZ": want an ISO 4217 currency code`},
		{"dollars", "", `HOSPITAL_CURRENCY="DOLLARS": want an ISO 4217 currency code`},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			vars := map[string]string{}
			if tt.value != "" {
				vars["HOSPITAL_CURRENCY"] = tt.value
			}
			c, ok := loadWith(t, vars, tt.wantErr)
			if ok && c.HospitalCurrency != tt.want {
				t.Fatalf("got %q, want %q", c.HospitalCurrency, tt.want)
			}
		})
	}
}

func TestMapTileURL(t *testing.T) {
	t.Parallel()
	if c, ok := loadWith(t, nil, ""); ok && c.MapTileURL != "" {
		t.Errorf("default MAP_TILE_URL %q, want empty (no map)", c.MapTileURL)
	}
	c, ok := loadWith(t, map[string]string{"MAP_TILE_URL": "https://Tiles.example.org:8443/{z}/{x}/{y}.png?key=1"}, "")
	if ok {
		if origin, _ := TileOrigin(c.MapTileURL); origin != "https://tiles.example.org:8443" {
			t.Errorf("origin %q, want https://tiles.example.org:8443", origin)
		}
	}
	for _, bad := range []string{"tiles.example.org/{z}/{x}/{y}.png", "https://{s}.tile.example.org/{z}/{x}/{y}.png",
		"https://tiles.example.org/{z}/{x}.png", "ftp://tiles.example.org/{z}/{x}/{y}", "https://*.example.org/{z}/{x}/{y}",
		"https:///{z}/{x}/{y}", "https://a b/{z}/{x}/{y}"} {
		loadWith(t, map[string]string{"MAP_TILE_URL": bad}, "MAP_TILE_URL must be")
	}
}

func TestGoogleMaps(t *testing.T) {
	t.Parallel()
	c, ok := loadWith(t, map[string]string{"GOOGLE_MAPS_API_KEY": "AIzaK3Y"}, "")
	if ok {
		if c.GoogleMapTilesURL != "https://tile.googleapis.com" || c.MapOrigin() != "https://tile.googleapis.com" {
			t.Errorf("Google tiles at %q, map origin %q", c.GoogleMapTilesURL, c.MapOrigin())
		}
	}
	loadWith(t, map[string]string{"GOOGLE_MAPS_API_KEY": "k", "MAP_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png"}, "not both")
	for _, bad := range []string{"tile.googleapis.com", "https://tile.googleapis.com/v1", "https://x/?a=1", "ftp://x", "https://u:p@x"} {
		loadWith(t, map[string]string{"GOOGLE_MAPS_API_KEY": "k", "GOOGLE_MAP_TILES_URL": bad}, "GOOGLE_MAP_TILES_URL must be")
	}
	if c, ok := loadWith(t, map[string]string{"MAP_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png"}, ""); ok && c.MapOrigin() != "https://tiles.example.org" {
		t.Errorf("map origin %q", c.MapOrigin())
	}
	if c, ok := loadWith(t, nil, ""); ok && c.MapOrigin() != "" {
		t.Errorf("map origin %q without a map", c.MapOrigin())
	}
}
