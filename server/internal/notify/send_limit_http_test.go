package notify_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/shared"
)

// TestSendLimitPerSender: a staff member's messages by email or SMS (POST /api/notifications/send
// with channels) are limited to NOTIFY_SEND_PER_HOUR an hour per sender, counted across instances;
// beyond it 429, and nothing is made. In-app messages are not limited, another sender has their own
// allowance, and the next hour starts a new one.
func TestSendLimitPerSender(t *testing.T) {
	env := apptest.New(t, apptest.WithEnv("NOTIFY_SEND_PER_HOUR", "3"))
	h := env.Hospital()
	other := env.Sibling() // a second instance on the same database
	pat := env.NewUser(shared.RolePatient)
	send := func(e *apptest.Env, from apptest.User, channels ...string) *apptest.Response {
		return e.Post("/api/notifications/send", from.Token,
			shared.SendNotificationRequest{RecipientID: pat.ID(), Message: "Please call the clinic", Channels: channels})
	}
	steps := []struct {
		name     string
		env      *apptest.Env
		from     apptest.User
		channels []string
		advance  time.Duration
		want     int
	}{
		{"1st by email", env, h.Doctor, []string{shared.ChannelEmail}, 0, http.StatusCreated},
		{"2nd by SMS", env, h.Doctor, []string{shared.ChannelSMS}, 0, http.StatusCreated},
		{"3rd by both, on the other instance", other, h.Doctor, []string{shared.ChannelEmail, shared.ChannelSMS}, 0, http.StatusCreated},
		{"4th by email", env, h.Doctor, []string{shared.ChannelEmail}, 0, http.StatusTooManyRequests},
		{"4th by SMS, on the other instance", other, h.Doctor, []string{shared.ChannelSMS}, 0, http.StatusTooManyRequests},
		{"in-app only is not limited", env, h.Doctor, nil, 0, http.StatusCreated},
		{"another sender", env, h.Staff, []string{shared.ChannelEmail}, 0, http.StatusCreated},
		{"the next hour", other, h.Doctor, []string{shared.ChannelEmail}, time.Hour, http.StatusCreated},
	}
	for _, s := range steps {
		h.Clock.Advance(s.advance)
		r := send(s.env, s.from, s.channels...).Want(t, s.want)
		if s.want == http.StatusTooManyRequests && !strings.Contains(string(r.Body), "3 messages by email or SMS an hour") {
			t.Errorf("%s: got body %s, want it to say the limit", s.name, r.Body)
		}
	}
	var list shared.NotificationList
	env.Get("/api/notifications?limit=50", pat.Token).Want(t, http.StatusOK).Decode(t, &list)
	if len(list.Items) != 6 {
		t.Errorf("got %d notifications, want 6 (the refused sends made none)", len(list.Items))
	}
}

// TestBroadcastEmailLimit: an admin's broadcast by email counts as one send against the same limit;
// beyond it the broadcast still goes live but is not emailed (429 saying so). Live-only broadcasts are
// not limited.
func TestBroadcastEmailLimit(t *testing.T) {
	env := apptest.New(t, apptest.WithEnv("NOTIFY_SEND_PER_HOUR", "1"))
	admin := env.Admin()
	env.Post("/api/broadcasts", admin.Token, shared.BroadcastRequest{Message: "Lifts out of order", Email: true}).
		Want(t, http.StatusCreated)
	r := env.Post("/api/broadcasts", admin.Token, shared.BroadcastRequest{Message: "Lifts working again", Email: true}).
		Want(t, http.StatusTooManyRequests)
	if !strings.Contains(string(r.Body), "sent live, but not by email") {
		t.Errorf("got body %s, want it to say the broadcast went live but not by email", r.Body)
	}
	env.Post("/api/broadcasts", admin.Token, shared.BroadcastRequest{Message: "Coffee in the lobby"}).
		Want(t, http.StatusCreated)
}
