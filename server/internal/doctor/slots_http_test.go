package doctor_test

import (
	"net/http"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/shared"
)

func TestSlotSearchAcrossSchedulesLeaveAndBookings(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	env.Post("/api/departments", h.Admin.Token, shared.Department{ID: "cardiology", Name: "Cardiology"}).Want(t, 201)
	cardio := env.NewUser(shared.RoleDoctor)
	env.Put("/api/doctors/"+cardio.ID(), h.Admin.Token, shared.UpdateDoctorRequest{Specialty: "Cardiology", Department: "cardiology"}).Want(t, 200)
	tuesday := 2
	// The cardiologist sets their own schedule: Tuesdays only.
	env.Put("/api/doctors/"+cardio.ID()+"/schedule", cardio.Token, shared.ScheduleRequest{SlotMinutes: 30,
		Weekly: []shared.Hours{{Weekday: &tuesday, Start: "09:00", End: "12:00"}}}).Want(t, 200)
	// …but not someone else's.
	env.Put("/api/doctors/"+h.Doctor.ID()+"/schedule", cardio.Token, apptest.Schedule()).Want(t, http.StatusForbidden)

	pat := env.NewUser(shared.RolePatient)
	free := func(doctorID, date string) []shared.Slot {
		t.Helper()
		var l shared.SlotList
		env.Get("/api/doctors/"+doctorID+"/slots?date="+date, pat.Token).Want(t, 200).Decode(t, &l)
		return l.Slots
	}
	if n := len(free(cardio.ID(), "2030-01-07")); n != 0 {
		t.Errorf("got %d cardiology slots on Monday, want 0", n)
	}
	if s := free(cardio.ID(), "2030-01-08"); len(s) != 6 || !s[5].End.Equal(apptest.At(12, 0).AddDate(0, 0, 1)) {
		t.Errorf("got %v on Tuesday, want six 30-minute slots 09:00–12:00", s)
	}

	// Doctor 2 is on leave Monday until 12:00; one of doctor 1's slots is booked.
	var lr shared.LeaveResponse
	env.Post("/api/doctors/"+h.Doctor2.ID()+"/leave", h.Admin.Token, shared.LeaveRequest{From: apptest.At(0, 0), To: apptest.At(12, 0), Reason: "course"}).
		Want(t, 201).Decode(t, &lr)
	env.Book(h.Staff.Token, h.Doctor.ID(), pat.User.PatientID, apptest.At(8, 0))
	if s := free(h.Doctor2.ID(), "2030-01-07"); len(s) != 20 || !s[0].Start.Equal(apptest.At(13, 0)) {
		t.Errorf("got %d slots from %v for the doctor on leave, want 20 from 13:00", len(s), s)
	}
	if s := free(h.Doctor.ID(), "2030-01-07"); len(s) != 35 || !s[0].Start.Equal(apptest.At(8, 15)) {
		t.Errorf("got %d slots from %v, want 35 from 08:15 (08:00 booked)", len(s), s)
	}
	// Booking inside leave is refused; after the leave is removed it works.
	env.Post("/api/appointments", pat.Token, shared.BookRequest{DoctorID: h.Doctor2.ID(), Start: apptest.At(9, 0)}).Want(t, http.StatusConflict)
	env.Do(apptest.Request{Method: "DELETE", Path: "/api/doctors/" + h.Doctor2.ID() + "/leave/" + lr.Leave.ID, Token: h.Admin.Token}).Want(t, http.StatusNoContent)
	if n := len(free(h.Doctor2.ID(), "2030-01-07")); n != 36 {
		t.Errorf("got %d slots after the leave was removed, want 36", n)
	}
	// The clock moves on: past slots are no longer offered.
	h.Clock.Advance(2 * time.Hour) // 09:30
	if s := free(h.Doctor2.ID(), "2030-01-07"); !s[0].Start.Equal(apptest.At(9, 45)) {
		t.Errorf("got first slot %v at 09:30, want 09:45", s[0].Start)
	}

	// Find doctors by specialty and date.
	var list shared.DoctorList
	env.Get("/api/doctors?specialty=cardiology&date=2030-01-08", pat.Token).Want(t, 200).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != cardio.ID() || *list.Items[0].FreeSlots != 6 {
		t.Errorf("got %+v, want the cardiologist with 6 free slots on Tuesday", list.Items)
	}
	env.Get("/api/doctors?specialty=cardiology&date=2030-01-07", pat.Token).Want(t, 200).Decode(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("got %d cardiologists free on Monday, want 0", len(list.Items))
	}
	env.Post("/api/doctors/"+h.Doctor.ID()+"/leave", h.Doctor.Token, shared.LeaveRequest{From: apptest.At(0, 0), To: apptest.At(24, 0)}).
		Want(t, 201).Decode(t, &lr)
	if len(lr.Conflicts) != 1 || !lr.Conflicts[0].Start.Equal(apptest.At(8, 0)) {
		t.Errorf("got conflicts %+v, want the 08:00 booking", lr.Conflicts)
	}
	env.Get("/api/doctors?department=general&date=2030-01-07", pat.Token).Want(t, 200).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != h.Doctor2.ID() {
		t.Errorf("got %+v, want only doctor 2 (doctor 1 is on leave all day)", list.Items)
	}
	env.Get("/api/doctors?date=7-1-2030", pat.Token).Want(t, http.StatusBadRequest)
	env.Get("/api/doctors/"+h.Doctor.ID()+"/slots", pat.Token).Want(t, http.StatusBadRequest)
}
