package appointment_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/testenv"
	"hms/shared"
)

// TestConcurrentCallNext: four doctors press "call next" over and over at the same time; every
// waiting ticket is called exactly once.
func TestConcurrentCallNext(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	doctors := []apptest.User{h.Doctor, h.Doctor2, env.NewDoctor(h.Dept, "gp"), env.NewDoctor(h.Dept, "gp")}
	const tickets = 24
	for i := range tickets {
		env.WalkIn(h.Staff.Token, h.Dept, "Walk-in "+string(rune('A'+i)), 3+i%3)
	}
	var mu sync.Mutex
	calledBy := map[string][]string{} // appointment → doctors who got it
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, d := range doctors {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for {
					r := env.Post("/api/queues/general/next", d.Token, nil)
					if r.Status == http.StatusNotFound {
						return
					}
					if r.Status != http.StatusOK {
						t.Errorf("got %d %s", r.Status, r.Body)
						return
					}
					var a shared.Appointment
					r.Decode(t, &a)
					mu.Lock()
					calledBy[a.ID] = append(calledBy[a.ID], d.ID())
					mu.Unlock()
				}
			}()
		}
	}
	close(start)
	wg.Wait()
	if len(calledBy) != tickets {
		t.Fatalf("got %d tickets called, want %d", len(calledBy), tickets)
	}
	for id, by := range calledBy {
		if len(by) != 1 {
			t.Errorf("ticket %s was called %d times (%v), want once", id, len(by), by)
		}
	}
	var snap shared.QueueSnapshot
	env.Get("/api/queues/general", h.Staff.Token).Want(t, 200).Decode(t, &snap)
	if len(snap.Waiting) != 0 || len(snap.Serving) != tickets {
		t.Fatalf("got %d waiting, %d serving; want 0 and %d", len(snap.Waiting), len(snap.Serving), tickets)
	}
}

func walkInNumbers(t *testing.T, env *apptest.Env, token, dept string, n int) []int {
	t.Helper()
	var out []int
	for range n {
		out = append(out, env.WalkIn(token, dept, "Walk-in", 4).Ticket.Number)
	}
	return out
}

// TestTicketNumbersAfterRestart: numbers continue after the server restarts (the in-memory counter is
// gone and reloads from the store), and after Redis lost its counter.
func TestTicketNumbersAfterRestart(t *testing.T) {
	t.Parallel()
	t.Run("memory broker", func(t *testing.T) {
		t.Parallel()
		env := apptest.New(t)
		h := env.Hospital()
		if got := walkInNumbers(t, env, h.Staff.Token, h.Dept, 3); !slices.Equal(got, []int{1, 2, 3}) {
			t.Fatalf("got %v, want [1 2 3]", got)
		}
		env.Restart()
		staff := env.Login(h.Staff.User.Email, apptest.Password)
		if got := walkInNumbers(t, env, staff.Token, h.Dept, 2); !slices.Equal(got, []int{4, 5}) {
			t.Fatalf("got %v after a restart, want [4 5]", got)
		}
		// A new day starts again at 1.
		h.Clock.Advance(24 * time.Hour)
		if got := walkInNumbers(t, env, staff.Token, h.Dept, 1); !slices.Equal(got, []int{1}) {
			t.Fatalf("got %v the next day, want [1]", got)
		}
	})
	t.Run("redis lost its data", func(t *testing.T) {
		t.Parallel()
		redis := testenv.OwnRedis(t)
		env := apptest.New(t, apptest.WithEnv("REDIS_URL", redis.URL()))
		h := env.Hospital()
		if got := walkInNumbers(t, env, h.Staff.Token, h.Dept, 3); !slices.Equal(got, []int{1, 2, 3}) {
			t.Fatalf("got %v, want [1 2 3]", got)
		}
		redis.Stop() // no persistence configured: its counters are gone when it comes back
		if err := redis.Start(); err != nil {
			t.Fatal(err)
		}
		env.Restart()
		staff := env.Login(h.Staff.User.Email, apptest.Password)
		if got := walkInNumbers(t, env, staff.Token, h.Dept, 2); !slices.Equal(got, []int{4, 5}) {
			t.Fatalf("got %v after Redis lost its counter, want [4 5]", got)
		}
	})
}

// TestTriageOrderEmergencyAndRetriage: ESI 1 goes to the front and raises an alert, an unknown patient
// is admitted without details, re-triage reorders, and call-next follows the order.
func TestTriageOrderEmergencyAndRetriage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	w4 := env.WalkIn(h.Staff.Token, h.Dept, "Four", 4)
	w3 := env.WalkIn(h.Staff.Token, h.Dept, "Three", 3)
	w5 := env.WalkIn(h.Staff.Token, h.Dept, "Five", 5)
	var em shared.Appointment
	env.Post("/api/queue/emergency", h.Staff.Token, shared.EmergencyRequest{Department: h.Dept, Triage: 1, Complaint: "chest pain"}).
		Want(t, 201).Decode(t, &em)
	if !em.Emergency || em.PatientName != "Unidentified patient" || em.Ticket.Number != 4 || em.Status != shared.StatusCheckedIn {
		t.Fatalf("got %+v", em)
	}
	var p shared.Patient
	env.Get("/api/patient/"+em.PatientID, h.Staff.Token).Want(t, 200).Decode(t, &p)
	if p.Name != "Unidentified patient" || p.UserID != "" {
		t.Fatalf("got %+v, want an unidentified record without account", p)
	}
	var alerts shared.AlertList
	env.Get("/api/alerts", h.Staff.Token).Want(t, 200).Decode(t, &alerts)
	if len(alerts.Items) != 1 || alerts.Items[0].Severity != "critical" || !strings.Contains(alerts.Items[0].Message, "ticket 4") ||
		strings.Contains(alerts.Items[0].Message, "Unidentified") {
		t.Fatalf("got alerts %+v, want one critical alert naming the ticket, not the patient", alerts.Items)
	}
	order := func() []string {
		var snap shared.QueueSnapshot
		env.Get("/api/queues/general", h.Staff.Token).Want(t, 200).Decode(t, &snap)
		var ids []string
		for i, a := range snap.Waiting {
			if a.Ticket.Position != i+1 || a.Ticket.EstimatedWaitMinutes == nil {
				t.Fatalf("waiting[%d] has position %d, estimate %v", i, a.Ticket.Position, a.Ticket.EstimatedWaitMinutes)
			}
			ids = append(ids, a.ID)
		}
		return ids
	}
	if got, want := order(), []string{em.ID, w3.ID, w4.ID, w5.ID}; !slices.Equal(got, want) {
		t.Fatalf("got order %v, want emergency, ESI 3, 4, 5", got)
	}
	// Re-triage: "Five" deteriorates to ESI 2 → second, and an alert.
	env.Post("/api/queue/tickets/"+w5.ID+"/triage", h.Doctor.Token, shared.TriageRequest{Level: 2, Reason: "SpO2 88%"}).Want(t, 200)
	if got, want := order(), []string{em.ID, w5.ID, w3.ID, w4.ID}; !slices.Equal(got, want) {
		t.Fatalf("got order %v after re-triage, want emergency, re-triaged, 3, 4", got)
	}
	env.Get("/api/alerts", h.Staff.Token).Want(t, 200).Decode(t, &alerts)
	if len(alerts.Items) != 2 || alerts.Items[0].Severity != "high" {
		t.Fatalf("got %d alerts (newest %+v), want a second, high-severity one", len(alerts.Items), alerts.Items[0])
	}
	env.Post("/api/queue/tickets/"+w5.ID+"/triage", h.Doctor.Token, shared.TriageRequest{Level: 9}).Want(t, 400)
	// Aging: 61 minutes later "Four" (ESI 4) counts as 3 and, having arrived first, passes "Three".
	h.Clock.Advance(61 * time.Minute)
	if got, want := order(), []string{em.ID, w5.ID, w4.ID, w3.ID}; !slices.Equal(got, want) {
		t.Fatalf("got order %v after an hour, want the aged ESI 4 ahead of the later ESI 3", got)
	}
	var called shared.Appointment
	env.Post("/api/queues/general/next", h.Doctor.Token, nil).Want(t, 200).Decode(t, &called)
	if called.ID != em.ID {
		t.Fatalf("call next got %s, want the emergency", called.ID)
	}
}

// TestQueueTransitions covers start, finish, no-show, requeue and who may do them.
func TestQueueTransitions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	a := env.WalkIn(h.Staff.Token, h.Dept, "Ann", 4)
	path := "/api/queue/tickets/" + a.ID + "/"
	env.Post(path+"finish", h.Doctor.Token, nil).Want(t, http.StatusConflict) // not in consultation
	env.Post(path+"call", h.Doctor.Token, nil).Want(t, 200)
	env.Post(path+"call", h.Doctor2.Token, nil).Want(t, 409)
	env.Post(path+"start", h.Doctor2.Token, nil).Want(t, http.StatusForbidden)
	env.Post(path+"no-show", h.Staff.Token, shared.ReasonRequest{Reason: "not in the waiting room"}).Want(t, 200)
	env.Post(path+"requeue", h.Staff.Token, shared.ReasonRequest{Reason: "came back"}).Want(t, 200).Decode(t, &a)
	if a.Status != shared.StatusCheckedIn || a.Ticket.CalledBy != "" || a.Ticket.Number != 1 {
		t.Fatalf("got %+v, want back in the queue with the same number", a)
	}
	env.Post(path+"start", h.Doctor2.Token, nil).Want(t, 200).Decode(t, &a)
	if a.Status != shared.StatusInConsultation || a.Ticket.CalledBy != h.Doctor2.ID() {
		t.Fatalf("got %+v", a)
	}
	env.Post(path+"finish", h.Doctor2.Token, nil).Want(t, 200)
	env.Post(path+"requeue", h.Staff.Token, nil).Want(t, 409)
	env.Post(path+"start", h.Doctor.Token, map[string]any{"reason": 5}).Want(t, 400)
	env.Post("/api/queue/tickets/nope/start", h.Doctor.Token, nil).Want(t, 400)
	env.Post("/api/queue/tickets/"+strings.Repeat("a", 24)+"/start", h.Doctor.Token, nil).Want(t, 404)
	env.Post("/api/queues/Bad%20Dept/next", h.Doctor.Token, nil).Want(t, 400)
}

func TestCheckInValidation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	tomorrow := env.Book(pat.Token, h.Doctor.ID(), "", apptest.At(9, 0).AddDate(0, 0, 1))
	today := env.Book(pat.Token, h.Doctor.ID(), "", apptest.At(9, 0))
	for _, tt := range []struct {
		name string
		req  shared.CheckInRequest
		want string
	}{
		{"nothing", shared.CheckInRequest{}, "department is required"},
		{"unknown department", shared.CheckInRequest{Department: "nowhere", Name: "X"}, "does not exist"},
		{"no patient", shared.CheckInRequest{Department: h.Dept}, "patient_id, or name"},
		{"both", shared.CheckInRequest{Department: h.Dept, Name: "X", PatientID: pat.User.PatientID}, "not both"},
		{"triage 9", shared.CheckInRequest{Department: h.Dept, Name: "X", Triage: 9}, "ESI level"},
		{"unknown patient", shared.CheckInRequest{Department: h.Dept, PatientID: strings.Repeat("b", 24)}, "no such patient"},
		{"tomorrow's appointment", shared.CheckInRequest{AppointmentID: tomorrow.ID}, "not today"},
		{"appointment plus department", shared.CheckInRequest{AppointmentID: today.ID, Department: h.Dept}, "leave out"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := env.Post("/api/queue/checkin", h.Staff.Token, tt.req).Want(t, 400).Error()
			if !strings.Contains(e.Error.Message, tt.want) {
				t.Errorf("got %q, want it to mention %q", e.Error.Message, tt.want)
			}
		})
	}
	var a shared.Appointment
	env.Post("/api/queue/checkin", h.Staff.Token, shared.CheckInRequest{AppointmentID: today.ID, Triage: 3}).Want(t, 201).Decode(t, &a)
	if a.Ticket.Triage != 3 || a.WalkIn {
		t.Fatalf("got %+v", a)
	}
	env.Post("/api/queue/checkin", h.Staff.Token, shared.CheckInRequest{AppointmentID: today.ID}).Want(t, 409)
	// A registered patient walks in.
	env.Post("/api/queue/checkin", h.Staff.Token, shared.CheckInRequest{Department: h.Dept, PatientID: pat.User.PatientID, DoctorID: h.Doctor2.ID()}).
		Want(t, 201).Decode(t, &a)
	if !a.WalkIn || a.DoctorID != h.Doctor2.ID() || a.Ticket.Number != 2 || a.Ticket.Triage != 4 {
		t.Fatalf("got %+v", a)
	}
}

// TestQueueEventsInOrder: every change produces the right events, in order, on each channel; the
// display never carries a patient's name.
func TestQueueEventsInOrder(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	live := env.MustDialWS(pat.Token, "")
	live.Subscribe(shared.ChannelDisplay+":"+h.Dept, nil)

	a := env.Book(pat.Token, h.Doctor.ID(), "", apptest.At(9, 0))
	env.Post("/api/queue/checkin", h.Staff.Token, shared.CheckInRequest{AppointmentID: a.ID}).Want(t, 201)
	f := live.NextEvent(shared.ChannelDisplay+":"+h.Dept, 5*time.Second)
	var board shared.DisplayBoard
	if err := json.Unmarshal(f.Data, &board); err != nil || len(board.Next) != 1 || board.Next[0].Number != 1 {
		t.Fatalf("got display %s, want ticket 1 waiting (live)", f.Data)
	}
	env.Post("/api/queues/general/next", h.Doctor.Token, nil).Want(t, 200)
	env.Post("/api/queue/tickets/"+a.ID+"/start", h.Doctor.Token, nil).Want(t, 200)
	env.Post("/api/queue/tickets/"+a.ID+"/finish", h.Doctor.Token, nil).Want(t, 200)
	b := env.Book(pat.Token, h.Doctor.ID(), "", apptest.At(10, 0))
	env.Patch("/api/appointments/"+b.ID, pat.Token, shared.RescheduleRequest{Start: apptest.At(10, 30)}).Want(t, 200)
	env.Post("/api/appointments/"+b.ID+"/cancel", pat.Token, shared.ReasonRequest{Reason: "clash"}).Want(t, 200)

	staff := env.MustDialWS(h.Staff.Token, "")
	zero := int64(0)
	replay := func(channel string) (types, actions []string, data []string) {
		t.Helper()
		ans, events := staff.Subscribe(channel, &zero)
		if ans.Op != shared.OpSubscribed {
			t.Fatalf("subscribe %s: %+v", channel, ans)
		}
		for i, ev := range events {
			if ev.SeqOr() != int64(i+1) {
				t.Fatalf("%s: event %d has seq %d, want %d", channel, i, ev.SeqOr(), i+1)
			}
			var d struct {
				Action string `json:"action"`
			}
			_ = json.Unmarshal(ev.Data, &d)
			types, actions, data = append(types, ev.Type), append(actions, d.Action), append(data, string(ev.Data))
		}
		return types, actions, data
	}
	// Row 41: no event carries a reason, the booking's ("check-up") or the cancellation's: the stored
	// event is what the broker carries, so neither the store nor Redis holds them.
	for _, doc := range env.RawDocs(t, "events", bson.D{}) {
		if d, _ := doc["data"].(string); strings.Contains(d, "check-up") || strings.Contains(d, "clash") || strings.Contains(d, `"reason"`) {
			t.Errorf("event %v carries a reason: %s", doc["_id"], d)
		}
	}
	_, acts, _ := replay(shared.ChannelPatient + ":" + pat.User.PatientID)
	if want := []string{"booked", "checked_in", "called", "started", "finished", "booked", "rescheduled", "cancelled"}; !slices.Equal(acts, want) {
		t.Errorf("patient channel: got %v, want %v", acts, want)
	}
	types, acts, _ := replay(shared.ChannelDocQueue + ":" + h.Doctor.ID())
	wantTypes := []string{shared.EventAppointment, shared.EventQueueChanged, shared.EventQueueChanged, shared.EventQueueChanged,
		shared.EventQueueChanged, shared.EventAppointment, shared.EventAppointment, shared.EventAppointment}
	if want := []string{"booked", "checked_in", "called", "started", "finished", "booked", "rescheduled", "cancelled"}; !slices.Equal(acts, want) || !slices.Equal(types, wantTypes) {
		t.Errorf("doctor channel: got %v %v, want %v %v", types, acts, wantTypes, want)
	}
	_, acts, _ = replay(shared.ChannelDeptQueue + ":" + h.Dept)
	if want := []string{"checked_in", "called", "started", "finished"}; !slices.Equal(acts, want) {
		t.Errorf("department channel: got %v, want %v", acts, want)
	}
	types, _, data := replay(shared.ChannelDisplay + ":" + h.Dept)
	if len(types) != 4 || types[0] != shared.EventDisplay {
		t.Errorf("display channel: got %v, want 4 display.updated", types)
	}
	for _, d := range data {
		if strings.Contains(d, pat.User.Name) || strings.Contains(d, "patient") {
			t.Errorf("display event carries patient data: %s", d)
		}
	}
	// The last board shows nobody waiting or served, and today's figures.
	if err := json.Unmarshal([]byte(data[len(data)-1]), &board); err != nil || board.Waiting != 0 || len(board.NowServing) != 0 {
		t.Errorf("got last board %s", data[len(data)-1])
	}
}

func TestDoctorDashboard(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	a := env.Book(pat.Token, h.Doctor.ID(), "", apptest.At(8, 0))
	env.Book(h.Staff.Token, h.Doctor2.ID(), pat.User.PatientID, apptest.At(8, 0))
	env.Post("/api/queue/checkin", h.Staff.Token, shared.CheckInRequest{AppointmentID: a.ID}).Want(t, 201)
	w := env.WalkIn(h.Staff.Token, h.Dept, "Walk-in", 4)
	env.Post("/api/queue/tickets/"+a.ID+"/start", h.Doctor.Token, nil).Want(t, 200)
	h.Clock.Advance(9 * time.Minute)
	env.Post("/api/queue/tickets/"+a.ID+"/finish", h.Doctor.Token, nil).Want(t, 200)
	env.Post("/api/queue/tickets/"+w.ID+"/call", h.Doctor.Token, nil).Want(t, 200)

	var d shared.Dashboard
	env.Get("/api/doctors/"+h.Doctor.ID()+"/dashboard", h.Doctor.Token).Want(t, 200).Decode(t, &d)
	if d.Doctor.ID != h.Doctor.ID() || d.Day != "2030-01-07" || len(d.Appointments) != 1 || d.Seen != 1 ||
		d.AverageConsultationMinutes != 9 || d.Current == nil || d.Current.ID != w.ID || len(d.Queue) != 0 {
		t.Fatalf("got %+v", d)
	}
	env.Get("/api/doctors/"+h.Doctor.ID()+"/dashboard", h.Doctor2.Token).Want(t, http.StatusForbidden)
	env.Get("/api/doctors/"+h.Doctor.ID()+"/dashboard", h.Staff.Token).Want(t, 200)
	env.Get("/api/doctors/"+h.Doctor.ID()+"/dashboard", pat.Token).Want(t, http.StatusForbidden)
}

// TestWaitsRefreshWithTime: estimates change as a consultation goes on; the refresher publishes them
// once (and not again while nothing changed).
func TestWaitsRefreshWithTime(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	a := env.WalkIn(h.Staff.Token, h.Dept, "Ann", 4)
	b := env.WalkIn(h.Staff.Token, h.Dept, "Bob", 4)
	env.Post("/api/queue/tickets/"+a.ID+"/start", h.Doctor.Token, nil).Want(t, 200)
	var snap shared.QueueSnapshot
	env.Get("/api/queues/general", h.Staff.Token).Want(t, 200).Decode(t, &snap)
	if len(snap.Waiting) != 1 || *snap.Waiting[0].Ticket.EstimatedWaitMinutes != 15 {
		t.Fatalf("got %+v, want Bob waiting 15 minutes (CONSULT_MINUTES_DEFAULT)", snap.Waiting)
	}
	refresh := func() int {
		n, err := env.App.Appointments.RefreshWaits(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := refresh(); n != 0 {
		t.Fatalf("refresh published %d events with nothing changed, want 0", n)
	}
	h.Clock.Advance(6 * time.Minute)
	if n := refresh(); n != 1 {
		t.Fatalf("refresh published %d after 6 minutes, want 1", n)
	}
	if n := refresh(); n != 0 {
		t.Fatalf("refresh published %d again, want 0", n)
	}
	ws := env.MustDialWS(h.Staff.Token, "")
	zero := int64(0)
	_, events := ws.Subscribe(shared.ChannelDeptQueue+":"+h.Dept, &zero)
	last := events[len(events)-1]
	var w shared.QueueWaits
	if err := json.Unmarshal(last.Data, &w); err != nil || last.Type != shared.EventQueueWaits ||
		len(w.Waits) != 1 || w.Waits[0].AppointmentID != b.ID || w.Waits[0].EstimatedWaitMinutes != 9 {
		t.Fatalf("got last event %s %s, want queue.waits with Bob at 9 minutes", last.Type, last.Data)
	}
}

// TestRescheduleToAnotherDoctorTellsBoth: both doctors' channels hear of a move between them.
func TestRescheduleToAnotherDoctorTellsBoth(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	a := env.Book(pat.Token, h.Doctor.ID(), "", apptest.At(9, 0))
	env.Patch("/api/appointments/"+a.ID, pat.Token, shared.RescheduleRequest{Start: apptest.At(9, 0), DoctorID: h.Doctor2.ID()}).Want(t, 200)
	ws := env.MustDialWS(h.Staff.Token, "")
	zero := int64(0)
	for _, d := range []apptest.User{h.Doctor, h.Doctor2} {
		_, events := ws.Subscribe(shared.ChannelDocQueue+":"+d.ID(), &zero)
		last := events[len(events)-1]
		var ev shared.AppointmentEvent
		if err := json.Unmarshal(last.Data, &ev); err != nil || ev.Action != "rescheduled" || ev.Appointment.DoctorID != h.Doctor2.ID() {
			t.Errorf("doctor %s: got last event %s, want the move to doctor 2", d.ID(), last.Data)
		}
	}
}

// TestCheckInAndAdmissionOnceWithKey: a desk whose answer was lost retries check-in or an emergency
// admission with the same Idempotency-Key and gets the first ticket back, not a second ticket (and, for
// a new patient, not a second record or a second alert).
func TestCheckInAndAdmissionOnceWithKey(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	post := func(path, key string, body any) *apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: path, Token: h.Staff.Token, Body: body,
			Header: map[string]string{"Idempotency-Key": key}})
	}
	walkIn := shared.CheckInRequest{Department: "general", Name: "Nia Retry", Triage: 4}
	var first, again shared.Appointment
	post("/api/queue/checkin", "desk-1", walkIn).Want(t, 201).Decode(t, &first)
	r := post("/api/queue/checkin", "desk-1", walkIn).Want(t, 201)
	r.Decode(t, &again)
	if again.ID != first.ID || again.Ticket == nil || again.Ticket.Number != first.Ticket.Number ||
		r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry gave %+v (replayed %q), want the first ticket %d replayed", again.Ticket, r.Header.Get("Idempotent-Replayed"), first.Ticket.Number)
	}
	other := walkIn
	other.Name = "Somebody Else"
	post("/api/queue/checkin", "desk-1", other).Want(t, 409)

	urgent := shared.EmergencyRequest{Department: "general", Triage: 1, Complaint: "collapsed"}
	var adm, admAgain shared.Appointment
	post("/api/queue/emergency", "desk-2", urgent).Want(t, 201).Decode(t, &adm)
	post("/api/queue/emergency", "desk-2", urgent).Want(t, 201).Decode(t, &admAgain)
	if admAgain.ID != adm.ID || admAgain.PatientID != adm.PatientID {
		t.Fatalf("admission retry made %s (patient %s), want %s (patient %s)", admAgain.ID, admAgain.PatientID, adm.ID, adm.PatientID)
	}

	var q shared.QueueSnapshot
	env.Get("/api/queues/general", h.Staff.Token).Want(t, 200).Decode(t, &q)
	if len(q.Waiting) != 2 {
		t.Fatalf("queue has %d waiting, want 2 (one walk-in, one emergency)", len(q.Waiting))
	}
	var alerts shared.AlertList
	env.Get("/api/alerts", h.Staff.Token).Want(t, 200).Decode(t, &alerts)
	if len(alerts.Items) != 1 {
		t.Fatalf("got %d alerts, want 1 for one admission", len(alerts.Items))
	}
}

// TestEventsCarryNoPatientName: events are stored in clear for replay and cross Redis, so after a
// booking, a check-in, a walk-in, an emergency admission, calls, a triage, a move to another doctor and
// a cancellation, no stored event on any channel (patient:, queue:dept:, queue:doctor:, display:) holds
// a patient's name, in any case; the REST replies still name the patient (docs/security.md row 41).
func TestEventsCarryNoPatientName(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	var booked shared.Patient
	env.Post("/api/patients", h.Staff.Token, shared.RegisterPatientRequest{Name: "Zelda Quornwright"}).
		Want(t, http.StatusCreated).Decode(t, &booked)
	names := []string{"Zelda Quornwright", "Walter Quibbleton", "Erin Quasarby"}

	a := env.Book(h.Staff.Token, h.Doctor.ID(), booked.ID, apptest.At(9, 0))
	if in := env.CheckIn(h.Staff.Token, a.ID); in.PatientName != names[0] {
		t.Errorf("check-in reply: got patient name %q, want %q", in.PatientName, names[0])
	}
	walkIn := env.WalkIn(h.Staff.Token, h.Dept, names[1], 4)
	env.Post("/api/queue/emergency", h.Staff.Token, shared.EmergencyRequest{Department: h.Dept, Triage: 3, Name: names[2],
		Complaint: "fell down the stairs"}).Want(t, http.StatusCreated)
	env.Post("/api/queue/tickets/"+walkIn.ID+"/triage", h.Staff.Token, shared.TriageRequest{Level: 2}).Want(t, http.StatusOK)
	env.Post("/api/queue/tickets/"+a.ID+"/call", h.Doctor.Token, nil).Want(t, http.StatusOK)
	env.Post("/api/queues/"+h.Dept+"/next", h.Doctor2.Token, nil).Want(t, http.StatusOK)
	b := env.Book(h.Staff.Token, h.Doctor.ID(), booked.ID, apptest.At(14, 0))
	env.Patch("/api/appointments/"+b.ID, h.Staff.Token, shared.RescheduleRequest{Start: apptest.At(15, 0), DoctorID: h.Doctor2.ID()}).
		Want(t, http.StatusOK)
	env.Post("/api/appointments/"+b.ID+"/cancel", h.Staff.Token, shared.ReasonRequest{Reason: "clash"}).Want(t, http.StatusOK)

	channels := map[string]int{}
	for _, doc := range env.RawDocs(t, "events", bson.D{}) {
		ch, _ := doc["channel"].(string)
		kind := ch
		if i := strings.LastIndex(ch, ":"); i > 0 {
			kind = ch[:i]
		}
		channels[kind]++
		raw := strings.ToLower(fmt.Sprint(doc))
		for _, n := range names {
			for _, part := range append(strings.Fields(n), n) {
				if strings.Contains(raw, strings.ToLower(part)) {
					t.Errorf("event on %s holds %q: %v", ch, part, doc)
				}
			}
		}
	}
	for _, kind := range []string{shared.ChannelPatient, shared.ChannelDeptQueue, shared.ChannelDocQueue, shared.ChannelDisplay} {
		if channels[kind] == 0 {
			t.Errorf("no stored event on a %s channel (got %v): the test checked nothing there", kind, channels)
		}
	}
}
