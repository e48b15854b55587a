package app_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"hms/server/internal/apptest"
	"hms/server/internal/hub"
	"hms/shared"
)

func raise(t *testing.T, env *apptest.Env, token, msg string) shared.Alert {
	t.Helper()
	var a shared.Alert
	env.Post("/api/alerts/emergency", token, shared.RaiseAlertRequest{Message: msg, Location: "Ward 3"}).Want(t, 201).Decode(t, &a)
	return a
}

func alertOf(t *testing.T, f apptest.Frame) shared.Alert {
	t.Helper()
	var a shared.Alert
	if err := json.Unmarshal(f.Data, &a); err != nil {
		t.Fatalf("decode alert %s: %v", f.Data, err)
	}
	return a
}

// TestEmergencyAlertReachesStaffRoles: doctors, staff and admins are subscribed to alerts on connect
// and get the message text; a patient does not.
func TestEmergencyAlertReachesStaffRoles(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	doctor, staff, admin, patient := env.NewUser(shared.RoleDoctor), env.NewUser(shared.RoleStaff), env.Admin(), env.NewUser(shared.RolePatient)
	var conns []*apptest.WS
	for _, u := range []apptest.User{doctor, staff, admin} {
		conns = append(conns, env.MustDialWS(u.Token, ""))
	}
	pws := env.MustDialWS(patient.Token, "")

	a := raise(t, env, staff.Token, "Cardiac arrest, bed 12")
	if a.Severity != "critical" || a.Message != "Cardiac arrest, bed 12" {
		t.Fatalf("got %+v, want severity defaulting to critical and the message kept", a)
	}
	for i, ws := range conns {
		f := ws.NextEvent(shared.ChannelAlerts, 5*time.Second)
		got := alertOf(t, f)
		if f.Type != "alert.raised" || got.ID != a.ID || got.Message != "Cardiac arrest, bed 12" || f.SeqOr() < 1 {
			t.Fatalf("client %d got %+v / %+v, want alert.raised with the message", i, f, got)
		}
	}
	// The patient is not on the alerts channel and may not join it.
	answer, _ := pws.Subscribe(shared.ChannelAlerts, nil)
	if answer.Op != shared.OpError || answer.Code != "forbidden" {
		t.Fatalf("got %+v, want a forbidden error for a patient subscribing to alerts", answer)
	}
	env.Post("/api/alerts/emergency", patient.Token, shared.RaiseAlertRequest{Message: "x"}).Want(t, 403)
	env.Post("/api/alerts/emergency", staff.Token, map[string]string{"message": " "}).Want(t, 400)
	env.Post("/api/alerts/emergency", staff.Token, map[string]string{"message": "x", "severity": "meh"}).Want(t, 400)
}

// TestAlertAckAndList: acknowledging records who, once, and is pushed; the list shows it.
func TestAlertAckAndList(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	doctor, staff := env.NewUser(shared.RoleDoctor), env.NewUser(shared.RoleStaff)
	ws := env.MustDialWS(staff.Token, "")
	a := raise(t, env, staff.Token, "Fire alarm, east wing")
	ws.NextEvent(shared.ChannelAlerts, 5*time.Second)

	var acked shared.Alert
	env.Post("/api/alerts/"+a.ID+"/ack", doctor.Token, nil).Want(t, 200).Decode(t, &acked)
	env.Post("/api/alerts/"+a.ID+"/ack", doctor.Token, nil).Want(t, 200).Decode(t, &acked)
	if len(acked.Acks) != 1 || acked.Acks[0].UserID != doctor.ID() || acked.Acks[0].Role != shared.RoleDoctor {
		t.Fatalf("got acks %+v, want exactly one by the doctor", acked.Acks)
	}
	f := ws.NextEvent(shared.ChannelAlerts, 5*time.Second)
	if f.Type != "alert.acked" || !strings.Contains(string(f.Data), doctor.ID()) {
		t.Fatalf("got %+v, want alert.acked naming the doctor", f)
	}
	var list shared.AlertList
	env.Get("/api/alerts", staff.Token).Want(t, 200).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != a.ID || len(list.Items[0].Acks) != 1 {
		t.Fatalf("got %+v, want the one alert with its ack", list.Items)
	}
	env.Post("/api/alerts/"+"0123456789abcdef01234567"+"/ack", doctor.Token, nil).Want(t, 404)
	env.Post("/api/alerts/bad-id/ack", doctor.Token, nil).Want(t, 400)
}

// TestAlertEscalatesOnce: an alert nobody acknowledges escalates after the configured time, once.
func TestAlertEscalatesOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("ALERT_ESCALATE_AFTER", "1ms"))
	staff := env.NewUser(shared.RoleStaff)
	ws := env.MustDialWS(staff.Token, "")
	unacked := raise(t, env, staff.Token, "Unanswered")
	acked := raise(t, env, staff.Token, "Answered")
	env.Post("/api/alerts/"+acked.ID+"/ack", staff.Token, nil).Want(t, 200)
	time.Sleep(5 * time.Millisecond)
	ctx := t.Context()
	n1, err := env.App.Alerts.EscalateDue(ctx, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	n2, _ := env.App.Alerts.EscalateDue(ctx, time.Millisecond)
	if n1 != 1 || n2 != 0 {
		t.Fatalf("got %d then %d escalations, want 1 then 0", n1, n2)
	}
	for {
		f := ws.NextEvent(shared.ChannelAlerts, 5*time.Second)
		if f.Type == "alert.escalated" {
			if got := alertOf(t, f); got.ID != unacked.ID || !got.Escalated {
				t.Fatalf("got %+v, want the unacknowledged alert escalated", got)
			}
			break
		}
	}
}

// TestWSRefusals covers docs/security.md rows 21–23: foreign Origin refused before the upgrade, missing or
// bad credentials refused, another user's channel refused, oversize frame closed with 1009.
func TestWSRefusals(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	doctor := env.NewUser(shared.RoleDoctor)
	other := env.NewUser(shared.RolePatient)
	patient := env.NewUser(shared.RolePatient)

	for _, origin := range []string{"https://evil.example.com", "null", "http://localhost.evil.com"} {
		_, resp, err := env.DialWS(doctor.Token, "", http.Header{"Origin": {origin}})
		if err == nil || resp == nil || resp.StatusCode != 403 {
			t.Errorf("origin %q: got err %v status %v, want 403 before upgrade", origin, err, statusOf(resp))
		}
	}
	for _, origin := range []string{"http://localhost:5173", "wails://wails", "http://wails.localhost"} {
		if ws, resp, err := env.DialWS(doctor.Token, "", http.Header{"Origin": {origin}}); err != nil {
			t.Errorf("origin %q: got %v (status %v), want accepted", origin, err, statusOf(resp))
		} else {
			ws.Conn.Close()
		}
	}
	for name, tok := range map[string]string{"none": "", "junk": "not-a-jwt", "refresh token": doctor.RefreshToken} {
		if _, resp, err := env.DialWS(tok, "", nil); err == nil || statusOf(resp) != 401 {
			t.Errorf("%s: got %v status %v, want 401", name, err, statusOf(resp))
		}
	}

	pws := env.MustDialWS(patient.Token, "")
	for _, ch := range []string{"user:" + other.ID(), "patient:" + other.User.PatientID, "queue:dept:cardiology", "queue:doctor:" + doctor.ID()} {
		if answer, _ := pws.Subscribe(ch, nil); answer.Op != shared.OpError || answer.Code != "forbidden" {
			t.Errorf("patient subscribing %s: got %+v, want forbidden", ch, answer)
		}
	}
	if answer, _ := pws.Subscribe("no-such-channel", nil); answer.Code != "unknown_channel" {
		t.Errorf("got %+v, want unknown_channel", answer)
	}
	if answer, _ := pws.Subscribe("patient:"+patient.User.PatientID, nil); answer.Op != shared.OpSubscribed {
		t.Errorf("patient subscribing to their own channel: got %+v, want subscribed", answer)
	}

	big := `{"op":"subscribe","channels":[{"channel":"` + strings.Repeat("a", 10000) + `"}]}`
	if err := pws.Conn.WriteMessage(websocket.TextMessage, []byte(big)); err != nil {
		t.Fatal(err)
	}
	if code := pws.CloseCode(5 * time.Second); code != websocket.CloseMessageTooBig {
		t.Fatalf("got close code %d after an oversize frame, want 1009", code)
	}
}

func statusOf(r *http.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

// TestWSTicket: a browser gets a single-use ticket; it opens one connection only.
func TestWSTicket(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	staff := env.NewUser(shared.RoleStaff)
	var tk shared.WSTicket
	env.Post("/api/ws/ticket", staff.Token, nil).Want(t, 201).Decode(t, &tk)
	if tk.Ticket == "" || tk.ExpiresIn <= 0 || tk.ExpiresIn > 60 {
		t.Fatalf("got %+v, want a short-lived ticket", tk)
	}
	ws, resp, err := env.DialWS("", "ticket="+tk.Ticket, http.Header{"Origin": {"http://localhost:8080"}})
	if err != nil {
		t.Fatalf("dial with ticket: %v (status %d)", err, statusOf(resp))
	}
	if w := ws.Next(5 * time.Second); w.Op != shared.OpWelcome || w.UserID != staff.ID() {
		t.Fatalf("got %+v, want welcome for the staff member", w)
	}
	// Pages find out that a socket silently died by pinging at the application level.
	ws.Send(shared.ClientFrame{Op: shared.OpPing, ID: "p7"})
	if f := ws.NextOp(shared.OpPong, 5*time.Second); f.ID != "p7" {
		t.Fatalf("after ping got %+v, want pong p7", f)
	}
	if _, resp, err := env.DialWS("", "ticket="+tk.Ticket, nil); err == nil || statusOf(resp) != 401 {
		t.Fatalf("reused ticket: got %v status %d, want 401", err, statusOf(resp))
	}
	// An access token is not a ticket.
	if _, resp, err := env.DialWS("", "ticket="+staff.Token, nil); err == nil || statusOf(resp) != 401 {
		t.Fatalf("access token as ticket: got %v status %d, want 401", err, statusOf(resp))
	}
}

// TestWSResumeReplaysMissedEvents: a client that reconnects with the last seq it saw gets every
// missed event once, in order, then live ones; too far behind, it is told to reload.
func TestWSResumeReplaysMissedEvents(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	staff := env.NewUser(shared.RoleStaff)
	ws := env.MustDialWS(staff.Token, "")
	raise(t, env, staff.Token, "first")
	last := ws.NextEvent(shared.ChannelAlerts, 5*time.Second).SeqOr()
	ws.Conn.Close()

	for i := 0; i < 5; i++ {
		raise(t, env, staff.Token, "missed")
	}
	ws2, _, err := env.DialWS(staff.Token, "since=alerts:"+itoa(last), nil)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for len(seqs) < 5 {
		f := ws2.Next(5 * time.Second)
		if f.Op == shared.OpEvent && f.Channel == shared.ChannelAlerts {
			seqs = append(seqs, f.SeqOr())
		}
	}
	raise(t, env, staff.Token, "live")
	seqs = append(seqs, ws2.NextEvent(shared.ChannelAlerts, 5*time.Second).SeqOr())
	for i, s := range seqs {
		if s != last+int64(i)+1 {
			t.Fatalf("got seqs %v after %d, want %d.. consecutive", seqs, last, last+1)
		}
	}

	// Explicit subscribe with since on a channel the client was not on: replay then subscribed.
	doc := env.NewUser(shared.RoleDoctor)
	ch := "queue:doctor:" + doc.ID()
	for i := 0; i < 3; i++ {
		if _, err := env.App.Events.Publish(t.Context(), ch, "queue.changed", map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
	zero := int64(0)
	answer, replayed := ws2.Subscribe(ch, &zero)
	if answer.Op != shared.OpSubscribed || len(replayed) != 3 || answer.SeqOr() != 3 {
		t.Fatalf("got %+v with %d replayed, want subscribed at 3 after 3 replayed", answer, len(replayed))
	}
	// Further behind than the replay limit: reload.
	many := int64(0)
	for i := 0; i < 501; i++ {
		if _, err := env.App.Events.Publish(t.Context(), "display", "display.changed", map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
	answer, replayed = ws2.Subscribe("display", &many)
	if answer.Op != shared.OpReload || answer.SeqOr() < 1 || answer.SeqOr() > 501 || len(replayed) != 0 {
		t.Fatalf("got %+v (seq %d) after %d replayed, want reload at the channel's head", answer, answer.SeqOr(), len(replayed))
	}
	// Events the hub had not dispatched yet when the client joined follow live, in order.
	for want := answer.SeqOr() + 1; want <= 501; want++ {
		if got := ws2.NextEvent("display", 5*time.Second).SeqOr(); got != want {
			t.Fatalf("after reload got seq %d, want %d", got, want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestSlowConsumerDropped (docs/security.md row 24): a client that stops reading is dropped at its queue
// cap with 4008 while another client gets everything; the dropped one recovers on reconnect.
func TestSlowConsumerDropped(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	staff := env.NewUser(shared.RoleStaff)
	ch := "display:er"
	slow, _, err := env.DialWS(staff.Token, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Subscribe, then never read again; the kernel buffers fill and the server-side queue overflows.
	slow.Send(shared.ClientFrame{Op: shared.OpSubscribe, ID: "x", Channels: []shared.ChannelCursor{{Channel: ch}}})
	fast := env.MustDialWS(staff.Token, "")
	if a, _ := fast.Subscribe(ch, nil); a.Op != shared.OpSubscribed {
		t.Fatalf("got %+v", a)
	}
	time.Sleep(100 * time.Millisecond)
	payload := map[string]string{"pad": strings.Repeat("x", 16<<10)}
	const total = 400
	var wg sync.WaitGroup
	wg.Add(1)
	got := 0
	go func() {
		defer wg.Done()
		for got < total {
			f := fast.NextEvent(ch, 20*time.Second)
			if f.SeqOr() != int64(got+1) {
				t.Errorf("fast client got seq %d, want %d", f.SeqOr(), got+1)
				return
			}
			got++
		}
	}()
	for i := 0; i < total; i++ {
		if _, err := env.App.Events.Publish(t.Context(), ch, "display.changed", payload); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if got != total {
		t.Fatalf("fast client got %d events, want %d", got, total)
	}
	if env.App.Hub.Stats().SlowDropped.Load() < 1 {
		t.Fatal("got no slow-consumer drop, want the non-reading client dropped")
	}
	// 4008 when the close frame got through; when the client's buffers were still full it could not,
	// and the client sees the connection end (1006, or a read error: -1) after what was buffered.
	if code := slow.CloseCode(10 * time.Second); code != hub.CloseSlowConsumer && code != -1 && code != 1006 {
		t.Fatalf("got close code %d, want %d", code, hub.CloseSlowConsumer)
	}
	// It reconnects and resumes from where it was. Reading 6 MB of history may time out on a loaded
	// machine; the server then answers "unavailable: subscribe again with since", and the client asks
	// again, as the web client does.
	again := env.MustDialWS(staff.Token, "")
	zero := int64(0)
	answer, replayed := again.Subscribe(ch, &zero)
	for try := 0; try < 5 && answer.Op == shared.OpError && answer.Code == "unavailable"; try++ {
		time.Sleep(time.Second)
		answer, replayed = again.Subscribe(ch, &zero)
	}
	if answer.Op != shared.OpSubscribed || len(replayed) != total {
		t.Fatalf("got %+v with %d replayed, want all %d", answer, len(replayed), total)
	}
}

// TestTokenExpiryEndsSession (row 22): the websocket closes with 4001 when the access token expires.
func TestTokenExpiryEndsSession(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("ACCESS_TOKEN_TTL", "2s"))
	staff := env.NewUser(shared.RoleStaff)
	ws := env.MustDialWS(staff.Token, "")
	if code := ws.CloseCode(15 * time.Second); code != hub.CloseTokenExpired {
		t.Fatalf("got close code %d, want %d when the token expires", code, hub.CloseTokenExpired)
	}
}

// TestBroadcastAndNotificationsLive: an admin broadcast reaches every user; a notification reaches only
// its recipient.
func TestBroadcastAndNotificationsLive(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin, patient, other := env.Admin(), env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	pws, ows := env.MustDialWS(patient.Token, ""), env.MustDialWS(other.Token, "")
	env.Post("/api/broadcasts", admin.Token, shared.BroadcastRequest{Message: "Visiting hours end at 8 pm"}).Want(t, 201)
	env.Post("/api/broadcasts", patient.Token, shared.BroadcastRequest{Message: "x"}).Want(t, 403)
	for _, ws := range []*apptest.WS{pws, ows} {
		if f := ws.NextEvent(shared.ChannelBroadcast, 5*time.Second); !strings.Contains(string(f.Data), "Visiting hours") {
			t.Fatalf("got %+v, want the broadcast", f)
		}
	}
	env.Post("/api/notifications/send", admin.Token, shared.SendNotificationRequest{RecipientID: patient.ID(), Message: "Lab results ready"}).Want(t, 201)
	if f := pws.NextEvent("user:"+patient.ID(), 5*time.Second); f.Type != "notification.created" || !strings.Contains(string(f.Data), "Lab results ready") {
		t.Fatalf("got %+v, want the notification", f)
	}
	// The other patient gets nothing further: a broadcast sent now is the next thing they see.
	env.Post("/api/broadcasts", admin.Token, shared.BroadcastRequest{Message: "second"}).Want(t, 201)
	if f := ows.Next(5 * time.Second); f.Channel != shared.ChannelBroadcast {
		t.Fatalf("other patient got %+v, want only the next broadcast", f)
	}
}

// TestShutdownTellsClientsToReconnect: on shutdown clients get a reconnect frame and close code 1012.
func TestShutdownTellsClientsToReconnect(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	staff := env.NewUser(shared.RoleStaff)
	ws := env.MustDialWS(staff.Token, "")
	env.App.Shutdown(t.Context())
	if f := ws.Next(5 * time.Second); f.Op != shared.OpReconnect {
		t.Fatalf("got %+v, want reconnect", f)
	}
	if code := ws.CloseCode(5 * time.Second); code != websocket.CloseServiceRestart {
		t.Fatalf("got close code %d, want 1012", code)
	}
}
