package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/hub"
	"hms/server/internal/testenv"
	"hms/shared"
)

// TestWSClosedWhenRightsEnd: logout, a password change, disabling and a role change close the
// user's open websockets on every instance (two instances sharing a Redis) within a second, with
// close code 4003. A logout ends only that session's sockets.
func TestWSClosedWhenRightsEnd(t *testing.T) {
	t.Parallel()
	redis := testenv.OwnRedis(t)
	a := apptest.New(t, apptest.WithEnv("REDIS_URL", redis.URL()))
	b := a.Sibling()
	admin := a.Admin()

	cases := []struct {
		name string
		do   func(u apptest.User)
		// otherSessionEnds: whether a second sign-in's socket ends too.
		otherSessionEnds bool
	}{
		{"logout", func(u apptest.User) { a.Post("/api/auth/logout", u.Token, nil).Want(t, 204) }, false},
		{"password change", func(u apptest.User) {
			a.Post("/api/auth/password", u.Token, shared.ChangePasswordRequest{CurrentPassword: u.Password,
				NewPassword: "another horse battery staple"}).Want(t, 204)
		}, true},
		{"disable", func(u apptest.User) {
			a.Patch("/api/users/"+u.ID(), admin.Token, shared.UpdateUserRequest{Disabled: new(true)}).Want(t, 200)
		}, true},
		{"role change", func(u apptest.User) {
			a.Patch("/api/users/"+u.ID(), admin.Token, shared.UpdateUserRequest{Role: new(shared.RoleStaff)}).Want(t, 200)
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := a.NewUser(shared.RoleDoctor)
			other := a.Login(u.User.Email, u.Password)
			onA, onB := a.MustDialWS(u.Token, ""), b.MustDialWS(u.Token, "")
			otherWS := b.MustDialWS(other.Token, "")

			c.do(u)
			for name, ws := range map[string]*apptest.WS{"same instance": onA, "other instance": onB} {
				if code := ws.CloseCode(time.Second); code != hub.CloseRevoked {
					t.Errorf("%s: got close code %d within a second, want %d", name, code, hub.CloseRevoked)
				}
			}
			if c.otherSessionEnds {
				if code := otherWS.CloseCode(time.Second); code != hub.CloseRevoked {
					t.Errorf("the user's other session: got close code %d, want %d", code, hub.CloseRevoked)
				}
				return
			}
			otherWS.Send(shared.ClientFrame{Op: shared.OpPing, ID: "still-there"})
			if f := otherWS.NextOp(shared.OpPong, 5*time.Second); f.ID != "still-there" {
				t.Errorf("the user's other session: got %+v, want the pong (a logout ends one session only)", f)
			}
		})
	}
}

// TestWSSessionRecheck: a session ended without the broker telling the hub (a lost message) still
// closes the socket at the next periodic re-check (WS_SESSION_CHECK).
func TestWSSessionRecheck(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("WS_SESSION_CHECK", "100ms"))
	u := env.NewUser(shared.RoleStaff)
	ws := env.MustDialWS(u.Token, "")
	// Revoke every session of the account behind the service's back: no revocation is published.
	_, err := env.App.DB.Collection("sessions").UpdateMany(context.Background(),
		bson.D{{Key: "user_id", Value: u.ID()}}, bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: time.Now().UTC()}}}})
	if err != nil {
		t.Fatal(err)
	}
	if code := ws.CloseCode(10 * time.Second); code != hub.CloseRevoked {
		t.Fatalf("got close code %d, want %d after the re-check", code, hub.CloseRevoked)
	}
}

// TestWSPatientChannelAccess: subscribing to patient:<id>, and replaying it with since, asks the
// clinical access rule REST asks: a doctor with no care relationship is refused both, the patient's
// doctor gets the replay; every attempt is audited with the patient id.
func TestWSPatientChannelAccess(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	patient := env.NewUser(shared.RolePatient)
	pid := patient.User.PatientID
	// Care the doctor gives (a checked-in appointment) opens the channel; a booking alone would not.
	env.Attend(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(10, 0))
	channel := shared.ChannelPatient + ":" + pid
	zero := int64(0)

	stranger := env.MustDialWS(h.Doctor2.Token, "")
	for _, since := range []*int64{nil, &zero} {
		answer, replayed := stranger.Subscribe(channel, since)
		if answer.Op != shared.OpError || answer.Code != "forbidden" || len(replayed) != 0 {
			t.Errorf("a doctor with no care relationship, since %v: got %+v and %d events, want forbidden and none",
				since, answer, len(replayed))
		}
	}

	own := env.MustDialWS(h.Doctor.Token, "")
	answer, replayed := own.Subscribe(channel, &zero)
	if answer.Op != shared.OpSubscribed || len(replayed) != 2 || replayed[0].Type != "appointment.changed" || replayed[1].Type != "appointment.changed" {
		t.Errorf("the patient's doctor: got %+v and %d events, want subscribed after the booking's and the check-in's events", answer, len(replayed))
	}
	mine := env.MustDialWS(patient.Token, "")
	if answer, _ := mine.Subscribe(channel, nil); answer.Op != shared.OpSubscribed {
		t.Errorf("the patient: got %+v, want subscribed", answer)
	}

	want := []struct {
		actor, action, outcome string
	}{
		{h.Doctor2.ID(), "ws.subscribe", "denied"},
		{h.Doctor2.ID(), "ws.replay", "denied"},
		{h.Doctor.ID(), "ws.replay", "ok"},
		{patient.ID(), "ws.subscribe", "ok"},
	}
	for _, w := range want {
		n := countDocs(t, env, "audit", bson.D{{Key: "patient_id", Value: pid}, {Key: "actor_id", Value: w.actor},
			{Key: "action", Value: w.action}, {Key: "outcome", Value: w.outcome}})
		if n != 1 {
			t.Errorf("audit %s by %s, %s: got %d entries, want 1", w.action, w.actor, w.outcome, n)
		}
	}
}

// TestWSQueueChannelAudit: queue channels (queue:dept:<d>, queue:doctor:<id>) carry scheduling data
// only, no names, so the role decides who may subscribe; but every subscription and every replay with
// since, allowed or refused, is audited with the channel and the caller, the way a patient channel's
// are (docs/security.md row 35).
func TestWSQueueChannelAudit(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	patient := env.NewUser(shared.RolePatient)
	env.Attend(h.Staff.Token, h.Doctor.ID(), patient.User.PatientID, apptest.At(10, 0))
	dept := shared.ChannelDeptQueue + ":" + h.Dept
	mine := shared.ChannelDocQueue + ":" + h.Doctor.ID()
	zero := int64(0)

	staff := env.MustDialWS(h.Staff.Token, "")
	if answer, replayed := staff.Subscribe(dept, &zero); answer.Op != shared.OpSubscribed || len(replayed) == 0 {
		t.Errorf("staff replaying the department's queue: got %+v and %d events, want subscribed after the check-in's", answer, len(replayed))
	}
	doc := env.MustDialWS(h.Doctor.Token, "")
	if answer, _ := doc.Subscribe(mine, nil); answer.Op != shared.OpSubscribed {
		t.Errorf("the doctor on his own queue: got %+v, want subscribed", answer)
	}
	if answer, replayed := doc.Subscribe(dept, &zero); answer.Op != shared.OpSubscribed || len(replayed) == 0 {
		t.Errorf("the doctor replaying his department's queue: got %+v and %d events", answer, len(replayed))
	}
	other := env.MustDialWS(h.Doctor2.Token, "")
	if answer, replayed := other.Subscribe(mine, &zero); answer.Op != shared.OpError || answer.Code != "forbidden" || len(replayed) != 0 {
		t.Errorf("another doctor's queue: got %+v and %d events, want forbidden and none", answer, len(replayed))
	}

	for _, w := range []struct {
		actor                    apptest.User
		channel, action, outcome string
	}{
		{h.Staff, dept, "ws.replay", "ok"},
		{h.Doctor, mine, "ws.subscribe", "ok"},
		{h.Doctor, dept, "ws.replay", "ok"},
		{h.Doctor2, mine, "ws.replay", "denied"},
	} {
		n := countDocs(t, env, "audit", bson.D{{Key: "channel", Value: w.channel}, {Key: "actor_id", Value: w.actor.ID()},
			{Key: "action", Value: w.action}, {Key: "outcome", Value: w.outcome}})
		if n != 1 {
			t.Errorf("audit %s of %s by %s, %s: got %d entries, want 1", w.action, w.channel, w.actor.User.Role, w.outcome, n)
		}
	}
	// The admin's trail shows the channel, and the entry names no patient.
	found := false
	for _, e := range auditActions(t, env, h.Staff.ID()) {
		if e.Action == "ws.replay" {
			found = e.Channel == dept && e.PatientID == "" && e.Outcome == "ok"
		}
	}
	if !found {
		t.Errorf("GET /api/audit: no ws.replay entry of %s by the staff member without a patient id", dept)
	}
}

// TestWSCaps: a user may hold WS_MAX_CONNS_PER_USER sockets and each socket WS_MAX_SUBSCRIPTIONS
// channels (those joined on connect included); beyond, the socket is closed with 4029 and the
// subscription refused with too_many_subscriptions.
func TestWSCaps(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("WS_MAX_CONNS_PER_USER", "2"), apptest.WithEnv("WS_MAX_SUBSCRIPTIONS", "4"))
	u := env.NewUser(shared.RoleStaff) // joined on connect: alerts, broadcast, user:<id>
	first := env.MustDialWS(u.Token, "")
	env.MustDialWS(u.Token, "")
	third, _, err := env.DialWS(u.Token, "", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if code := third.CloseCode(5 * time.Second); code != hub.CloseTooManyConnections {
		t.Errorf("a third socket: got close code %d, want %d", code, hub.CloseTooManyConnections)
	}
	other := env.NewUser(shared.RoleStaff)
	env.MustDialWS(other.Token, "") // the cap is per user

	if answer, _ := first.Subscribe("display:a", nil); answer.Op != shared.OpSubscribed {
		t.Fatalf("the fourth channel: got %+v, want subscribed", answer)
	}
	if answer, _ := first.Subscribe("display:b", nil); answer.Op != shared.OpError || answer.Code != "too_many_subscriptions" {
		t.Errorf("the fifth channel: got %+v, want too_many_subscriptions", answer)
	}
	first.Send(shared.ClientFrame{Op: shared.OpUnsubscribe, ID: "u", Channels: []shared.ChannelCursor{{Channel: "display:a"}}})
	first.NextOp(shared.OpSubscribed, 5*time.Second)
	if answer, _ := first.Subscribe("display:b", nil); answer.Op != shared.OpSubscribed {
		t.Errorf("after unsubscribing one: got %+v, want subscribed", answer)
	}
}

// TestWSGrantsChangedReconnects: a websocket whose role loses a grant is told to reconnect at the next
// re-check (not signed out), and, connected again, may no longer join the channel the grant opened.
func TestWSGrantsChangedReconnects(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("WS_SESSION_CHECK", "100ms"))
	admin := env.Admin()
	grants := []shared.Permission{shared.PermWardView, shared.PermPharmacyRead}
	var role shared.RoleInfo
	env.Post("/api/roles", admin.Token, shared.CreateRoleRequest{Name: "Ward clerk", Kind: shared.RoleStaff, Grants: &grants}).
		Want(t, http.StatusCreated).Decode(t, &role)
	clerk := env.NewUser(shared.RoleStaff)
	env.Patch("/api/users/"+clerk.ID(), admin.Token, map[string]any{"role_id": role.ID}).Want(t, http.StatusOK)
	clerk = signIn(t, env, clerk.User.Email, apptest.Password)

	ws := env.MustDialWS(clerk.Token, "")
	if answer, _ := ws.Subscribe(shared.ChannelPharmacy, nil); answer.Op != shared.OpSubscribed {
		t.Fatalf("got %+v, want the pharmacy channel joined", answer)
	}
	env.Put("/api/roles/"+role.ID, admin.Token, shared.UpdateRoleRequest{Grants: []shared.Permission{shared.PermWardView}, Revision: role.Revision}).
		Want(t, http.StatusOK)
	if f := ws.NextOp(shared.OpReconnect, 10*time.Second); f.Code != "rights_changed" {
		t.Fatalf("got %+v, want a reconnect frame saying the rights changed", f)
	}
	if code := ws.CloseCode(10 * time.Second); code != hub.CloseServiceRestart {
		t.Fatalf("got close code %d, want %d (reconnect, not sign in again)", code, hub.CloseServiceRestart)
	}
	again := env.MustDialWS(clerk.Token, "")
	if answer, _ := again.Subscribe(shared.ChannelPharmacy, nil); answer.Op != shared.OpError || answer.Code != "forbidden" {
		t.Errorf("connected again: got %+v, want the pharmacy channel refused", answer)
	}
	if answer, _ := again.Subscribe(shared.ChannelBeds, nil); answer.Op != shared.OpSubscribed {
		t.Errorf("connected again: got %+v, want the beds channel still joined", answer)
	}
}
