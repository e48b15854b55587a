// Package notify stores notifications for their recipients. Live, email and SMS delivery come with the
// notifications work; until then a notification is stored and listed by its recipient.
package notify

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// Notification is a message for one user.
type Notification struct {
	ID          string
	RecipientID string
	SenderID    string
	Message     string
	CreatedAt   time.Time
	ReadAt      *time.Time
}

// Public returns the notification as the API shows it.
func (n Notification) Public() shared.Notification {
	return shared.Notification{ID: n.ID, RecipientID: n.RecipientID, SenderID: n.SenderID, Message: n.Message,
		CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
}

// Store keeps notifications.
type Store interface {
	InsertNotification(ctx context.Context, n Notification) error
	// ListNotifications returns a recipient's notifications, newest first.
	ListNotifications(ctx context.Context, recipientID string, skip, limit int) ([]Notification, error)
}

// Directory tells whether a user exists.
type Directory interface {
	UserExists(ctx context.Context, id string) (bool, error)
}

// ErrNoRecipient is returned for an unknown recipient.
var ErrNoRecipient = fault.New(fault.ErrNotFound, "recipient not found")

const maxMessage = 2000

// Publisher puts events on the live stream.
type Publisher interface {
	Publish(ctx context.Context, channel, typ string, data any) (shared.Event, error)
}

// TypeCreated is the event type of a new notification on the recipient's user channel.
const TypeCreated = "notification.created"

// Service sends and lists notifications.
type Service struct {
	store Store
	users Directory
	pub   Publisher
	log   *slog.Logger
	now   func() time.Time
}

// NewService wires the service.
func NewService(store Store, users Directory, pub Publisher, log *slog.Logger) *Service {
	return &Service{store: store, users: users, pub: pub, log: log, now: time.Now}
}

// Send stores a notification for its recipient.
func (s *Service) Send(ctx context.Context, p auth.Principal, req shared.SendNotificationRequest) (Notification, error) {
	msg := strings.TrimSpace(req.Message)
	switch {
	case req.RecipientID == "":
		return Notification{}, fault.Invalid("recipient_id is required")
	case !ident.Valid(req.RecipientID):
		return Notification{}, fault.Invalid("recipient_id is malformed: want a user id (24 hex digits)")
	case msg == "":
		return Notification{}, fault.Invalid("message is required")
	case utf8.RuneCountInString(msg) > maxMessage:
		return Notification{}, fault.Invalid("message is longer than %d characters", maxMessage)
	}
	ok, err := s.users.UserExists(ctx, req.RecipientID)
	if err != nil {
		return Notification{}, err
	}
	if !ok {
		return Notification{}, ErrNoRecipient
	}
	n := Notification{ID: ident.New(), RecipientID: req.RecipientID, SenderID: p.UserID, Message: msg,
		CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	if err := s.store.InsertNotification(ctx, n); err != nil {
		return Notification{}, err
	}
	// Stored first; the live push is a convenience the recipient also gets by listing.
	if _, err := s.pub.Publish(ctx, shared.ChannelUser+":"+n.RecipientID, TypeCreated, n.Public()); err != nil {
		s.log.WarnContext(ctx, "notification stored but not pushed live", "id", n.ID, "err", err)
	}
	return n, nil
}

// List returns a page of the caller's own notifications, newest first.
func (s *Service) List(ctx context.Context, p auth.Principal, page, limit int) ([]Notification, error) {
	return s.store.ListNotifications(ctx, p.UserID, (page-1)*limit, limit)
}
