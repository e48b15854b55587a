package app_test

import (
	"net/http"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/shared"
)

// exerciseScheduling is the appointments-and-queues part of TestResponsesMatchDocument: departments,
// doctors, schedules, leave and slots; bookings with an Idempotency-Key; check-in, emergency, triage
// and a consultation from call to finish; each through the contract helper, errors included.
func exerciseScheduling(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	h := env.Hospital() // department "general", two doctors, a receptionist; Monday 2030-01-07 07:30
	admin, staff, doc := h.Admin, h.Staff, h.Doctor
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	const unknown = "0123456789abcdef01234567"
	const monday = "2030-01-07"

	// Departments and doctors.
	c.call(t, "anyone lists departments", get("/api/departments", pat.Token), http.StatusOK)
	c.call(t, "the admin creates a department", send("POST", "/api/departments", admin.Token,
		shared.Department{ID: "cardiology", Name: "Cardiology"}), http.StatusCreated)
	cardio := env.NewUser(shared.RoleDoctor)
	c.call(t, "the admin places the cardiologist", send("PUT", "/api/doctors/"+cardio.ID(), admin.Token,
		shared.UpdateDoctorRequest{Specialty: "Cardiology", Department: "cardiology"}), http.StatusOK)
	mondayWD := int(time.Monday)
	c.call(t, "the cardiologist sets their schedule", send("PUT", "/api/doctors/"+cardio.ID()+"/schedule", cardio.Token,
		shared.ScheduleRequest{SlotMinutes: 30, Weekly: []shared.Hours{{Weekday: &mondayWD, Start: "09:00", End: "12:00"}},
			Breaks: []shared.Hours{{Start: "10:00", End: "10:30"}}}), http.StatusOK)
	var d shared.Doctor
	c.call(t, "a patient reads a doctor", get("/api/doctors/"+cardio.ID(), pat.Token), http.StatusOK).Decode(t, &d)
	if d.Department != "cardiology" || d.SlotMinutes != 30 || len(d.Weekly) != 1 || len(d.Breaks) != 1 {
		t.Errorf("got %+v, want the cardiologist with their schedule", d)
	}
	var found shared.DoctorList
	c.call(t, "find doctors free on a date", get("/api/doctors?specialty=cardiology&department=cardiology&date="+monday, pat.Token),
		http.StatusOK).Decode(t, &found)
	if len(found.Items) != 1 || found.Items[0].FreeSlots == nil || *found.Items[0].FreeSlots != 5 {
		t.Errorf("got %+v, want the cardiologist with 5 free slots", found.Items)
	}
	c.call(t, "list every doctor", get("/api/doctors", staff.Token), http.StatusOK)
	var slots shared.SlotList
	c.call(t, "a doctor's free slots", get("/api/doctors/"+cardio.ID()+"/slots?date="+monday, pat.Token),
		http.StatusOK).Decode(t, &slots)
	if len(slots.Slots) != 5 || !slots.Slots[0].Start.Equal(apptest.At(9, 0)) {
		t.Errorf("got %+v, want five slots from 09:00", slots.Slots)
	}

	// Leave over a booked slot answers with the booking to move.
	var booked shared.Appointment
	c.call(t, "staff book for a patient", send("POST", "/api/appointments", staff.Token,
		shared.BookRequest{DoctorID: cardio.ID(), PatientID: other.User.PatientID, Start: apptest.At(9, 0), Reason: "palpitations"}),
		http.StatusCreated).Decode(t, &booked)
	var leave shared.LeaveResponse
	c.call(t, "the cardiologist takes leave", send("POST", "/api/doctors/"+cardio.ID()+"/leave", cardio.Token,
		shared.LeaveRequest{From: apptest.At(9, 0), To: apptest.At(10, 0), Reason: "conference"}), http.StatusCreated).Decode(t, &leave)
	if len(leave.Conflicts) != 1 || leave.Conflicts[0].ID != booked.ID {
		t.Errorf("got conflicts %+v, want the 09:00 booking", leave.Conflicts)
	}
	c.call(t, "the admin cancels the leave", send("DELETE", "/api/doctors/"+cardio.ID()+"/leave/"+leave.Leave.ID, admin.Token, nil),
		http.StatusNoContent)

	// Booking, with an Idempotency-Key: a retry replays the first answer.
	book := func(key string, body any) apptest.Request {
		r := send("POST", "/api/appointments", pat.Token, body)
		r.Header = map[string]string{"Idempotency-Key": key}
		return r
	}
	cough := shared.BookRequest{DoctorID: doc.ID(), Start: apptest.At(9, 0), Reason: "cough"}
	var a, again shared.Appointment
	c.call(t, "a patient books with an Idempotency-Key", book("matrix-key-1", cough), http.StatusCreated).Decode(t, &a)
	replay := c.call(t, "the patient retries", book("matrix-key-1", cough), http.StatusCreated)
	replay.Decode(t, &again)
	if again.ID != a.ID || replay.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("got %s with Idempotent-Replayed %q, want %s replayed", again.ID, replay.Header.Get("Idempotent-Replayed"), a.ID)
	}
	var second shared.Appointment
	c.call(t, "the patient books a second slot", send("POST", "/api/appointments", pat.Token,
		shared.BookRequest{DoctorID: doc.ID(), Start: apptest.At(10, 0)}), http.StatusCreated).Decode(t, &second)

	// Reading and listing.
	c.call(t, "staff list a doctor's day", get("/api/appointments?doctor_id="+doc.ID()+"&date="+monday+"&status=scheduled&page=1&limit=10",
		staff.Token), http.StatusOK)
	var mine shared.AppointmentList
	c.call(t, "a patient lists their appointments", get("/api/appointments", pat.Token), http.StatusOK).Decode(t, &mine)
	if mine.Total != 2 {
		t.Errorf("got %d appointments, want the patient's 2", mine.Total)
	}
	c.call(t, "the patient reads one", get("/api/appointments/"+a.ID, pat.Token), http.StatusOK)

	// Rescheduling and cancelling.
	c.call(t, "the patient reschedules", send("PATCH", "/api/appointments/"+a.ID, pat.Token,
		shared.RescheduleRequest{Start: apptest.At(9, 30), Reason: "later bus"}), http.StatusOK).Decode(t, &a)
	c.call(t, "the patient cancels the second", send("POST", "/api/appointments/"+second.ID+"/cancel", pat.Token,
		shared.ReasonRequest{Reason: "feeling better"}), http.StatusOK)

	// The queue: the booked patient checks in, a walk-in and an emergency arrive.
	c.call(t, "reception checks the booked patient in", send("POST", "/api/queue/checkin", staff.Token,
		shared.CheckInRequest{AppointmentID: a.ID}), http.StatusCreated).Decode(t, &a)
	var walkIn, emergency shared.Appointment
	c.call(t, "reception checks a walk-in in", send("POST", "/api/queue/checkin", staff.Token,
		shared.CheckInRequest{Department: h.Dept, Name: "Walk-in Wendy", Reason: "sprained ankle"}), http.StatusCreated).Decode(t, &walkIn)
	c.call(t, "a doctor admits an emergency", send("POST", "/api/queue/emergency", doc.Token,
		shared.EmergencyRequest{Department: h.Dept, Triage: 2, Complaint: "chest pain"}), http.StatusCreated).Decode(t, &emergency)
	c.call(t, "staff raise the walk-in's triage", send("POST", "/api/queue/tickets/"+walkIn.ID+"/triage", staff.Token,
		shared.TriageRequest{Level: 3, Reason: "worse"}), http.StatusOK)
	var snap shared.QueueSnapshot
	c.call(t, "staff read the queue", get("/api/queues/"+h.Dept, staff.Token), http.StatusOK).Decode(t, &snap)
	if len(snap.Waiting) != 3 || snap.Waiting[0].ID != emergency.ID || snap.Waiting[1].ID != walkIn.ID {
		t.Errorf("got waiting %+v, want the emergency, then the walk-in (triage 3), then the booking", snap.Waiting)
	}
	c.call(t, "a patient reads the display board", get("/api/queues/"+h.Dept+"/display", pat.Token), http.StatusOK)

	// A consultation: next, start, finish; then a specific ticket is called, missed and requeued.
	var called shared.Appointment
	c.call(t, "the doctor calls the next patient", send("POST", "/api/queues/"+h.Dept+"/next", doc.Token, nil),
		http.StatusOK).Decode(t, &called)
	if called.ID != emergency.ID || called.Status != shared.StatusCalled {
		t.Errorf("got %s %s, want the emergency called", called.ID, called.Status)
	}
	c.call(t, "the doctor starts", send("POST", "/api/queue/tickets/"+called.ID+"/start", doc.Token, nil), http.StatusOK)
	c.call(t, "the doctor finishes", send("POST", "/api/queue/tickets/"+called.ID+"/finish", doc.Token,
		shared.ReasonRequest{Reason: "admitted to the ward"}), http.StatusOK)
	c.call(t, "the doctor calls the booked patient", send("POST", "/api/queue/tickets/"+a.ID+"/call", doc.Token, nil), http.StatusOK)
	c.call(t, "staff mark them missing", send("POST", "/api/queue/tickets/"+a.ID+"/no-show", staff.Token,
		shared.ReasonRequest{Reason: "not in the waiting room"}), http.StatusOK)
	c.call(t, "staff put them back in the queue", send("POST", "/api/queue/tickets/"+a.ID+"/requeue", staff.Token, nil), http.StatusOK)
	var dash shared.Dashboard
	c.call(t, "the doctor reads their day", get("/api/doctors/"+doc.ID()+"/dashboard", doc.Token), http.StatusOK).Decode(t, &dash)
	if dash.Seen != 1 || len(dash.Queue) != 2 {
		t.Errorf("got seen %d and %d waiting, want 1 seen and 2 waiting", dash.Seen, len(dash.Queue))
	}

	for _, tc := range []struct {
		name       string
		req        apptest.Request
		status     int
		docRejects bool
	}{
		{"a department id taken", send("POST", "/api/departments", admin.Token, shared.Department{ID: "cardiology", Name: "Again"}), 409, false},
		{"a department id that is not a slug", send("POST", "/api/departments", admin.Token, shared.Department{ID: "Cardiology!", Name: "X"}), 400, true},
		{"a patient creates a department", send("POST", "/api/departments", pat.Token, shared.Department{ID: "x", Name: "X"}), 403, false},
		{"an unknown doctor", get("/api/doctors/"+unknown, pat.Token), 404, false},
		{"a malformed doctor id", get("/api/doctors/nope", pat.Token), 400, true},
		{"doctors on a malformed date", get("/api/doctors?date=7-1-2030", pat.Token), 400, true},
		{"a patient's account as a doctor", send("PUT", "/api/doctors/"+pat.ID(), admin.Token,
			shared.UpdateDoctorRequest{Specialty: "x", Department: h.Dept}), 404, false},
		{"a doctor in an unknown department", send("PUT", "/api/doctors/"+doc.ID(), admin.Token,
			shared.UpdateDoctorRequest{Specialty: "x", Department: "nowhere"}), 400, false},
		{"a doctor sets another's schedule", send("PUT", "/api/doctors/"+doc.ID()+"/schedule", cardio.Token, apptest.Schedule()), 403, false},
		{"a schedule with 3-minute slots", send("PUT", "/api/doctors/"+cardio.ID()+"/schedule", cardio.Token,
			shared.ScheduleRequest{SlotMinutes: 3, Weekly: []shared.Hours{}}), 400, true},
		{"a schedule with a malformed time", send("PUT", "/api/doctors/"+cardio.ID()+"/schedule", cardio.Token,
			shared.ScheduleRequest{SlotMinutes: 30, Weekly: []shared.Hours{{Weekday: &mondayWD, Start: "9:00", End: "12:00"}}}), 400, true},
		{"leave that ends before it starts", send("POST", "/api/doctors/"+cardio.ID()+"/leave", cardio.Token,
			shared.LeaveRequest{From: apptest.At(10, 0), To: apptest.At(9, 0)}), 400, false},
		{"cancel a cancelled leave", send("DELETE", "/api/doctors/"+cardio.ID()+"/leave/"+leave.Leave.ID, admin.Token, nil), 404, false},
		{"slots without a date", get("/api/doctors/"+cardio.ID()+"/slots", pat.Token), 400, true},
		{"slots of an unknown doctor", get("/api/doctors/"+unknown+"/slots?date="+monday, pat.Token), 404, false},
		{"another doctor's dashboard", get("/api/doctors/"+doc.ID()+"/dashboard", cardio.Token), 403, false},
		{"a patient's dashboard request", get("/api/doctors/"+doc.ID()+"/dashboard", pat.Token), 403, false},

		{"a key reused with another body", book("matrix-key-1", shared.BookRequest{DoctorID: doc.ID(), Start: apptest.At(11, 0)}), 409, false},
		{"a key with a space", book("not a key", shared.BookRequest{DoctorID: doc.ID(), Start: apptest.At(11, 0)}), 400, true},
		{"a taken slot", send("POST", "/api/appointments", staff.Token,
			shared.BookRequest{DoctorID: cardio.ID(), PatientID: pat.User.PatientID, Start: apptest.At(9, 0)}), 409, false},
		{"a booking without a start", send("POST", "/api/appointments", pat.Token, map[string]string{"doctor_id": doc.ID()}), 400, true},
		{"a booking with an unknown field", send("POST", "/api/appointments", pat.Token,
			map[string]any{"doctor_id": doc.ID(), "start": apptest.At(11, 0), "status": "completed"}), 400, true},
		{"a patient books for another", send("POST", "/api/appointments", pat.Token,
			shared.BookRequest{DoctorID: doc.ID(), Start: apptest.At(11, 0), PatientID: other.User.PatientID}), 403, false},
		{"appointments in an unknown status", get("/api/appointments?status=lost", staff.Token), 400, true},
		{"a patient lists another's appointments", get("/api/appointments?patient_id="+other.User.PatientID, pat.Token), 403, false},
		{"an unknown appointment", get("/api/appointments/"+unknown, staff.Token), 404, false},
		{"a malformed appointment id", get("/api/appointments/nope", staff.Token), 400, true},
		{"a patient reads another's appointment", get("/api/appointments/"+booked.ID, pat.Token), 404, false},
		{"reschedule onto a taken slot", send("PATCH", "/api/appointments/"+booked.ID, staff.Token,
			shared.RescheduleRequest{Start: apptest.At(9, 30), DoctorID: doc.ID()}), 409, false},
		{"reschedule a cancelled appointment", send("PATCH", "/api/appointments/"+second.ID, pat.Token,
			shared.RescheduleRequest{Start: apptest.At(11, 0)}), 409, false},
		{"cancel without a reason", send("POST", "/api/appointments/"+booked.ID+"/cancel", staff.Token, map[string]any{}), 400, true},
		{"cancel a cancelled appointment", send("POST", "/api/appointments/"+second.ID+"/cancel", pat.Token,
			shared.ReasonRequest{Reason: "again"}), 409, false},

		{"check in twice", send("POST", "/api/queue/checkin", staff.Token, shared.CheckInRequest{AppointmentID: a.ID}), 409, false},
		{"check in an unknown appointment", send("POST", "/api/queue/checkin", staff.Token, shared.CheckInRequest{AppointmentID: unknown}), 404, false},
		{"a walk-in at triage 9", send("POST", "/api/queue/checkin", staff.Token,
			shared.CheckInRequest{Department: h.Dept, Name: "X", Triage: 9}), 400, true},
		{"a walk-in to an unknown department", send("POST", "/api/queue/checkin", staff.Token,
			shared.CheckInRequest{Department: "nowhere", Name: "X"}), 400, false},
		{"a patient checks in", send("POST", "/api/queue/checkin", pat.Token, shared.CheckInRequest{AppointmentID: a.ID}), 403, false},
		{"an emergency without triage", send("POST", "/api/queue/emergency", staff.Token, map[string]string{"department": h.Dept}), 400, true},
		{"a patient admits an emergency", send("POST", "/api/queue/emergency", pat.Token,
			shared.EmergencyRequest{Department: h.Dept, Triage: 1}), 403, false},
		{"a patient reads the queue", get("/api/queues/"+h.Dept, pat.Token), 403, false},
		{"a malformed department", get("/api/queues/General!/display", pat.Token), 400, true},
		{"nobody waiting for the cardiologist", send("POST", "/api/queues/cardiology/next", cardio.Token, nil), 404, false},
		{"staff call the next patient", send("POST", "/api/queues/"+h.Dept+"/next", staff.Token, nil), 403, false},
		{"finish a finished consultation", send("POST", "/api/queue/tickets/"+called.ID+"/finish", doc.Token, nil), 409, false},
		{"triage a finished ticket", send("POST", "/api/queue/tickets/"+called.ID+"/triage", staff.Token,
			shared.TriageRequest{Level: 1}), 409, false},
		{"triage level 0", send("POST", "/api/queue/tickets/"+walkIn.ID+"/triage", staff.Token, shared.TriageRequest{}), 400, true},
		{"call another doctor's patient", send("POST", "/api/queue/tickets/"+a.ID+"/call", h.Doctor2.Token, nil), 403, false},
		{"no-show of an unknown ticket", send("POST", "/api/queue/tickets/"+unknown+"/no-show", staff.Token, nil), 404, false},
		{"requeue a waiting ticket", send("POST", "/api/queue/tickets/"+walkIn.ID+"/requeue", staff.Token, nil), 409, false},
		{"a transition with an unknown field", send("POST", "/api/queue/tickets/"+walkIn.ID+"/call", doc.Token,
			map[string]string{"status": "completed"}), 400, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.exchange(t, tc.name, tc.req, tc.status, tc.docRejects)
		})
	}
}
