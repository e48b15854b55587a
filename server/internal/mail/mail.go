// Package mail sends email through an SMTP relay (STARTTLS, authentication) and renders the hospital's
// email templates (Render). It also renders the SMS texts (RenderSMS): they are the same messages,
// from the same data, only shorter, so they live beside the emails they repeat; sending an SMS is not
// this package's. It is the sender only: which notifications go out by email, when, and how often a
// failed one is tried again is the notifications work's (issue 7), which retries only the failures
// IsPermanent says are not permanent.
package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"hms/server/internal/config"
)

// The values of Config.TLS.
const (
	// TLSStartTLS requires STARTTLS: a relay that does not offer it, or whose certificate does not
	// verify, gets nothing (and no password).
	TLSStartTLS = "starttls"
	// TLSOpportunistic uses STARTTLS when the relay offers it and sends in the clear otherwise.
	TLSOpportunistic = "opportunistic"
	// TLSNone never encrypts.
	TLSNone = "none"
)

// DefaultTimeout bounds each step of a delivery (connect, each SMTP command) when Config.Timeout is 0.
const DefaultTimeout = 15 * time.Second

// Config is where and how the Sender delivers.
type Config struct {
	Host string
	Port int // 0 means 587, the submission port
	// Username and Password authenticate to the relay (after STARTTLS); empty means no authentication.
	Username string
	Password string
	// From is the sender, with or without a display name ("HMS <no-reply@hospital.example>").
	From string
	// TLS is TLSStartTLS, TLSOpportunistic or TLSNone; empty means TLSStartTLS, or TLSOpportunistic when
	// Host is localhost or a loopback address (a local test server).
	TLS     string
	Timeout time.Duration
	// RootCAs verifies the relay's certificate; nil means the system's roots. Tests and relays with a
	// private CA set it.
	RootCAs *x509.CertPool
}

// FromConfig returns the Sender's Config from the server's settings (EMAIL_*).
func FromConfig(c config.Config) Config {
	return Config{
		Host:     c.EmailHost,
		Port:     c.EmailPort,
		Username: c.EmailHostUser,
		Password: c.EmailHostPassword,
		From:     c.EmailFrom,
		TLS:      c.EmailTLS,
	}
}

// EffectiveTLS returns the TLS mode the Sender uses for c: TLS, or its default for the host.
func (c Config) EffectiveTLS() string {
	if c.TLS != "" {
		return strings.ToLower(c.TLS)
	}
	if config.IsLoopbackHost(c.Host) {
		return TLSOpportunistic
	}
	return TLSStartTLS
}

// Message is one email to one recipient, with a plain-text and an HTML version of the same content.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Sender delivers messages over SMTP, one connection per message. It is safe for concurrent use.
type Sender struct {
	client *gomail.Client
	from   string
	addr   string
}

// New checks cfg and returns a Sender for it. It does not connect: a relay that is down now may be up
// by the time there is something to send.
func New(cfg Config) (*Sender, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: no SMTP host (EMAIL_HOST)")
	}
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: from address %q: %w", cfg.From, err)
	}
	var policy gomail.TLSPolicy
	switch mode := cfg.EffectiveTLS(); mode {
	case TLSStartTLS:
		policy = gomail.TLSMandatory
	case TLSOpportunistic:
		policy = gomail.TLSOpportunistic
	case TLSNone:
		policy = gomail.NoTLS
	default:
		return nil, fmt.Errorf("mail: TLS mode %q: want %s, %s or %s", mode, TLSStartTLS, TLSOpportunistic, TLSNone)
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(&tls.Config{ServerName: cfg.Host, RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}),
	}
	if cfg.Username != "" || cfg.Password != "" {
		// Auto-discovery picks the strongest mechanism the relay offers, and PLAIN/LOGIN only over TLS.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return &Sender{client: client, from: from.String(), addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))}, nil
}

// Send delivers m and returns once the relay has accepted it. A failure is an *Error: IsPermanent
// tells whether sending the same message again later can succeed.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return &Error{Op: "compose", Permanent: true, Err: err}
	}
	if err := s.client.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(s.addr, err)
	}
	return nil
}

// build makes the MIME message: multipart/alternative with the text part first, as RFC 2046 orders
// them (the last part the reader can show is the preferred one).
func (s *Sender) build(m Message) (*gomail.Msg, error) {
	if m.Text == "" && m.HTML == "" {
		return nil, errors.New("message has no body")
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.from); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	// One recipient, given as a bare address or "Name <address>"; a list or anything after the
	// address (a folded header) is refused by the parser.
	if strings.ContainsAny(m.To, "\r\n") {
		return nil, fmt.Errorf("recipient %q: contains a line break", m.To)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", m.To, err)
	}
	// A subject is one line: line breaks and runs of spaces in it (from user text) become one space.
	// go-mail would encode a line break harmlessly anyway; this keeps the subject readable.
	msg.Subject(strings.Join(strings.Fields(m.Subject), " "))
	msg.SetDate()
	msg.SetMessageID()
	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.Text != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	default:
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}
