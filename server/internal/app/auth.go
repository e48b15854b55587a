package app

import (
	"context"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/notify"
	"hms/shared"
)

// authCounter is where the sign-in, registration and refresh limits count: in Redis with REDIS_URL,
// shared by every instance (docs/security.md row 38), in process without. The counts run on real
// time, not on the hospital clock tests move.
func (a *App) authCounter() auth.Counter {
	if a.redis == nil {
		return nil
	}
	return auth.NewRedisCounter(a.redis, a.Config.RedisPrefix, time.Now, func(err error) {
		a.Log.Warn("auth limits: Redis failed, counting in process", "err", err)
	})
}

// authOwners tells an account's owner, by email, that someone tried to register their address
// (docs/security.md row 40). The notifications are built after the accounts, so they are reached
// through the app. One message a day at most per account: a flood of attempts is one email.
type authOwners struct{ a *App }

func (o authOwners) RegistrationAttempt(ctx context.Context, userID string) error {
	day := time.Now().UTC().Format(time.DateOnly)
	_, err := o.a.notify.Notify(ctx, notify.Request{
		Key: "auth.registration-attempt:" + userID + ":" + day, RecipientID: userID,
		Kind: shared.KindRegistrationAttempt, Channels: []string{shared.ChannelEmail}, Mandatory: true,
		Subject: "Someone tried to register with your email address",
		Message: "Someone tried to create a new account with your email address, which already has an account here. " +
			"If it was you, sign in with your existing password. If it was not, you need do nothing: your account was not changed.",
	})
	if err != nil {
		o.a.Log.Warn("tell an account owner of a registration attempt", "user_id", userID, "err", err)
	}
	return err
}
