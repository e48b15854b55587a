package app_test

import (
	"net/http"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/shared"
)

// exerciseFHIR is the FHIR part of TestResponsesMatchDocument: every FHIR route, its answers and its
// OperationOutcomes (application/fhir+json) against the document.
func exerciseFHIR(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	admin, pat := env.Admin(), env.NewUser(shared.RolePatient)
	env.Post("/api/departments", admin.Token, shared.Department{ID: "fhir", Name: "FHIR clinic"}).Want(t, http.StatusCreated)
	doc := env.NewDoctor("fhir", "cardiology")
	const unknown = "0123456789abcdef01234567"

	c.call(t, "a FHIR client reads the CapabilityStatement", get("/fhir/R4/metadata", ""), http.StatusOK)
	c.exchange(t, "a CapabilityStatement in XML", get("/fhir/R4/metadata?_format=xml", ""), http.StatusNotAcceptable, false)
	c.call(t, "the patient reads their own Patient", get("/fhir/R4/Patient/"+pat.User.PatientID, pat.Token), http.StatusOK)
	c.call(t, "an admin without a grant reads a Patient", get("/fhir/R4/Patient/"+pat.User.PatientID, admin.Token), http.StatusForbidden)
	c.call(t, "a Patient that is not there", get("/fhir/R4/Patient/"+unknown, admin.Token), http.StatusNotFound)
	c.call(t, "a Patient read without a token", get("/fhir/R4/Patient/"+unknown, ""), http.StatusUnauthorized)
	c.call(t, "the patient searches", get("/fhir/R4/Patient?name=test&_count=5", pat.Token), http.StatusOK)
	c.call(t, "an admin searches by MRN", get("/fhir/R4/Patient?identifier=urn:hms:mrn|H12345674&birthdate=ge1990&_offset=0", admin.Token), http.StatusOK)
	c.exchange(t, "a page too large", get("/fhir/R4/Patient?_count=500", admin.Token), http.StatusBadRequest, true)
	c.call(t, "an unsupported search parameter", get("/fhir/R4/Patient?family=x", admin.Token), http.StatusBadRequest)
	c.call(t, "a Patient search without a token", get("/fhir/R4/Patient", ""), http.StatusUnauthorized)
	c.call(t, "the patient searches practitioners", get("/fhir/R4/Practitioner?name=test", pat.Token), http.StatusOK)
	c.call(t, "the patient reads a practitioner", get("/fhir/R4/Practitioner/"+doc.ID(), pat.Token), http.StatusOK)
	c.call(t, "a practitioner that is not there", get("/fhir/R4/Practitioner/"+unknown, pat.Token), http.StatusNotFound)
	c.call(t, "the patient reads the hospital", get("/fhir/R4/Organization/hospital", pat.Token), http.StatusOK)
	c.call(t, "an organization that is not there", get("/fhir/R4/Organization/other", pat.Token), http.StatusNotFound)
	c.call(t, "the patient looks for free slots", get("/fhir/R4/Slot?schedule=Schedule/"+doc.ID()+"&start="+apptest.Monday.Format("2006-01-02"), pat.Token), http.StatusOK)
	c.call(t, "a slot search without its day", get("/fhir/R4/Slot?schedule=Schedule/"+doc.ID(), pat.Token), http.StatusBadRequest)
	exerciseFHIRScheduling(t, c, doc, pat)
}

// exerciseFHIRScheduling is Schedule, Location, Appointment (search, read, booking, cancelling) and
// Encounter. It runs after exerciseScheduling and exerciseDirectory: their clock (Monday 07:30),
// department "general" and the directory's own site "kc".
func exerciseFHIRScheduling(t *testing.T, c *contract, doc, pat apptest.User) {
	t.Helper()
	env := c.env
	admin, staff := env.Admin(), env.NewUser(shared.RoleStaff)
	const unknown = "0123456789abcdef01234567"
	env.Do(rawBody("POST", "/api/hospitals/import", admin.Token, "text/csv", "id,name,address,lat,lng,own\nfhir-site,FHIR Clinic,1 Road,51.5,-0.12,true\n")).
		Want(t, http.StatusOK)
	c.call(t, "the patient reads a doctor's schedule", get("/fhir/R4/Schedule/"+doc.ID(), pat.Token), http.StatusOK)
	c.call(t, "a schedule that is not there", get("/fhir/R4/Schedule/"+unknown, pat.Token), http.StatusNotFound)
	c.call(t, "the patient searches schedules", get("/fhir/R4/Schedule?actor=Practitioner/"+doc.ID()+"&_count=5", pat.Token), http.StatusOK)
	c.call(t, "a schedule search by a bad parameter", get("/fhir/R4/Schedule?specialty=x", pat.Token), http.StatusBadRequest)
	c.call(t, "the patient reads one of the hospital's sites", get("/fhir/R4/Location/fhir-site", pat.Token), http.StatusOK)
	c.call(t, "another hospital's entry", get("/fhir/R4/Location/"+unknown, pat.Token), http.StatusNotFound)
	c.call(t, "the patient searches the sites", get("/fhir/R4/Location?name=fhir&name=clin", pat.Token), http.StatusOK)
	c.call(t, "a site search by a bad parameter", get("/fhir/R4/Location?address=x", pat.Token), http.StatusBadRequest)

	book := func(start time.Time) map[string]any {
		return map[string]any{"resourceType": "Appointment", "status": "booked", "start": start.UTC().Format(time.RFC3339),
			"participant": []any{map[string]any{"actor": map[string]any{"reference": "Patient/" + pat.User.PatientID}, "status": "accepted"},
				map[string]any{"actor": map[string]any{"reference": "Practitioner/" + doc.ID()}, "status": "accepted"}}}
	}
	var appt struct{ ID string }
	c.call(t, "the patient books by FHIR", send("POST", "/fhir/R4/Appointment", pat.Token, book(apptest.At(16, 0))), http.StatusCreated).Decode(t, &appt)
	keyed := send("POST", "/fhir/R4/Appointment", staff.Token, book(apptest.At(16, 15)))
	keyed.Header = map[string]string{"Idempotency-Key": "fhir-book-1"}
	c.call(t, "staff book by FHIR with an Idempotency-Key", keyed, http.StatusCreated)
	c.call(t, "the same booking again", keyed, http.StatusCreated)
	c.call(t, "a taken slot", send("POST", "/fhir/R4/Appointment", staff.Token, book(apptest.At(16, 0))), http.StatusConflict)
	c.call(t, "a booking without a time", send("POST", "/fhir/R4/Appointment", staff.Token, map[string]any{"resourceType": "Appointment", "status": "booked"}), http.StatusBadRequest)
	c.call(t, "a booking for another patient", send("POST", "/fhir/R4/Appointment", env.NewUser(shared.RolePatient).Token, book(apptest.At(16, 30))), http.StatusForbidden)
	c.call(t, "a booking without a token", send("POST", "/fhir/R4/Appointment", "", book(apptest.At(16, 30))), http.StatusUnauthorized)
	c.call(t, "the patient searches their appointments", get("/fhir/R4/Appointment?date=ge2030-01-07&date=lt2030-01-08&status=booked&_count=10", pat.Token), http.StatusOK)
	c.call(t, "staff search a doctor's appointments", get("/fhir/R4/Appointment?practitioner=Practitioner/"+doc.ID()+"&patient="+pat.User.PatientID, staff.Token), http.StatusOK)
	c.call(t, "a patient searches another's", get("/fhir/R4/Appointment?patient="+unknown, pat.Token), http.StatusForbidden)
	c.call(t, "an appointment search by a bad date", get("/fhir/R4/Appointment?date=sa2030", pat.Token), http.StatusBadRequest)
	c.call(t, "the patient reads the appointment", get("/fhir/R4/Appointment/"+appt.ID, pat.Token), http.StatusOK)
	c.call(t, "an appointment that is not there", get("/fhir/R4/Appointment/"+unknown, pat.Token), http.StatusNotFound)
	patch := func(body string) apptest.Request {
		return apptest.Request{Method: "PATCH", Path: "/fhir/R4/Appointment/" + appt.ID, Token: pat.Token, Body: body,
			Header: map[string]string{"Content-Type": "application/json-patch+json"}}
	}
	c.call(t, "a patch that moves the appointment", patch(`[{"op":"replace","path":"/start","value":"2030-01-07T17:00:00Z"}]`), http.StatusUnprocessableEntity)
	c.exchange(t, "a patch that is not JSON Patch", apptest.Request{Method: "PATCH", Path: "/fhir/R4/Appointment/" + appt.ID, Token: pat.Token,
		Body: map[string]any{"status": "cancelled"}}, http.StatusUnsupportedMediaType, true)
	c.exchange(t, "a malformed patch", patch(`[{"path":"/status"}]`), http.StatusBadRequest, true)
	c.call(t, "the patient cancels by JSON Patch", patch(`[{"op":"replace","path":"/status","value":"cancelled"}]`), http.StatusOK)
	c.call(t, "cancelling a cancelled appointment with a reason", patch(`[{"op":"add","path":"/cancelationReason","value":{"text":"again"}}]`), http.StatusConflict)
	var other map[string]any
	c.call(t, "the patient books again", send("POST", "/fhir/R4/Appointment", pat.Token, book(apptest.At(16, 45))), http.StatusCreated).Decode(t, &other)
	id := other["id"].(string)
	other["status"] = "cancelled"
	other["start"] = "2030-01-07T17:00:00Z"
	c.call(t, "an update that moves the appointment", send("PUT", "/fhir/R4/Appointment/"+id, pat.Token, other), http.StatusUnprocessableEntity)
	c.call(t, "an update of another id", send("PUT", "/fhir/R4/Appointment/"+unknown, pat.Token, map[string]any{"resourceType": "Appointment", "id": unknown}), http.StatusNotFound)
	delete(other, "start")
	delete(other, "end")
	delete(other, "minutesDuration")
	c.call(t, "an update that drops the times", send("PUT", "/fhir/R4/Appointment/"+id, pat.Token, other), http.StatusUnprocessableEntity)
	c.call(t, "an update without its id", send("PUT", "/fhir/R4/Appointment/"+id, pat.Token, map[string]any{"resourceType": "Appointment"}), http.StatusBadRequest)

	// Encounters: the patient's own, after a checked-in visit the doctor records.
	visit := env.Attend(staff.Token, doc.ID(), pat.User.PatientID, apptest.At(17, 0))
	var enc shared.Encounter
	env.Post("/api/patients/"+pat.User.PatientID+"/encounters", doc.Token, shared.CreateEncounterRequest{AppointmentID: visit.ID, Reason: "review"}).
		Want(t, http.StatusCreated).Decode(t, &enc)
	c.call(t, "the patient reads their encounter", get("/fhir/R4/Encounter/"+enc.ID, pat.Token), http.StatusOK)
	c.call(t, "another doctor reads it", get("/fhir/R4/Encounter/"+enc.ID, env.NewDoctor("general", "general practice").Token), http.StatusForbidden)
	c.call(t, "an encounter that is not there", get("/fhir/R4/Encounter/"+unknown, admin.Token), http.StatusNotFound)
	c.call(t, "the doctor searches the patient's encounters", get("/fhir/R4/Encounter?patient=Patient/"+pat.User.PatientID+"&practitioner="+doc.ID()+"&date=2030-01&status=arrived", doc.Token), http.StatusOK)
	c.call(t, "an encounter search without the patient", get("/fhir/R4/Encounter?status=finished", doc.Token), http.StatusBadRequest)
	c.call(t, "another patient's encounters", get("/fhir/R4/Encounter?patient="+pat.User.PatientID, env.NewUser(shared.RolePatient).Token), http.StatusForbidden)
}
