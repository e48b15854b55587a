package fhir_test

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/shared"
)

// sitesCSV is a directory with one of the hospital's own sites and another hospital's.
const sitesCSV = `id,name,address,lat,lng,phone,services,own
north,North Wing Clinic,1 North Road,51.5308,-0.1238,020 7946 0001,outpatient;emergency,true
other,Someone Else's Hospital,Elsewhere,51.4826,-0.0077,020 7946 0002,maternity,
`

func importSites(t *testing.T, env *apptest.Env, admin string) {
	t.Helper()
	env.Do(apptest.Request{Method: "POST", Path: "/api/hospitals/import", Token: admin, Body: sitesCSV,
		Header: map[string]string{"Content-Type": "text/csv"}}).Want(t, http.StatusOK)
}

// slotID is the id the Slot search gives the doctor's slot at t.
func slotID(doctorID string, t time.Time) string {
	return doctorID + "-" + t.UTC().Format("200601021504")
}

// bookBody is an Appointment to book.
func bookBody(patientID, doctorID string, slot string, start time.Time) map[string]any {
	parts := []any{map[string]any{"actor": map[string]any{"reference": "Practitioner/" + doctorID}, "status": "accepted"}}
	if patientID != "" { // a patient may leave themself out
		parts = append(parts, map[string]any{"actor": map[string]any{"reference": "Patient/" + patientID}, "status": "accepted"})
	}
	a := map[string]any{"resourceType": "Appointment", "status": "booked", "reasonCode": []any{map[string]any{"text": "follow-up"}},
		"participant": parts}
	if slot != "" {
		a["slot"] = []any{map[string]any{"reference": "Slot/" + slot}}
	}
	if !start.IsZero() {
		a["start"], a["end"] = start.UTC().Format(time.RFC3339), start.Add(15*time.Minute).UTC().Format(time.RFC3339)
	}
	return a
}

func jsonPatch(env *apptest.Env, path, token, body string) *apptest.Response {
	return env.Do(apptest.Request{Method: "PATCH", Path: path, Token: token, Body: body,
		Header: map[string]string{"Content-Type": "application/json-patch+json"}})
}

// TestSchedulingResourcesValidate serves Schedule, Location, Appointment (read, search, create,
// cancel) and Encounter, and has the independent validator accept each, its searchsets and its
// OperationOutcomes.
func TestSchedulingResourcesValidate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	importSites(t, env, h.Admin.Token)
	pat := env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID

	// Schedule: one per doctor; the Slot search's schedule reference resolves.
	r := env.Get("/fhir/R4/Schedule/"+h.Doctor.ID(), pat.Token).Want(t, http.StatusOK)
	valid(t, r, "Schedule")
	if !strings.Contains(string(r.Body), `"reference":"Practitioner/`+h.Doctor.ID()+`"`) || !strings.Contains(string(r.Body), "general practice") {
		t.Errorf("got %s, want the Practitioner as actor and the specialty", r.Body)
	}
	b := searchBundle(t, env, "/fhir/R4/Schedule", pat.Token)
	if b.Total != 2 {
		t.Errorf("got %d schedules, want the 2 doctors'", b.Total)
	}
	b = searchBundle(t, env, "/fhir/R4/Schedule?actor=Practitioner/"+h.Doctor2.ID(), pat.Token)
	if !slices.Equal(b.ids(), []string{h.Doctor2.ID()}) {
		t.Errorf("got %v, want the second doctor's schedule", b.ids())
	}
	slots := searchBundle(t, env, "/fhir/R4/Slot?schedule=Schedule/"+h.Doctor.ID()+"&start=2030-01-07&_count=1", pat.Token)
	ref := slots.Entry[0].Resource["schedule"].(map[string]any)["reference"].(string)
	valid(t, env.Get("/fhir/R4/"+ref, pat.Token).Want(t, http.StatusOK), "Schedule")

	// Location: the own site only.
	valid(t, env.Get("/fhir/R4/Location/north", pat.Token).Want(t, http.StatusOK), "Location")
	b = searchBundle(t, env, "/fhir/R4/Location", pat.Token)
	if !slices.Equal(b.ids(), []string{"north"}) {
		t.Errorf("got %v, want only the own site", b.ids())
	}
	if b = searchBundle(t, env, "/fhir/R4/Location?name=wing", pat.Token); b.Total != 1 {
		t.Errorf("name=wing: got %d, want 1", b.Total)
	}
	outcome(t, env.Get("/fhir/R4/Location/other", pat.Token), http.StatusNotFound, "not-found", "not_found")

	// Appointment: the patient books the first free slot by its Slot id.
	first := slots.Entry[0].Resource
	r = env.Post("/fhir/R4/Appointment", pat.Token, bookBody("", h.Doctor.ID(), first["id"].(string), time.Time{})).Want(t, http.StatusCreated)
	valid(t, r, "Appointment")
	var appt struct {
		ID, Status, Start, End string
		ReasonCode             []struct{ Text string }
		CancelationReason      *struct{ Text string }
	}
	r.Decode(t, &appt)
	if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, "/fhir/R4/Appointment/"+appt.ID) {
		t.Errorf("got Location %q, want the new Appointment's URL", loc)
	}
	if appt.Status != "booked" || appt.Start != first["start"] || appt.End != first["end"] || len(appt.ReasonCode) != 1 {
		t.Errorf("got %s, want booked at the slot with its reason", r.Body)
	}
	var rest shared.Appointment
	env.Get("/api/appointments/"+appt.ID, pat.Token).Want(t, http.StatusOK).Decode(t, &rest)
	if rest.PatientID != pid || rest.DoctorID != h.Doctor.ID() || rest.Status != shared.StatusScheduled {
		t.Errorf("got %+v over REST, want the patient's scheduled appointment", rest)
	}
	valid(t, env.Get("/fhir/R4/Appointment/"+appt.ID, pat.Token).Want(t, http.StatusOK), "Appointment")
	// Staff book for the patient by start and end.
	r = env.Post("/fhir/R4/Appointment", h.Staff.Token, bookBody(pid, h.Doctor2.ID(), "", apptest.At(10, 0))).Want(t, http.StatusCreated)
	valid(t, r, "Appointment")
	// The slot now taken is 409; bad input is 400 naming what is wrong.
	outcome(t, env.Post("/fhir/R4/Appointment", h.Staff.Token, bookBody(pid, h.Doctor2.ID(), "", apptest.At(10, 0))), http.StatusConflict, "conflict", "conflict")
	for name, tc := range map[string]struct {
		body any
		want string
	}{
		"no status":          {map[string]any{"resourceType": "Appointment"}, "status"},
		"a Patient":          {map[string]any{"resourceType": "Patient"}, "resourceType"},
		"fulfilled":          {mapWith(bookBody(pid, h.Doctor.ID(), "", apptest.At(11, 0)), "status", "fulfilled"), "status"},
		"no time":            {bookBody(pid, h.Doctor.ID(), "", time.Time{}), "start"},
		"a bad slot":         {bookBody(pid, h.Doctor.ID(), "nope", time.Time{}), "slot"},
		"a wrong end":        {mapWith(bookBody(pid, h.Doctor.ID(), "", apptest.At(11, 0)), "end", apptest.At(11, 30).Format(time.RFC3339)), "end"},
		"not a slot start":   {bookBody(pid, h.Doctor.ID(), "", apptest.At(11, 5)), "slot"},
		"an unknown doctor":  {bookBody(pid, "0123456789abcdef01234567", "", apptest.At(11, 0)), "Practitioner"},
		"an unknown patient": {bookBody("0123456789abcdef01234567", h.Doctor.ID(), "", apptest.At(11, 0)), "Patient"},
		"a Location actor": {mapWith(bookBody(pid, h.Doctor.ID(), "", apptest.At(11, 0)), "participant",
			[]any{map[string]any{"actor": map[string]any{"reference": "Location/north"}}}), "participant"},
	} {
		if msg := outcome(t, env.Post("/fhir/R4/Appointment", h.Staff.Token, tc.body), http.StatusBadRequest, "invalid", "invalid_request"); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: got %q, want it to name %s", name, msg, tc.want)
		}
	}

	// Search.
	for q, want := range map[string]int{
		"patient=Patient/" + pid:                            2,
		"patient=" + pid + "&practitioner=" + h.Doctor.ID(): 1,
		"date=2030-01-07":                                   2,
		"date=ge2030-01-08":                                 0,
		"date=ge2030-01&date=lt2030-02":                     2,
		"status=booked":                                     2,
		"status=fulfilled":                                  0,
		"status=proposed":                                   0,
	} {
		if b := searchBundle(t, env, "/fhir/R4/Appointment?"+q, pat.Token); b.Total != want {
			t.Errorf("%s: got %d, want %d", q, b.Total, want)
		}
	}
	outcome(t, env.Get("/fhir/R4/Appointment?date=ne2030", pat.Token), http.StatusBadRequest, "invalid", "invalid_request")
	outcome(t, env.Get("/fhir/R4/Appointment?status=done", pat.Token), http.StatusBadRequest, "invalid", "invalid_request")
	outcome(t, env.Get("/fhir/R4/Appointment?actor=x", pat.Token), http.StatusBadRequest, "invalid", "invalid_request")

	// Cancel: other changes are 422; a JSON Patch of the status cancels through the service.
	path := "/fhir/R4/Appointment/" + appt.ID
	outcome(t, jsonPatch(env, path, pat.Token, `[{"op":"replace","path":"/start","value":"2030-01-07T09:00:00Z"}]`),
		http.StatusUnprocessableEntity, "business-rule", "unsupported_change")
	outcome(t, jsonPatch(env, path, pat.Token, `[{"op":"replace","path":"/status","value":"arrived"}]`),
		http.StatusUnprocessableEntity, "business-rule", "unsupported_change")
	outcome(t, jsonPatch(env, path, pat.Token, `{"op":"replace"}`), http.StatusBadRequest, "invalid", "invalid_request")
	r = jsonPatch(env, path, pat.Token, `[{"op":"replace","path":"/status","value":"cancelled"},{"op":"add","path":"/cancelationReason","value":{"text":"feeling better"}}]`).
		Want(t, http.StatusOK)
	valid(t, r, "Appointment")
	r.Decode(t, &appt)
	if appt.Status != "cancelled" || appt.CancelationReason == nil || appt.CancelationReason.Text != "feeling better" {
		t.Errorf("got %s, want cancelled with the reason", r.Body)
	}
	// PUT: the resource with status cancelled; the slot is free again.
	b = searchBundle(t, env, "/fhir/R4/Appointment?status=booked", h.Staff.Token)
	booked := b.Entry[0].Resource
	outcome(t, env.Put("/fhir/R4/Appointment/"+b.ids()[0], h.Staff.Token, mapWith(booked, "start", "2030-01-07T11:00:00Z")),
		http.StatusUnprocessableEntity, "business-rule", "unsupported_change")
	outcome(t, env.Put("/fhir/R4/Appointment/"+b.ids()[0], h.Staff.Token, mapWith(booked, "id", "other")),
		http.StatusBadRequest, "invalid", "invalid_request")
	r = env.Put("/fhir/R4/Appointment/"+b.ids()[0], h.Staff.Token, mapWith(booked, "status", "cancelled")).Want(t, http.StatusOK)
	valid(t, r, "Appointment")
	valid(t, env.Post("/fhir/R4/Appointment", h.Staff.Token, bookBody(pid, h.Doctor2.ID(), "", apptest.At(10, 0))).Want(t, http.StatusCreated), "Appointment")

	// Encounter: a checked-in appointment, called and started; the doctor opens the encounter.
	visit := env.Attend(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0))
	env.Post("/api/queue/tickets/"+visit.ID+"/call", h.Doctor.Token, nil).Want(t, http.StatusOK)
	env.Post("/api/queue/tickets/"+visit.ID+"/start", h.Doctor.Token, nil).Want(t, http.StatusOK)
	var enc shared.Encounter
	env.Post("/api/patients/"+pid+"/encounters", h.Doctor.Token, shared.CreateEncounterRequest{AppointmentID: visit.ID, Reason: "cough"}).
		Want(t, http.StatusCreated).Decode(t, &enc)
	r = env.Get("/fhir/R4/Encounter/"+enc.ID, h.Doctor.Token).Want(t, http.StatusOK)
	valid(t, r, "Encounter")
	var e struct {
		Status string
		Class  struct{ Code string }
		Period struct{ Start, End string }
	}
	r.Decode(t, &e)
	if e.Status != "in-progress" || e.Class.Code != "AMB" || e.Period.Start == "" || e.Period.End != "" {
		t.Errorf("got %s, want an ambulatory encounter in progress", r.Body)
	}
	env.Post("/api/queue/tickets/"+visit.ID+"/finish", h.Doctor.Token, nil).Want(t, http.StatusOK)
	env.Post("/api/patients/"+pid+"/encounters", h.Doctor.Token, shared.CreateEncounterRequest{Reason: "phone call"}).Want(t, http.StatusCreated)
	for q, want := range map[string]int{
		"patient=" + pid: 2,
		"patient=Patient/" + pid + "&status=finished":        1,
		"patient=" + pid + "&status=in-progress":             0,
		"patient=" + pid + "&status=unknown":                 1,
		"patient=" + pid + "&practitioner=" + h.Doctor.ID():  2,
		"patient=" + pid + "&practitioner=" + h.Doctor2.ID(): 0,
		"patient=" + pid + "&date=2030-01-07":                2,
		"patient=" + pid + "&date=lt2030-01-07":              0,
	} {
		if b := searchBundle(t, env, "/fhir/R4/Encounter?"+q, pat.Token); b.Total != want {
			t.Errorf("%s: got %d, want %d", q, b.Total, want)
		}
	}
	r = env.Get("/fhir/R4/Encounter/"+enc.ID, pat.Token).Want(t, http.StatusOK)
	valid(t, r, "Encounter")
	if r.Decode(t, &e); e.Status != "finished" || e.Period.End == "" {
		t.Errorf("got %s, want finished with its end", r.Body)
	}
	outcome(t, env.Get("/fhir/R4/Encounter", pat.Token), http.StatusBadRequest, "invalid", "invalid_request")
	outcome(t, env.Get("/fhir/R4/Encounter?patient="+pid+"&status=done", pat.Token), http.StatusBadRequest, "invalid", "invalid_request")
	outcome(t, env.Get("/fhir/R4/Encounter/0123456789abcdef01234567", h.Admin.Token), http.StatusNotFound, "not-found", "not_found")

	// The CapabilityStatement lists the new resources.
	r = env.Get("/fhir/R4/metadata", "")
	for _, typ := range []string{"Schedule", "Location", "Appointment", "Encounter"} {
		if !strings.Contains(string(r.Body), `"type":"`+typ+`"`) {
			t.Errorf("the CapabilityStatement does not list %s", typ)
		}
	}
}

func mapWith(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// TestSchedulingAccessAsREST: a patient reading another's Appointment gets REST's 404 and another's
// Encounter REST's 403, and may not search another's appointments; a doctor without a care
// relationship is refused an Encounter (break_glass_required) as over REST; staff without
// appointment.book_for_others cannot book for a patient.
func TestSchedulingAccessAsREST(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	ann, bob := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	bobAppt := env.Book(h.Staff.Token, h.Doctor.ID(), bob.User.PatientID, apptest.At(9, 0))
	var enc shared.Encounter
	env.Attend(h.Staff.Token, h.Doctor.ID(), bob.User.PatientID, apptest.At(9, 30))
	env.Post("/api/patients/"+bob.User.PatientID+"/encounters", h.Doctor.Token, shared.CreateEncounterRequest{Reason: "visit"}).
		Want(t, http.StatusCreated).Decode(t, &enc)

	same := func(t *testing.T, who apptest.User, restPath, fhirPath string, want int) {
		t.Helper()
		rest, fr := env.Get(restPath, who.Token), env.Get(fhirPath, who.Token)
		if rest.Status != want || fr.Status != want {
			t.Errorf("%s %s: REST %d, FHIR %d, want %d (%s)", who.User.Role, fhirPath, rest.Status, fr.Status, want, fr.Body)
		}
		if fr.Status >= 400 {
			valid(t, fr, "OperationOutcome")
			if code := rest.Error().Error.Code; !strings.Contains(string(fr.Body), `"code":"`+code+`"`) {
				t.Errorf("got %s, want HMS code %s as REST", fr.Body, code)
			}
		}
	}
	same(t, ann, "/api/appointments/"+bobAppt.ID, "/fhir/R4/Appointment/"+bobAppt.ID, http.StatusNotFound)
	same(t, bob, "/api/appointments/"+bobAppt.ID, "/fhir/R4/Appointment/"+bobAppt.ID, http.StatusOK)
	same(t, ann, "/api/appointments?patient_id="+bob.User.PatientID, "/fhir/R4/Appointment?patient=Patient/"+bob.User.PatientID, http.StatusForbidden)
	same(t, ann, "/api/encounters/"+enc.ID, "/fhir/R4/Encounter/"+enc.ID, http.StatusForbidden)
	same(t, ann, "/api/patients/"+bob.User.PatientID+"/encounters", "/fhir/R4/Encounter?patient="+bob.User.PatientID, http.StatusForbidden)
	same(t, h.Doctor2, "/api/encounters/"+enc.ID, "/fhir/R4/Encounter/"+enc.ID, http.StatusForbidden)
	same(t, h.Doctor, "/api/encounters/"+enc.ID, "/fhir/R4/Encounter/"+enc.ID, http.StatusOK)
	// A patient's search lists only their own, whatever it asks.
	if b := searchBundle(t, env, "/fhir/R4/Appointment?practitioner="+h.Doctor.ID(), ann.Token); b.Total != 0 {
		t.Errorf("got %d of others' appointments, want none", b.Total)
	}
	// A patient cannot cancel another's appointment (not found, as REST) nor book for them.
	outcome(t, jsonPatch(env, "/fhir/R4/Appointment/"+bobAppt.ID, ann.Token, `[{"op":"replace","path":"/status","value":"cancelled"}]`),
		http.StatusNotFound, "not-found", "not_found")
	outcome(t, env.Post("/fhir/R4/Appointment", ann.Token, bookBody(bob.User.PatientID, h.Doctor.ID(), "", apptest.At(11, 0))),
		http.StatusForbidden, "forbidden", "forbidden")

	// Staff whose role lacks appointment.book_for_others.
	grants := []shared.Permission{shared.PermWardView}
	var role shared.RoleInfo
	env.Post("/api/roles", h.Admin.Token, shared.CreateRoleRequest{Name: "Porter", Kind: shared.RoleStaff, Grants: &grants}).
		Want(t, http.StatusCreated).Decode(t, &role)
	porter := env.NewUser(shared.RoleStaff)
	env.Patch("/api/users/"+porter.ID(), h.Admin.Token, map[string]any{"role_id": role.ID}).Want(t, http.StatusOK)
	porter = env.Login(porter.User.Email, apptest.Password)
	env.Post("/api/appointments", porter.Token, shared.BookRequest{DoctorID: h.Doctor.ID(), PatientID: ann.User.PatientID, Start: apptest.At(11, 0)}).
		WantError(t, http.StatusForbidden, "forbidden")
	msg := outcome(t, env.Post("/fhir/R4/Appointment", porter.Token, bookBody(ann.User.PatientID, h.Doctor.ID(), "", apptest.At(11, 0))),
		http.StatusForbidden, "forbidden", "forbidden")
	if !strings.Contains(msg, string(shared.PermBookOthers)) {
		t.Errorf("got %q, want the permission named", msg)
	}
}

// TestConcurrentFHIRBookings: 20 FHIR bookings of one slot at once give exactly one 201; the others
// are 409 OperationOutcomes (run with -race).
func TestConcurrentFHIRBookings(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	const n = 20
	patients := make([]apptest.User, n)
	for i := range patients {
		patients[i] = env.NewUser(shared.RolePatient)
	}
	slot := slotID(h.Doctor.ID(), apptest.At(9, 0))
	results := make([]*apptest.Response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			results[i] = env.Post("/fhir/R4/Appointment", patients[i].Token, bookBody("", h.Doctor.ID(), slot, time.Time{}))
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, r := range results {
		switch r.Status {
		case http.StatusCreated:
			won++
			valid(t, r, "Appointment")
		case http.StatusConflict:
			outcome(t, r, http.StatusConflict, "conflict", "conflict")
		default:
			t.Errorf("got %d: %s", r.Status, r.Body)
		}
	}
	if won != 1 {
		t.Fatalf("got %d bookings of one slot, want exactly 1", won)
	}
	var list shared.AppointmentList
	env.Get("/api/appointments?doctor_id="+h.Doctor.ID()+"&date=2030-01-07", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &list)
	if list.Total != 1 {
		t.Errorf("got %d appointments stored, want 1", list.Total)
	}
}

// TestAdmissionsAreInpatientEncounters: a ward admission is an Encounter of class IMP, in progress
// while the patient is on the ward and finished once discharged, found by the patient's Encounter
// search with the visits, and read under the ward's rule (another patient: 404, as GET
// /api/admissions/{id}).
func TestAdmissionsAreInpatientEncounters(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	env.Post("/api/wards", h.Admin.Token, shared.CreateWardRequest{ID: "ward-a", Name: "Ward A", Department: h.Dept}).Want(t, http.StatusCreated)
	env.Post("/api/wards/ward-a/beds", h.Admin.Token, shared.AddBedsRequest{Labels: []string{"A1"}}).Want(t, http.StatusCreated)
	env.Attend(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0)) // the desk's and the doctor's care relationship
	var adm shared.Admission
	env.Post("/api/admissions", h.Staff.Token, shared.AdmitRequest{PatientID: pid, WardID: "ward-a", DoctorID: h.Doctor.ID(),
		Source: shared.SourcePlanned, Reason: "observation"}).Want(t, http.StatusCreated).Decode(t, &adm)
	var e struct {
		Status string
		Class  struct{ Code string }
		Period struct{ Start, End string }
	}
	r := env.Get("/fhir/R4/Encounter/"+adm.ID, pat.Token).Want(t, http.StatusOK)
	valid(t, r, "Encounter")
	if r.Decode(t, &e); e.Status != "in-progress" || e.Class.Code != "IMP" || e.Period.Start == "" || e.Period.End != "" {
		t.Errorf("got %s, want an inpatient encounter in progress", r.Body)
	}
	env.Post("/api/patients/"+pid+"/encounters", h.Doctor.Token, shared.CreateEncounterRequest{Reason: "ward round"}).Want(t, http.StatusCreated)
	b := searchBundle(t, env, "/fhir/R4/Encounter?patient="+pid, pat.Token)
	if b.Total != 2 {
		t.Errorf("got %d encounters, want the admission and the visit", b.Total)
	}
	if b = searchBundle(t, env, "/fhir/R4/Encounter?patient="+pid+"&status=in-progress&practitioner="+h.Doctor.ID(), pat.Token); !slices.Equal(b.ids(), []string{adm.ID}) {
		t.Errorf("got %v, want the admission", b.ids())
	}
	env.Post("/api/admissions/"+adm.ID+"/discharge", h.Doctor.Token, shared.DischargeRequest{Summary: "well", Disposition: "home"}).Want(t, http.StatusOK)
	r = env.Get("/fhir/R4/Encounter/"+adm.ID, pat.Token).Want(t, http.StatusOK)
	valid(t, r, "Encounter")
	if r.Decode(t, &e); e.Status != "finished" || e.Period.End == "" || !strings.Contains(string(r.Body), `"dischargeDisposition":{"text":"home"}`) {
		t.Errorf("got %s, want finished with the discharge", r.Body)
	}
	rest := env.Get("/api/admissions/"+adm.ID, other.Token)
	outcome(t, env.Get("/fhir/R4/Encounter/"+adm.ID, other.Token), rest.Status, "not-found", rest.Error().Error.Code)
}

// TestSchedulingSearchIsStrict: the new searches refuse what they do not support, as the others do
// (an unknown parameter, a modifier, an OR list, a time of day in a date, a reference to another
// type); and a booking retried with its Idempotency-Key answers the first one.
func TestSchedulingSearchIsStrict(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	for _, q := range []string{
		"Schedule?specialty=x", "Schedule?actor=Patient/" + pid, "Schedule?actor:missing=true",
		"Location?address=x", "Location?name=a,b",
		"Appointment?actor=Patient/" + pid, "Appointment?patient=Practitioner/" + pid, "Appointment?date=ge2030-01-07T09:00",
		"Appointment?status=booked,arrived", "Appointment?_id=" + pid, "Appointment?date=ap2030",
		"Encounter?patient=" + pid + "&class=AMB", "Encounter?patient=" + pid + "&date=2030-01-07T09:00", "Encounter?subject=Patient/" + pid,
		"Encounter?patient=Practitioner/" + pid,
	} {
		outcome(t, env.Get("/fhir/R4/"+q, pat.Token), http.StatusBadRequest, "invalid", "invalid_request")
	}

	req := apptest.Request{Method: "POST", Path: "/fhir/R4/Appointment", Token: h.Staff.Token,
		Body: bookBody(pid, h.Doctor.ID(), "", apptest.At(9, 0)), Header: map[string]string{"Idempotency-Key": "fhir-retry"}}
	first := env.Do(req).Want(t, http.StatusCreated)
	again := env.Do(req).Want(t, http.StatusCreated)
	valid(t, again, "Appointment")
	var a, b struct{ ID string }
	first.Decode(t, &a)
	again.Decode(t, &b)
	if a.ID != b.ID || again.Header.Get("Idempotent-Replayed") != "true" || first.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("got %s then %s (replayed %q), want the first booking replayed", a.ID, b.ID, again.Header.Get("Idempotent-Replayed"))
	}
	if bk := searchBundle(t, env, "/fhir/R4/Appointment?patient="+pid, h.Staff.Token); bk.Total != 1 {
		t.Errorf("got %d appointments after a retried booking, want 1", bk.Total)
	}
}
