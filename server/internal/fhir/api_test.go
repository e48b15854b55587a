package fhir_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// register registers a patient at the desk through the REST API and returns the record.
func register(t *testing.T, env *apptest.Env, token string, req shared.RegisterPatientRequest) shared.Patient {
	t.Helper()
	var p shared.Patient
	env.Post("/api/patients", token, req).Want(t, http.StatusCreated).Decode(t, &p)
	return p
}

// outcome checks an OperationOutcome answer: the status, a valid resource, the issue type and HMS's
// error code; it returns the issue's text.
func outcome(t *testing.T, r *apptest.Response, status int, issue, code string) string {
	t.Helper()
	if r.Status != status {
		t.Fatalf("got status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	valid(t, r, "OperationOutcome")
	var oo struct {
		Issue []struct {
			Severity, Code, Diagnostics string
			Details                     struct {
				Coding []struct{ System, Code string }
				Text   string
			}
		}
	}
	if err := json.Unmarshal(r.Body, &oo); err != nil || len(oo.Issue) != 1 {
		t.Fatalf("got %s, want one issue", r.Body)
	}
	i := oo.Issue[0]
	if i.Severity != "error" || i.Code != issue {
		t.Errorf("got issue %s/%s, want error/%s: %s", i.Severity, i.Code, issue, r.Body)
	}
	if len(i.Details.Coding) != 1 || i.Details.Coding[0].System != "urn:hms:error" || i.Details.Coding[0].Code != code {
		t.Errorf("got details %+v, want HMS code %s", i.Details, code)
	}
	if id := r.Header.Get("X-Request-ID"); id == "" || !strings.Contains(i.Diagnostics, id) {
		t.Errorf("got diagnostics %q, want the request ID %q", i.Diagnostics, id)
	}
	return i.Details.Text
}

// bundle is a searchset as the tests read it.
type bundle struct {
	ResourceType, Type string
	Total              int
	Link               []struct{ Relation, URL string }
	Entry              []struct {
		FullURL  string
		Resource map[string]any
	}
}

func (b bundle) link(rel string) string {
	for _, l := range b.Link {
		if l.Relation == rel {
			return l.URL
		}
	}
	return ""
}

func (b bundle) ids() []string {
	var out []string
	for _, e := range b.Entry {
		out = append(out, e.Resource["id"].(string))
	}
	return out
}

// searchBundle runs a search that must answer 200 with a valid searchset.
func searchBundle(t *testing.T, env *apptest.Env, path, token string) bundle {
	t.Helper()
	r := env.Get(path, token).Want(t, http.StatusOK)
	valid(t, r, "Bundle")
	var b bundle
	r.Decode(t, &b)
	if b.ResourceType != "Bundle" || b.Type != "searchset" || b.link("self") == "" {
		t.Fatalf("got %s, want a searchset Bundle with a self link", r.Body)
	}
	return b
}

// pathOf makes a link's URL a path the test server answers.
func pathOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Path == "" {
		t.Fatalf("bad link %q", link)
	}
	return u.RequestURI()
}

// TestResourcesValidate serves every resource type this slice serves — CapabilityStatement, Patient,
// Practitioner, Organization, Slot, searchset Bundles of each and OperationOutcomes — and has the
// independent validator accept each.
func TestResourcesValidate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_NAME", "St Elsewhere"), apptest.WithEnv("HOSPITAL_ADDRESS", "1 Main Street, Springfield"),
		apptest.WithEnv("HOSPITAL_TAX_ID", "GB123456789"))
	h := env.Hospital()
	ana := register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "Ana Álvarez-Núñez", DateOfBirth: "1990-05-17",
		Sex: "female", Phone: "+44 20 7946 0958", Address: "2 High Street, Springfield",
		EmergencyContacts: []shared.EmergencyContact{{Name: "Luis Álvarez", Relation: "brother", Phone: "+44 20 7946 0959"}}})
	register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "Unknown Male", Unidentified: true, Sex: "male"})

	var cs struct {
		ResourceType, FhirVersion, Kind string
		Rest                            []struct {
			Resource []struct {
				Type        string
				SearchParam []struct{ Name string }
			}
		}
	}
	r := env.Get("/fhir/R4/metadata", "")
	valid(t, r.Want(t, http.StatusOK), "CapabilityStatement")
	r.Decode(t, &cs)
	if cs.FhirVersion != "4.0.1" || len(cs.Rest) != 1 {
		t.Fatalf("got %s, want an R4 server statement", r.Body)
	}
	var types []string
	for _, res := range cs.Rest[0].Resource {
		types = append(types, res.Type)
	}
	if want := []string{"Patient", "Practitioner", "Organization", "Slot", "Schedule", "Location", "Appointment", "Encounter",
		"Observation", "DiagnosticReport", "MedicationRequest", "Coverage", "Claim", "ClaimResponse"}; !slices.Equal(types, want) {
		t.Errorf("got resources %v, want exactly %v", types, want)
	}
	valid(t, env.Get("/fhir/R4/metadata?_format=json", "").Want(t, http.StatusOK), "CapabilityStatement")

	// The patient's own record: the patient account reads it; staff read the desk registration after a
	// check-in (the care relationship).
	pat := env.NewUser(shared.RolePatient)
	valid(t, env.Get("/fhir/R4/Patient/"+pat.User.PatientID, pat.Token).Want(t, http.StatusOK), "Patient")
	env.Attend(h.Staff.Token, h.Doctor.ID(), ana.ID, apptest.At(9, 0))
	r = env.Get("/fhir/R4/Patient/"+ana.ID, h.Doctor.Token).Want(t, http.StatusOK)
	valid(t, r, "Patient")
	var p struct {
		ID, BirthDate, Gender string
		Identifier            []struct{ System, Value string }
		Name                  []struct{ Text string }
		Contact               []struct{ Name struct{ Text string } }
	}
	r.Decode(t, &p)
	if p.ID != ana.ID || p.BirthDate != "1990-05-17" || p.Gender != "female" || len(p.Identifier) != 1 ||
		p.Identifier[0].System != "urn:hms:mrn" || p.Identifier[0].Value != ana.MRN || len(p.Name) != 1 ||
		p.Name[0].Text != "Ana Álvarez-Núñez" || len(p.Contact) != 1 || p.Contact[0].Name.Text != "Luis Álvarez" {
		t.Errorf("got %s, want Ana's demographics", r.Body)
	}
	if strings.Contains(string(r.Body), "medical") {
		t.Errorf("the Patient carries medical content: %s", r.Body)
	}

	b := searchBundle(t, env, "/fhir/R4/Patient?name=ana", h.Staff.Token)
	if b.Total != 1 || !slices.Equal(b.ids(), []string{ana.ID}) {
		t.Errorf("got %+v, want Ana", b)
	}
	searchBundle(t, env, "/fhir/R4/Patient?_count=100", h.Admin.Token) // every patient, the unidentified one too

	valid(t, env.Get("/fhir/R4/Practitioner/"+h.Doctor.ID(), pat.Token).Want(t, http.StatusOK), "Practitioner")
	b = searchBundle(t, env, "/fhir/R4/Practitioner", pat.Token)
	if b.Total != 2 {
		t.Errorf("got %d practitioners, want the 2 doctors", b.Total)
	}

	r = env.Get("/fhir/R4/Organization/hospital", pat.Token).Want(t, http.StatusOK)
	valid(t, r, "Organization")
	if !strings.Contains(string(r.Body), "St Elsewhere") || !strings.Contains(string(r.Body), "GB123456789") {
		t.Errorf("got %s, want the hospital from HOSPITAL_NAME and HOSPITAL_TAX_ID", r.Body)
	}

	b = searchBundle(t, env, "/fhir/R4/Slot?schedule=Schedule/"+h.Doctor2.ID()+"&start=2030-01-07&_count=100", pat.Token)
	if b.Total != 36 || len(b.Entry) != 36 { // 08:00–18:00 in 15 minutes, less the 12:00–13:00 break
		t.Errorf("got %d free slots (%d entries), want 36", b.Total, len(b.Entry))
	}
	if b.Entry[0].Resource["start"] != "2030-01-07T08:00:00Z" || b.Entry[0].Resource["status"] != "free" {
		t.Errorf("got first slot %v, want free at 08:00", b.Entry[0].Resource)
	}
	b = searchBundle(t, env, "/fhir/R4/Slot?schedule=Schedule/"+h.Doctor.ID()+"&start=2030-01-07&status=free&_count=100", pat.Token)
	if b.Total != 35 {
		t.Errorf("got %d free slots for the doctor with Ana's 09:00 appointment, want 35", b.Total)
	}

	// Errors, each an OperationOutcome the validator accepts.
	outcome(t, env.Get("/fhir/R4/Patient?name=ana", ""), http.StatusUnauthorized, "login", "unauthenticated")
	outcome(t, env.Get("/fhir/R4/Patient/"+ana.ID, "not.a.token"), http.StatusUnauthorized, "login", "unauthenticated")
	if msg := outcome(t, env.Get("/fhir/R4/Patient?family=x", h.Staff.Token), http.StatusBadRequest, "invalid", "invalid_request"); !strings.Contains(msg, `"family"`) {
		t.Errorf("got %q, want the parameter named", msg)
	}
	outcome(t, env.Get("/fhir/R4/Patient?name:exact=Ana", h.Staff.Token), http.StatusBadRequest, "invalid", "invalid_request")
	outcome(t, env.Get("/fhir/R4/Patient?name=ana,luis", h.Staff.Token), http.StatusBadRequest, "invalid", "invalid_request")
	outcome(t, env.Get("/fhir/R4/Patient?_count=101", h.Staff.Token), http.StatusBadRequest, "invalid", "invalid_request")
	outcome(t, env.Get("/fhir/R4/Patient?birthdate=17/05/1990", h.Staff.Token), http.StatusBadRequest, "invalid", "invalid_request")
	outcome(t, env.Get("/fhir/R4/Patient?birthdate=ne1990", h.Staff.Token), http.StatusBadRequest, "invalid", "invalid_request")
	outcome(t, env.Get("/fhir/R4/Patient/0123456789abcdef01234567", h.Admin.Token), http.StatusNotFound, "not-found", "not_found")
	outcome(t, env.Get("/fhir/R4/Patient/not-an-id", h.Admin.Token), http.StatusNotFound, "not-found", "not_found")
	outcome(t, env.Get("/fhir/R4/Practitioner/"+pat.ID(), pat.Token), http.StatusNotFound, "not-found", "not_found")
	outcome(t, env.Get("/fhir/R4/Organization/other", pat.Token), http.StatusNotFound, "not-found", "not_found")
	outcome(t, env.Get("/fhir/R4/Basic", pat.Token), http.StatusNotFound, "not-found", "not_found")
	outcome(t, env.Do(apptest.Request{Method: "POST", Path: "/fhir/R4/Patient", Token: pat.Token, Body: map[string]any{}}),
		http.StatusMethodNotAllowed, "not-supported", "method_not_allowed")
	outcome(t, env.Get("/fhir/R4/Slot?schedule=Schedule/"+h.Doctor.ID(), pat.Token), http.StatusBadRequest, "invalid", "invalid_request")
	outcome(t, env.Get("/fhir/R4/metadata?_format=xml", ""), http.StatusNotAcceptable, "not-supported", "not_acceptable")
	outcome(t, env.Get("/fhir/R4/Patient/"+ana.ID+"?_summary=true", pat.Token), http.StatusBadRequest, "invalid", "invalid_request")
}
