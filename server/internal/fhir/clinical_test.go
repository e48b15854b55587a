package fhir_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/shared"
)

// clinic is a patient's clinical and financial records, made through the REST API as a hospital
// would: an encounter with two vitals readings, a released lab report with a file, a lab order not
// released and a cancelled one, an active and a cancelled prescription, an insurance policy and a
// claim the payer partially approved and paid.
type clinic struct {
	patient                      apptest.User
	encounter, reading, reading2 string
	report, unreleased, voided   string
	file                         string
	rx, cancelledRx, completedRx string
	policy, claim                string
}

func intp(n int) *int                    { return &n }
func float(v float64) *float64           { return &v }
func keyed(key string) map[string]string { return map[string]string{"Idempotency-Key": key} }

// records makes the records of a new patient checked in for the fixture doctor (the doctor and the
// desk have a care relationship; the second doctor has none).
func records(t *testing.T, env *apptest.Env, f *apptest.Pharmacy, payerID, tag string, hour int) clinic {
	t.Helper()
	h := f.Hospital
	pat := env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	env.Attend(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(hour, 0))
	out := clinic{patient: pat}

	var e shared.Encounter
	env.Post("/api/patients/"+pid+"/encounters", h.Doctor.Token, shared.CreateEncounterRequest{Reason: "check-up"}).
		Want(t, http.StatusCreated).Decode(t, &e)
	out.encounter = e.ID
	var r shared.VitalsReading
	env.Post("/api/encounters/"+e.ID+"/vitals", h.Staff.Token, shared.Vitals{TemperatureC: float(37.2), PulseBPM: intp(72),
		SystolicMMHg: intp(120), DiastolicMMHg: intp(80), RespiratoryRate: intp(14), SpO2Percent: intp(98), WeightKg: float(70.5),
		HeightCm: float(172)}).Want(t, http.StatusCreated).Decode(t, &r)
	out.reading = r.ID
	env.Post("/api/encounters/"+e.ID+"/vitals", h.Doctor.Token, shared.Vitals{PulseBPM: intp(88)}).
		Want(t, http.StatusCreated).Decode(t, &r)
	out.reading2 = r.ID

	order := func() string {
		var o shared.LabOrder
		req := apptest.LabOrder
		req.EncounterID = e.ID
		env.Post("/api/patients/"+pid+"/lab-orders", h.Doctor.Token, req).Want(t, http.StatusCreated).Decode(t, &o)
		env.Post("/api/lab-orders/"+o.ID+"/results", h.Staff.Token, apptest.LabResults).Want(t, http.StatusCreated)
		return o.ID
	}
	out.report = order()
	var lf shared.LabFile
	env.UploadLabFile(h.Staff.Token, out.report, "file", "report.pdf", "application/pdf", apptest.PDF(t, 2000, "x")).
		Want(t, http.StatusCreated).Decode(t, &lf)
	out.file = lf.ID
	env.Post("/api/lab-orders/"+out.report+"/release", h.Doctor.Token, nil).Want(t, http.StatusOK)
	out.unreleased = order()
	out.voided = order()
	env.Post("/api/lab-orders/"+out.voided+"/cancel", h.Doctor.Token, nil).Want(t, http.StatusOK)

	var rx shared.Prescription
	env.Post("/api/patients/"+pid+"/prescriptions", h.Doctor.Token, shared.PrescribeRequest{MedicationID: f.MedID, Dose: "500 mg",
		Frequency: "three times a day", DurationDays: 7, Quantity: 21, Refills: 1, Instructions: "after meals", EncounterID: e.ID}).
		Want(t, http.StatusCreated).Decode(t, &rx)
	out.rx = rx.ID
	env.Post("/api/patients/"+pid+"/prescriptions", h.Doctor.Token, shared.PrescribeRequest{MedicationID: f.MedID, Dose: "250 mg",
		Frequency: "twice a day", DurationDays: 5, Quantity: 10}).Want(t, http.StatusCreated).Decode(t, &rx)
	out.cancelledRx = rx.ID
	env.Post("/api/prescriptions/"+rx.ID+"/cancel", h.Doctor.Token, shared.ReasonRequest{Reason: "dose changed"}).Want(t, http.StatusOK)
	env.Post("/api/patients/"+pid+"/prescriptions", h.Doctor.Token, shared.PrescribeRequest{MedicationID: f.MedID, Dose: "1 tablet",
		Frequency: "once", DurationDays: 1, Quantity: 1}).Want(t, http.StatusCreated).Decode(t, &rx)
	out.completedRx = rx.ID
	f.Dispense("", rx.ID, shared.DispenseRequest{Fill: 1}).Want(t, http.StatusCreated)

	var pol billing.Policy
	env.Post("/api/patients/"+pid+"/policies", h.Staff.Token, map[string]any{"payer_id": payerID, "member_id": "ACM-" + tag,
		"plan": "Gold", "coverage_bp": 8000, "copay": 1000, "valid_from": "2020-01-01"}).Want(t, http.StatusCreated).Decode(t, &pol)
	out.policy = pol.ID
	env.Do(apptest.Request{Method: "POST", Path: "/api/patients/" + pid + "/charges", Token: h.Staff.Token, Header: keyed("c-" + tag),
		Body: map[string]any{"code": "PROC", "reason": "done in clinic"}}).Want(t, http.StatusCreated)
	var inv billing.Invoice
	env.Post("/api/invoices", h.Staff.Token, billing.DraftRequest{PatientID: pid}).Want(t, http.StatusCreated).Decode(t, &inv)
	env.Post("/api/invoices/"+inv.ID+"/issue", h.Staff.Token, billing.RevRequest{Rev: inv.Rev}).Want(t, http.StatusOK)
	var c billing.Claim
	env.Post("/api/invoices/"+inv.ID+"/claims", h.Staff.Token, nil).Want(t, http.StatusCreated).Decode(t, &c)
	out.claim = c.ID
	return out
}

// answer moves a claim through submitted and partially approved (6000 of 7200) to paid (5000).
func answer(t *testing.T, env *apptest.Env, staff, claimID string) {
	t.Helper()
	status := "/api/claims/" + claimID + "/status"
	var c billing.Claim
	env.Get("/api/claims/"+claimID, staff).Want(t, http.StatusOK).Decode(t, &c)
	for _, move := range []map[string]any{{"status": "submitted"}, {"status": "partially_approved", "approved_amount": 6000},
		{"status": "paid", "paid_amount": 5000}} {
		move["rev"] = c.Rev
		env.Post(status, staff, move).Want(t, http.StatusOK).Decode(t, &c)
	}
}

// setup is a hospital with the pharmacy fixture, a payer and a price, and two patients' records (the
// first patient's claim answered).
func setup(t *testing.T) (*apptest.Env, *apptest.Pharmacy, clinic, clinic) {
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"))
	f := env.Pharmacy(nil)
	var payer billing.Payer
	env.Post("/api/billing/payers", f.Admin.Token, map[string]any{"code": "ACME", "name": "Acme Health"}).
		Want(t, http.StatusCreated).Decode(t, &payer)
	env.Put("/api/billing/prices/PROC", f.Admin.Token, map[string]any{"name": "Procedure", "kind": "procedure", "amount": 10000}).
		Want(t, http.StatusOK)
	f.Receive(f.MedID, 10)
	ann := records(t, env, f, payer.ID, "ann", 10)
	bob := records(t, env, f, payer.ID, "bob", 11)
	answer(t, env, f.Staff.Token, ann.claim)
	return env, f, ann, bob
}

// resource reads a resource, which the validator must accept, and decodes it.
func resource(t *testing.T, env *apptest.Env, path, token, resourceType string) map[string]any {
	t.Helper()
	r := env.Get(path, token).Want(t, http.StatusOK)
	valid(t, r, resourceType)
	var m map[string]any
	r.Decode(t, &m)
	return m
}

// js is a value as compact JSON, for looking into a decoded resource.
func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestClinicalResourcesValidate serves every clinical and financial resource type — Observation
// (vital signs and lab results), DiagnosticReport, MedicationRequest, Coverage, Claim, ClaimResponse
// and their searchsets — and has the independent validator accept each; it checks the mapping's codes,
// units and statuses, what is left out (unreleased and cancelled lab orders) and the search parameters.
func TestClinicalResourcesValidate(t *testing.T) {
	t.Parallel()
	env, f, ann, _ := setup(t)
	doc, staff, pat := f.Doctor.Token, f.Staff.Token, ann.patient.Token
	pid := ann.patient.User.PatientID

	t.Run("CapabilityStatement", func(t *testing.T) {
		cs := resource(t, env, "/fhir/R4/metadata", "", "CapabilityStatement")
		for _, want := range []string{"Observation", "DiagnosticReport", "MedicationRequest", "Coverage", "Claim", "ClaimResponse"} {
			if !strings.Contains(js(cs), `"type":"`+want+`"`) {
				t.Errorf("the CapabilityStatement does not list %s", want)
			}
		}
	})

	t.Run("Observation", func(t *testing.T) {
		b := searchBundle(t, env, "/fhir/R4/Observation?patient=Patient/"+pid+"&_count=100", doc)
		if b.Total != 12 || len(b.Entry) != 12 { // 7 signs + 1, and the released report's 4 results
			t.Fatalf("got %d observations (%d entries), want 12: %v", b.Total, len(b.Entry), b.ids())
		}
		bp := resource(t, env, "/fhir/R4/Observation/vs-"+ann.encounter+"-"+ann.reading+"-bp", doc, "Observation")
		for _, want := range []string{`"code":"85354-9"`, `"code":"8480-6"`, `"code":"8462-4"`, `"value":120`, `"value":80`,
			`"code":"mm[Hg]"`, `"code":"vital-signs"`, `"status":"final"`, `"reference":"Patient/` + pid + `"`,
			`"reference":"Encounter/` + ann.encounter + `"`} {
			if !strings.Contains(js(bp), want) {
				t.Errorf("blood pressure: want %s in %s", want, js(bp))
			}
		}
		for sign, want := range map[string][]string{"hr": {"8867-4", `"/min"`, "72"}, "temp": {"8310-5", `"Cel"`, "37.2"},
			"rr": {"9279-1", `"/min"`, "14"}, "spo2": {"2708-6", "59408-5", `"%"`, "98"}, "wt": {"29463-7", `"kg"`, "70.5"},
			"ht": {"8302-2", `"cm"`, "172"}} {
			o := js(resource(t, env, "/fhir/R4/Observation/vs-"+ann.encounter+"-"+ann.reading+"-"+sign, pat, "Observation"))
			for _, w := range want {
				if !strings.Contains(o, w) {
					t.Errorf("%s: want %s in %s", sign, w, o)
				}
			}
		}
		// Recorded by the doctor: the performer; by staff: none (staff are no Practitioners).
		if o := js(resource(t, env, "/fhir/R4/Observation/vs-"+ann.encounter+"-"+ann.reading2+"-hr", doc, "Observation")); !strings.Contains(o, "Practitioner/"+f.Doctor.ID()) {
			t.Errorf("want the doctor as performer: %s", o)
		}
		k := js(resource(t, env, "/fhir/R4/Observation/lab-"+ann.report+"-1", pat, "Observation"))
		for _, want := range []string{`"code":"laboratory"`, `"system":"urn:hms:lab-test"`, `"code":"K"`, `"text":"Potassium"`,
			`"value":6.9`, `"unit":"mmol/L"`, `"code":"HH"`, `"low":{"unit":"mmol/L","value":3.5}`} {
			if !strings.Contains(k, want) {
				t.Errorf("potassium: want %s in %s", want, k)
			}
		}
		if hcg := js(resource(t, env, "/fhir/R4/Observation/lab-"+ann.report+"-4", pat, "Observation")); !strings.Contains(hcg, `"valueString":"negative"`) {
			t.Errorf("hCG: want the text value: %s", hcg)
		}

		for q, want := range map[string]int{
			"category=vital-signs": 8,
			"category=" + esc("http://terminology.hl7.org/CodeSystem/observation-category|laboratory"): 4,
			"category=imaging":                                    0,
			"code=" + esc("http://loinc.org|8867-4"):              2,
			"code=8867-4&category=laboratory":                     0,
			"code=" + esc("urn:hms:lab-test|k"):                   1,
			"code=" + esc("http://loinc.org|K"):                   0,
			"date=ge2000-01-01&date=le2999":                       12,
			"date=lt2000":                                         0,
			"_id=lab-" + ann.report + "-2":                        1,
			"_id=vs-" + ann.encounter + "-" + ann.reading + "-wt": 1,
		} {
			if b := searchBundle(t, env, "/fhir/R4/Observation?patient="+pid+"&_count=100&"+q, doc); b.Total != want {
				t.Errorf("%s: got %d, want %d (%v)", q, b.Total, want, b.ids())
			}
		}
		// The patient's own, without naming themself; paging.
		b = searchBundle(t, env, "/fhir/R4/Observation?_count=5", pat)
		if b.Total != 12 || len(b.Entry) != 5 || b.link("next") == "" {
			t.Errorf("the patient's first page: %d of %d, next %q", len(b.Entry), b.Total, b.link("next"))
		}
	})

	t.Run("DiagnosticReport", func(t *testing.T) {
		r := js(resource(t, env, "/fhir/R4/DiagnosticReport/"+ann.report, pat, "DiagnosticReport"))
		for _, want := range []string{`"status":"final"`, `"code":"LAB"`, `"code":"11502-2"`, "Observation/lab-" + ann.report + "-4",
			"/api/lab-files/" + ann.file, `"contentType":"application/pdf"`, "critical potassium"} {
			if !strings.Contains(r, want) {
				t.Errorf("want %s in %s", want, r)
			}
		}
		b := searchBundle(t, env, "/fhir/R4/DiagnosticReport?patient=Patient/"+pid, doc)
		if !slices.Equal(b.ids(), []string{ann.report}) {
			t.Errorf("got %v, want only the released report (not the unreleased or cancelled orders)", b.ids())
		}
		for q, want := range map[string]int{"status=final": 1, "status=partial": 0, "category=LAB": 1, "date=ge2000": 1, "_id=" + ann.voided: 0} {
			if b := searchBundle(t, env, "/fhir/R4/DiagnosticReport?"+q, pat); b.Total != want {
				t.Errorf("%s: got %d, want %d", q, b.Total, want)
			}
		}
		for _, id := range []string{ann.unreleased, ann.voided} {
			outcome(t, env.Get("/fhir/R4/DiagnosticReport/"+id, doc), http.StatusNotFound, "not-found", "not_found")
			outcome(t, env.Get("/fhir/R4/Observation/lab-"+id+"-1", doc), http.StatusNotFound, "not-found", "not_found")
		}
	})

	t.Run("MedicationRequest", func(t *testing.T) {
		rx := js(resource(t, env, "/fhir/R4/MedicationRequest/"+ann.rx, pat, "MedicationRequest"))
		for _, want := range []string{`"status":"active"`, `"intent":"order"`, `"system":"urn:hms:medication"`, `"code":"` + f.MedCode + `"`,
			`"text":"Amoxicillin 500 mg"`, "500 mg, three times a day, for 7 days", `"patientInstruction":"after meals"`,
			`"numberOfRepeatsAllowed":1`, `"quantity":{"value":21}`, "Practitioner/" + f.Doctor.ID()} {
			if !strings.Contains(rx, want) {
				t.Errorf("want %s in %s", want, rx)
			}
		}
		if strings.Contains(rx, "medicationReference") {
			t.Errorf("an empty medicationReference beside the CodeableConcept: %s", rx)
		}
		c := js(resource(t, env, "/fhir/R4/MedicationRequest/"+ann.cancelledRx, staff, "MedicationRequest"))
		if !strings.Contains(c, `"status":"cancelled"`) || !strings.Contains(c, "dose changed") {
			t.Errorf("the cancelled prescription: %s", c)
		}
		for q, want := range map[string][]string{"": {ann.completedRx, ann.cancelledRx, ann.rx}, "status=cancelled": {ann.cancelledRx},
			"status=active": {ann.rx}, "status=completed": {ann.completedRx}, "status=entered-in-error": nil, "_id=" + ann.rx: {ann.rx}} {
			if b := searchBundle(t, env, "/fhir/R4/MedicationRequest?patient="+pid+"&"+q, doc); !slices.Equal(b.ids(), want) {
				t.Errorf("%s: got %v, want %v", q, b.ids(), want)
			}
		}
	})

	t.Run("Coverage", func(t *testing.T) {
		cv := js(resource(t, env, "/fhir/R4/Coverage/"+ann.policy, pat, "Coverage"))
		for _, want := range []string{`"status":"active"`, `"subscriberId":"ACM-ann"`, `"system":"urn:hms:payer:ACME:member"`,
			`"reference":"#payer"`, `"resourceType":"Organization"`, `"id":"payer"`, `"name":"Acme Health"`, `"value":"Gold"`,
			`"start":"2020-01-01"`, `"valueMoney":{"currency":"GBP","value":10}`, `"code":"copaypct"`, `"value":20`, "Patient/" + pid} {
			if !strings.Contains(cv, want) {
				t.Errorf("want %s in %s", want, cv)
			}
		}
		b := searchBundle(t, env, "/fhir/R4/Coverage?beneficiary=Patient/"+pid, staff)
		if !slices.Equal(b.ids(), []string{ann.policy}) {
			t.Errorf("got %v, want the policy", b.ids())
		}
		if b := searchBundle(t, env, "/fhir/R4/Coverage", pat); !slices.Equal(b.ids(), []string{ann.policy}) {
			t.Errorf("the patient's own: got %v", b.ids())
		}
	})

	t.Run("Claim and ClaimResponse", func(t *testing.T) {
		c := js(resource(t, env, "/fhir/R4/Claim/"+ann.claim, pat, "Claim"))
		for _, want := range []string{`"status":"active"`, `"use":"claim"`, `"reference":"#payer"`, `"reference":"Organization/hospital"`,
			`"reference":"Coverage/` + ann.policy + `"`, `"currency":"GBP"`, `"resourceType":"Organization"`, `"id":"payer"`} {
			if !strings.Contains(c, want) {
				t.Errorf("Claim: want %s in %s", want, c)
			}
		}
		cr := js(resource(t, env, "/fhir/R4/ClaimResponse/"+ann.claim, pat, "ClaimResponse"))
		for _, want := range []string{`"outcome":"complete"`, `"disposition":"Paid"`, `"reference":"Claim/` + ann.claim + `"`,
			`"code":"submitted"`, `"value":72`, `"code":"benefit"`, `"value":60`, `"code":"partial"`, `"value":50`, `"currency":"GBP"`} {
			if !strings.Contains(cr, want) {
				t.Errorf("ClaimResponse: want %s in %s", want, cr)
			}
		}
		b := searchBundle(t, env, "/fhir/R4/Claim?_count=100", staff) // the board: every claim
		if b.Total != 2 {
			t.Errorf("got %d claims on the board, want both patients'", b.Total)
		}
		for q, want := range map[string]int{"status=active": 1, "status=draft": 1, "patient=" + pid: 1, "_id=" + ann.claim: 1} {
			if b := searchBundle(t, env, "/fhir/R4/Claim?"+q, staff); b.Total != want {
				t.Errorf("Claim %s: got %d, want %d", q, b.Total, want)
			}
		}
		b = searchBundle(t, env, "/fhir/R4/ClaimResponse", staff)
		if !slices.Equal(b.ids(), []string{ann.claim}) {
			t.Errorf("got %v, want only the answered claim's response", b.ids())
		}
	})

	t.Run("a partial report", func(t *testing.T) { // runs after the counts above
		var o shared.LabOrder
		env.Post("/api/patients/"+pid+"/lab-orders", doc, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &o)
		env.Post("/api/lab-orders/"+o.ID+"/results", staff, shared.LabResultsRequest{Results: apptest.LabResults.Results[:1]}).
			Want(t, http.StatusCreated)
		env.Post("/api/lab-orders/"+o.ID+"/release", doc, nil).Want(t, http.StatusOK)
		r := js(resource(t, env, "/fhir/R4/DiagnosticReport/"+o.ID, pat, "DiagnosticReport"))
		if !strings.Contains(r, `"status":"partial"`) || strings.Count(r, "Observation/lab-") != 1 {
			t.Errorf("want a partial report with its one result: %s", r)
		}
		if b := searchBundle(t, env, "/fhir/R4/DiagnosticReport?status=partial", pat); !slices.Equal(b.ids(), []string{o.ID}) {
			t.Errorf("status=partial: got %v", b.ids())
		}
	})

	t.Run("strict", func(t *testing.T) {
		for _, path := range []string{
			"/fhir/R4/Observation?patient=" + pid + "&subject=Patient/" + pid, // unknown parameter
			"/fhir/R4/Observation?patient=" + pid + "&_count=101",
			"/fhir/R4/Observation?patient=" + pid + "&code:text=pulse",
			"/fhir/R4/Observation?patient=" + pid + "&date=ne2020",
			"/fhir/R4/Observation?patient=" + pid + "&category=a&category=b",
			"/fhir/R4/Observation",             // staff name the patient
			"/fhir/R4/Observation?patient=x/y", // not a Patient reference
			"/fhir/R4/DiagnosticReport?patient=" + pid + "&status=done",
			"/fhir/R4/MedicationRequest?patient=" + pid + "&status=bogus",
			"/fhir/R4/MedicationRequest?patient=" + pid + "&_count=0",
			"/fhir/R4/Coverage?patient=" + pid + "&beneficiary=" + pid,
			"/fhir/R4/Claim?status=paid",
			"/fhir/R4/Claim/" + ann.claim + "?_summary=true",
		} {
			outcome(t, env.Get(path, staff), http.StatusBadRequest, "invalid", "invalid_request")
		}
		outcome(t, env.Get("/fhir/R4/Observation/not-an-id", doc), http.StatusNotFound, "not-found", "not_found")
		outcome(t, env.Get("/fhir/R4/Observation/vs-"+ann.encounter+"-"+ann.reading+"-bmi", doc), http.StatusNotFound, "not-found", "not_found")
		outcome(t, env.Get("/fhir/R4/MedicationRequest/nope", doc), http.StatusNotFound, "not-found", "not_found")
		outcome(t, env.Get("/fhir/R4/Coverage/0123456789abcdef01234567", staff), http.StatusNotFound, "not-found", "not_found")
	})
}

// TestClinicalAccessAsREST checks the clinical and financial resources apply the REST API's rules, call
// by call: a patient reading another patient's Observation, DiagnosticReport, MedicationRequest,
// Coverage or Claim gets what REST answers them (403 or 404), and their searches never return
// another's; a doctor without a care relationship is asked to break the glass; a role without the
// permission (admins and chart.read, doctors and billing.read) is refused; and the reads are audited
// as over REST.
func TestClinicalAccessAsREST(t *testing.T) {
	t.Parallel()
	env, f, ann, bob := setup(t)
	annP, bobID := ann.patient, bob.patient.User.PatientID
	same := func(t *testing.T, who apptest.User, rest, fhirPath string, want int) {
		t.Helper()
		r := env.Get(rest, who.Token)
		fr := env.Get(fhirPath, who.Token)
		if r.Status != fr.Status || fr.Status != want {
			t.Errorf("%s: REST %s answers %d, FHIR %s %d; want %d both (%s)", who.User.Role, rest, r.Status, fhirPath, fr.Status, want, fr.Body)
			return
		}
		if fr.Status >= 400 {
			outcome(t, fr, fr.Status, map[int]string{403: "forbidden", 404: "not-found"}[fr.Status], r.Error().Error.Code)
		}
	}

	t.Run("a patient reads another's", func(t *testing.T) {
		same(t, annP, "/api/encounters/"+bob.encounter, "/fhir/R4/Observation/vs-"+bob.encounter+"-"+bob.reading+"-hr", http.StatusForbidden)
		same(t, annP, "/api/lab-orders/"+bob.report, "/fhir/R4/Observation/lab-"+bob.report+"-1", http.StatusForbidden)
		same(t, annP, "/api/lab-orders/"+bob.report, "/fhir/R4/DiagnosticReport/"+bob.report, http.StatusForbidden)
		same(t, annP, "/api/prescriptions/"+bob.rx, "/fhir/R4/MedicationRequest/"+bob.rx, http.StatusNotFound)
		same(t, annP, "/api/claims/"+bob.claim, "/fhir/R4/Claim/"+bob.claim, http.StatusNotFound)
		same(t, annP, "/api/claims/"+bob.claim, "/fhir/R4/ClaimResponse/"+bob.claim, http.StatusNotFound)
		outcome(t, env.Get("/fhir/R4/Coverage/"+bob.policy, annP.Token), http.StatusNotFound, "not-found", "not_found")
		same(t, annP, "/api/patients/"+bobID+"/encounters", "/fhir/R4/Observation?patient="+bobID, http.StatusForbidden)
		same(t, annP, "/api/patients/"+bobID+"/lab-orders", "/fhir/R4/DiagnosticReport?patient="+bobID, http.StatusForbidden)
		same(t, annP, "/api/patients/"+bobID+"/prescriptions", "/fhir/R4/MedicationRequest?patient="+bobID, http.StatusForbidden)
		same(t, annP, "/api/patients/"+bobID+"/policies", "/fhir/R4/Coverage?patient="+bobID, http.StatusForbidden)
		same(t, annP, "/api/claims?patient_id="+bobID, "/fhir/R4/Claim?patient="+bobID, http.StatusForbidden)
	})

	t.Run("a patient's searches hold only their own", func(t *testing.T) {
		for _, path := range []string{"/fhir/R4/Observation?_count=100", "/fhir/R4/DiagnosticReport", "/fhir/R4/MedicationRequest",
			"/fhir/R4/Coverage", "/fhir/R4/Claim", "/fhir/R4/ClaimResponse", "/fhir/R4/Observation?_id=lab-" + bob.report + "-1",
			"/fhir/R4/Claim?_id=" + bob.claim, "/fhir/R4/MedicationRequest?_id=" + bob.rx} {
			b := searchBundle(t, env, path, annP.Token)
			for _, e := range b.Entry {
				for _, bad := range []string{bobID, bob.encounter, bob.report, bob.rx, bob.policy, bob.claim} {
					if strings.Contains(js(e.Resource), bad) {
						t.Errorf("%s: the patient's search returns another's %s", path, bad)
					}
				}
			}
			if strings.Contains(path, "_id=") && b.Total != 0 {
				t.Errorf("%s: got %d, want nothing", path, b.Total)
			}
		}
	})

	t.Run("no care relationship", func(t *testing.T) {
		d2 := f.Doctor2
		same(t, d2, "/api/encounters/"+bob.encounter, "/fhir/R4/Observation/vs-"+bob.encounter+"-"+bob.reading+"-hr", http.StatusForbidden)
		same(t, d2, "/api/lab-orders/"+bob.report, "/fhir/R4/DiagnosticReport/"+bob.report, http.StatusForbidden)
		same(t, d2, "/api/prescriptions/"+bob.rx, "/fhir/R4/MedicationRequest/"+bob.rx, http.StatusForbidden)
		same(t, d2, "/api/patients/"+bobID+"/encounters", "/fhir/R4/Observation?patient="+bobID, http.StatusForbidden)
		same(t, d2, "/api/patients/"+bobID+"/prescriptions", "/fhir/R4/MedicationRequest?patient="+bobID, http.StatusForbidden)
		r := env.Get("/fhir/R4/Observation?patient="+bobID+"&category=laboratory", d2.Token)
		outcome(t, r, http.StatusForbidden, "forbidden", shared.CodeBreakGlassRequired)
	})

	t.Run("without the permission", func(t *testing.T) {
		// Admins hold no chart.read: refused vital signs as GET /api/patients/{id}/encounters.
		same(t, f.Admin, "/api/patients/"+bobID+"/encounters", "/fhir/R4/Observation?patient="+bobID+"&category=vital-signs", http.StatusForbidden)
		outcome(t, env.Get("/fhir/R4/Observation?patient="+bobID, f.Admin.Token), http.StatusForbidden, "forbidden", "forbidden")
		// Doctors hold no billing.read.
		same(t, f.Doctor, "/api/patients/"+bobID+"/policies", "/fhir/R4/Coverage?patient="+bobID, http.StatusForbidden)
		same(t, f.Doctor, "/api/claims/"+bob.claim, "/fhir/R4/Claim/"+bob.claim, http.StatusForbidden)
		same(t, f.Admin, "/api/prescriptions/"+bob.rx, "/fhir/R4/MedicationRequest/"+bob.rx, http.StatusForbidden)
	})

	t.Run("audited", func(t *testing.T) {
		var trail struct{ Items []map[string]any }
		env.Get("/api/audit?actor_id="+annP.ID()+"&patient_id="+bobID+"&limit=100", f.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
		got := map[string]int{}
		for _, e := range trail.Items {
			got[fmt.Sprint(e["action"], " ", e["outcome"])]++
		}
		for _, action := range []string{"encounter.read", "lab.read", "prescription.read", "prescription.list", "billing.policies.read", "billing.claims.read"} {
			if got[action+" denied"] < 2 && got[action+" not_found"] < 2 {
				t.Errorf("%s: want the REST and the FHIR refusal audited, got %v", action, got)
			}
		}
		// Another's claim does not exist for a patient: audited without a patient, as over REST.
		env.Get("/api/audit?actor_id="+annP.ID()+"&action=billing.claim.read&limit=100", f.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
		if n := len(trail.Items); n != 4 {
			t.Errorf("got %d billing.claim.read entries for the 2 REST and 2 FHIR reads of another's claim, want 4", n)
		}
	})
}
