// Package sms sends text messages through an SMS gateway's HTTP API (Twilio's Messages API, or a
// gateway taking JSON), or logs them in development. It is the sender only: which notifications go
// out by SMS, when, and how often a failed one is tried again is the notifications work's (issue 7),
// which retries only the failures IsPermanent says are not permanent, no sooner than RetryAfter.
package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/config"
)

// MaxBody is the longest body sent, in characters: Twilio's limit for one message (ten segments). A
// longer one is a permanent failure before any request.
const MaxBody = 1600

// DefaultTimeout bounds one request to the gateway (connect, send, answer) when Config.Timeout is 0.
const DefaultTimeout = 15 * time.Second

// The values of Config.Provider.
const (
	// ProviderHTTP posts each message to the gateway at Config.URL.
	ProviderHTTP = config.SMSProviderHTTP
	// ProviderLog logs each message instead of sending it (development).
	ProviderLog = config.SMSProviderLog
	// ProviderNone, like "", means SMS are not sent at all: New returns no Sender.
	ProviderNone = config.SMSProviderNone
)

// The values of Config.Format: how the HTTP provider posts a message.
const (
	// FormatForm is Twilio's Messages API, also spoken by Twilio-compatible gateways: a form with To,
	// From and Body, HTTP Basic authentication with Username and Password.
	FormatForm = config.SMSFormatForm
	// FormatJSON is {"to", "from", "text"} with "Authorization: Bearer" Password.
	FormatJSON = config.SMSFormatJSON
)

// Message is one text message to one number.
type Message struct {
	// To is the recipient's number in E.164 ("+447911123456"); NormalizePhone makes it so.
	To   string
	Body string
	// ID, when set, is sent as the Idempotency-Key header, so that a gateway which honours it sends a
	// message that is tried again after a lost answer only once (Twilio ignores it). The delivery's
	// ID fits.
	ID string
}

// Sender delivers text messages. Implementations are safe for concurrent use.
type Sender interface {
	// Send delivers m and returns the gateway's ID for it (possibly empty). A failure is an *Error:
	// IsPermanent tells whether sending the same message again later can succeed, RetryAfter how long
	// the gateway asked us to wait.
	Send(ctx context.Context, m Message) (providerID string, err error)
	// Name is the provider's name: "http" or "log".
	Name() string
}

// Config is where and how SMS are sent.
type Config struct {
	// Provider is ProviderHTTP, ProviderLog, or ProviderNone ("" too).
	Provider string
	// URL is the gateway's endpoint taking one message per POST; https unless it is on loopback.
	URL string
	// Username and Password authenticate to the gateway: HTTP Basic for FormatForm (Twilio: account SID
	// and auth token; none when both are empty), Password as a Bearer token for FormatJSON.
	Username string
	Password string
	// From is the sender: a number in E.164 or an alphanumeric sender ID the gateway accepts.
	From string
	// Format is FormatForm or FormatJSON; empty means FormatForm.
	Format  string
	Timeout time.Duration
}

// FromConfig returns the SMS Config from the server's settings (SMS_*).
func FromConfig(c config.Config) Config {
	return Config{
		Provider: c.SMSProvider,
		URL:      c.SMSURL,
		Username: c.SMSUsername,
		Password: c.SMSPassword,
		From:     c.SMSFrom,
		Format:   c.SMSFormat,
	}
}

// New returns the Sender cfg.Provider names: an *HTTPSender or a *LogSender logging to log (nil:
// slog.Default()). For ProviderNone or "" it returns nil and no error: SMS are disabled.
func New(cfg Config, log *slog.Logger) (Sender, error) {
	switch strings.ToLower(cfg.Provider) {
	case "", ProviderNone:
		return nil, nil
	case ProviderLog:
		return NewLog(log), nil
	case ProviderHTTP:
		s, err := NewHTTP(cfg)
		if err != nil {
			return nil, err
		}
		return s, nil
	default:
		return nil, fmt.Errorf("sms: provider %q: want %s, %s or %s", cfg.Provider, ProviderHTTP, ProviderLog, ProviderNone)
	}
}

// compose checks m before anything is sent and returns it with To in E.164. What it refuses would be
// refused every time, so its errors are permanent.
func compose(m Message) (Message, error) {
	to, err := NormalizePhone(m.To)
	if err != nil {
		return m, &Error{Op: "compose", Permanent: true, Err: fmt.Errorf("recipient %s: %w", Mask(m.To), err)}
	}
	m.To = to
	switch n := utf8.RuneCountInString(m.Body); {
	case strings.TrimSpace(m.Body) == "":
		return m, &Error{Op: "compose", Permanent: true, Err: errors.New("message has no body")}
	case n > MaxBody:
		return m, &Error{Op: "compose", Permanent: true, Err: fmt.Errorf("message is %d characters long: at most %d", n, MaxBody)}
	}
	if strings.ContainsFunc(m.ID, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return m, &Error{Op: "compose", Permanent: true, Err: errors.New("message ID: only printable ASCII without spaces (it is an HTTP header)")}
	}
	return m, nil
}
