package notify

import (
	"context"
	"strings"
	"time"

	"hms/server/internal/mail"
	"hms/server/internal/sms"
)

// renderNotice fills a message's email and SMS from the "notice" template (staff messages, broadcasts).
func (s *Service) renderNotice(r *Request) error {
	data := mail.Notice{Hospital: s.cfg.Hospital, Subject: firstLine(r.Message), Body: r.Message}
	subject, text, html, err := mail.Render("notice", data)
	if err != nil {
		return err
	}
	short, err := mail.RenderSMS("notice", data)
	if err != nil {
		return err
	}
	r.EmailSubject, r.EmailText, r.EmailHTML, r.SMSText = subject, text, html, short
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}

// EmailTransport sends deliveries as email through the SMTP relay s.
func EmailTransport(s *mail.Sender) Transport { return emailTransport{s} }

type emailTransport struct{ s *mail.Sender }

func (t emailTransport) Send(ctx context.Context, d Delivery) (string, error) {
	return "", t.s.Send(ctx, mail.Message{To: d.To, Subject: d.Subject, Text: d.Text, HTML: d.HTML})
}

func (emailTransport) Permanent(err error) bool       { return mail.IsPermanent(err) }
func (emailTransport) RetryAfter(error) time.Duration { return 0 }

// SMSTransport sends deliveries as SMS through the gateway s. The delivery id goes with each as an
// idempotency key, so a gateway that honours one drops a retry of a message it already took.
func SMSTransport(s sms.Sender) Transport { return smsTransport{s} }

type smsTransport struct{ s sms.Sender }

func (t smsTransport) Send(ctx context.Context, d Delivery) (string, error) {
	return t.s.Send(ctx, sms.Message{To: d.To, Body: d.Text, ID: d.ID})
}

func (smsTransport) Permanent(err error) bool           { return sms.IsPermanent(err) }
func (smsTransport) RetryAfter(err error) time.Duration { return min(sms.RetryAfter(err), time.Hour) }
