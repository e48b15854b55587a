package pharmacy_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/shared"
)

// TestPrescriptionQueueShowsOnlyWhatDispensingNeeds: GET /api/prescriptions lists the prescriptions with
// a fill to dispense — to any staff member, with or without a care relationship — with the patient's
// name and MRN, the medication, dose and quantity, and nothing more of the prescription or the chart;
// it follows dispensing and cancelling, refuses other roles, and audits one entry per patient returned
// (docs/security.md rows 12, 34 and 35).
func TestPrescriptionQueueShowsOnlyWhatDispensingNeeds(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := env.Pharmacy(nil)
	f.Receive(f.MedID, 100)
	const secret, freq = "queue-instructions-4f1a", "queue-freq-9b0c"
	refill := f.Prescribe(shared.PrescribeRequest{Refills: 1, Instructions: secret, Dose: "250 mg", Frequency: freq, DurationDays: 10})
	once := f.Prescribe(shared.PrescribeRequest{Quantity: 12})
	cancelled := f.Prescribe(shared.PrescribeRequest{})
	env.Post("/api/prescriptions/"+cancelled.ID+"/cancel", f.Doctor.Token, nil).Want(t, http.StatusOK)
	f.Clock.Advance(24 * time.Hour) // yesterday's check-in no longer links the staff to the patient
	pharmacist := env.NewUser(shared.RoleStaff)

	var patient shared.Patient
	env.Get("/api/patient/"+f.PatientID, f.Doctor.Token).Want(t, http.StatusOK).Decode(t, &patient)

	queue := func() (shared.PrescriptionQueue, string) {
		t.Helper()
		var q shared.PrescriptionQueue
		res := env.Get("/api/prescriptions?status=pending", pharmacist.Token).Want(t, http.StatusOK)
		res.Decode(t, &q)
		return q, string(res.Body)
	}
	q, body := queue()
	if q.Total != 2 || len(q.Items) != 2 || q.Items[0].ID != refill.ID || q.Items[1].ID != once.ID {
		t.Fatalf("got %+v, want the two open prescriptions, oldest first", q)
	}
	it := q.Items[0]
	if it.PatientName != patient.Name || it.MRN == "" || it.MRN != patient.MRN || it.Dose != "250 mg" || it.Quantity != 30 ||
		!strings.HasPrefix(it.MedicationName, "Amoxicillin") || it.MedicationID != f.MedID || it.Fill != 1 || it.Fills != 2 || it.RefillDue != "" {
		t.Errorf("got %+v, want the first fill of 2 of 30 × 250 mg Amoxicillin for %s (%s)", it, patient.Name, patient.MRN)
	}
	for _, s := range []string{secret, freq, f.PatientID, cancelled.ID} {
		if strings.Contains(body, s) {
			t.Errorf("the queue holds %q: %s", s, body)
		}
	}

	// Dispensing moves the prescription to its refill, then off the queue.
	env.Do(apptest.Request{Method: "POST", Path: "/api/prescriptions/" + refill.ID + "/dispense", Token: pharmacist.Token,
		Body: shared.DispenseRequest{Fill: 1}}).Want(t, http.StatusCreated)
	env.Do(apptest.Request{Method: "POST", Path: "/api/prescriptions/" + once.ID + "/dispense", Token: pharmacist.Token,
		Body: shared.DispenseRequest{Fill: 1}}).Want(t, http.StatusCreated)
	q, _ = queue()
	if q.Total != 1 || q.Items[0].ID != refill.ID || q.Items[0].Fill != 2 || q.Items[0].RefillDue == "" {
		t.Fatalf("got %+v, want only the refill, fill 2, with its due date", q)
	}
	env.Do(apptest.Request{Method: "POST", Path: "/api/prescriptions/" + refill.ID + "/dispense", Token: pharmacist.Token,
		Body: shared.DispenseRequest{Fill: 2}}).Want(t, http.StatusCreated)
	if q, _ = queue(); q.Total != 0 || q.Items == nil {
		t.Errorf("got %+v, want an empty queue", q)
	}

	// Only staff dispense, so only staff have the queue; a bad status is a 400.
	for _, who := range []string{f.Doctor.Token, f.Admin.Token, f.Patient.Token} {
		env.Get("/api/prescriptions", who).Want(t, http.StatusForbidden)
	}
	env.Get("/api/prescriptions?status=dispensed", pharmacist.Token).Want(t, http.StatusBadRequest)

	// The patient's trail shows each time they came up on the queue.
	var trail struct {
		Items []struct {
			Action  string `json:"action"`
			Outcome string `json:"outcome"`
			ActorID string `json:"actor_id"`
		} `json:"items"`
	}
	env.Get("/api/audit?limit=100&patient_id="+f.PatientID, f.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
	n := 0
	for _, e := range trail.Items {
		if e.Action == "prescription.queue" && e.Outcome == "ok" && e.ActorID == pharmacist.ID() {
			n++
		}
	}
	if n != 2 { // the two reads that returned the patient; the empty one did not
		t.Errorf("got %d prescription.queue entries on the patient, want 2", n)
	}
}
