package lab_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/shared"
)

// TestLabQueueFollowsTheAccessRule: GET /api/lab-orders lists the open orders of the patients the
// caller may see (staff only while the patient is checked in today, admitted, referred or under a grant), urgent first, with the
// patient's name and MRN, the tests and where the order stands — not the doctor's note nor the
// results; it filters by status, drops released orders, refuses patients and admins, and audits one
// entry per patient returned (docs/security.md row 35).
func TestLabQueueFollowsTheAccessRule(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	ann := labPatient(t, env, h, apptest.At(9, 0))
	pid := ann.User.PatientID
	var routine, urgent shared.LabOrder
	env.Post("/api/patients/"+pid+"/lab-orders", h.Doctor.Token, shared.LabOrderRequest{Priority: "routine", Note: "queue-note-6a2f",
		Tests: []shared.LabTest{{Code: "K", Name: "Potassium"}}}).Want(t, http.StatusCreated).Decode(t, &routine)
	env.Post("/api/patients/"+pid+"/lab-orders", h.Doctor.Token, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &urgent)
	var patient shared.Patient
	env.Get("/api/patient/"+pid, h.Doctor.Token).Want(t, http.StatusOK).Decode(t, &patient)

	queue := func(token, query string) (shared.LabQueue, string) {
		t.Helper()
		var q shared.LabQueue
		res := env.Get("/api/lab-orders"+query, token).Want(t, http.StatusOK)
		res.Decode(t, &q)
		return q, string(res.Body)
	}
	q, body := queue(h.Staff.Token, "")
	if q.Total != 2 || q.Items[0].ID != urgent.ID || q.Items[1].ID != routine.ID {
		t.Fatalf("got %+v, want the urgent order, then the routine one", q)
	}
	if it := q.Items[1]; it.PatientName != patient.Name || it.MRN != patient.MRN || it.MRN == "" || it.Status != shared.LabOrdered ||
		len(it.Tests) != 1 || it.Tests[0].Name != "Potassium" || it.Priority != "routine" {
		t.Errorf("got %+v, want Ann's routine potassium, ordered", it)
	}
	for _, s := range []string{"queue-note-6a2f", apptest.LabOrder.Note, pid} {
		if strings.Contains(body, s) {
			t.Errorf("the queue holds %q: %s", s, body)
		}
	}
	if q, _ := queue(h.Doctor.Token, ""); q.Total != 2 {
		t.Errorf("the doctor got %d orders, want 2", q.Total)
	}

	// Results move an order to "resulted"; a release takes it off the queue.
	env.Post("/api/lab-orders/"+urgent.ID+"/results", h.Staff.Token, apptest.LabResults).Want(t, http.StatusCreated)
	if q, _ := queue(h.Staff.Token, "?status=resulted"); q.Total != 1 || q.Items[0].ID != urgent.ID || q.Items[0].Status != shared.LabResulted {
		t.Errorf("resulted: got %+v, want the urgent order", q)
	}
	if q, _ := queue(h.Staff.Token, "?status=ordered"); q.Total != 1 || q.Items[0].ID != routine.ID {
		t.Errorf("ordered: got %+v, want the routine order", q)
	}
	env.Post("/api/lab-orders/"+urgent.ID+"/release", h.Doctor.Token, nil).Want(t, http.StatusOK)
	if q, _ := queue(h.Staff.Token, ""); q.Total != 1 || q.Items[0].ID != routine.ID {
		t.Errorf("after release: got %+v, want the routine order only", q)
	}
	h.Clock.Advance(24 * time.Hour) // yesterday's check-in no longer links the staff to Ann
	if q, _ := queue(h.Staff.Token, ""); q.Total != 0 || q.Items == nil {
		t.Errorf("a day later the staff got %+v, want an empty queue", q)
	}

	for _, who := range []string{ann.Token, h.Admin.Token} {
		env.Get("/api/lab-orders", who).Want(t, http.StatusForbidden)
	}
	env.Get("/api/lab-orders?status=released", h.Staff.Token).Want(t, http.StatusBadRequest)

	// Staff read the queue with Ann on it four times, the doctor once; the read a day later did not return her.
	if got := labAuditActions(t, env, h.Admin.Token, pid)["lab.queue ok"]; got != 5 {
		t.Errorf("got %d lab.queue entries on Ann, want 5 (4 by staff, 1 by the doctor)", got)
	}
}
