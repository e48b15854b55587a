package notify

import (
	"context"
	"slices"
	"strings"
	"time"

	"hms/server/internal/ident"
	"hms/shared"
)

// Request is a notification to make.
type Request struct {
	// Key makes the notification once: the same key always gives the same notification (IDFor). Empty
	// means a new one each time.
	Key string
	// RecipientID is the user; PatientID a patient record (its account, if any, is the recipient; SMS
	// go to its phone when the user has not given one). One of them is required.
	RecipientID string
	PatientID   string
	// Email addresses an email to an address with no account (a registration to confirm) when
	// RecipientID and PatientID are empty: its notification has no recipient to list it.
	Email    string
	SenderID string
	Kind     string
	Subject  string
	Message  string // the in-app text
	// Channels are the extra channels wanted: shared.ChannelEmail, shared.ChannelSMS.
	Channels []string
	// EmailSubject, EmailText and EmailHTML are the email (Subject and Message when empty); SMSText the SMS
	// (Message when empty).
	EmailSubject, EmailText, EmailHTML string
	SMSText                            string
	// Mandatory messages are what the hospital must send (a moved or cancelled appointment, an
	// emergency page): they go out even to a recipient who turned the channel off.
	Mandatory bool
	// Urgent messages are not held back by quiet hours.
	Urgent bool
	// Quiet notifications are listed but not pushed live (the broadcast channel already showed them).
	Quiet bool
}

// Made is what Notify did with one request.
type Made struct {
	Notification Notification
	Deliveries   []Delivery
	// New is false when the notification existed already (same key): nothing was made again.
	New   bool
	quiet bool
}

// Made reports which of the trigger keys have their notification stored already, so that a scan
// renders and makes only the others.
func (s *Service) Made(ctx context.Context, keys []string) (map[string]bool, error) {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = IDFor(k)
	}
	have, err := s.store.Existing(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(have))
	for i, k := range keys {
		if have[ids[i]] {
			out[k] = true
		}
	}
	return out, nil
}

// Notify stores the notifications and their deliveries, pushes the new ones live, and wakes the
// delivery worker. Requests whose notification exists already (same key) change nothing.
func (s *Service) Notify(ctx context.Context, reqs ...Request) ([]Made, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	var users, patients []string
	for _, r := range reqs {
		if r.RecipientID != "" {
			users = append(users, r.RecipientID)
		} else if r.PatientID != "" {
			patients = append(patients, r.PatientID)
		}
	}
	byUser, byPatient, err := s.store.Contacts(ctx, users, patients)
	if err != nil {
		return nil, err
	}
	// Preferences belong to accounts: a patient record's account's apply to it.
	ids := make([]string, 0, len(byUser)+len(byPatient))
	for id := range byUser {
		ids = append(ids, id)
	}
	for _, c := range byPatient {
		if c.UserID != "" {
			ids = append(ids, c.UserID)
		}
	}
	prefs, err := s.store.Preferences(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.now()
	made := make([]Made, 0, len(reqs))
	var ns []Notification
	var ds []Delivery
	for _, r := range reqs {
		c, ok := byUser[r.RecipientID]
		if r.RecipientID == "" {
			c, ok = byPatient[r.PatientID]
		}
		if r.RecipientID == "" && r.PatientID == "" && r.Email != "" {
			c, ok = Contact{Email: r.Email}, true
		}
		if !ok {
			if len(reqs) == 1 {
				return nil, ErrNoRecipient
			}
			s.log.WarnContext(ctx, "notification for an unknown recipient dropped", "key", r.Key, "kind", r.Kind)
			continue
		}
		c.Prefs = DefaultPreferences
		if p, ok := prefs[c.UserID]; ok {
			c.Prefs = p
		}
		if c.Prefs.Phone != "" {
			c.Phone = c.Prefs.Phone
		}
		m := s.plan(r, c, now)
		m.quiet = r.Quiet
		made = append(made, m)
		ns = append(ns, m.Notification)
		ds = append(ds, m.Deliveries...)
	}
	inserted, err := s.store.Insert(ctx, ns, ds)
	if err != nil {
		return nil, err
	}
	for i := range made {
		m := &made[i]
		m.New = inserted[m.Notification.ID]
		if m.New && m.Notification.RecipientID != "" && !m.quiet {
			out := m.Notification.Public()
			for _, d := range m.Deliveries {
				out.Deliveries = append(out.Deliveries, d.State())
			}
			if _, err := s.pub.Publish(ctx, shared.ChannelUser+":"+m.Notification.RecipientID, shared.EventNotificationCreated, out); err != nil {
				// Stored first: the recipient also gets it by listing, and live clients recover it.
				s.log.WarnContext(ctx, "notification stored but not pushed live", "id", m.Notification.ID, "err", err)
			}
		}
	}
	// What is due now goes straight to this instance's worker; the rest (quiet hours) waits for a pass.
	var ready []Delivery
	for _, m := range made {
		if !m.New {
			continue
		}
		for _, d := range m.Deliveries {
			if d.Status == shared.DeliveryQueued && !d.NextAt.After(now) {
				ready = append(ready, d)
			}
		}
	}
	if len(ready) > 0 && len(ready) <= dueBatch {
		s.hand(ready)
	} else if len(ds) > 0 {
		s.Wake()
	}
	return made, nil
}

// plan makes a request's notification and deliveries for contact c at now.
func (s *Service) plan(r Request, c Contact, now time.Time) Made {
	id := ident.New()
	if r.Key != "" {
		id = IDFor(r.Key)
	}
	kind := r.Kind
	if kind == "" {
		kind = shared.KindMessage
	}
	n := Notification{ID: id, RecipientID: c.UserID, PatientID: c.PatientID, SenderID: r.SenderID, Kind: kind,
		Subject: r.Subject, Message: r.Message, CreatedAt: now}
	m := Made{Notification: n}
	for _, ch := range []string{shared.ChannelEmail, shared.ChannelSMS} {
		if !slices.Contains(r.Channels, ch) {
			continue
		}
		d := Delivery{ID: id + "-" + ch, NotificationID: id, RecipientID: c.UserID, PatientID: c.PatientID, Kind: kind,
			Channel: ch, Urgent: r.Urgent, Status: shared.DeliveryQueued, NextAt: now, CreatedAt: now, UpdatedAt: now}
		var on bool
		switch ch {
		case shared.ChannelEmail:
			d.To, on = c.Email, c.Prefs.Email
			d.Subject = firstOf(r.EmailSubject, r.Subject, "Message from the hospital")
			d.Text, d.HTML = firstOf(r.EmailText, r.Message), r.EmailHTML
		case shared.ChannelSMS:
			d.To, on = c.Phone, c.Prefs.SMS
			d.Text = firstOf(r.SMSText, r.Message)
		}
		entry := shared.DeliveryLog{At: now, Status: shared.DeliveryQueued}
		switch {
		case c.Disabled:
			d.Status, entry.Reason = shared.DeliverySkipped, errRecipientGone.Error()
		case d.To == "":
			d.Status, entry.Reason = shared.DeliverySkipped, channelAddress(ch)
		case !on && !r.Mandatory:
			d.Status, entry.Reason = shared.DeliverySkipped, "the recipient turned "+channelName(ch)+" off"
		case s.transport(ch) == nil:
			d.Status, entry.Reason = shared.DeliverySkipped, channelName(ch)+" is not configured on this server"
		default:
			if !r.Mandatory || on {
				entry.Reason = ""
			} else {
				entry.Reason = "sent although the recipient turned " + channelName(ch) + " off: the hospital must send it"
			}
			if !r.Urgent {
				if until, quiet := quietUntil(c.Prefs, now, s.cfg.Location); quiet {
					d.NextAt = until
					entry.Reason = strings.TrimSpace(entry.Reason + " held until " + until.In(s.cfg.Location).Format("15:04") + " (quiet hours)")
				}
			}
		}
		d.LastError = ""
		if d.Status == shared.DeliverySkipped {
			d.LastError = entry.Reason
			d.NextAt = time.Time{}
		}
		entry.Status = d.Status
		d.Log = []shared.DeliveryLog{entry}
		m.Deliveries = append(m.Deliveries, d)
	}
	return m
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func channelName(ch string) string {
	if ch == shared.ChannelSMS {
		return "SMS"
	}
	return ch
}

func channelAddress(ch string) string {
	if ch == shared.ChannelSMS {
		return "no phone number for SMS"
	}
	return "no email address"
}
