package notify

import (
	"context"

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
