package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/shared"
)

// exerciseFHIRClinical is the FHIR clinical and financial part of TestResponsesMatchDocument:
// Observation, DiagnosticReport, MedicationRequest, Coverage, Claim and ClaimResponse, read and
// searched, their answers and OperationOutcomes against the document. The records are made through
// the REST API first.
func exerciseFHIRClinical(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	admin := env.Admin()
	env.Post("/api/departments", admin.Token, shared.Department{ID: "fhir-clinical", Name: "FHIR clinical"}).Want(t, http.StatusCreated)
	doc := env.NewDoctor("fhir-clinical", "general practice")
	staff, pat := env.NewUser(shared.RoleStaff), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	env.Attend(staff.Token, doc.ID(), pid, apptest.At(11, 0))
	const unknown = "0123456789abcdef01234567"
	n := func(v int) *int { return &v }

	var e shared.Encounter
	env.Post("/api/patients/"+pid+"/encounters", doc.Token, shared.CreateEncounterRequest{Reason: "check-up"}).Want(t, http.StatusCreated).Decode(t, &e)
	var reading shared.VitalsReading
	env.Post("/api/encounters/"+e.ID+"/vitals", doc.Token, shared.Vitals{PulseBPM: n(70), SystolicMMHg: n(118), DiastolicMMHg: n(76)}).
		Want(t, http.StatusCreated).Decode(t, &reading)
	var o shared.LabOrder
	env.Post("/api/patients/"+pid+"/lab-orders", doc.Token, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &o)
	env.Post("/api/lab-orders/"+o.ID+"/results", staff.Token, apptest.LabResults).Want(t, http.StatusCreated)
	env.Post("/api/lab-orders/"+o.ID+"/release", doc.Token, nil).Want(t, http.StatusOK)
	var med shared.Medication
	env.Post("/api/medications", staff.Token, shared.CreateMedicationRequest{Code: "FHIR-AMOX", Name: "Amoxicillin", Form: "capsule",
		Strength: "500 mg", LowStockThreshold: 1}).Want(t, http.StatusCreated).Decode(t, &med)
	var rx shared.Prescription
	env.Post("/api/patients/"+pid+"/prescriptions", doc.Token, shared.PrescribeRequest{MedicationID: med.ID, Dose: "500 mg",
		Frequency: "three times a day", DurationDays: 5, Quantity: 15}).Want(t, http.StatusCreated).Decode(t, &rx)
	var payer billing.Payer
	env.Post("/api/billing/payers", admin.Token, map[string]any{"code": "FHIRPAY", "name": "FHIR Mutual"}).Want(t, http.StatusCreated).Decode(t, &payer)
	var pol billing.Policy
	env.Post("/api/patients/"+pid+"/policies", staff.Token, map[string]any{"payer_id": payer.ID, "member_id": "FM-1", "coverage_bp": 9000,
		"valid_from": "2020-01-01"}).Want(t, http.StatusCreated).Decode(t, &pol)
	env.Put("/api/billing/prices/FHIRVISIT", admin.Token, map[string]any{"name": "Visit", "kind": "procedure", "amount": 5000}).Want(t, http.StatusOK)
	env.Do(apptest.Request{Method: "POST", Path: "/api/patients/" + pid + "/charges", Token: staff.Token,
		Header: map[string]string{"Idempotency-Key": "fhir-clinical-1"}, Body: map[string]any{"code": "FHIRVISIT", "reason": "visit"}}).
		Want(t, http.StatusCreated)
	var inv billing.Invoice
	env.Post("/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}).Want(t, http.StatusCreated).Decode(t, &inv)
	env.Post("/api/invoices/"+inv.ID+"/issue", staff.Token, billing.RevRequest{Rev: inv.Rev}).Want(t, http.StatusOK)
	var cl billing.Claim
	env.Post("/api/invoices/"+inv.ID+"/claims", staff.Token, nil).Want(t, http.StatusCreated).Decode(t, &cl)
	for _, move := range []map[string]any{{"status": "submitted"}, {"status": "denied", "reason": "not covered"}} {
		move["rev"] = cl.Rev
		env.Post("/api/claims/"+cl.ID+"/status", staff.Token, move).Want(t, http.StatusOK).Decode(t, &cl)
	}

	R := "/fhir/R4/"
	c.call(t, "a doctor searches a patient's observations", get(R+"Observation?patient=Patient/"+pid+"&category=vital-signs&date=ge2000&_count=10", doc.Token), http.StatusOK)
	c.call(t, "the patient searches their lab results", get(R+"Observation?code="+url.QueryEscape("urn:hms:lab-test|K"), pat.Token), http.StatusOK)
	c.call(t, "staff search observations without a patient", get(R+"Observation", staff.Token), http.StatusBadRequest)
	c.exchange(t, "an observation page too large", get(R+"Observation?patient="+pid+"&_count=101", doc.Token), http.StatusBadRequest, true)
	c.call(t, "an admin without chart.read searches vital signs", get(R+"Observation?patient="+pid, admin.Token), http.StatusForbidden)
	c.call(t, "an observation search without a token", get(R+"Observation", ""), http.StatusUnauthorized)
	c.call(t, "the patient reads a vital sign", get(R+"Observation/vs-"+e.ID+"-"+reading.ID+"-bp", pat.Token), http.StatusOK)
	c.call(t, "the patient reads a lab result", get(R+"Observation/lab-"+o.ID+"-1", pat.Token), http.StatusOK)
	c.call(t, "an observation that is not there", get(R+"Observation/lab-"+unknown+"-1", doc.Token), http.StatusNotFound)
	c.call(t, "the patient searches their lab reports", get(R+"DiagnosticReport?status=final&category=LAB", pat.Token), http.StatusOK)
	c.call(t, "a doctor reads a lab report", get(R+"DiagnosticReport/"+o.ID, doc.Token), http.StatusOK)
	c.call(t, "a lab report that is not there", get(R+"DiagnosticReport/"+unknown, doc.Token), http.StatusNotFound)
	c.call(t, "a doctor searches prescriptions", get(R+"MedicationRequest?patient="+pid+"&status=active", doc.Token), http.StatusOK)
	c.call(t, "the patient reads a prescription", get(R+"MedicationRequest/"+rx.ID, pat.Token), http.StatusOK)
	c.call(t, "an admin may not read prescriptions", get(R+"MedicationRequest/"+rx.ID, admin.Token), http.StatusForbidden)
	c.call(t, "a prescription that is not there", get(R+"MedicationRequest/"+unknown, doc.Token), http.StatusNotFound)
	c.call(t, "staff search a patient's policies", get(R+"Coverage?beneficiary=Patient/"+pid, staff.Token), http.StatusOK)
	c.call(t, "the patient reads their policy", get(R+"Coverage/"+pol.ID, pat.Token), http.StatusOK)
	c.call(t, "a doctor may not read policies", get(R+"Coverage/"+pol.ID, doc.Token), http.StatusForbidden)
	c.call(t, "a policy that is not there", get(R+"Coverage/"+unknown, staff.Token), http.StatusNotFound)
	c.call(t, "staff search the claims", get(R+"Claim?status=active", staff.Token), http.StatusOK)
	c.call(t, "the patient reads their claim", get(R+"Claim/"+cl.ID, pat.Token), http.StatusOK)
	c.call(t, "a claim that is not there", get(R+"Claim/"+unknown, staff.Token), http.StatusNotFound)
	c.call(t, "the patient searches the answers to their claims", get(R+"ClaimResponse", pat.Token), http.StatusOK)
	c.call(t, "staff read the payer's answer", get(R+"ClaimResponse/"+cl.ID, staff.Token), http.StatusOK)
	c.call(t, "an answer that is not there", get(R+"ClaimResponse/"+unknown, staff.Token), http.StatusNotFound)
	c.call(t, "a claim search for another patient", get(R+"Claim?patient="+pid, env.NewUser(shared.RolePatient).Token), http.StatusForbidden)
}
