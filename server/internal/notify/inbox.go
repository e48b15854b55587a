package notify

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

const maxMessage = 2000

// Send makes a notification from a staff member (POST /api/notifications/send): in-app, and by email
// or SMS when asked and the recipient accepts them. The recipient is a user id, or a patient id (the id
// GET /api/patient/{id} takes): a patient's account gets it in-app, and email and SMS go to the
// account's or the record's contacts.
func (s *Service) Send(ctx context.Context, p auth.Principal, req shared.SendNotificationRequest) (shared.Notification, error) {
	msg := strings.TrimSpace(req.Message)
	switch {
	case req.RecipientID == "":
		return shared.Notification{}, fault.Invalid("recipient_id is required")
	case !ident.Valid(req.RecipientID):
		return shared.Notification{}, fault.Invalid("recipient_id is malformed: want a user or patient id (24 hex digits)")
	case msg == "":
		return shared.Notification{}, fault.Invalid("message is required")
	case utf8.RuneCountInString(msg) > maxMessage:
		return shared.Notification{}, fault.Invalid("message is longer than %d characters", maxMessage)
	}
	var channels []string
	for _, ch := range req.Channels {
		if ch != shared.ChannelEmail && ch != shared.ChannelSMS {
			return shared.Notification{}, fault.Invalid("channels: %q is not one of email, sms", ch)
		}
		if !slices.Contains(channels, ch) {
			channels = append(channels, ch)
		}
	}
	r := Request{RecipientID: req.RecipientID, SenderID: p.UserID, Kind: shared.KindMessage, Message: msg, Channels: channels}
	byUser, byPatient, err := s.store.Contacts(ctx, []string{req.RecipientID}, []string{req.RecipientID})
	if err != nil {
		return shared.Notification{}, err
	}
	if _, user := byUser[req.RecipientID]; !user {
		if _, rec := byPatient[req.RecipientID]; rec {
			r.RecipientID, r.PatientID = "", req.RecipientID
		}
	}
	if len(channels) > 0 {
		if err := s.claimSend(ctx, p.UserID); errors.Is(err, errSendLimit) {
			return shared.Notification{}, s.sendLimitError("")
		} else if err != nil {
			return shared.Notification{}, err
		}
	}
	if err := s.renderNotice(&r); err != nil {
		s.log.WarnContext(ctx, "render a message's email and SMS; sending it plain", "err", err)
	}
	made, err := s.Notify(ctx, r)
	if err != nil {
		return shared.Notification{}, err
	}
	if len(made) == 0 {
		return shared.Notification{}, ErrNoRecipient
	}
	out := made[0].Notification.Public()
	for _, d := range made[0].Deliveries {
		out.Deliveries = append(out.Deliveries, d.State())
	}
	return out, nil
}

// List returns a page of the caller's own notifications, newest first, with their delivery states and
// how many are unread.
func (s *Service) List(ctx context.Context, p auth.Principal, unreadOnly bool, page, limit int) (shared.NotificationList, error) {
	ns, unread, err := s.store.List(ctx, p.UserID, unreadOnly, (page-1)*limit, limit)
	if err != nil {
		return shared.NotificationList{}, err
	}
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	ds, err := s.store.DeliveriesOf(ctx, ids)
	if err != nil {
		return shared.NotificationList{}, err
	}
	out := shared.NotificationList{Items: make([]shared.Notification, 0, len(ns)), Page: page, Limit: limit, Unread: unread}
	for _, n := range ns {
		pn := n.Public()
		for _, d := range ds[n.ID] {
			pn.Deliveries = append(pn.Deliveries, d.State())
		}
		out.Items = append(out.Items, pn)
	}
	return out, nil
}

// All returns every notification of a user, oldest first (the GDPR export).
func (s *Service) All(ctx context.Context, userID string) ([]shared.Notification, error) {
	var out []shared.Notification
	for skip := 0; ; skip += 200 {
		ns, _, err := s.store.List(ctx, userID, false, skip, 200)
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			out = append(out, n.Public())
		}
		if len(ns) < 200 {
			slices.Reverse(out)
			return out, nil
		}
	}
}

// MarkRead marks one of the caller's notifications read; another user's is not found.
func (s *Service) MarkRead(ctx context.Context, p auth.Principal, id string) (shared.Notification, error) {
	if !ident.Valid(id) {
		return shared.Notification{}, fault.Invalid("malformed notification id: want 24 hex digits")
	}
	n, err := s.store.Notification(ctx, id)
	if err != nil {
		return shared.Notification{}, err
	}
	if n.RecipientID != p.UserID {
		return shared.Notification{}, ErrNotFound
	}
	if n.ReadAt == nil {
		now := s.now()
		marked, err := s.store.MarkRead(ctx, p.UserID, []string{id}, now)
		if err != nil {
			return shared.Notification{}, err
		}
		n.ReadAt = &now
		s.announceRead(ctx, p.UserID, marked)
	}
	ds, err := s.store.DeliveriesOf(ctx, []string{id})
	if err != nil {
		return shared.Notification{}, err
	}
	out := n.Public()
	for _, d := range ds[id] {
		out.Deliveries = append(out.Deliveries, d.State())
	}
	return out, nil
}

// MarkAllRead marks every unread notification of the caller read.
func (s *Service) MarkAllRead(ctx context.Context, p auth.Principal) (shared.NotificationsRead, error) {
	marked, err := s.store.MarkRead(ctx, p.UserID, nil, s.now())
	if err != nil {
		return shared.NotificationsRead{}, err
	}
	return s.announceRead(ctx, p.UserID, marked), nil
}

// announceRead tells the user's other screens what was read and how many are left unread.
func (s *Service) announceRead(ctx context.Context, userID string, ids []string) shared.NotificationsRead {
	out := shared.NotificationsRead{IDs: ids}
	if out.IDs == nil {
		out.IDs = []string{}
	}
	unread, err := s.store.Unread(ctx, userID)
	if err != nil {
		s.log.WarnContext(ctx, "count unread notifications", "err", err)
	}
	out.Unread = unread
	if len(ids) > 0 {
		if _, err := s.pub.Publish(ctx, shared.ChannelUser+":"+userID, shared.EventNotificationRead, out); err != nil {
			s.log.WarnContext(ctx, "publish notification.read", "err", err)
		}
	}
	return out
}

// Deliveries lists deliveries for admins.
func (s *Service) Deliveries(ctx context.Context, status, channel string, page, limit int) (shared.DeliveryList, error) {
	switch status {
	case "", shared.DeliveryQueued, shared.DeliveryRetrying, shared.DeliverySent, shared.DeliveryDead, shared.DeliverySkipped:
	default:
		return shared.DeliveryList{}, fault.Invalid("status: %q is not one of queued, retrying, sent, dead, skipped", status)
	}
	if channel != "" && channel != shared.ChannelEmail && channel != shared.ChannelSMS {
		return shared.DeliveryList{}, fault.Invalid("channel: %q is not one of email, sms", channel)
	}
	ds, total, err := s.store.ListDeliveries(ctx, status, channel, (page-1)*limit, limit)
	if err != nil {
		return shared.DeliveryList{}, err
	}
	out := shared.DeliveryList{Items: make([]shared.Delivery, len(ds)), Total: total, Page: page, Limit: limit}
	for i, d := range ds {
		out.Items[i] = d.Public()
	}
	return out, nil
}

// ErasePatient deletes what the notifications hold of an erased patient: the account's notifications
// and preferences, and every email and SMS delivery to the account or about the record (they hold the
// addresses). userID may be empty (a record without an account). Idempotent.
func (s *Service) ErasePatient(ctx context.Context, userID, patientID string) error {
	return s.store.ErasePatient(ctx, userID, patientID)
}
