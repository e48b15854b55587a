package app_test

// A relationship a person makes for themself does not open a chart: docs/security.md row 34.

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/shared"
)

func TestAccessSelfMadeRelationshipsKeepTheChartClosed(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("REFERRAL_TTL", "720h"))
	h := env.Hospital() // Monday 2030-01-07 07:30
	derm := env.NewDoctor(h.Dept, "dermatology")
	p := newPatient(t, env, "Petra Booked", "petra.booked@example.org")
	pid := p.User.PatientID
	chart := "/api/patient/" + pid
	closed := func(t *testing.T, who apptest.User) {
		t.Helper()
		wantErr(t, env.Get(chart, who.Token), http.StatusForbidden, shared.CodeBreakGlassRequired)
	}
	open := func(t *testing.T, who apptest.User) {
		t.Helper()
		env.Get(chart, who.Token).Want(t, http.StatusOK)
	}

	t.Run("a doctor who books the patient with himself", func(t *testing.T) {
		closed(t, h.Doctor2)
		env.Book(h.Doctor2.Token, h.Doctor2.ID(), pid, apptest.At(16, 0))
		closed(t, h.Doctor2)
	})
	booked := env.Book(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0))
	t.Run("staff who book the patient for today", func(t *testing.T) {
		closed(t, h.Staff)
		closed(t, h.Doctor) // booked with him, not yet seen
	})
	t.Run("a booking for another day", func(t *testing.T) {
		env.Book(h.Staff.Token, derm.ID(), pid, apptest.At(9, 0).AddDate(0, 0, 1))
		closed(t, derm)
	})
	env.CheckIn(h.Staff.Token, booked.ID)
	t.Run("checked in: staff today and the doctor of the appointment", func(t *testing.T) {
		open(t, h.Staff)
		open(t, h.Doctor)
		closed(t, h.Doctor2) // his own 16:00 booking is still only a booking
	})
	env.Post("/api/patients/"+pid+"/referrals", h.Doctor.Token,
		shared.ReferralRequest{DoctorID: derm.ID(), Reason: "changing mole, left shoulder"}).Want(t, http.StatusCreated)
	t.Run("a referral opens the chart until it expires", func(t *testing.T) {
		open(t, derm)
		h.Clock.Advance(29 * 24 * time.Hour)
		open(t, derm)
		h.Clock.Advance(2 * 24 * time.Hour)
		closed(t, derm)
		closed(t, h.Staff) // checked in a month ago, not today
		open(t, h.Doctor)  // care that happened stays a relationship
	})
}

// TestAccessSelfCheckInKeepsTheChartClosed: a doctor may check patients in (the route is open to the
// staff side), so a check-in the doctor did themself, or a walk-in ticket they created and called, is a
// relationship they made for themself and does not open the chart. A check-in by someone else does; so
// does an emergency the doctor admitted at ESI 1–2, which raised an alert on every staff screen
// (docs/security.md row 34). Each check-in is audited with its actor.
func TestAccessSelfCheckInKeepsTheChartClosed(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital() // Monday 2030-01-07 07:30
	d := h.Doctor2
	patient := func(name string) string {
		return register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: name}).ID
	}
	status := func(t *testing.T, pid string) int {
		t.Helper()
		return env.Get("/api/patient/"+pid, d.Token).Status
	}
	closed := func(t *testing.T, pid string) {
		t.Helper()
		wantErr(t, env.Get("/api/patient/"+pid, d.Token), http.StatusForbidden, shared.CodeBreakGlassRequired)
	}
	call := func(t *testing.T, id string) {
		t.Helper()
		env.Post("/api/queue/tickets/"+id+"/call", d.Token, nil).Want(t, http.StatusOK)
	}
	finish := func(t *testing.T, id string) {
		t.Helper()
		env.Post("/api/queue/tickets/"+id+"/start", d.Token, nil).Want(t, http.StatusOK)
		env.Post("/api/queue/tickets/"+id+"/finish", d.Token, nil).Want(t, http.StatusOK)
	}
	checkIn := func(t *testing.T, req shared.CheckInRequest) shared.Appointment {
		t.Helper()
		var a shared.Appointment
		env.Post("/api/queue/checkin", d.Token, req).Want(t, http.StatusCreated).Decode(t, &a)
		return a
	}
	emergency := func(t *testing.T, pid string, triage int) shared.Appointment {
		t.Helper()
		var a shared.Appointment
		env.Post("/api/queue/emergency", d.Token, shared.EmergencyRequest{Department: h.Dept, PatientID: pid,
			Triage: triage, Complaint: "collapsed in the corridor"}).Want(t, http.StatusCreated).Decode(t, &a)
		return a
	}

	for _, tc := range []struct {
		name string
		// ticket gets the patient's ticket to the doctor, who then calls it (unless called already).
		ticket func(t *testing.T, pid string) shared.Appointment
		called bool
		opens  bool
	}{
		{"booked with himself and checked in by himself", func(t *testing.T, pid string) shared.Appointment {
			in := env.CheckIn(d.Token, env.Book(d.Token, d.ID(), pid, apptest.At(9, 0)).ID)
			if in.Reason != "" {
				t.Errorf("the check-in's reply shows the reason %q to a doctor who may not see the patient", in.Reason)
			}
			return in
		}, false, false},
		{"a walk-in he checked in for himself", func(t *testing.T, pid string) shared.Appointment {
			return checkIn(t, shared.CheckInRequest{Department: h.Dept, PatientID: pid, DoctorID: d.ID()})
		}, false, false},
		{"a walk-in for anyone he checked in and called next", func(t *testing.T, pid string) shared.Appointment {
			a := checkIn(t, shared.CheckInRequest{Department: h.Dept, PatientID: pid})
			var next shared.Appointment
			env.Post("/api/queues/"+h.Dept+"/next", d.Token, nil).Want(t, http.StatusOK).Decode(t, &next)
			if next.ID != a.ID {
				t.Fatalf("call next: got %s, want the walk-in %s", next.ID, a.ID)
			}
			return a
		}, true, false},
		{"an emergency at ESI 3 he admitted himself (no alert)", func(t *testing.T, pid string) shared.Appointment {
			return emergency(t, pid, 3)
		}, false, false},
		{"an emergency at ESI 1 he admitted himself (an alert to every staff screen)", func(t *testing.T, pid string) shared.Appointment {
			return emergency(t, pid, 1)
		}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pid := patient("Selma " + strings.Fields(tc.name)[0] + " Self")
			closed(t, pid)
			a := tc.ticket(t, pid)
			if !tc.called {
				call(t, a.ID)
			}
			if tc.opens {
				if got := status(t, pid); got != http.StatusOK {
					t.Errorf("after calling the ticket: got %d, want 200", got)
				}
			} else {
				closed(t, pid)
			}
			finish(t, a.ID)
			if !tc.opens {
				closed(t, pid) // care he gave to a ticket he made himself is still his own making
			}
		})
	}

	t.Run("a check-in by staff for his appointment opens it", func(t *testing.T) {
		pid := patient("Sven Staffed")
		booked := env.Book(d.Token, d.ID(), pid, apptest.At(11, 0))
		closed(t, pid)
		env.CheckIn(h.Staff.Token, booked.ID)
		env.Get("/api/patient/"+pid, d.Token).Want(t, http.StatusOK)
		n := countDocs(t, env, "audit", bson.D{{Key: "patient_id", Value: pid}, {Key: "actor_id", Value: h.Staff.ID()},
			{Key: "action", Value: "queue.checkin"}, {Key: "outcome", Value: "ok"}})
		if n != 1 {
			t.Errorf("audit queue.checkin by the staff member: got %d entries, want 1", n)
		}
	})
}

// TestSecurity35ConditionSearchOnlyVisible: a search by condition lists only the patients the caller
// may see under the access rule, and the audit holds, per patient returned, a patient.search.condition
// entry (the fact that a condition was searched, never the term).
func TestSecurity35ConditionSearchOnlyVisible(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	seen := register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "Vera Visible", Conditions: []string{"HIV"}})
	hidden := register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "Hugo Hidden", Conditions: []string{"HIV"}})
	env.CheckIn(h.Staff.Token, env.Book(h.Staff.Token, h.Doctor.ID(), seen.ID, apptest.At(9, 0)).ID)
	env.Book(h.Staff.Token, h.Doctor2.ID(), hidden.ID, apptest.At(9, 30)) // booked only

	for _, tc := range []struct {
		name string
		who  apptest.User
		want []string
	}{
		{"staff see today's checked-in patient only", h.Staff, []string{"Vera Visible"}},
		{"the doctor of the check-in", h.Doctor, []string{"Vera Visible"}},
		{"a doctor with a booking only", h.Doctor2, []string{}},
		{"an admin without a grant", h.Admin, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := search(t, env, tc.who.Token, "condition=hiv")
			if got := summaryNames(l); !slices.Equal(got, tc.want) || l.Total != len(tc.want) {
				t.Errorf("got %v (total %d), want %v", got, l.Total, tc.want)
			}
		})
	}
	t.Run("a name search is not filtered", func(t *testing.T) {
		if l := search(t, env, h.Doctor2.Token, "q=hugo"); l.Total != 1 {
			t.Errorf("got total %d, want 1: demographics stay searchable", l.Total)
		}
	})
	t.Run("audited with the ids returned, without the term", func(t *testing.T) {
		var ids []string
		for _, e := range auditActions(t, env, h.Staff.ID()) {
			if e.Action == "patient.search.condition" {
				ids = append(ids, e.PatientID)
			}
		}
		if !slices.Contains(ids, seen.ID) || slices.Contains(ids, hidden.ID) {
			t.Errorf("got patient.search.condition entries on %v, want %s and not %s", ids, seen.ID, hidden.ID)
		}
		raw := env.RawDocs(t, "audit", bson.D{})
		for _, d := range raw {
			for _, v := range d {
				if s, ok := v.(string); ok && strings.Contains(strings.ToLower(s), "hiv") {
					t.Errorf("audit entry holds the term: %v", d)
				}
			}
		}
	})
}

// TestAppointmentReasonsFollowTheAccessRule: an appointment's reason (free text, often clinical) is
// shown only to callers the access rule lets see the patient, in a single read, a list and the replies
// of a reschedule and a cancellation; the scheduling fields stay for the desk.
// Lists, the doctor's dashboard and queue snapshots are audited with each patient they return
// (docs/security.md row 35).
func TestAppointmentReasonsFollowTheAccessRule(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	p := newPatient(t, env, "Rita Reason", "rita.reason@example.org")
	pid := p.User.PatientID
	var booked shared.Appointment
	env.Post("/api/appointments", h.Staff.Token, shared.BookRequest{DoctorID: h.Doctor.ID(), PatientID: pid,
		Start: apptest.At(9, 0).AddDate(0, 0, 1), Reason: "lump-in-breast-7f3"}).Want(t, http.StatusCreated).Decode(t, &booked)
	walkIn := env.WalkIn(h.Staff.Token, h.Dept, "Walter Queue", 4)

	get := func(t *testing.T, who apptest.User) shared.Appointment {
		t.Helper()
		var a shared.Appointment
		env.Get("/api/appointments/"+booked.ID, who.Token).Want(t, http.StatusOK).Decode(t, &a)
		return a
	}
	for _, tc := range []struct {
		name   string
		who    apptest.User
		reason string
	}{
		{"the patient", p, "lump-in-breast-7f3"},
		{"a doctor without a relationship", h.Doctor2, ""},
		{"the booked doctor, not yet seen", h.Doctor, ""},
		{"staff", h.Staff, ""},
		{"an admin", h.Admin, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := get(t, tc.who)
			if a.Reason != tc.reason || a.PatientID != pid || a.DoctorID != h.Doctor.ID() || !a.Start.Equal(booked.Start) {
				t.Errorf("got %+v, want reason %q and the scheduling fields", a, tc.reason)
			}
			var l shared.AppointmentList
			env.Get("/api/appointments?doctor_id="+h.Doctor.ID(), tc.who.Token).Want(t, http.StatusOK).Decode(t, &l)
			for _, a := range l.Items {
				if a.ID == booked.ID && a.Reason != tc.reason {
					t.Errorf("listed with reason %q, want %q", a.Reason, tc.reason)
				}
			}
		})
	}
	breakGlass(t, env, h.Doctor2.Token, pid, "covering for the booked doctor today")
	if a := get(t, h.Doctor2); a.Reason != "lump-in-breast-7f3" {
		t.Errorf("with a grant: got reason %q, want it shown", a.Reason)
	}

	// A change answers with the appointment under the same rule: the reschedule's and the cancellation's
	// replies carry the reason only for a caller who may see the patient.
	tomorrow := func(hh, mm int) time.Time { return apptest.At(hh, mm).AddDate(0, 0, 1) }
	for _, tc := range []struct {
		name   string
		who    apptest.User
		start  time.Time
		reason string
	}{
		{"staff reschedule", h.Staff, tomorrow(10, 0), ""},
		{"the booked doctor, not yet seen, reschedules", h.Doctor, tomorrow(10, 30), ""},
		{"the patient reschedules", p, tomorrow(11, 0), "lump-in-breast-7f3"},
	} {
		var moved shared.Appointment
		env.Patch("/api/appointments/"+booked.ID, tc.who.Token, shared.RescheduleRequest{Start: tc.start}).
			Want(t, http.StatusOK).Decode(t, &moved)
		if moved.Reason != tc.reason || !moved.Start.Equal(tc.start) || moved.PatientID != pid {
			t.Errorf("%s: got %+v, want reason %q and the new start", tc.name, moved, tc.reason)
		}
	}
	var cancelled shared.Appointment
	env.Post("/api/appointments/"+booked.ID+"/cancel", h.Doctor.Token, shared.ReasonRequest{Reason: "doctor away"}).
		Want(t, http.StatusOK).Decode(t, &cancelled)
	if cancelled.Reason != "" || cancelled.Status != shared.StatusCancelled {
		t.Errorf("cancelled by the booked doctor, not yet seen: got %+v, want no reason", cancelled)
	}

	env.Get("/api/queues/"+h.Dept, h.Staff.Token).Want(t, http.StatusOK)
	env.Get("/api/doctors/"+h.Doctor.ID()+"/dashboard?date=2030-01-08", h.Doctor.Token).Want(t, http.StatusOK)
	audited := func(actor apptest.User, action, patientID string) bool {
		for _, e := range auditActions(t, env, actor.ID()) {
			if e.Action == action && e.PatientID == patientID {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		who               apptest.User
		action, patientID string
	}{
		{h.Doctor2, "appointment.list", pid},
		{h.Admin, "appointment.list", pid},
		{h.Staff, "queue.snapshot", walkIn.PatientID},
	} {
		if !audited(tc.who, tc.action, tc.patientID) {
			t.Errorf("no %s entry by %s on patient %s", tc.action, tc.who.User.Role, tc.patientID)
		}
	}
}
