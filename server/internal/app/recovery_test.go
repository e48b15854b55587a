package app_test

import (
	"testing"
	"time"

	"hms/server/internal/appointment"
	"hms/server/internal/apptest"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/shared"
)

// TestInterruptedChangeIsRepaired: a writer stored step 2 of an appointment and stopped before
// updating the record. The next change finds the step taken, repairs the record from it and answers
// 409; the record then shows the stored change.
func TestInterruptedChangeIsRepaired(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	a := env.Book(pat.Token, h.Doctor.ID(), "", apptest.At(9, 0))

	store := mongostore.NewAppointments(env.App.DB, env.App.Keys)
	r, err := store.Appointment(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	cancelled := r
	cancelled.Status, cancelled.Step, cancelled.SlotKey = shared.StatusCancelled, 2, ""
	if err := store.InsertStep(t.Context(), appointment.Step{AppointmentID: a.ID, Step: 2, Action: "cancelled",
		Status: shared.StatusCancelled, At: apptest.At(7, 31), By: pat.ID(), Role: shared.RolePatient, Reason: "crash test",
		State: cancelled}); err != nil {
		t.Fatal(err)
	}
	env.Post("/api/queue/checkin", h.Staff.Token, shared.CheckInRequest{AppointmentID: a.ID}).Want(t, 409)
	var got shared.Appointment
	env.Get("/api/appointments/"+a.ID, pat.Token).Want(t, 200).Decode(t, &got)
	if got.Status != shared.StatusCancelled || len(got.History) != 2 || got.History[1].Reason != "crash test" {
		t.Fatalf("got %s with %d steps, want the stored cancellation", got.Status, len(got.History))
	}
	env.Post("/api/queue/checkin", h.Staff.Token, shared.CheckInRequest{AppointmentID: a.ID}).Want(t, 409)
}

// TestAbandonedSlotClaimIsCleared: a claim whose appointment was never stored (the booking process died
// between the two inserts) blocks the slot for a minute at most.
func TestAbandonedSlotClaimIsCleared(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	store := mongostore.NewAppointments(env.App.DB, env.App.Keys)
	key := h.Doctor.ID() + "@" + apptest.At(9, 0).Format(time.RFC3339)
	if err := store.ClaimSlot(t.Context(), appointment.Claim{Key: key, AppointmentID: ident.New(), DoctorID: h.Doctor.ID(),
		Start: apptest.At(9, 0), End: apptest.At(9, 15), At: h.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	book := shared.BookRequest{DoctorID: h.Doctor.ID(), Start: apptest.At(9, 0)}
	env.Post("/api/appointments", pat.Token, book).Want(t, 409) // may still be in progress
	h.Clock.Advance(2 * time.Minute)
	env.Post("/api/appointments", pat.Token, book).Want(t, 201)
}

// TestPruneKeepsWhatMatters: pruning drops yesterday's queue and past slot claims, not appointments,
// today's queue, or future claims.
func TestPruneKeepsWhatMatters(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	past := env.Book(pat.Token, h.Doctor.ID(), "", apptest.At(8, 0))
	env.WalkIn(h.Staff.Token, h.Dept, "Monday walk-in", 4)
	h.Clock.Advance(48 * time.Hour) // Wednesday 07:30
	future := env.Book(pat.Token, h.Doctor.ID(), "", apptest.At(9, 0).AddDate(0, 0, 2))
	tuesday := env.WalkIn(h.Staff.Token, h.Dept, "Wednesday walk-in", 4)
	if err := env.App.Appointments.Prune(t.Context()); err != nil {
		t.Fatal(err)
	}
	store := mongostore.NewAppointments(env.App.DB, env.App.Keys)
	if monday, err := store.Day(t.Context(), h.Dept, "2030-01-07"); err != nil || len(monday) != 0 {
		t.Fatalf("got %d tickets of Monday's queue after pruning (err %v), want 0", len(monday), err)
	}
	var snap shared.QueueSnapshot
	env.Get("/api/queues/general", h.Staff.Token).Want(t, 200).Decode(t, &snap)
	if len(snap.Waiting) != 1 || snap.Waiting[0].ID != tuesday.ID {
		t.Fatalf("got %d waiting, want today's walk-in only", len(snap.Waiting))
	}
	env.Get("/api/appointments/"+past.ID, pat.Token).Want(t, 200)
	// The future booking still holds its slot.
	var slots shared.SlotList
	env.Get("/api/doctors/"+h.Doctor.ID()+"/slots?date=2030-01-09", pat.Token).Want(t, 200).Decode(t, &slots)
	for _, s := range slots.Slots {
		if s.Start.Equal(future.Start) {
			t.Fatalf("the booked 09:00 slot is listed free after pruning")
		}
	}
	if len(slots.Slots) != 35 {
		t.Fatalf("got %d free slots, want 35", len(slots.Slots))
	}
}
