package app_test

import (
	"net/http"
	"strings"
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// exerciseChart is the clinical chart's part of TestResponsesMatchDocument: every chart operation,
// with its success and error answers, through the contract helper. It runs after exerciseScheduling,
// whose department "general" and clock (Monday 07:30) it uses.
func exerciseChart(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	doc, nurse := env.NewDoctor("general", "general practice"), env.NewUser(shared.RoleStaff)
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	appt := env.Attend(nurse.Token, doc.ID(), pat.User.PatientID, apptest.At(10, 0))
	env.Attend(nurse.Token, doc.ID(), other.User.PatientID, apptest.At(10, 30)) // the doctor sees the other patient too
	const unknown = "0123456789abcdef01234567"
	list := "/api/patients/" + pat.User.PatientID + "/encounters"

	var enc shared.Encounter
	c.call(t, "a doctor opens an encounter for an appointment", send("POST", list, doc.Token, shared.CreateEncounterRequest{
		AppointmentID: appt.ID, Reason: "headache", Notes: "no focal signs",
		Diagnoses: []shared.Diagnosis{{Code: "G44.2", Description: "tension-type headache", Status: shared.DiagnosisActive}},
	}), http.StatusCreated).Decode(t, &enc)
	c.call(t, "staff open an encounter", send("POST", list, nurse.Token, shared.CreateEncounterRequest{Reason: "blood pressure check"}), http.StatusCreated)
	c.call(t, "a doctor lists the encounters", get(list+"?page=1&limit=10", doc.Token), http.StatusOK)
	c.call(t, "the patient lists their encounters", get(list, pat.Token), http.StatusOK)
	path := "/api/encounters/" + enc.ID
	c.call(t, "the patient reads an encounter", get(path, pat.Token), http.StatusOK)
	c.call(t, "the doctor changes the encounter", send("PATCH", path, doc.Token, map[string]any{"rev": 1, "summary": "resolved with rest",
		"diagnoses": []shared.Diagnosis{{Code: "G44.2", Description: "tension-type headache", Status: shared.DiagnosisResolved}}}), http.StatusOK)
	c.call(t, "staff record vitals", send("POST", path+"/vitals", nurse.Token, map[string]any{"pulse_bpm": 72, "systolic_mmhg": 118, "diastolic_mmhg": 76}), http.StatusCreated)
	c.call(t, "staff read the history", get(path+"/history", nurse.Token), http.StatusOK)
	c.call(t, "the encounter with its vitals", get(path, doc.Token), http.StatusOK)
	// Procedures, by a code of the price list.
	env.Put("/api/billing/prices/PROC-ECG", env.Admin().Token, map[string]any{"name": "ECG", "kind": "procedure", "amount": 2500}).Want(t, http.StatusOK)
	keyed := func(token, key string, body any) apptest.Request {
		r := send("POST", path+"/procedures", token, body)
		r.Header = map[string]string{"Idempotency-Key": key}
		return r
	}
	var proc shared.Procedure
	c.call(t, "the doctor records a procedure", keyed(doc.Token, "proc-1", map[string]any{"code": "PROC-ECG", "note": "sinus rhythm"}), http.StatusCreated).Decode(t, &proc)
	c.call(t, "the same procedure again", keyed(doc.Token, "proc-1", map[string]any{"code": "PROC-ECG", "note": "sinus rhythm"}), http.StatusCreated)
	marked := "/api/procedures/" + proc.ID + "/entered-in-error"
	c.call(t, "the doctor marks it entered in error", send("POST", marked, doc.Token, shared.EnteredInErrorRequest{Reason: "wrong patient"}), http.StatusOK)

	for _, tc := range []struct {
		name       string
		req        apptest.Request
		status     int
		docRejects bool
	}{
		{"open an encounter for another patient's appointment", send("POST", "/api/patients/"+other.User.PatientID+"/encounters", doc.Token,
			shared.CreateEncounterRequest{AppointmentID: appt.ID}), 400, false},
		{"open a second encounter for an appointment", send("POST", list, doc.Token, shared.CreateEncounterRequest{AppointmentID: appt.ID}), 409, false},
		{"staff write notes", send("POST", list, nurse.Token, shared.CreateEncounterRequest{Notes: "x"}), 403, false},
		{"an encounter with an unknown field", send("POST", list, doc.Token, map[string]any{"patient_id": unknown}), 400, true},
		{"an encounter for an unknown patient", send("POST", "/api/patients/"+unknown+"/encounters", doc.Token, shared.CreateEncounterRequest{}), 404, false},
		{"an encounter over the body limit", send("POST", list, doc.Token, map[string]string{"notes": strings.Repeat("a", 1<<20)}), 413, true},
		{"a patient lists another's encounters", get("/api/patients/"+other.User.PatientID+"/encounters", pat.Token), 403, false},
		{"encounters of a malformed patient id", get("/api/patients/nope/encounters", doc.Token), 400, true},
		{"encounters of an unknown patient", get("/api/patients/"+unknown+"/encounters", doc.Token), 404, false},
		{"a malformed encounter id", get("/api/encounters/nope", doc.Token), 400, true},
		{"an unknown encounter", get("/api/encounters/"+unknown, doc.Token), 404, false},
		{"another patient reads the encounter", get(path, other.Token), 403, false},
		{"a stale change", send("PATCH", path, doc.Token, map[string]any{"rev": 1, "notes": "late"}), 409, false},
		{"a change without rev", send("PATCH", path, doc.Token, map[string]any{"notes": "x"}), 400, true},
		{"staff change an encounter", send("PATCH", path, nurse.Token, map[string]any{"rev": 2, "notes": "x"}), 403, false},
		{"change an unknown encounter", send("PATCH", "/api/encounters/"+unknown, doc.Token, map[string]any{"rev": 1, "notes": "x"}), 404, false},
		{"change over the body limit", send("PATCH", path, doc.Token, map[string]any{"rev": 2, "notes": strings.Repeat("a", 1<<20)}), 413, true},
		{"the history of an unknown encounter", get("/api/encounters/"+unknown+"/history", doc.Token), 404, false},
		{"another patient reads the history", get(path+"/history", other.Token), 403, false},
		{"the history of a malformed id", get("/api/encounters/nope/history", doc.Token), 400, true},
		{"a pulse out of range", send("POST", path+"/vitals", nurse.Token, map[string]any{"pulse_bpm": 400}), 400, true},
		{"an empty vitals reading", send("POST", path+"/vitals", nurse.Token, map[string]any{}), 400, true},
		{"systolic below diastolic", send("POST", path+"/vitals", nurse.Token, map[string]any{"systolic_mmhg": 70, "diastolic_mmhg": 90}), 400, false},
		{"a patient records vitals", send("POST", path+"/vitals", pat.Token, map[string]any{"pulse_bpm": 70}), 403, false},
		{"vitals of an unknown encounter", send("POST", "/api/encounters/"+unknown+"/vitals", nurse.Token, map[string]any{"pulse_bpm": 70}), 404, false},
		{"a procedure without an Idempotency-Key", send("POST", path+"/procedures", doc.Token, map[string]any{"code": "PROC-ECG"}), 400, false},
		{"a procedure of an unknown code", keyed(doc.Token, "proc-2", map[string]any{"code": "NOPE"}), 400, false},
		{"a procedure with an unknown field", keyed(doc.Token, "proc-3", map[string]any{"code": "PROC-ECG", "amount": 1}), 400, true},
		{"a patient records a procedure", keyed(pat.Token, "proc-4", map[string]any{"code": "PROC-ECG"}), 403, false},
		{"a procedure in an unknown encounter", apptest.Request{Method: "POST", Path: "/api/encounters/" + unknown + "/procedures", Token: doc.Token,
			Header: map[string]string{"Idempotency-Key": "proc-5"}, Body: map[string]any{"code": "PROC-ECG"}}, 404, false},
		{"a key used for another procedure", keyed(doc.Token, "proc-1", map[string]any{"code": "PROC-ECG", "quantity": 2}), 409, false},
		{"a procedure over the body limit", keyed(doc.Token, "proc-6", map[string]string{"note": strings.Repeat("a", 1<<20)}), 413, true},
		{"entered in error without a reason", send("POST", marked, doc.Token, map[string]any{}), 400, true},
		{"entered in error again, for another reason", send("POST", marked, doc.Token, shared.EnteredInErrorRequest{Reason: "another"}), 409, false},
		{"staff mark a procedure", send("POST", marked, nurse.Token, shared.EnteredInErrorRequest{Reason: "x"}), 403, false},
		{"an unknown procedure in error", send("POST", "/api/procedures/"+unknown+"/entered-in-error", doc.Token, shared.EnteredInErrorRequest{Reason: "x"}), 404, false},
		{"a procedure in error over the body limit", send("POST", marked, doc.Token, map[string]string{"reason": strings.Repeat("a", 1<<20)}), 413, true},
		{"vitals over the body limit", send("POST", path+"/vitals", nurse.Token, map[string]string{"pulse_bpm": strings.Repeat("1", 1<<20)}), 413, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.exchange(t, tc.name, tc.req, tc.status, tc.docRejects)
		})
	}
}
