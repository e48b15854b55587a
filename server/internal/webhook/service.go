package webhook

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/clock"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
)

// Config tunes the service.
type Config struct {
	// AllowHTTP accepts http:// subscription URLs (local receivers, tests); otherwise only https.
	AllowHTTP bool
	// Timeout bounds one POST (10 s when zero).
	Timeout time.Duration
	// Retry is the pause before each retry of a failed delivery; after the last the delivery is dead.
	Retry []time.Duration
	// Instance names this server instance in attempts.
	Instance string
	// Clock is the hospital clock: delivery times and backoff are read from it, so tests move it.
	Clock *clock.Clock
	// Inbound applies the partners' webhooks (nil: every inbound webhook is refused).
	Inbound Inbound
	// Transport, when set, replaces the HTTP transport (tests); the default refuses link-local and
	// metadata addresses at connect time.
	Transport http.RoundTripper
}

// Service keeps subscriptions and partners, enqueues and sends deliveries, receives partners' webhooks.
type Service struct {
	store  Store
	log    *slog.Logger
	cfg    Config
	client *http.Client
	// kick wakes this instance's worker when a delivery was enqueued (buffer 1: a wake-up pending is
	// enough); owned by the service, never closed.
	kick chan struct{}
}

// NewService makes the service on store.
func NewService(store Store, log *slog.Logger, cfg Config) *Service {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if len(cfg.Retry) == 0 {
		cfg.Retry = []time.Duration{10 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute,
			30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 6 * time.Hour, 8 * time.Hour}
	}
	tr := cfg.Transport
	if tr == nil {
		tr = safeTransport()
	}
	client := &http.Client{Transport: tr, Timeout: cfg.Timeout,
		// A redirect is an answer: the receiver's URL is what the admin configured, nothing else.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Service{store: store, log: log, cfg: cfg, client: client, kick: make(chan struct{}, 1)}
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC().Truncate(time.Millisecond) }

// SubscriptionRequest makes a subscription.
type SubscriptionRequest struct {
	URL         string   `json:"url"`
	Description string   `json:"description"`
	Events      []string `json:"events"`
}

// Created is a subscription or partner just made, with its secret: the only time it is shown.
type Created[T any] struct {
	Item   T      `json:"item"`
	Secret string `json:"secret"`
}

// CreateSubscription checks and stores a subscription with a new secret.
func (s *Service) CreateSubscription(ctx context.Context, p auth.Principal, r SubscriptionRequest) (Created[Subscription], error) {
	u, err := s.checkURL(r.URL)
	if err != nil {
		return Created[Subscription]{}, err
	}
	if len(r.Description) > 200 {
		return Created[Subscription]{}, fault.Invalid("description is at most 200 characters")
	}
	if len(r.Events) == 0 {
		return Created[Subscription]{}, fault.Invalid("events: choose at least one event from the catalogue")
	}
	var events []string
	for _, e := range r.Events {
		if !catalogued(e) {
			return Created[Subscription]{}, fault.Invalid("events: %q is not in the catalogue (GET /api/webhooks/catalogue)", e)
		}
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	sub := Subscription{ID: ident.New(), URL: u, Description: strings.TrimSpace(r.Description), Events: events,
		Enabled: true, CreatedAt: s.now(), CreatedBy: p.UserID, Secret: newSecret()}
	if err := s.store.InsertSubscription(ctx, sub); err != nil {
		return Created[Subscription]{}, err
	}
	return Created[Subscription]{Item: sub, Secret: sub.Secret}, nil
}

// checkURL accepts an absolute https URL (http too when allowed) whose host is not a link-local or
// cloud metadata address; it returns the URL as given.
func (s *Service) checkURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "", fault.Invalid("url must be an absolute URL such as https://example.org/hooks")
	}
	switch {
	case len(raw) > 2000:
		return "", fault.Invalid("url is at most 2000 characters")
	case u.User != nil:
		return "", fault.Invalid("url may not carry a user name or password")
	case u.Scheme == "https":
	case u.Scheme == "http" && s.cfg.AllowHTTP:
	case u.Scheme == "http":
		return "", fault.Invalid("url must be https (http is accepted only with WEBHOOK_ALLOW_HTTP=true)")
	default:
		return "", fault.Invalid("url must be https")
	}
	if forbiddenHost(u.Hostname()) {
		return "", fault.Invalid("url may not point at a link-local or cloud metadata address")
	}
	return raw, nil
}

// forbiddenHost reports a host name or address webhooks are never sent to: link-local addresses
// (169.254.0.0/16, fe80::/10, where cloud metadata services answer) and the metadata host names.
func forbiddenHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "metadata.google.internal" || h == "metadata" || h == "instance-data" {
		return true
	}
	if i := strings.IndexByte(h, '%'); i >= 0 {
		h = h[:i] // an IPv6 zone: the address decides
	}
	if ip := net.ParseIP(h); ip != nil {
		return forbiddenIP(ip)
	}
	return false
}

func forbiddenIP(ip net.IP) bool {
	return ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() ||
		ip.Equal(net.ParseIP("fd00:ec2::254"))
}

// Subscriptions lists every subscription.
func (s *Service) Subscriptions(ctx context.Context) ([]Subscription, error) {
	return s.store.Subscriptions(ctx)
}

// SetEnabled enables or disables a subscription: a disabled one gets no new deliveries, and its
// pending ones wait until it is enabled again.
func (s *Service) SetEnabled(ctx context.Context, id string, enabled bool) (Subscription, error) {
	if err := checkID(id); err != nil {
		return Subscription{}, err
	}
	if err := s.store.SetEnabled(ctx, id, enabled); err != nil {
		return Subscription{}, err
	}
	return s.store.Subscription(ctx, id)
}

// DeleteSubscription deletes a subscription; its deliveries stay in the log.
func (s *Service) DeleteSubscription(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	return s.store.DeleteSubscription(ctx, id)
}

func checkID(id string) error {
	if !ident.Valid(id) {
		return fault.Invalid("malformed id: want 24 hex digits")
	}
	return nil
}

// Log is a subscription's newest deliveries and attempts.
type Log struct {
	Deliveries []Delivery `json:"deliveries"`
	Attempts   []Attempt  `json:"attempts"`
}

// DeliveryLog returns a subscription's newest deliveries (state: pending, delivered, dead or any when
// empty) and attempts, up to limit each.
func (s *Service) DeliveryLog(ctx context.Context, id, state string, limit int) (Log, error) {
	if err := checkID(id); err != nil {
		return Log{}, err
	}
	if state != "" && state != Pending && state != Delivered && state != Dead {
		return Log{}, fault.Invalid("state must be pending, delivered or dead")
	}
	if _, err := s.store.Subscription(ctx, id); err != nil {
		return Log{}, err
	}
	ds, err := s.store.Deliveries(ctx, id, state, limit)
	if err != nil {
		return Log{}, err
	}
	as, err := s.store.Attempts(ctx, id, limit)
	if err != nil {
		return Log{}, err
	}
	return Log{Deliveries: ds, Attempts: as}, nil
}

// Redeliver sends a dead or delivered delivery again: a new attempt at once, the same webhook-id, and
// the whole retry schedule again if it fails.
func (s *Service) Redeliver(ctx context.Context, id string) (Delivery, error) {
	d, err := s.store.Delivery(ctx, id)
	if err != nil {
		return Delivery{}, err
	}
	if d.State == Pending {
		return Delivery{}, fault.Coded(fault.ErrConflict, "delivery_pending", "the delivery is still being tried; redeliver it once it is delivered or dead")
	}
	d.State, d.Round, d.NextAt = Pending, d.Attempts, s.now()
	if err := s.store.SaveDelivery(ctx, d); err != nil {
		return Delivery{}, err
	}
	s.wake()
	return d, nil
}

// SendTest enqueues a webhook.test event to a subscription (even a disabled one, so that an admin can
// try it before enabling it).
func (s *Service) SendTest(ctx context.Context, id string) (Delivery, error) {
	if err := checkID(id); err != nil {
		return Delivery{}, err
	}
	sub, err := s.store.Subscription(ctx, id)
	if err != nil {
		return Delivery{}, err
	}
	at := s.now()
	d, err := s.enqueueTo(ctx, sub, Test, "test:"+ident.New(), at, map[string]any{"subscription_id": sub.ID})
	if err != nil {
		return Delivery{}, err
	}
	s.wake()
	return d, nil
}

func (s *Service) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// PartnerRequest registers a partner.
type PartnerRequest struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	PayerID string `json:"payer_id,omitempty"`
}

// CreatePartner registers a partner with a new secret; an insurer names the billing payer it is.
func (s *Service) CreatePartner(ctx context.Context, p auth.Principal, r PartnerRequest) (Created[Partner], error) {
	name := strings.TrimSpace(r.Name)
	if name == "" || len(name) > 100 {
		return Created[Partner]{}, fault.Invalid("name is required (at most 100 characters)")
	}
	switch r.Kind {
	case Insurer:
		if !ident.Valid(r.PayerID) {
			return Created[Partner]{}, fault.Invalid("payer_id is required for an insurer: the billing payer it is (24 hex digits)")
		}
		if s.cfg.Inbound != nil {
			if err := s.cfg.Inbound.PayerExists(ctx, r.PayerID); err != nil {
				return Created[Partner]{}, fault.Invalid("payer_id: no such payer")
			}
		}
	case Pharmacy:
		if r.PayerID != "" {
			return Created[Partner]{}, fault.Invalid("payer_id is only for an insurer")
		}
	default:
		return Created[Partner]{}, fault.Invalid("kind must be insurer or pharmacy")
	}
	pt := Partner{ID: ident.New(), Name: name, Kind: r.Kind, PayerID: r.PayerID, CreatedAt: s.now(), CreatedBy: p.UserID, Secret: newSecret()}
	if err := s.store.InsertPartner(ctx, pt); err != nil {
		return Created[Partner]{}, err
	}
	return Created[Partner]{Item: pt, Secret: pt.Secret}, nil
}

// Partners lists the partners.
func (s *Service) Partners(ctx context.Context) ([]Partner, error) { return s.store.Partners(ctx) }

// Receipts returns a partner's newest received webhooks.
func (s *Service) Receipts(ctx context.Context, id string, limit int) ([]Receipt, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	if _, err := s.store.Partner(ctx, id); err != nil {
		return nil, err
	}
	return s.store.Receipts(ctx, id, limit)
}

// errText is an error's text as kept in the log, bounded.
func errText(err error) string {
	t := err.Error()
	if len(t) > 300 {
		t = t[:300] + "…"
	}
	return t
}
