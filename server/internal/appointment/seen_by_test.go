package appointment_test

import (
	"net/http"
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// TestDepartmentTicketKeepsItsDoctor: a walk-in for the department, called and seen by a doctor, is
// that doctor's appointment from the start of the consultation (the patient's past visits and reception
// name them); one called, missed and put back is again for the next free doctor.
func TestDepartmentTicketKeepsItsDoctor(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	w := env.WalkIn(h.Staff.Token, h.Dept, "Wendy Walk-in", 4)
	path := "/api/queue/tickets/" + w.ID + "/"
	var a shared.Appointment
	env.Post(path+"call", h.Doctor.Token, nil).Want(t, http.StatusOK).Decode(t, &a)
	if a.DoctorID != "" {
		t.Fatalf("called: doctor %q, want none yet (a missed call puts it back for anyone)", a.DoctorID)
	}
	env.Post(path+"start", h.Doctor.Token, nil).Want(t, http.StatusOK).Decode(t, &a)
	if a.DoctorID != h.Doctor.ID() || a.DoctorName == "" {
		t.Fatalf("started: doctor %q %q, want the doctor who sees them", a.DoctorID, a.DoctorName)
	}
	env.Post(path+"finish", h.Doctor.Token, nil).Want(t, http.StatusOK).Decode(t, &a)
	if a.DoctorID != h.Doctor.ID() {
		t.Fatalf("finished: doctor %q, want %q", a.DoctorID, h.Doctor.ID())
	}
	env.Get("/api/appointments/"+w.ID, h.Staff.Token).Want(t, http.StatusOK).Decode(t, &a)
	if a.DoctorID != h.Doctor.ID() || a.DoctorName != h.Doctor.User.Name {
		t.Errorf("read back: doctor %q %q, want %q %q", a.DoctorID, a.DoctorName, h.Doctor.ID(), h.Doctor.User.Name)
	}
}
