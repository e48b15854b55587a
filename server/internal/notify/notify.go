// Package notify makes and delivers notifications. A notification is stored first, for its recipient
// to list and mark read (in-app, pushed live on their user channel); then each extra channel it asked
// for (email, SMS) becomes a delivery, stored too, which the delivery worker on every server instance
// sends: it claims each attempt by an insert under a unique index, so an attempt is made by one instance
// only, retries temporary failures with backoff, and keeps a log per delivery. A delivery that fails for
// good is a dead letter admins can see and queue again.
//
// Notifications made by triggers (reminders, confirmations, alerts) have an id derived from a key
// ("reminder:24h:<appointment>"), and their deliveries ids derived from that: making the same one again,
// on any instance, finds it already there. That is what sends each reminder once.
package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"hms/server/internal/clock"
	"hms/server/internal/fault"
	"hms/shared"
)

// Notification is a message for one recipient.
type Notification struct {
	ID          string
	RecipientID string // the user; "" for a patient record without an account (email/SMS only)
	PatientID   string // the patient record it is about, when it was addressed to a patient
	SenderID    string // "" when the system sent it
	Kind        string
	Subject     string
	Message     string
	CreatedAt   time.Time
	ReadAt      *time.Time
}

// Public returns the notification as the API shows it.
func (n Notification) Public() shared.Notification {
	kind := n.Kind
	if kind == "" {
		kind = shared.KindMessage
	}
	return shared.Notification{ID: n.ID, RecipientID: n.RecipientID, SenderID: n.SenderID, Kind: kind,
		Subject: n.Subject, Message: n.Message, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
}

// Delivery is one channel's delivery of a notification: the message as it goes out, and its state.
// Only the instance holding the current attempt's claim changes it.
type Delivery struct {
	ID             string // notification id + "-" + channel
	NotificationID string
	RecipientID    string
	PatientID      string
	Kind           string
	Channel        string
	To             string
	// Subject, Text and HTML are the message (read only to send it: Store.Bodies). Subject and HTML are
	// email only; Text is the email's plain text, or the SMS.
	Subject    string
	Text       string
	HTML       string
	Urgent     bool
	Status     string
	Attempts   int
	NextAt     time.Time
	LastError  string
	ProviderID string
	SentAt     *time.Time
	Log        []shared.DeliveryLog
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Public returns the delivery as admins see it, with the address masked.
func (d Delivery) Public() shared.Delivery {
	out := shared.Delivery{ID: d.ID, NotificationID: d.NotificationID, RecipientID: d.RecipientID, PatientID: d.PatientID,
		Kind: d.Kind, Channel: d.Channel, To: Mask(d.Channel, d.To), Status: d.Status, Attempts: d.Attempts,
		LastError: d.LastError, Log: d.Log, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if out.Log == nil {
		out.Log = []shared.DeliveryLog{}
	}
	if !d.NextAt.IsZero() && (d.Status == shared.DeliveryQueued || d.Status == shared.DeliveryRetrying) {
		t := d.NextAt
		out.NextAt = &t
	}
	return out
}

// State returns the delivery as its recipient sees it on the notification.
func (d Delivery) State() shared.DeliveryState {
	return shared.DeliveryState{Channel: d.Channel, Status: d.Status, Attempts: d.Attempts, SentAt: d.SentAt, Error: d.LastError}
}

// Attempt is the claim of one try of a delivery; {DeliveryID, N} is unique.
type Attempt struct {
	DeliveryID string
	N          int
	Instance   string
	At         time.Time
}

// Preferences are a user's choices; a user who never chose has DefaultPreferences.
type Preferences struct {
	Email, SMS bool
	Phone      string
	QuietStart string // HH:MM hospital time; "" with QuietEnd "" for none
	QuietEnd   string
	OnCall     bool
}

// DefaultPreferences accept every channel, with no quiet hours.
var DefaultPreferences = Preferences{Email: true, SMS: true}

// Contact is where a recipient is reached.
type Contact struct {
	UserID    string
	PatientID string
	Name      string
	Email     string
	Phone     string
	Role      shared.Role
	Disabled  bool
	Prefs     Preferences
}

// Store keeps notifications, deliveries, attempt claims and preferences, and finds contacts.
type Store interface {
	// Insert stores the deliveries, then the notifications. What is already stored (same id) stays as
	// it is; it returns the ids of the notifications it inserted now.
	Insert(ctx context.Context, ns []Notification, ds []Delivery) (map[string]bool, error)
	// List returns a recipient's notifications, newest first (only unread ones when unreadOnly), and how
	// many of all of theirs are unread.
	List(ctx context.Context, recipientID string, unreadOnly bool, skip, limit int) ([]Notification, int, error)
	Notification(ctx context.Context, id string) (Notification, error)
	// Existing returns which of the notification ids are stored.
	Existing(ctx context.Context, ids []string) (map[string]bool, error)
	// MarkRead marks the recipient's unread notifications among ids (all when ids is nil) read at at,
	// and returns the ids it marked.
	MarkRead(ctx context.Context, recipientID string, ids []string, at time.Time) ([]string, error)
	Unread(ctx context.Context, recipientID string) (int, error)

	// DeliveriesOf returns the deliveries of the notifications, by notification id.
	DeliveriesOf(ctx context.Context, notificationIDs []string) (map[string][]Delivery, error)
	// Due returns up to limit deliveries to attempt at now, urgent ones first, then by NextAt: queued or
	// retrying with NextAt <= now (some may have an attempt under way on another instance: their claim
	// tells).
	Due(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	// ClaimAttempt fails with ErrAttemptTaken when that attempt was claimed before.
	ClaimAttempt(ctx context.Context, a Attempt) error
	// ClaimSend records a sender's n-th message by email or SMS in an hour (an insert under a unique
	// id); it fails with ErrSendTaken when that one was claimed before.
	ClaimSend(ctx context.Context, c SendClaim) error
	// AttemptClaim returns a claimed attempt (ErrNotFound when there is none).
	AttemptClaim(ctx context.Context, deliveryID string, n int) (Attempt, error)
	// Bodies fills the deliveries' Subject, Text and HTML (they are not read with their state); it
	// returns the ids of those it has no body for (sent and dropped meanwhile by another instance).
	Bodies(ctx context.Context, ds []Delivery) (map[string]bool, error)
	// DropBodies deletes the bodies of sent deliveries: the message went, and need not be kept.
	DropBodies(ctx context.Context, ids []string) error
	// Prune deletes finished deliveries (sent, skipped) last changed before before, with their claims,
	// and returns how many (at most a few thousand a call); it also deletes the send claims of hours
	// that ended before before.
	Prune(ctx context.Context, before time.Time) (int, error)
	// SaveDelivery stores d's state and appends entry to its log.
	SaveDelivery(ctx context.Context, d Delivery, entry shared.DeliveryLog) error
	Delivery(ctx context.Context, id string) (Delivery, error)
	ListDeliveries(ctx context.Context, status, channel string, skip, limit int) ([]Delivery, int, error)

	Preferences(ctx context.Context, userIDs []string) (map[string]Preferences, error)
	SetPreferences(ctx context.Context, userID string, p Preferences) error
	// OnCall returns the users who asked to be paged (OnCall).
	OnCall(ctx context.Context) ([]string, error)
	// Contacts returns the contacts of the users and of the patient records (preferences not filled).
	Contacts(ctx context.Context, userIDs, patientIDs []string) (byUser, byPatient map[string]Contact, err error)
	// ActiveUsers returns up to limit enabled accounts with an id above after, in id order.
	ActiveUsers(ctx context.Context, after string, limit int) ([]string, error)
	// ErasePatient deletes the user's notifications and preferences, and every delivery to the user or
	// about the patient record, with their bodies; userID may be empty.
	ErasePatient(ctx context.Context, userID, patientID string) error
}

// The domain's errors.
var (
	ErrNoRecipient   = fault.New(fault.ErrNotFound, "recipient not found")
	ErrNotFound      = fault.New(fault.ErrNotFound, "notification not found")
	ErrNoDelivery    = fault.New(fault.ErrNotFound, "delivery not found")
	ErrAttemptTaken  = errors.New("delivery attempt already claimed")
	ErrSendTaken     = errors.New("send claim already taken")
	ErrNotDead       = fault.New(fault.ErrConflict, "only a dead delivery can be retried")
	errNoTransport   = errors.New("channel is not configured")
	errRecipientGone = errors.New("recipient account is disabled")
)

// Publisher puts events on the live stream.
type Publisher interface {
	Publish(ctx context.Context, channel, typ string, data any) (shared.Event, error)
}

// Transport sends one delivery on its channel (email through SMTP, SMS through a gateway).
type Transport interface {
	// Send delivers d.Text (and, for email, d.Subject and d.HTML) to d.To and returns the provider's id.
	Send(ctx context.Context, d Delivery) (string, error)
	// Permanent tells whether a failure cannot succeed later (a refused address, bad credentials).
	Permanent(err error) bool
	// RetryAfter is how long the provider asked to wait, 0 when it did not say.
	RetryAfter(err error) time.Duration
}

// Config tunes delivery.
type Config struct {
	// Location is the hospital's zone: quiet hours are in it.
	Location *time.Location
	// MaxAttempts is how many times a delivery is tried before it is dead (default 6).
	MaxAttempts int
	// RetryBase is the wait after the first failure; it doubles each time up to RetryMax (defaults 30 s, 30 min).
	RetryBase, RetryMax time.Duration
	// Lease is how long after an attempt's claim another instance may take the delivery over when no
	// outcome was recorded (default 2 min); an attempt gives up after half of it.
	Lease time.Duration
	// Instance names this server instance in attempt claims.
	Instance string
	// Workers is how many deliveries one instance sends at once (default 8).
	Workers int
	// Hospital is the hospital's name in emails and SMS.
	Hospital string
	// Clock is the hospital's clock (nil: the system time).
	Clock *clock.Clock
	// SendPerHour is how many messages by email or SMS one sender may send in a clock hour, on all
	// instances together (default 60): a staff message with channels, an admin's broadcast by email.
	SendPerHour int
}

// Service makes, lists and delivers notifications.
type Service struct {
	store      Store
	pub        Publisher
	log        *slog.Logger
	cfg        Config
	transports map[string]Transport
	mu         sync.Mutex
	wake       chan struct{}
	fresh      chan []Delivery
	// sendHints remembers, per sender, the last send claim this instance saw taken (sendlimit.go).
	sendHints map[string]sendHint
}

// NewService wires the service; Transports are added with SetTransport.
func NewService(store Store, pub Publisher, log *slog.Logger, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 30 * time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 30 * time.Minute
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.SendPerHour <= 0 {
		cfg.SendPerHour = 60
	}
	return &Service{store: store, pub: pub, log: log, cfg: cfg, transports: map[string]Transport{}, sendHints: map[string]sendHint{},
		wake:  make(chan struct{}, 1),
		fresh: make(chan []Delivery, 16)}
}

// SetTransport sets the transport of a channel (shared.ChannelEmail, shared.ChannelSMS); nil removes it,
// and deliveries on a channel with none are skipped.
func (s *Service) SetTransport(channel string, t Transport) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t == nil {
		delete(s.transports, channel)
		return
	}
	s.transports[channel] = t
}

// Transport returns the transport of a channel (nil: none).
func (s *Service) Transport(channel string) Transport { return s.transport(channel) }

func (s *Service) transport(channel string) Transport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transports[channel]
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC().Truncate(time.Millisecond) }

// OnCall returns the users who asked to be paged when an emergency goes unacknowledged.
func (s *Service) OnCall(ctx context.Context) ([]string, error) { return s.store.OnCall(ctx) }

// ActiveUsers returns up to limit enabled accounts with an id above after, in id order (a broadcast's
// recipients, a page at a time).
func (s *Service) ActiveUsers(ctx context.Context, after string, limit int) ([]string, error) {
	return s.store.ActiveUsers(ctx, after, limit)
}

// Now is the service's clock (simulated in tests).
func (s *Service) Now() time.Time { return s.now() }

// Log is the service's logger.
func (s *Service) Log() *slog.Logger { return s.log }

// IDFor returns the notification id made from a trigger's key: the same key gives the same id on every
// instance, so the notification is made once. It looks like any other id (24 hex digits).
func IDFor(key string) string {
	sum := sha256.Sum256([]byte("notification:" + key))
	return hex.EncodeToString(sum[:12])
}
