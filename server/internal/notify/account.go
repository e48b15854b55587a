package notify

import (
	"context"
	"time"

	"hms/server/internal/mail"
	"hms/shared"
)

// RegistrationAttempt tells an account's owner, by email, that someone tried to register their address
// (docs/security.md row 40): registration answers alike whether or not the email is taken, so only the
// owner learns of it. One message a day at most per account: a flood of attempts is one email.
func (s *Service) RegistrationAttempt(ctx context.Context, userID string) error {
	day := s.now().UTC().Format("2006-01-02")
	_, err := s.Notify(ctx, Request{
		Key: "auth.registration-attempt:" + userID + ":" + day, RecipientID: userID,
		Kind: shared.KindRegistrationAttempt, Channels: []string{shared.ChannelEmail}, Mandatory: true,
		Subject: "Someone tried to register with your email address",
		Message: "Someone tried to create a new account with your email address, which already has an account here. " +
			"If it was you, sign in with your existing password. If it was not, you need do nothing: your account was not changed.",
	})
	if err != nil {
		s.log.WarnContext(ctx, "tell an account owner of a registration attempt", "user_id", userID, "err", err)
	}
	return err
}

// ConfirmRegistration emails the link that confirms a self-registration to an address that has no
// account yet (docs/security.md row 40). The link is only in the email, whose body is sealed at rest
// and dropped once sent; the stored notification (which no one lists: it has no recipient) says only
// what it was. Sent at once, whatever the hour.
func (s *Service) ConfirmRegistration(ctx context.Context, email, name, link string, expires time.Time) error {
	subject, text, html, err := mail.Render("account_confirm", mail.AccountLink{Hospital: s.cfg.Hospital, Name: name,
		URL: link, Expires: expires, Zone: s.cfg.Location})
	if err != nil {
		return err
	}
	_, err = s.Notify(ctx, Request{Email: email, Kind: shared.KindAccountConfirm, Channels: []string{shared.ChannelEmail},
		Mandatory: true, Urgent: true, Subject: "Confirm your email address",
		Message:      "A link to confirm a new account's email address was emailed.",
		EmailSubject: subject, EmailText: text, EmailHTML: html})
	return err
}

// PasswordLink emails an account's owner a single-use link to choose a new password (forgotten, or
// sent by an admin: byAdmin), sent even if they turned email off, at once, whatever the hour
// (docs/security.md row 50). The in-app notification says a link was sent, without it.
func (s *Service) PasswordLink(ctx context.Context, userID, link string, expires time.Time, byAdmin bool) error {
	byUser, _, err := s.store.Contacts(ctx, []string{userID}, nil)
	if err != nil {
		return err
	}
	subject, text, html, err := mail.Render("password_link", mail.AccountLink{Hospital: s.cfg.Hospital, Name: byUser[userID].Name,
		URL: link, Expires: expires, Zone: s.cfg.Location, ByAdmin: byAdmin})
	if err != nil {
		return err
	}
	message := "A link to choose a new password was emailed to you. If you did not ask for it, your password stays as it is."
	if byAdmin {
		message = "An administrator emailed you a link to set your password."
	}
	_, err = s.Notify(ctx, Request{RecipientID: userID, Kind: shared.KindPasswordLink, Channels: []string{shared.ChannelEmail},
		Mandatory: true, Urgent: true, Subject: "Password link", Message: message,
		EmailSubject: subject, EmailText: text, EmailHTML: html})
	return err
}
