package app_test

import (
	"net/http"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/shared"
)

// TestResolveAlert: a responder resolves an alert; every staff screen hears alert.resolved, the list
// shows it resolved, the resolution is audited, and resolving it again answers 409. Patients may not.
func TestResolveAlert(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin, staff, doctor, patient := env.Admin(), env.NewUser(shared.RoleStaff), env.NewUser(shared.RoleDoctor), env.NewUser(shared.RolePatient)
	var a shared.Alert
	env.Post("/api/alerts/emergency", staff.Token, shared.RaiseAlertRequest{Message: "Fire in the linen room", Location: "Ward 3"}).
		Want(t, http.StatusCreated).Decode(t, &a)
	ws := env.MustDialWS(staff.Token, "")
	env.Post("/api/alerts/"+a.ID+"/resolve", patient.Token, nil).Want(t, http.StatusForbidden)
	var r shared.Alert
	env.Post("/api/alerts/"+a.ID+"/resolve", doctor.Token, nil).Want(t, http.StatusOK).Decode(t, &r)
	if r.Resolved == nil || r.Resolved.By != doctor.ID() || r.Resolved.How != "responder" {
		t.Fatalf("got resolved %+v, want by the doctor, as responder", r.Resolved)
	}
	for {
		f := ws.NextEvent(shared.ChannelAlerts, 5*time.Second)
		if f.Type == "alert.resolved" {
			break
		}
	}
	var list shared.AlertList
	env.Get("/api/alerts", staff.Token).Want(t, http.StatusOK).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Resolved == nil {
		t.Errorf("got %+v, want the alert, resolved", list.Items)
	}
	var trail struct{ Items []map[string]any }
	env.Get("/api/audit?actor_id="+doctor.ID(), admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
	found := false
	for _, e := range trail.Items {
		found = found || e["action"] == "alert.resolve"
	}
	if !found {
		t.Errorf("audit of the doctor %+v, want alert.resolve", trail.Items)
	}
	env.Post("/api/alerts/"+a.ID+"/resolve", doctor.Token, nil).Want(t, http.StatusConflict)
	env.Post("/api/alerts/nope/resolve", doctor.Token, nil).Want(t, http.StatusBadRequest)
}

// TestEmergencyAlertEndsWithItsTicket: an emergency admission's alert names the department, ticket and
// complaint, and is resolved on its own when that ticket's consultation is finished.
func TestEmergencyAlertEndsWithItsTicket(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	var e shared.Appointment
	env.Post("/api/queue/emergency", h.Staff.Token, shared.EmergencyRequest{Department: h.Dept, Triage: 1, Complaint: "chest pain"}).
		Want(t, http.StatusCreated).Decode(t, &e)
	var list shared.AlertList
	env.Get("/api/alerts", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("got %d alerts, want the emergency's", len(list.Items))
	}
	a := list.Items[0]
	if a.Department != h.Dept || a.Ticket != e.Ticket.Number || a.Complaint != "chest pain" || a.Resolved != nil {
		t.Fatalf("got %+v, want department %s, ticket %d, the complaint, open", a, h.Dept, e.Ticket.Number)
	}
	path := "/api/queue/tickets/" + e.ID + "/"
	env.Post(path+"call", h.Doctor.Token, nil).Want(t, http.StatusOK)
	env.Post(path+"start", h.Doctor.Token, nil).Want(t, http.StatusOK)
	env.Post(path+"finish", h.Doctor.Token, nil).Want(t, http.StatusOK)
	deadline := time.Now().Add(10 * time.Second)
	for {
		env.Get("/api/alerts", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &list)
		if r := list.Items[0].Resolved; r != nil {
			if r.How != "finished" || r.By != "" {
				t.Errorf("got resolved %+v, want finished, by nobody", r)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the emergency's alert was not resolved when its ticket was finished")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
