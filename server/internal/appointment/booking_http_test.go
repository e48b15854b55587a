package appointment_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/shared"
)

func TestBookCheckInCallFinish(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)

	var slots shared.SlotList
	env.Get("/api/doctors/"+h.Doctor.ID()+"/slots?date=2030-01-07", pat.Token).Want(t, 200).Decode(t, &slots)
	if len(slots.Slots) != 36 || !slots.Slots[0].Start.Equal(apptest.At(8, 0)) {
		t.Fatalf("got %d slots starting %v, want 36 from 08:00", len(slots.Slots), slots.Slots)
	}
	var a shared.Appointment
	env.Post("/api/appointments", pat.Token, shared.BookRequest{DoctorID: h.Doctor.ID(), Start: apptest.At(9, 0), Reason: "cough"}).
		Want(t, 201).Decode(t, &a)
	if a.Status != shared.StatusScheduled || a.PatientID != pat.User.PatientID || !a.End.Equal(apptest.At(9, 15)) {
		t.Fatalf("got %+v", a)
	}
	env.Get("/api/doctors/"+h.Doctor.ID()+"/slots?date=2030-01-07", pat.Token).Want(t, 200).Decode(t, &slots)
	if len(slots.Slots) != 35 {
		t.Fatalf("got %d free slots after booking, want 35", len(slots.Slots))
	}
	env.Post("/api/queue/checkin", h.Staff.Token, shared.CheckInRequest{AppointmentID: a.ID}).Want(t, 201).Decode(t, &a)
	if a.Ticket == nil || a.Ticket.Number != 1 || a.Status != shared.StatusCheckedIn {
		t.Fatalf("got %+v, want ticket 1 checked in", a)
	}
	h.Clock.Advance(10 * time.Minute)
	env.Post("/api/queues/general/next", h.Doctor.Token, nil).Want(t, 200).Decode(t, &a)
	if a.Status != shared.StatusCalled || a.Ticket.WaitMinutes == nil || *a.Ticket.WaitMinutes != 10 {
		t.Fatalf("got %+v, want called after 10 min", a)
	}
	env.Post("/api/queue/tickets/"+a.ID+"/start", h.Doctor.Token, nil).Want(t, 200)
	h.Clock.Advance(12 * time.Minute)
	env.Post("/api/queue/tickets/"+a.ID+"/finish", h.Doctor.Token, nil).Want(t, 200).Decode(t, &a)
	if a.Status != shared.StatusCompleted {
		t.Fatalf("got %s", a.Status)
	}
	var snap shared.QueueSnapshot
	env.Get("/api/queues/general", h.Staff.Token).Want(t, 200).Decode(t, &snap)
	if snap.Stats.Seen != 1 || snap.Stats.AverageConsultationMinutes != 12 || snap.Stats.AverageWaitMinutes != 10 {
		t.Fatalf("got stats %+v", snap.Stats)
	}
	env.Post("/api/queues/general/next", h.Doctor.Token, nil).Want(t, http.StatusNotFound)
	var full shared.Appointment
	env.Get("/api/appointments/"+a.ID, pat.Token).Want(t, 200).Decode(t, &full)
	if len(full.History) != 5 {
		t.Fatalf("got history %+v, want 5 steps", full.History)
	}
}

// TestConcurrentBookingOfOneSlot is docs/security.md row 19: hundreds of requests for one slot at once,
// exactly one 201, the rest 409; cancelling frees the slot.
func TestConcurrentBookingOfOneSlot(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	const requests = 300
	patients := make([]apptest.User, 10)
	for i := range patients {
		patients[i] = env.NewUser(shared.RolePatient)
	}
	start := make(chan struct{})
	type result struct {
		status int
		body   string
	}
	codes := make(chan result, requests)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := env.Post("/api/appointments", patients[i%len(patients)].Token,
				shared.BookRequest{DoctorID: h.Doctor.ID(), Start: apptest.At(10, 0), Reason: "race"})
			codes <- result{r.Status, string(r.Body)}
		}()
	}
	close(start)
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c.status]++
		if c.status != 201 && c.status != 409 {
			var e shared.Error
			_ = json.Unmarshal([]byte(c.body), &e)
			t.Errorf("got %d %s; server log: %s", c.status, c.body, env.LogsOf(e.RequestID))
		}
	}
	t.Logf("double-booking check: %d concurrent requests for one slot: %d × 201, %d × 409, other %v",
		requests, count[201], count[409], count)
	if count[201] != 1 || count[409] != requests-1 {
		t.Fatalf("got %v, want exactly one 201 and %d × 409", count, requests-1)
	}
	var list shared.AppointmentList
	env.Get("/api/appointments?doctor_id="+h.Doctor.ID(), h.Staff.Token).Want(t, 200).Decode(t, &list)
	if list.Total != 1 {
		t.Fatalf("got %d appointments stored, want 1", list.Total)
	}
	env.Post("/api/appointments/"+list.Items[0].ID+"/cancel", h.Staff.Token, shared.ReasonRequest{Reason: "patient called"}).Want(t, 200)
	env.Book(h.Staff.Token, h.Doctor.ID(), patients[0].User.PatientID, apptest.At(10, 0))
}

// TestIdempotencyKey is docs/security.md row 20: the same booking repeated with one key is done once.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	body := shared.BookRequest{DoctorID: h.Doctor.ID(), Start: apptest.At(11, 0), Reason: "follow-up"}
	post := func(key string, b shared.BookRequest) *apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: "/api/appointments", Token: pat.Token, Body: b,
			Header: map[string]string{"Idempotency-Key": key}})
	}
	// Twenty retries of one request at the same moment: one booking.
	var wg sync.WaitGroup
	resps := make([]*apptest.Response, 20)
	for i := range resps {
		wg.Add(1)
		go func() { defer wg.Done(); resps[i] = post("key-1", body) }()
	}
	wg.Wait()
	ids := map[string]bool{}
	for _, r := range resps {
		switch r.Status {
		case 201:
			var a shared.Appointment
			r.Decode(t, &a)
			ids[a.ID] = true
		case 409: // still in progress, or the slot was taken by the first: the client retries
		default:
			t.Fatalf("got %d %s", r.Status, r.Body)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("got %d distinct appointments from one key, want 1", len(ids))
	}
	r := post("key-1", body).Want(t, 201)
	var a shared.Appointment
	r.Decode(t, &a)
	if !ids[a.ID] || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("got %s replayed=%q, want the first booking replayed", a.ID, r.Header.Get("Idempotent-Replayed"))
	}
	other := body
	other.Start = apptest.At(11, 15)
	if e := post("key-1", other).Want(t, 409).Error(); !strings.Contains(e.Error.Message, "different request") {
		t.Errorf("got %q", e.Error.Message)
	}
	post("key-2", other).Want(t, 201)
	post(strings.Repeat("k", 101), other).Want(t, 400)
	var list shared.AppointmentList
	env.Get("/api/appointments", pat.Token).Want(t, 200).Decode(t, &list)
	if list.Total != 2 {
		t.Fatalf("got %d appointments, want 2", list.Total)
	}
}

func TestRescheduleAndCancelFreeSlots(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	a := env.Book(pat.Token, h.Doctor.ID(), "", apptest.At(9, 0))
	other := env.Book(h.Staff.Token, h.Doctor.ID(), env.NewUser(shared.RolePatient).User.PatientID, apptest.At(9, 30))

	// Onto a taken slot: 409, nothing changes.
	env.Patch("/api/appointments/"+a.ID, pat.Token, shared.RescheduleRequest{Start: apptest.At(9, 30)}).Want(t, 409)
	// To 10:00 with the other doctor: the 09:00 slot is free again.
	env.Patch("/api/appointments/"+a.ID, pat.Token, shared.RescheduleRequest{Start: apptest.At(10, 0), DoctorID: h.Doctor2.ID()}).
		Want(t, 200).Decode(t, &a)
	if a.DoctorID != h.Doctor2.ID() || !a.Start.Equal(apptest.At(10, 0)) || a.Status != shared.StatusScheduled {
		t.Fatalf("got %+v", a)
	}
	env.Book(h.Staff.Token, h.Doctor.ID(), other.PatientID, apptest.At(9, 0))
	taken := shared.BookRequest{DoctorID: h.Doctor2.ID(), PatientID: other.PatientID, Start: apptest.At(10, 0)}
	env.Post("/api/appointments", h.Staff.Token, taken).Want(t, 409)

	env.Post("/api/appointments/"+a.ID+"/cancel", pat.Token, shared.ReasonRequest{}).Want(t, 400)
	env.Post("/api/appointments/"+a.ID+"/cancel", pat.Token, shared.ReasonRequest{Reason: "feeling better"}).Want(t, 200).Decode(t, &a)
	if a.Status != shared.StatusCancelled {
		t.Fatalf("got %s, want cancelled", a.Status)
	}
	env.Post("/api/appointments", h.Staff.Token, taken).Want(t, 201)
	env.Post("/api/appointments/"+a.ID+"/cancel", pat.Token, shared.ReasonRequest{Reason: "again"}).Want(t, 409)
	env.Patch("/api/appointments/"+a.ID, pat.Token, shared.RescheduleRequest{Start: apptest.At(14, 0)}).Want(t, 409)

	var full shared.Appointment
	env.Get("/api/appointments/"+a.ID, pat.Token).Want(t, 200).Decode(t, &full)
	var actions []string
	for _, h := range full.History {
		actions = append(actions, h.Action)
	}
	if want := []string{"booked", "rescheduled", "cancelled"}; !slices.Equal(actions, want) {
		t.Fatalf("got history %v, want %v", actions, want)
	}
}

func TestPatientsCannotSeeOrChangeOthersAppointments(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	ann, bob := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	a := env.Book(ann.Token, h.Doctor.ID(), "", apptest.At(9, 0))
	env.Book(bob.Token, h.Doctor.ID(), "", apptest.At(9, 15))

	env.Get("/api/appointments/"+a.ID, bob.Token).Want(t, http.StatusNotFound)
	env.Patch("/api/appointments/"+a.ID, bob.Token, shared.RescheduleRequest{Start: apptest.At(15, 0)}).Want(t, http.StatusNotFound)
	env.Post("/api/appointments/"+a.ID+"/cancel", bob.Token, shared.ReasonRequest{Reason: "mischief"}).Want(t, http.StatusNotFound)
	env.Get("/api/appointments?patient_id="+ann.User.PatientID, bob.Token).Want(t, http.StatusForbidden)
	env.Post("/api/appointments", bob.Token, shared.BookRequest{DoctorID: h.Doctor.ID(), Start: apptest.At(9, 30),
		PatientID: ann.User.PatientID}).Want(t, http.StatusForbidden)
	// Patients cannot run the queue.
	env.Post("/api/queue/checkin", bob.Token, shared.CheckInRequest{AppointmentID: a.ID}).Want(t, http.StatusForbidden)
	env.Get("/api/queues/general", bob.Token).Want(t, http.StatusForbidden)

	var list shared.AppointmentList
	env.Get("/api/appointments", bob.Token).Want(t, 200).Decode(t, &list)
	if list.Total != 1 || list.Items[0].PatientID != bob.User.PatientID {
		t.Fatalf("got %+v, want only Bob's appointment", list.Items)
	}
	var got shared.Appointment
	env.Get("/api/appointments/"+a.ID, ann.Token).Want(t, 200).Decode(t, &got)
	if got.Start != a.Start || got.Status != shared.StatusScheduled {
		t.Fatalf("got %+v, want Ann's appointment unchanged", got)
	}
	// The refused attempts are in the audit trail (docs/security.md rows 12 and 28).
	var audit struct {
		Items []struct {
			ActorID string `json:"actor_id"`
			Outcome string `json:"outcome"`
		} `json:"items"`
	}
	env.Get("/api/audit?patient_id="+ann.User.PatientID, h.Admin.Token).Want(t, 200).Decode(t, &audit)
	denied := 0
	for _, e := range audit.Items {
		if e.ActorID == bob.ID() && e.Outcome != "ok" {
			denied++
		}
	}
	if denied < 2 {
		t.Fatalf("got %d refused entries by Bob on Ann's record, want at least 2: %+v", denied, audit.Items)
	}
}
