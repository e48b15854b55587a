package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/server/internal/ident"
	"hms/server/internal/testenv"
	"hms/shared"
)

// gateway stands in for an SMS provider speaking Twilio's Messages API: it records each message.
type gateway struct {
	mu   sync.Mutex
	msgs []url.Values
	srv  *httptest.Server
}

func newGateway(t *testing.T) *gateway {
	g := &gateway{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "AC-test" || p != "gw-token" {
			http.Error(w, `{"code":20003,"message":"Authenticate"}`, http.StatusUnauthorized)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.msgs = append(g.msgs, r.PostForm)
		n := len(g.msgs)
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"sid":"SM%d","status":"queued"}`, n)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// to returns the bodies of the messages sent to phone.
func (g *gateway) to(phone string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, m := range g.msgs {
		if m.Get("To") == phone {
			out = append(out, m.Get("Body"))
		}
	}
	return out
}

// mailbox reads what mailpit received.
type mailbox struct{ m *testenv.MailpitServer }

type mailSummary struct {
	ID      string
	Subject string
	To      []struct{ Address string }
}

func (b mailbox) list(t *testing.T) []mailSummary {
	t.Helper()
	resp, err := http.Get(b.m.APIURL + "/api/v1/messages?limit=1000")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Messages []mailSummary }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// subjectKind tells the hospital's emails apart by subject.
func subjectKind(subject string) string {
	switch {
	case strings.HasPrefix(subject, "Reminder:"):
		return "reminder"
	case strings.Contains(subject, "is cancelled"):
		return "cancelled"
	case strings.Contains(subject, "has moved"):
		return "moved"
	case strings.HasPrefix(subject, "Your appointment with"):
		return "booked"
	case strings.Contains(subject, "can be refilled"):
		return "refill"
	case strings.HasPrefix(subject, "Confirm your email address"):
		return "confirm"
	}
	return subject
}

// to returns the messages to address of a kind (subjectKind; "" for all).
func (b mailbox) to(t *testing.T, address, kind string) []mailSummary {
	t.Helper()
	var out []mailSummary
	for _, m := range b.list(t) {
		if len(m.To) == 1 && strings.EqualFold(m.To[0].Address, address) && (kind == "" || subjectKind(m.Subject) == kind) {
			out = append(out, m)
		}
	}
	return out
}

func (b mailbox) text(t *testing.T, id string) string {
	t.Helper()
	resp, err := http.Get(b.m.APIURL + "/api/v1/message/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ Text, HTML string }
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m.Text
}

// eventually waits up to 15 s for ok.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// notifyEnv starts a server that emails through a local mailpit and texts through a local gateway.
func notifyEnv(t *testing.T, extra ...apptest.Option) (*apptest.Env, mailbox, *gateway) {
	t.Helper()
	mp := testenv.Mailpit(t, testenv.MailpitOptions{NoTLS: true})
	gw := newGateway(t)
	opts := []apptest.Option{
		apptest.WithEnv("EMAIL_HOST", mp.SMTPHost), apptest.WithEnv("EMAIL_PORT", strconv.Itoa(mp.SMTPPort)),
		apptest.WithEnv("EMAIL_FROM", "St Mary's Hospital <no-reply@stmarys.example>"),
		apptest.WithEnv("HOSPITAL_NAME", "St Mary's Hospital"),
		apptest.WithEnv("SMS_PROVIDER", "http"), apptest.WithEnv("SMS_URL", gw.srv.URL+"/2010-04-01/Accounts/AC-test/Messages.json"),
		apptest.WithEnv("SMS_USERNAME", "AC-test"), apptest.WithEnv("SMS_PASSWORD", "gw-token"), apptest.WithEnv("SMS_FROM", "+15005550006"),
		apptest.WithEnv("NOTIFY_SCAN", "1h"),
	}
	return apptest.New(t, append(opts, extra...)...), mailbox{mp}, gw
}

func setPrefs(t *testing.T, env *apptest.Env, u apptest.User, p shared.NotificationPreferences) {
	t.Helper()
	env.Put("/api/me/notification-preferences", u.Token, p).Want(t, http.StatusOK)
}

// TestAppointmentConfirmationsByEmailAndSMS: booking, moving and cancelling an appointment each reach
// the patient by email (through a real SMTP server) and SMS (through a stand-in gateway) with the
// right content; a cancellation by the clinic reaches a patient who turned both off, one by the patient
// does not; the patient's in-app list shows each with its delivery states.
func TestAppointmentConfirmationsByEmailAndSMS(t *testing.T) {
	env, mail, gw := notifyEnv(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	const phone = "+447911123456"
	setPrefs(t, env, pat, shared.NotificationPreferences{Email: true, SMS: true, Phone: "+44 7911 123 456"})

	a := env.Book(h.Staff.Token, h.Doctor.ID(), pat.User.PatientID, apptest.At(9, 0))
	eventually(t, "the confirmation email", func() bool { return len(mail.to(t, pat.User.Email, "booked")) == 1 })
	text := mail.text(t, mail.to(t, pat.User.Email, "booked")[0].ID)
	for _, want := range []string{h.Doctor.User.Name, "Monday 7 January 2030, 09:00", "St Mary's Hospital"} {
		if !strings.Contains(text, want) {
			t.Errorf("confirmation email lacks %q:\n%s", want, text)
		}
	}
	eventually(t, "the confirmation SMS", func() bool { return len(gw.to(phone)) == 1 })
	if sms := gw.to(phone)[0]; !strings.Contains(sms, "09:00") || len(sms) > 320 {
		t.Errorf("confirmation SMS %q: want the time, at most 320 characters", sms)
	}

	env.Patch("/api/appointments/"+a.ID, h.Staff.Token, shared.RescheduleRequest{Start: apptest.At(10, 30), Reason: "doctor in theatre"}).Want(t, http.StatusOK)
	eventually(t, "the rescheduled email", func() bool { return len(mail.to(t, pat.User.Email, "moved")) == 1 })
	if text := mail.text(t, mail.to(t, pat.User.Email, "moved")[0].ID); !strings.Contains(text, "10:30") || !strings.Contains(text, "09:00") {
		t.Errorf("rescheduled email should give the new time and the old:\n%s", text)
	}

	// The patient turns email and SMS off; the clinic cancels: they must still be told.
	setPrefs(t, env, pat, shared.NotificationPreferences{Email: false, SMS: false, Phone: phone})
	env.Post("/api/appointments/"+a.ID+"/cancel", h.Staff.Token, shared.ReasonRequest{Reason: "clinic closed"}).Want(t, http.StatusOK)
	eventually(t, "the cancellation email", func() bool { return len(mail.to(t, pat.User.Email, "cancelled")) == 1 })
	eventually(t, "the cancellation SMS", func() bool { return len(gw.to(phone)) == 3 })

	// A booking and cancellation by the patient themself: no email or SMS now.
	b := env.Book(pat.Token, h.Doctor.ID(), pat.User.PatientID, apptest.At(11, 0))
	env.Post("/api/appointments/"+b.ID+"/cancel", pat.Token, shared.ReasonRequest{Reason: "feeling better"}).Want(t, http.StatusOK)

	var list shared.NotificationList
	eventually(t, "every notification listed with its deliveries settled", func() bool {
		env.Get("/api/notifications?limit=20", pat.Token).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Items) != 5 {
			return false
		}
		for _, n := range list.Items {
			for _, d := range n.Deliveries {
				if d.Status != shared.DeliverySent && d.Status != shared.DeliverySkipped {
					return false
				}
			}
		}
		return true
	})
	kinds := map[string][]string{}
	for _, n := range list.Items {
		for _, d := range n.Deliveries {
			kinds[n.Kind] = append(kinds[n.Kind], d.Channel+"="+d.Status)
		}
	}
	// By the clinic, then by the patient (in either order: the fixture's clock stands still).
	want := map[string]string{
		shared.KindAppointmentBooked:    "email=sent email=skipped sms=sent sms=skipped",
		shared.KindAppointmentMoved:     "email=sent sms=sent",
		shared.KindAppointmentCancelled: "email=sent email=skipped sms=sent sms=skipped",
	}
	for kind, w := range want {
		slices.Sort(kinds[kind])
		if got := strings.Join(kinds[kind], " "); got != w {
			t.Errorf("%s deliveries: got %q, want %q", kind, got, w)
		}
	}
	if list.Unread != 5 {
		t.Errorf("unread %d, want 5", list.Unread)
	}
	if n := len(mail.to(t, pat.User.Email, "")) - len(mail.to(t, pat.User.Email, "confirm")); n != 3 {
		t.Errorf("%d emails in all besides the sign-up's confirmation, want 3 (booked, moved, cancelled by the clinic)", n)
	}
}

// TestRemindersSentOnceByThreeInstances: three server instances on one database scan for due reminders
// at the same moments of a simulated day; each appointment's reminder is emailed exactly once per lead
// time (24 h, then 2 h), and an appointment booked inside a lead time gets none for it.
func TestRemindersSentOnceByThreeInstances(t *testing.T) {
	env, mail, _ := notifyEnv(t)
	h := env.Hospital()
	tuesday := func(hh, mm int) time.Time { return apptest.At(hh, mm).AddDate(0, 0, 1) }
	type booking struct {
		email string
		start time.Time
		id    string
	}
	var booked []booking
	for i := range 8 {
		pat := env.NewUser(shared.RolePatient)
		doc := h.Doctor
		if i%2 == 1 {
			doc = h.Doctor2
		}
		start := tuesday(9, 0).Add(time.Duration(i/2) * 30 * time.Minute) // 09:00, 09:30, 10:00, 10:30 × 2 doctors
		a := env.Book(h.Staff.Token, doc.ID(), pat.User.PatientID, start)
		booked = append(booked, booking{pat.User.Email, start, a.ID})
	}
	instances := []*apptest.Env{env, env.Sibling(), env.Sibling()}
	scan := func() {
		t.Helper()
		var wg sync.WaitGroup
		for _, in := range instances {
			wg.Go(func() {
				if _, err := in.App.Triggers.RemindDue(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	expect := func(when, kind string, due func(time.Time) bool) {
		t.Helper()
		want := 0
		for _, b := range booked {
			if due(b.start) {
				want++
			}
		}
		eventually(t, when, func() bool {
			n := 0
			for _, b := range booked {
				n += len(mail.to(t, b.email, kind))
			}
			return n >= want
		})
		time.Sleep(300 * time.Millisecond) // let a doubled send, if any, arrive
		for _, b := range booked {
			got := len(mail.to(t, b.email, kind))
			if w := map[bool]int{true: 1, false: 0}[due(b.start)]; got != w {
				t.Errorf("%s: appointment at %s got %d reminders, want %d", when, b.start.Format("Mon 15:04"), got, w)
			}
		}
	}
	// Monday 09:45: the appointments up to Tuesday 09:45 are within 24 hours.
	h.Clock.Advance(2*time.Hour + 15*time.Minute)
	scan()
	scan() // again: nothing new
	expect("24-hour reminders at Monday 09:45", "reminder", func(s time.Time) bool { return !s.After(tuesday(9, 45)) })
	// Monday 11:00: all of them are.
	h.Clock.Advance(75 * time.Minute)
	scan()
	expect("24-hour reminders at Monday 11:00", "reminder", func(time.Time) bool { return true })
	// The clinic moves the first 09:00 appointment to 16:00: it gets a 24-hour reminder for the new time.
	env.Patch("/api/appointments/"+booked[0].id, h.Staff.Token, shared.RescheduleRequest{Start: tuesday(16, 0), Reason: "clinic overbooked"}).
		Want(t, http.StatusOK)
	// Tuesday 07:15: the other 09:00 appointment is within 2 hours: its second reminder; the moved one
	// gets its new 24-hour reminder.
	h.Clock.Advance(20*time.Hour + 15*time.Minute)
	scan()
	eventually(t, "2-hour reminders", func() bool {
		n := 0
		for _, b := range booked {
			n += len(mail.to(t, b.email, "reminder"))
		}
		return n == len(booked)+2
	})
	time.Sleep(300 * time.Millisecond)
	for i, want := range []int{2, 2, 1, 1, 1, 1, 1, 1} {
		if got := len(mail.to(t, booked[i].email, "reminder")); got != want {
			t.Errorf("appointment %d (%s) got %d reminders in all, want %d", i, booked[i].start.Format("Mon 15:04"), got, want)
		}
	}
	// A late booking, inside the 24-hour lead time: no 24-hour reminder.
	late := env.NewUser(shared.RolePatient)
	env.Book(h.Staff.Token, h.Doctor.ID(), late.User.PatientID, tuesday(15, 0))
	scan()
	time.Sleep(300 * time.Millisecond)
	if n := len(mail.to(t, late.User.Email, "reminder")); n != 0 {
		t.Errorf("a booking made 8 hours ahead got %d 24-hour reminders, want 0 (its confirmation just went)", n)
	}
}

// TestBroadcastByEmail: an admin's broadcast with email reaches every active account once by email
// and lands in each one's notifications.
func TestBroadcastByEmail(t *testing.T) {
	env, mail, _ := notifyEnv(t)
	admin := env.Admin()
	users := []apptest.User{env.NewUser(shared.RolePatient), env.NewUser(shared.RoleStaff), env.NewUser(shared.RoleDoctor)}
	var b shared.Broadcast
	env.Post("/api/broadcasts", admin.Token, shared.BroadcastRequest{Message: "Lifts out of order\nUse the east stairs", Email: true}).
		Want(t, http.StatusCreated).Decode(t, &b)
	if !b.Email || b.Recipients != len(users)+1 {
		t.Fatalf("broadcast %+v: want emailed to %d accounts", b, len(users)+1)
	}
	for _, u := range users {
		eventually(t, "the broadcast email to "+u.User.Email, func() bool { return len(mail.to(t, u.User.Email, "Lifts out of order")) == 1 })
		var list shared.NotificationList
		env.Get("/api/notifications", u.Token).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].Kind != shared.KindBroadcast {
			t.Errorf("%s's notifications %+v, want the broadcast", u.User.Role, list.Items)
		}
	}
}

// TestBroadcastInEveryInbox: a live-only broadcast is also in every account's notifications, unread, by
// the time the live event arrives (a screen that hears it and reloads finds it), and was not emailed.
func TestBroadcastInEveryInbox(t *testing.T) {
	env, mail, _ := notifyEnv(t)
	admin := env.Admin()
	users := []apptest.User{env.NewUser(shared.RolePatient), env.NewUser(shared.RoleStaff)}
	env.Post("/api/broadcasts", admin.Token, shared.BroadcastRequest{Message: "Visiting hours end at 8 pm"}).
		Want(t, http.StatusCreated)
	for _, u := range users {
		var list shared.NotificationList
		env.Get("/api/notifications", u.Token).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].Kind != shared.KindBroadcast || list.Unread != 1 {
			t.Errorf("%s's notifications %+v (unread %d), want the broadcast, unread", u.User.Role, list.Items, list.Unread)
		} else if len(list.Items[0].Deliveries) != 0 {
			t.Errorf("a live-only broadcast has deliveries %+v, want none", list.Items[0].Deliveries)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(mail.to(t, users[0].User.Email, "Visiting hours")); n != 0 {
		t.Errorf("a live-only broadcast was emailed %d times", n)
	}
}

// TestUnacknowledgedAlertPagesOnCallBySMS: when an emergency alert is escalated, the on-call doctor is
// paged once by SMS, even in their quiet hours; a doctor not on call is not.
func TestUnacknowledgedAlertPagesOnCallBySMS(t *testing.T) {
	env, _, gw := notifyEnv(t)
	staff, onCall, offCall := env.NewUser(shared.RoleStaff), env.NewUser(shared.RoleDoctor), env.NewUser(shared.RoleDoctor)
	setPrefs(t, env, onCall, shared.NotificationPreferences{SMS: true, Phone: "+447700900001", OnCall: true,
		QuietHours: shared.QuietHours{Start: "00:00", End: "23:59"}})
	setPrefs(t, env, offCall, shared.NotificationPreferences{SMS: true, Phone: "+447700900002"})
	env.Post("/api/alerts/emergency", staff.Token, shared.RaiseAlertRequest{Message: "Cardiac arrest", Location: "Ward 3 bed 12"}).
		Want(t, http.StatusCreated)
	for range 2 {
		if _, err := env.App.Alerts.EscalateDue(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the page", func() bool { return len(gw.to("+447700900001")) == 1 })
	time.Sleep(300 * time.Millisecond)
	if got := gw.to("+447700900001"); len(got) != 1 || !strings.Contains(got[0], "Ward 3 bed 12") || !strings.Contains(got[0], "URGENT") {
		t.Errorf("pages %q, want one urgent page naming the place", got)
	}
	if got := gw.to("+447700900002"); len(got) != 0 {
		t.Errorf("the doctor not on call got %q", got)
	}
}

// TestRefillAlert: a prescription's refill comes due; the patient is told once, by email.
func TestRefillAlert(t *testing.T) {
	env, mail, _ := notifyEnv(t)
	f := newPharmacy(t, env, nil)
	f.receive(t, f.medID, 100)
	rx := f.prescribe(t, shared.PrescribeRequest{Quantity: 30, Refills: 1, DurationDays: 10, Dose: "500 mg", Frequency: "tid"})
	f.dispense("refill-1", rx.ID, nil).Want(t, http.StatusCreated)
	later := env.App.Clock.Now().AddDate(0, 0, 9) // the fill was stamped by the hospital clock
	env.SetClock(func() time.Time { return later })
	for range 2 {
		if _, err := env.App.Triggers.PrescriptionsDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the refill email", func() bool { return len(mail.to(t, f.pat.User.Email, "refill")) >= 1 })
	time.Sleep(300 * time.Millisecond)
	if refills := len(mail.to(t, f.pat.User.Email, "refill")); refills != 1 {
		t.Errorf("%d refill emails, want 1", refills)
	}
}

// TestCancelledAppointmentsReminderIsWithdrawn: a reminder held by the patient's quiet hours is
// withdrawn when the clinic cancels the appointment; when the quiet hours end, the cancellation goes
// and the reminder does not.
func TestCancelledAppointmentsReminderIsWithdrawn(t *testing.T) {
	env, mail, _ := notifyEnv(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	setPrefs(t, env, pat, shared.NotificationPreferences{Email: true, SMS: false, QuietHours: shared.QuietHours{Start: "00:00", End: "23:30"}})
	a := env.Book(h.Staff.Token, h.Doctor.ID(), pat.User.PatientID, apptest.At(9, 0).AddDate(0, 0, 1))
	h.Clock.Advance(2 * time.Hour) // Monday 09:30: the 24-hour reminder is due, and held until 23:30
	if n, err := env.App.Triggers.RemindDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("made %d reminders (%v), want 1", n, err)
	}
	env.Post("/api/appointments/"+a.ID+"/cancel", h.Staff.Token, shared.ReasonRequest{Reason: "doctor ill"}).Want(t, http.StatusOK)
	var list shared.NotificationList
	env.Get("/api/notifications", pat.Token).Want(t, http.StatusOK).Decode(t, &list)
	reminders := 0
	for _, n := range list.Items {
		if n.Kind != shared.KindAppointmentReminder {
			continue
		}
		reminders++
		for _, d := range n.Deliveries {
			if d.Channel == shared.ChannelEmail && (d.Status != shared.DeliverySkipped || d.Error != "the appointment was cancelled") {
				t.Errorf("the reminder's email: %+v, want skipped: the appointment was cancelled", d)
			}
		}
	}
	if reminders != 1 {
		t.Errorf("%d reminders listed, want 1", reminders)
	}
	h.Clock.Advance(14 * time.Hour) // Monday 23:30: quiet hours over
	if _, err := env.App.Notify().DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the cancellation email", func() bool { return len(mail.to(t, pat.User.Email, "cancelled")) == 1 })
	time.Sleep(300 * time.Millisecond)
	if n := len(mail.to(t, pat.User.Email, "reminder")); n != 0 {
		t.Errorf("%d reminders for the cancelled appointment were emailed, want 0", n)
	}
}

// TestSendToPatientID: POST /api/notifications/send takes the patient id that GET /api/patient/{id}
// takes, as well as a user id: the patient's account gets it in-app. An id that is neither is 404; a
// record without an account gets no in-app notification but the message is accepted for its SMS.
func TestSendToPatientID(t *testing.T) {
	env := apptest.New(t)
	pat := env.SignUp("Pat Id", "pat.id@example.org", apptest.Password)
	var me shared.User
	env.Get("/api/me", pat.Token).Want(t, http.StatusOK).Decode(t, &me)
	if me.PatientID == "" || me.PatientID == me.ID {
		t.Fatalf("the patient's record id %q must differ from the account id %q for this test", me.PatientID, me.ID)
	}
	doctor := env.NewUser(shared.RoleDoctor)
	var n shared.Notification
	env.Post("/api/notifications/send", doctor.Token, shared.SendNotificationRequest{RecipientID: me.PatientID, Message: "Your results are ready"}).
		Want(t, http.StatusCreated).Decode(t, &n)
	if n.RecipientID != me.ID {
		t.Fatalf("sent to patient %s: notification for %q, want the patient's account %s", me.PatientID, n.RecipientID, me.ID)
	}
	var list shared.NotificationList
	env.Get("/api/notifications", pat.Token).Want(t, http.StatusOK).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Message != "Your results are ready" {
		t.Fatalf("the patient's notifications: %+v, want the message", list.Items)
	}
	env.Post("/api/notifications/send", doctor.Token, shared.SendNotificationRequest{RecipientID: ident.New(), Message: "x"}).
		Want(t, http.StatusNotFound)
}
