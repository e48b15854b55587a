package app

import (
	"context"
	"time"

	"hms/server/internal/auth"
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

// authOwners reaches the notifications, which are built after the accounts, through the app.
type authOwners struct{ a *App }

func (o authOwners) RegistrationAttempt(ctx context.Context, userID string) error {
	return o.a.notify.RegistrationAttempt(ctx, userID)
}

// authMailer emails the accounts' links through the notifications, built after the accounts.
type authMailer struct{ a *App }

func (m authMailer) ConfirmRegistration(ctx context.Context, email, name, link string, expires time.Time) error {
	return m.a.notify.ConfirmRegistration(ctx, email, name, link, expires)
}

func (m authMailer) PasswordLink(ctx context.Context, userID, link string, expires time.Time, byAdmin bool) error {
	return m.a.notify.PasswordLink(ctx, userID, link, expires, byAdmin)
}
