// Package config loads the server's settings from the environment and an optional .env file.
package config

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // HOSPITAL_TZ works on machines and containers without a tz database

	"github.com/joho/godotenv"
	"golang.org/x/text/currency"
	"golang.org/x/text/language"

	"hms/server/internal/seal"
)

// DefaultEmailFrom is the From address of outgoing email when EMAIL_FROM is not set. Real relays
// accept only senders they have verified, so production sets EMAIL_FROM.
const DefaultEmailFrom = "HMS <no-reply@localhost>"

// DefaultJWTSecret is the placeholder shipped in .env.example; the server refuses it outside debug mode.
const DefaultJWTSecret = "change-me"

// Config is every setting the server reads. Secrets are masked by LogValue.
type Config struct {
	Debug        bool
	HTTPAddr     string
	DataDir      string
	DatabaseURL  string // mongodb://… (real MongoDB), postgres://… (embedded FerretDB on PostgreSQL), or empty (embedded FerretDB on SQLite in DataDir)
	DatabaseName string
	RedisURL     string
	AllowedHosts []string
	// TrustedProxies are the proxy addresses whose X-Forwarded-For is believed; empty means none.
	TrustedProxies []string

	SecretKey string
	// SecretKeyGenerated is true when neither SECRET_KEY nor ENCRYPTION_KEYS was given and a development
	// secret was made (debug only).
	SecretKeyGenerated bool
	// EncryptionKeys is ENCRYPTION_KEYS: "id:base64key,…", the first seals new values (key rotation).
	EncryptionKeys string
	// SealLegacyPlaintext is SEAL_LEGACY_PLAINTEXT: plain text where a sealed value belongs (data stored
	// before a field was sealed) is read, and sealed by `hms rekey`, only while it is true.
	SealLegacyPlaintext bool
	JWTSecret           string
	// JWTSecretGenerated is true when no JWT_SECRET was given and a development one was made (debug only).
	JWTSecretGenerated bool
	JWTIssuer          string
	JWTAudience        string
	AccessTokenTTL     time.Duration
	RefreshTokenTTL    time.Duration
	// ReferralTTL is how long a referral opens a patient's chart to the doctor referred to.
	ReferralTTL time.Duration
	// PublicURL is where people reach the web app (https://hms.example.org), the start of every
	// emailed link; empty: the scheme and host of the request that made the link.
	PublicURL string
	// RegisterConfirmTTL is how long a self-registration's confirmation link works; PasswordResetTTL a
	// forgotten password's link; PasswordLinkTTL an admin's set-password link.
	RegisterConfirmTTL time.Duration
	PasswordResetTTL   time.Duration
	PasswordLinkTTL    time.Duration

	AdminEmail    string
	AdminPassword string

	// LoginMaxFailures is how many failed logins one account, or one client address, may make within
	// LoginWindow before further attempts get 429.
	LoginMaxFailures int
	LoginMaxPerIP    int
	LoginWindow      time.Duration
	// RegisterMaxPerIP and RefreshMaxPerIP are how many self-registrations and token refreshes one
	// client address may make within LoginWindow before further ones get 429.
	RegisterMaxPerIP int
	RefreshMaxPerIP  int
	// ClientTokenTTL is an integration client's access token's lifetime (1 s to 1 h); ClientTokenMax
	// how many tokens one client, and one client address, may ask for per minute; ClientFHIRMax how
	// many FHIR requests one client may make per minute (docs/integrations.md).
	ClientTokenTTL time.Duration
	ClientTokenMax int
	ClientFHIRMax  int
	// SessionIdleTimeout ends a session not refreshed for that long; SessionMaxLifetime ends every
	// session that long after its sign-in, however active.
	SessionIdleTimeout time.Duration
	SessionMaxLifetime time.Duration
	MaxBodyBytes       int64
	ShutdownTimeout    time.Duration
	// ShutdownLinger is how long a stopping instance keeps serving (every response saying Connection:
	// close) after it turned unready, before its listener and idle connections close.
	ShutdownLinger time.Duration
	// AlertEscalateAfter is how long an emergency alert may stay unacknowledged before it escalates.
	AlertEscalateAfter time.Duration
	// EventRetention is how long live events are kept for replay.
	EventRetention time.Duration
	// ReactionPoll is how often each instance looks for reactions left behind (a crash between a
	// change and its reactions, a failed reaction due again); ReactionLease is how long a reaction may
	// run, or a change take to be confirmed, before another instance takes it over.
	ReactionPoll, ReactionLease time.Duration
	// WebhookAllowHTTP lets webhook subscriptions deliver to http:// URLs (local receivers, tests);
	// without it only https is accepted. WebhookPoll is how often each instance looks for due
	// deliveries; WebhookTimeout bounds one POST.
	WebhookAllowHTTP            bool
	WebhookPoll, WebhookTimeout time.Duration
	// WebhookRetry is the pause before each retry of a failed delivery (WEBHOOK_RETRY, comma-separated
	// durations); after the last, the delivery is a dead letter.
	WebhookRetry []time.Duration
	// AuditAnchorInterval is how often each instance anchors the audit chains' heads and logs its own
	// (docs/audit.md).
	AuditAnchorInterval time.Duration
	// RedisPrefix starts every Redis key and channel name, so that deployments can share a server.
	RedisPrefix string
	// PprofAddr, when set (e.g. 127.0.0.1:6060), serves Go's profiler there, for measurements; only a
	// loopback address is accepted.
	PprofAddr string
	// MetricsAddr, when set (e.g. 127.0.0.1:9100), serves Prometheus' /metrics on that address, without
	// authentication: keep it on a network only the monitoring can reach.
	MetricsAddr string
	// MetricsToken, when set, also serves /metrics on the main address to callers sending
	// "Authorization: Bearer <token>". With neither setting, /metrics is not served.
	MetricsToken string
	// WSPingInterval and WSSendQueue tune the websocket hub (ping period; frames queued per connection).
	WSPingInterval time.Duration
	WSSendQueue    int
	// WSMaxConnsPerUser and WSMaxSubscriptions cap the sockets one user holds on an instance and the
	// channels one socket joins; WSSessionCheck is how often each socket's session is checked again.
	WSMaxConnsPerUser  int
	WSMaxSubscriptions int
	WSSessionCheck     time.Duration
	// WSDrainRate is how many websocket clients a second a stopping instance tells to reconnect.
	WSDrainRate int
	// MaxConcurrent is how many API requests one instance works on at once; the rest wait their turn.
	MaxConcurrent int
	// HospitalTZ is the hospital's time zone: schedules, slots and queue days are in it.
	HospitalTZ *time.Location
	// HospitalLocale is how the screens write dates and times (a BCP 47 tag such as en-GB).
	HospitalLocale string
	// HospitalCurrency is the ISO 4217 code every amount is in.
	HospitalCurrency string
	// HospitalAddress and HospitalTaxID head the invoices and receipts (empty: left off).
	HospitalAddress string
	HospitalTaxID   string
	// MapTileURL is the map tile template of the nearby-hospitals map, such as
	// https://tiles.example.org/{z}/{x}/{y}.png (empty: no map, the list only). The web UI's
	// Content-Security-Policy allows images from its origin, and from no other.
	MapTileURL string
	// GoogleMapsAPIKey turns on Google Maps for that map (Google's Map Tiles API at GoogleMapTilesURL)
	// instead of MapTileURL; the two are not set together.
	GoogleMapsAPIKey  string
	GoogleMapTilesURL string
	// QueueAging is how long a triage level 3–5 patient waits before moving up one level in the queue.
	QueueAging time.Duration
	// ConsultDefault is the consultation length assumed for wait estimates before any were measured.
	ConsultDefault time.Duration
	// StripeSecretKey and StripeWebhookSecret turn online payment on through Stripe (both, or neither:
	// without them patients pay at the desk). StripeAPIBase replaces https://api.stripe.com (stripe-mock).
	StripeSecretKey     string
	StripeWebhookSecret string
	StripeAPIBase       string
	// EmailHost is the SMTP relay outgoing email goes through; empty means email is not sent.
	EmailHost         string
	EmailPort         int
	EmailHostUser     string
	EmailHostPassword string
	// EmailFrom is the From address of outgoing email ("HMS <no-reply@hospital.example>").
	EmailFrom string
	// EmailTLS is how the SMTP connection is encrypted: "starttls" (required), "opportunistic" or
	// "none"; empty means starttls, or opportunistic when EmailHost is localhost (a local test server).
	EmailTLS string
	// SMSProvider is where SMS go: "http" (a gateway at SMSURL), "log" (logged, not sent: the default in
	// debug mode) or "none" (no SMS: the default otherwise).
	SMSProvider string
	// SMSURL is the gateway's endpoint that takes a message (Twilio:
	// https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json); https unless on loopback.
	SMSURL string
	// SMSUsername and SMSPassword authenticate to the gateway: HTTP Basic for the "form" format (Twilio:
	// account SID and auth token), the password alone as a Bearer token for "json".
	SMSUsername string
	SMSPassword string
	// SMSFrom is the sender: a number in E.164 or an alphanumeric sender ID the gateway accepts.
	SMSFrom string
	// SMSFormat is how a message is posted: "form" (Twilio's Messages API) or "json".
	SMSFormat string
	// Notify holds the notification settings.
	Notify Notify
}

// The values of SMS_PROVIDER and SMS_FORMAT.
const (
	SMSProviderHTTP = "http"
	SMSProviderLog  = "log"
	SMSProviderNone = "none"
	SMSFormatForm   = "form"
	SMSFormatJSON   = "json"
)

// Load reads the environment, after loading envFile (if it exists) for variables not already set.
func Load(envFile string) (Config, error) {
	if envFile != "" {
		if _, err := os.Stat(envFile); err == nil {
			if err := godotenv.Load(envFile); err != nil {
				return Config{}, fmt.Errorf("read %s: %w", envFile, err)
			}
		}
	}
	return FromLookup(os.LookupEnv)
}

// FromLookup builds a Config from a variable lookup function (os.LookupEnv in production, a map in tests).
func FromLookup(lookup func(string) (string, bool)) (Config, error) {
	r := reader{lookup: lookup}
	c := Config{
		Debug:               r.bool("DEBUG", false),
		HTTPAddr:            r.str("HTTP_ADDR", ":8080"),
		DataDir:             r.str("DATA_DIR", "./data"),
		DatabaseURL:         r.str("DATABASE_URL", ""),
		DatabaseName:        r.str("DATABASE_NAME", "hms"),
		RedisURL:            r.str("REDIS_URL", ""),
		AllowedHosts:        r.list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]"),
		TrustedProxies:      r.list("TRUSTED_PROXIES", ""),
		SecretKey:           r.str("SECRET_KEY", ""),
		EncryptionKeys:      r.str("ENCRYPTION_KEYS", ""),
		SealLegacyPlaintext: r.bool("SEAL_LEGACY_PLAINTEXT", false),
		JWTSecret:           r.str("JWT_SECRET", ""),
		JWTIssuer:           r.str("JWT_ISSUER", "hms"),
		JWTAudience:         r.str("JWT_AUDIENCE", "hms-api"),
		AccessTokenTTL:      r.duration("ACCESS_TOKEN_TTL", 15*time.Minute),
		RefreshTokenTTL:     r.duration("REFRESH_TOKEN_TTL", 12*time.Hour),
		ReferralTTL:         r.duration("REFERRAL_TTL", 30*24*time.Hour),
		PublicURL:           strings.TrimRight(r.str("PUBLIC_URL", ""), "/"),
		RegisterConfirmTTL:  r.duration("REGISTER_CONFIRM_TTL", 24*time.Hour),
		PasswordResetTTL:    r.duration("PASSWORD_RESET_TTL", time.Hour),
		PasswordLinkTTL:     r.duration("PASSWORD_LINK_TTL", 72*time.Hour),
		AdminEmail:          r.str("ADMIN_EMAIL", ""),
		AdminPassword:       r.str("ADMIN_PASSWORD", ""),
		LoginMaxFailures:    r.int("LOGIN_MAX_FAILURES", 5),
		LoginMaxPerIP:       r.int("LOGIN_MAX_PER_IP", 20),
		LoginWindow:         r.duration("LOGIN_WINDOW", 15*time.Minute),
		RegisterMaxPerIP:    r.int("REGISTER_MAX_PER_IP", 10),
		RefreshMaxPerIP:     r.int("REFRESH_MAX_PER_IP", 600),
		ClientTokenTTL:      r.duration("CLIENT_TOKEN_TTL", 5*time.Minute),
		ClientTokenMax:      r.int("CLIENT_TOKEN_MAX_PER_MIN", 20),
		ClientFHIRMax:       r.int("CLIENT_FHIR_MAX_PER_MIN", 600),
		SessionIdleTimeout:  r.duration("SESSION_IDLE_TIMEOUT", 30*time.Minute),
		SessionMaxLifetime:  r.duration("SESSION_MAX_LIFETIME", 12*time.Hour),
		MaxBodyBytes:        int64(r.int("MAX_BODY_BYTES", 1<<20)),
		ShutdownTimeout:     r.duration("SHUTDOWN_TIMEOUT", 10*time.Second),
		ShutdownLinger:      r.duration("SHUTDOWN_LINGER", 0),
		AlertEscalateAfter:  r.duration("ALERT_ESCALATE_AFTER", 2*time.Minute),
		EventRetention:      r.duration("EVENT_RETENTION", 7*24*time.Hour),
		ReactionPoll:        r.duration("REACTION_POLL", 2*time.Second),
		ReactionLease:       r.duration("REACTION_LEASE", 30*time.Second),
		WebhookAllowHTTP:    r.bool("WEBHOOK_ALLOW_HTTP", false),
		WebhookPoll:         r.duration("WEBHOOK_POLL", time.Second),
		WebhookTimeout:      r.duration("WEBHOOK_TIMEOUT", 10*time.Second),
		WebhookRetry:        r.durations("WEBHOOK_RETRY", "10s,30s,2m,10m,30m,1h,2h,4h,6h,8h"),
		AuditAnchorInterval: r.duration("AUDIT_ANCHOR_INTERVAL", 10*time.Minute),
		RedisPrefix:         r.str("REDIS_PREFIX", "hms:"),
		PprofAddr:           r.str("PPROF_ADDR", ""),
		MetricsAddr:         r.str("METRICS_ADDR", ""),
		MetricsToken:        r.str("METRICS_TOKEN", ""),
		WSPingInterval:      r.duration("WS_PING_INTERVAL", 25*time.Second),
		WSSendQueue:         r.int("WS_SEND_QUEUE", 128),
		WSMaxConnsPerUser:   r.int("WS_MAX_CONNS_PER_USER", 20),
		WSMaxSubscriptions:  r.int("WS_MAX_SUBSCRIPTIONS", 50),
		WSSessionCheck:      r.duration("WS_SESSION_CHECK", time.Minute),
		WSDrainRate:         r.int("WS_DRAIN_RATE", 250),
		MaxConcurrent:       r.int("MAX_CONCURRENT_REQUESTS", 64),
		HospitalTZ:          r.location("HOSPITAL_TZ", "UTC"),
		HospitalLocale:      r.locale("HOSPITAL_LOCALE", "en-GB"),
		HospitalCurrency:    r.currency("HOSPITAL_CURRENCY", "USD"),
		HospitalAddress:     r.str("HOSPITAL_ADDRESS", ""),
		HospitalTaxID:       r.str("HOSPITAL_TAX_ID", ""),
		MapTileURL:          r.str("MAP_TILE_URL", ""),
		GoogleMapsAPIKey:    r.str("GOOGLE_MAPS_API_KEY", ""),
		GoogleMapTilesURL:   r.str("GOOGLE_MAP_TILES_URL", "https://tile.googleapis.com"),
		QueueAging:          time.Duration(r.int("QUEUE_AGING_MINUTES", 30)) * time.Minute,
		ConsultDefault:      time.Duration(r.int("CONSULT_MINUTES_DEFAULT", 15)) * time.Minute,
		EmailHost:           r.str("EMAIL_HOST", ""),
		EmailPort:           r.int("EMAIL_PORT", 587),
		EmailHostUser:       r.str("EMAIL_HOST_USER", ""),
		EmailHostPassword:   r.str("EMAIL_HOST_PASSWORD", ""),
		EmailFrom:           r.str("EMAIL_FROM", DefaultEmailFrom),
		EmailTLS:            strings.ToLower(r.str("EMAIL_TLS", "")),
		SMSProvider:         strings.ToLower(r.str("SMS_PROVIDER", "")),
		SMSURL:              r.str("SMS_URL", ""),
		SMSUsername:         r.str("SMS_USERNAME", ""),
		SMSPassword:         r.str("SMS_PASSWORD", ""),
		SMSFrom:             r.str("SMS_FROM", ""),
		SMSFormat:           strings.ToLower(r.str("SMS_FORMAT", SMSFormatForm)),
		StripeSecretKey:     r.str("STRIPE_SECRET_KEY", ""),
		StripeWebhookSecret: r.str("STRIPE_WEBHOOK_SECRET", ""),
		StripeAPIBase:       strings.TrimRight(r.str("STRIPE_API_BASE", ""), "/"),
	}
	if c.SMSProvider == "" {
		c.SMSProvider = SMSProviderNone
		if c.Debug {
			c.SMSProvider = SMSProviderLog
		}
	}
	c.Notify = r.notify()
	if len(r.errs) > 0 {
		return Config{}, errors.Join(r.errs...)
	}
	if err := c.Notify.check(); err != nil {
		return Config{}, err
	}
	if err := c.check(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func (c *Config) check() error {
	weak := c.JWTSecret == "" || c.JWTSecret == DefaultJWTSecret
	if weak && !c.Debug {
		return errors.New("JWT_SECRET is missing or still the default: set a random secret of at least 32 characters (openssl rand -hex 32), or DEBUG=True for development")
	}
	if !weak && len(c.JWTSecret) < 32 && !c.Debug {
		return errors.New("JWT_SECRET is shorter than 32 characters: use a random secret (openssl rand -hex 32)")
	}
	if c.AccessTokenTTL <= 0 || c.RefreshTokenTTL <= 0 {
		return errors.New("ACCESS_TOKEN_TTL and REFRESH_TOKEN_TTL must be positive")
	}
	if c.ReferralTTL <= 0 {
		return errors.New("REFERRAL_TTL must be positive")
	}
	if c.RegisterConfirmTTL <= 0 || c.PasswordResetTTL <= 0 || c.PasswordLinkTTL <= 0 {
		return errors.New("REGISTER_CONFIRM_TTL, PASSWORD_RESET_TTL and PASSWORD_LINK_TTL must be positive")
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return errors.New("PUBLIC_URL must be an http(s) URL such as https://hms.example.org (no query)")
		}
	}
	if c.MapTileURL != "" {
		if _, err := TileOrigin(c.MapTileURL); err != nil {
			return err
		}
	}
	if c.GoogleMapsAPIKey != "" {
		if c.MapTileURL != "" {
			return errors.New("set MAP_TILE_URL or GOOGLE_MAPS_API_KEY, not both: the map shows one kind of tiles")
		}
		if u, err := url.Parse(c.GoogleMapTilesURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return errors.New("GOOGLE_MAP_TILES_URL must be an http(s) origin such as https://tile.googleapis.com (no path or query)")
		}
	}
	if c.ShutdownLinger < 0 || (c.ShutdownLinger > 0 && c.ShutdownLinger >= c.ShutdownTimeout) {
		return errors.New("SHUTDOWN_LINGER must be zero or positive and shorter than SHUTDOWN_TIMEOUT, which it is part of")
	}
	if c.LoginMaxFailures < 1 || c.LoginMaxPerIP < 1 {
		return errors.New("LOGIN_MAX_FAILURES and LOGIN_MAX_PER_IP must be at least 1")
	}
	if c.RegisterMaxPerIP < 1 || c.RefreshMaxPerIP < 1 {
		return errors.New("REGISTER_MAX_PER_IP and REFRESH_MAX_PER_IP must be at least 1")
	}
	if c.ClientTokenTTL < time.Second || c.ClientTokenTTL > time.Hour {
		return errors.New("CLIENT_TOKEN_TTL must be from 1s to 1h")
	}
	if c.ClientTokenMax < 1 || c.ClientFHIRMax < 1 {
		return errors.New("CLIENT_TOKEN_MAX_PER_MIN and CLIENT_FHIR_MAX_PER_MIN must be at least 1")
	}
	if c.SessionIdleTimeout <= 0 || c.SessionMaxLifetime <= 0 {
		return errors.New("SESSION_IDLE_TIMEOUT and SESSION_MAX_LIFETIME must be positive")
	}
	if c.MaxConcurrent < 1 {
		return errors.New("MAX_CONCURRENT_REQUESTS must be at least 1")
	}
	if c.QueueAging <= 0 || c.ConsultDefault <= 0 {
		return errors.New("QUEUE_AGING_MINUTES and CONSULT_MINUTES_DEFAULT must be at least 1")
	}
	if !c.Debug && c.SecretKey == "" && c.EncryptionKeys == "" {
		return errors.New("SECRET_KEY is missing: it encrypts patient data at rest; set a random secret of at least 32 characters (openssl rand -hex 32), or ENCRYPTION_KEYS, or DEBUG=True for development")
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 && !c.Debug {
		return errors.New("SECRET_KEY is shorter than 32 characters: use a random secret (openssl rand -hex 32)")
	}
	if c.EncryptionKeys != "" {
		if _, err := seal.ParseKeys(c.EncryptionKeys); err != nil {
			return err
		}
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return errors.New("ADMIN_EMAIL and ADMIN_PASSWORD go together: set both or neither")
	}
	if err := c.checkPprof(); err != nil {
		return err
	}
	if err := c.checkMetrics(); err != nil {
		return err
	}
	if err := c.checkEmail(); err != nil {
		return err
	}
	if err := c.checkStripe(); err != nil {
		return err
	}
	return c.checkSMS()
}

// checkPprof refuses a profiler address off loopback: Go's profiler has no authentication, and its
// heap dumps and goroutine stacks hold patient data, tokens and keys.
func (c *Config) checkPprof() error {
	if c.PprofAddr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(c.PprofAddr)
	if err != nil || !IsLoopbackHost(host) {
		return fmt.Errorf("PPROF_ADDR=%q: want a loopback address such as 127.0.0.1:6060 (the profiler has no authentication)", c.PprofAddr)
	}
	return nil
}

// checkMetrics refuses a metrics address that cannot be listened on and a guessable token.
func (c *Config) checkMetrics() error {
	if c.MetricsAddr != "" {
		_, port, err := net.SplitHostPort(c.MetricsAddr)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			return fmt.Errorf("METRICS_ADDR=%q: want host:port such as 127.0.0.1:9100 or :9100", c.MetricsAddr)
		}
		if c.MetricsAddr == c.HTTPAddr {
			return fmt.Errorf("METRICS_ADDR=%q is HTTP_ADDR: use another port, or METRICS_TOKEN to serve /metrics on the main address", c.MetricsAddr)
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return errors.New("METRICS_TOKEN is shorter than 16 characters: use a random token (openssl rand -hex 32)")
	}
	return nil
}

// checkEmail validates the outgoing email settings, whether or not EMAIL_HOST is set, so that a typo is
// found at start-up rather than at the first appointment reminder.
func (c *Config) checkEmail() error {
	if c.EmailPort < 1 || c.EmailPort > 65535 {
		return fmt.Errorf("EMAIL_PORT=%d: want a port number between 1 and 65535 (587 for STARTTLS)", c.EmailPort)
	}
	if a, err := mail.ParseAddress(c.EmailFrom); err != nil || a.Address == "" {
		return fmt.Errorf("EMAIL_FROM=%q: want an email address such as \"HMS <no-reply@hospital.example>\"", c.EmailFrom)
	}
	switch c.EmailTLS {
	case "", "starttls", "opportunistic", "none":
	default:
		return fmt.Errorf("EMAIL_TLS=%q: want starttls, opportunistic or none (empty: starttls, opportunistic for localhost)", c.EmailTLS)
	}
	if (c.EmailHostUser == "") != (c.EmailHostPassword == "") {
		return errors.New("EMAIL_HOST_USER and EMAIL_HOST_PASSWORD go together: set both or neither")
	}
	return nil
}

// OnlinePayment reports whether Stripe is configured.
func (c *Config) OnlinePayment() bool { return c.StripeSecretKey != "" }

// checkStripe validates the Stripe settings: both keys or neither (a key without the webhook's secret
// would take payments it can never record), and an http(s) API base.
func (c *Config) checkStripe() error {
	if (c.StripeSecretKey == "") != (c.StripeWebhookSecret == "") {
		return errors.New("STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together: set both for online payment, or neither")
	}
	if c.StripeAPIBase != "" {
		u, err := url.Parse(c.StripeAPIBase)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return fmt.Errorf("STRIPE_API_BASE=%q: want an http(s) URL such as http://127.0.0.1:12111 (stripe-mock)", c.StripeAPIBase)
		}
	}
	return nil
}

// checkSMS validates the SMS settings. The gateway's URL must be https, so that the credentials and the
// messages are not sent in the clear, unless it is on this machine (a test gateway).
func (c *Config) checkSMS() error {
	switch c.SMSFormat {
	case SMSFormatForm, SMSFormatJSON:
	default:
		return fmt.Errorf("SMS_FORMAT=%q: want form (Twilio's Messages API) or json", c.SMSFormat)
	}
	switch c.SMSProvider {
	case SMSProviderNone, SMSProviderLog:
		return nil
	case SMSProviderHTTP:
	default:
		return fmt.Errorf("SMS_PROVIDER=%q: want http, log or none (empty: log in debug mode, none otherwise)", c.SMSProvider)
	}
	if c.SMSURL == "" {
		return errors.New("SMS_PROVIDER=http needs SMS_URL, the gateway's endpoint for sending a message")
	}
	u, err := url.Parse(c.SMSURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("SMS_URL=%q: want an https URL such as https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json", maskURL(c.SMSURL))
	}
	if u.Scheme != "https" && !IsLoopbackHost(u.Hostname()) {
		return fmt.Errorf("SMS_URL=%q: want https (plain http only to a gateway on this machine)", maskURL(c.SMSURL))
	}
	if c.SMSFrom == "" {
		return errors.New("SMS_PROVIDER=http needs SMS_FROM, the sender number (E.164) or sender ID")
	}
	return nil
}

// IsLoopbackHost reports whether host (a name or an IP address, possibly in brackets) is this machine:
// localhost or a loopback address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// EnsureDevSecrets gives a debug-mode server without JWT_SECRET, or without SECRET_KEY and
// ENCRYPTION_KEYS, random secrets kept in the data directory, so that sessions survive a restart and
// patient data sealed today opens tomorrow. Outside debug mode check() has already refused.
func (c *Config) EnsureDevSecrets() error {
	if c.JWTSecret == "" || c.JWTSecret == DefaultJWTSecret {
		s, err := c.devSecret("dev-jwt-secret")
		if err != nil {
			return err
		}
		c.JWTSecret, c.JWTSecretGenerated = s, true
	}
	if c.SecretKey == "" && c.EncryptionKeys == "" {
		s, err := c.devSecret("dev-secret-key")
		if err != nil {
			return err
		}
		c.SecretKey, c.SecretKeyGenerated = s, true
	}
	return nil
}

// devSecret reads the data directory's file name, or writes a new random secret into it.
func (c *Config) devSecret(name string) (string, error) {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return "", fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(c.DataDir, name)
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	secret := hex.EncodeToString(buf)
	return secret, os.WriteFile(path, []byte(secret+"\n"), 0o600)
}

// Keyring is the keys that seal patient data at rest: ENCRYPTION_KEYS (the first seals), then the key
// derived from SECRET_KEY — the one that seals when ENCRYPTION_KEYS is not set, and otherwise kept so
// that values sealed before the switch still open.
func (c Config) Keyring() (*seal.Keyring, error) {
	var keys []seal.Key
	if c.EncryptionKeys != "" {
		k, err := seal.ParseKeys(c.EncryptionKeys)
		if err != nil {
			return nil, err
		}
		keys = k
	}
	if c.SecretKey != "" {
		k, err := seal.FromSecret(c.SecretKey)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(keys, func(x seal.Key) bool { return x.ID == k.ID }) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("no key to encrypt patient data: set SECRET_KEY or ENCRYPTION_KEYS")
	}
	ring, err := seal.NewKeyring(keys...)
	if err != nil {
		return nil, err
	}
	ring.AcceptPlaintext(c.SealLegacyPlaintext)
	return ring, nil
}

// StorageMode names where the data lives, for the first log line.
func (c Config) StorageMode() string {
	switch {
	case strings.HasPrefix(c.DatabaseURL, "mongodb://"), strings.HasPrefix(c.DatabaseURL, "mongodb+srv://"):
		return "mongodb"
	case strings.HasPrefix(c.DatabaseURL, "postgres://"), strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		return "embedded-ferretdb-postgresql"
	default:
		return "embedded-ferretdb-sqlite"
	}
}

// LogValue masks every secret so that the config can be logged whole.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("debug", c.Debug),
		slog.String("http_addr", c.HTTPAddr),
		slog.String("data_dir", c.DataDir),
		slog.String("storage", c.StorageMode()),
		slog.String("database_url", maskURL(c.DatabaseURL)),
		slog.String("redis_url", maskURL(c.RedisURL)),
		slog.Any("allowed_hosts", c.AllowedHosts),
		slog.Any("trusted_proxies", c.TrustedProxies),
		slog.String("jwt_secret", mask(c.JWTSecret)),
		slog.String("secret_key", mask(c.SecretKey)),
		slog.String("encryption_keys", maskKeys(c.EncryptionKeys)),
		slog.String("email_host", c.EmailHost),
		slog.Int("email_port", c.EmailPort),
		slog.String("email_host_user", c.EmailHostUser),
		slog.String("email_host_password", mask(c.EmailHostPassword)),
		slog.String("google_maps_api_key", mask(c.GoogleMapsAPIKey)),
		slog.String("email_from", c.EmailFrom),
		slog.String("email_tls", cmp.Or(c.EmailTLS, "auto")),
		slog.String("sms_provider", c.SMSProvider),
		slog.String("sms_url", maskURL(c.SMSURL)),
		slog.String("sms_username", c.SMSUsername),
		slog.String("sms_password", mask(c.SMSPassword)),
		slog.String("sms_from", c.SMSFrom),
		slog.String("sms_format", c.SMSFormat),
		slog.String("stripe_secret_key", mask(c.StripeSecretKey)),
		slog.String("stripe_webhook_secret", mask(c.StripeWebhookSecret)),
		slog.String("stripe_api_base", c.StripeAPIBase),
		slog.Duration("access_token_ttl", c.AccessTokenTTL),
		slog.String("hospital_tz", c.HospitalTZ.String()),
		slog.String("public_url", c.PublicURL),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.String("metrics_token", mask(c.MetricsToken)),
	)
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}

// maskURL hides a password in a connection URL.
func maskURL(s string) string {
	at := strings.LastIndex(s, "@")
	scheme := strings.Index(s, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return s
	}
	userinfo := s[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		userinfo = userinfo[:i] + ":***"
	}
	return s[:scheme+3] + userinfo + s[at:]
}

type reader struct {
	lookup func(string) (string, bool)
	errs   []error
}

// currency reads an ISO 4217 currency code (three letters), written in capitals.
func (r *reader) currency(name, def string) string {
	v := strings.ToUpper(r.str(name, def))
	if u, err := currency.ParseISO(v); err != nil || u.String() != v {
		r.errs = append(r.errs, fmt.Errorf("%s=%q: want an ISO 4217 currency code such as USD, EUR or GBP", name, v))
		return def
	}
	return v
}

// locale reads a BCP 47 language tag, written back in its canonical form.
func (r *reader) locale(name, def string) string {
	v := r.str(name, def)
	tag, err := language.Parse(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s=%q: want a language tag such as en-GB", name, v))
		return def
	}
	return tag.String()
}

func (r *reader) str(name, def string) string {
	if v, ok := r.lookup(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

func (r *reader) bool(name string, def bool) bool {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s=%q: want true or false", name, v))
	}
	return b
}

func (r *reader) int(name string, def int) int {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s=%q: want a whole number", name, v))
	}
	return n
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s=%q: want a duration such as 15m or 12h", name, v))
	}
	return d
}

// durations reads a comma-separated list of positive durations.
func (r *reader) durations(name, def string) []time.Duration {
	var out []time.Duration
	for _, v := range r.list(name, def) {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			r.errs = append(r.errs, fmt.Errorf("%s: %q is not a positive duration such as 30s or 2m", name, v))
			continue
		}
		out = append(out, d)
	}
	return out
}

// location reads an IANA time zone name (Europe/Berlin); the tz database is embedded in the binary.
func (r *reader) location(name, def string) *time.Location {
	v := r.str(name, def)
	loc, err := time.LoadLocation(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s=%q: want an IANA time zone name such as Europe/London", name, v))
		return time.UTC
	}
	return loc
}

func (r *reader) list(name, def string) []string {
	var out []string
	for _, p := range strings.Split(r.str(name, def), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// maskKeys shows ENCRYPTION_KEYS' key ids only: "k2:***,k1:***".
func maskKeys(s string) string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if id, _, ok := strings.Cut(strings.TrimSpace(part), ":"); ok {
			out = append(out, id+":***")
		}
	}
	return strings.Join(out, ",")
}

// MapOrigin is the one origin map images come from (for the web UI's Content-Security-Policy): Google's
// Map Tiles API when GOOGLE_MAPS_API_KEY is set, else MAP_TILE_URL's; empty when there is no map.
func (c *Config) MapOrigin() string {
	if c.GoogleMapsAPIKey != "" {
		return strings.TrimRight(strings.ToLower(c.GoogleMapTilesURL), "/")
	}
	if c.MapTileURL == "" {
		return ""
	}
	o, _ := TileOrigin(c.MapTileURL) // checked when the configuration was read
	return o
}

// TileOrigin returns the origin (scheme://host[:port]) of a map tile template, the one source of map
// images the web UI's Content-Security-Policy allows. The template must be an http(s) URL with {z},
// {x} and {y} and one fixed host: a {s} subdomain would need a wildcard in the policy.
func TileOrigin(template string) (string, error) {
	bad := errors.New("MAP_TILE_URL must be an http(s) URL with {z}, {x} and {y} and one fixed host, such as https://tiles.example.org/{z}/{x}/{y}.png")
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(template, p) {
			return "", bad
		}
	}
	scheme, rest, ok := strings.Cut(template, "://")
	if !ok || (scheme != "https" && scheme != "http") {
		return "", bad
	}
	host, _, _ := strings.Cut(rest, "/")
	if host == "" || strings.ContainsAny(host, "{}*@?#;' \"\t") {
		return "", bad
	}
	u, err := url.Parse(scheme + "://" + host)
	if err != nil || u.Host != host || u.Hostname() == "" {
		return "", bad
	}
	return scheme + "://" + strings.ToLower(host), nil
}
