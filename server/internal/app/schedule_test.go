package app_test

import (
	"net/http"
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
