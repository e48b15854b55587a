package app_test

import (
	"net/http"
	"testing"

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
}
