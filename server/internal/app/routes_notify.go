package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"hms/server/internal/mail"
	"hms/server/internal/mongostore"
	"hms/server/internal/notify"
	"hms/server/internal/seal"
	"hms/server/internal/sms"
	"hms/shared"
)

// wireNotify builds the notification service and its email transport (when EMAIL_HOST is set). The
// triggers (confirmations, reminders, alerts, broadcasts) are wired by wireNotifyTriggers, once the
// domains they listen to exist.
func (a *App) wireNotify(db *mongostore.DB, keys *seal.Keyring) error {
	cfg := a.Config.Notify
	host, _ := os.Hostname()
	store := mongostore.NewNotifications(db, keys)
	a.Rekeyers = append(a.Rekeyers, store)
	a.notify = notify.NewService(store, a.Events, a.Log, notify.Config{
		Location: a.Config.HospitalTZ, MaxAttempts: cfg.MaxAttempts, RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax,
		Instance: fmt.Sprintf("%s/%d", host, os.Getpid()), Clock: a.Clock,
	})
	if a.Config.EmailHost != "" {
		sender, err := mail.New(mail.FromConfig(a.Config))
		if err != nil {
			return err
		}
		a.notify.SetTransport(shared.ChannelEmail, EmailTransport(sender))
	}
	texts, err := sms.New(sms.FromConfig(a.Config), a.Log)
	if err != nil {
		return err
	}
	if texts != nil {
		a.notify.SetTransport(shared.ChannelSMS, smsTransport{texts})
	}
	return nil
}

// smsTransport sends a delivery as an SMS through the gateway. The delivery id goes with it as an
// idempotency key, so a gateway that honours one drops a retry of a message it already took.
type smsTransport struct{ s sms.Sender }

func (t smsTransport) Send(ctx context.Context, d notify.Delivery) (string, error) {
	return t.s.Send(ctx, sms.Message{To: d.To, Body: d.Text, ID: d.ID})
}

func (smsTransport) Permanent(err error) bool           { return sms.IsPermanent(err) }
func (smsTransport) RetryAfter(err error) time.Duration { return min(sms.RetryAfter(err), time.Hour) }

// Notify is the notification service.
func (a *App) Notify() *notify.Service { return a.notify }

// EmailTransport sends deliveries as email through the SMTP relay s.
func EmailTransport(s *mail.Sender) notify.Transport { return emailTransport{s} }

// emailTransport sends a delivery as an email through the SMTP relay.
type emailTransport struct{ s *mail.Sender }

func (t emailTransport) Send(ctx context.Context, d notify.Delivery) (string, error) {
	return "", t.s.Send(ctx, mail.Message{To: d.To, Subject: d.Subject, Text: d.Text, HTML: d.HTML})
}

func (emailTransport) Permanent(err error) bool       { return mail.IsPermanent(err) }
func (emailTransport) RetryAfter(error) time.Duration { return 0 }

// notifyRoutes are the routes of notifications, preferences and deliveries.
func (a *App) notifyRoutes() []Route {
	no := a.notify
	return []Route{
		{"POST", "/api/notifications/send", Roles, staffSide, no.SendHandler},
		{"GET", "/api/notifications", Roles, everyone, no.ListHandler},
		{"POST", "/api/notifications/read-all", Roles, everyone, no.ReadAllHandler},
		{"POST", "/api/notifications/:id/read", Roles, everyone, no.ReadHandler},
		{"GET", "/api/me/notification-preferences", Roles, everyone, no.PreferencesHandler},
		{"PUT", "/api/me/notification-preferences", Roles, everyone, no.SetPreferencesHandler},
		{"GET", "/api/deliveries", Roles, adminOnly, no.DeliveriesHandler},
		{"POST", "/api/deliveries/:id/retry", Roles, adminOnly, no.RetryHandler},
	}
}
