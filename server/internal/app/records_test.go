package app_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/audit"
	"hms/server/internal/patient"
	"hms/shared"
)

// register creates a patient without an account through the desk route.
func register(t *testing.T, env *apptest.Env, token string, req shared.RegisterPatientRequest) shared.Patient {
	t.Helper()
	var p shared.Patient
	env.Post("/api/patients", token, req).Want(t, http.StatusCreated).Decode(t, &p)
	return p
}

func search(t *testing.T, env *apptest.Env, token, query string) shared.PatientList {
	t.Helper()
	var l shared.PatientList
	env.Get("/api/patients?"+query, token).Want(t, http.StatusOK).Decode(t, &l)
	return l
}

func summaryNames(l shared.PatientList) []string {
	out := []string{}
	for _, p := range l.Items {
		out = append(out, p.Name)
	}
	slices.Sort(out)
	return out
}

// auditActions returns the actions recorded for a patient id ("" for entries with none) by an actor.
func auditActions(t *testing.T, env *apptest.Env, actorID string) []audit.EntryJSON {
	t.Helper()
	var trail struct {
		Items []audit.EntryJSON `json:"items"`
	}
	env.Get("/api/audit?limit=100&actor_id="+actorID, env.Admin().Token).Want(t, http.StatusOK).Decode(t, &trail)
	return trail.Items
}

// TestRecordsSearch: names by case- and accent-insensitive word prefix, not the middle of a word;
// exact id and MRN; condition via the blind index; filters combine; the page size is capped; results
// carry no medical content; one audit entry per search, holding no search text.
func TestRecordsSearch(t *testing.T) {
	env := apptest.New(t)
	h := env.Hospital()
	jose := register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "José Álvarez", DateOfBirth: "1980-02-03",
		Sex: "male", Conditions: []string{"Type 2 diabetes"}, Allergies: []string{"Penicillin"}})
	josephine := register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "Josephine Baker", Conditions: []string{"Asthma"}})
	register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "Ana Salvador"})
	for i := 0; i < 3; i++ {
		register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: fmt.Sprintf("Filler %d", i)})
	}
	// A search by condition lists only patients the caller may see (row 35): both are here today.
	for _, id := range []string{jose.ID, josephine.ID} {
		env.Post("/api/queue/checkin", h.Staff.Token, shared.CheckInRequest{Department: h.Dept, PatientID: id}).Want(t, http.StatusCreated)
	}

	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"upper case with accent", "q=" + url.QueryEscape("JOSÉ"), []string{"Josephine Baker", "José Álvarez"}},
		{"plain lower case", "q=jose", []string{"Josephine Baker", "José Álvarez"}},
		{"second word, accented", "q=" + url.QueryEscape("Álv"), []string{"José Álvarez"}},
		{"second word, unaccented", "q=alv", []string{"José Álvarez"}},
		{"middle of a word", "q=lvar", []string{}},
		{"id", "q=" + jose.ID, []string{"José Álvarez"}},
		{"MRN in q, lower case", "q=h" + jose.MRN[1:], []string{"José Álvarez"}},
		{"mrn", "mrn=" + jose.MRN, []string{"José Álvarez"}},
		{"condition word", "condition=DIABETES", []string{"José Álvarez"}},
		{"condition is not a prefix", "condition=diab", []string{}},
		{"name and condition", "q=jos&condition=asthma", []string{"Josephine Baker"}},
		{"name and a condition of someone else", "q=ana&condition=asthma", []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := search(t, env, h.Staff.Token, tc.query)
			if got := summaryNames(l); !slices.Equal(got, tc.want) || l.Total != len(tc.want) {
				t.Fatalf("got %v (total %d), want %v", got, l.Total, tc.want)
			}
		})
	}
	// The results are demographics: no history, allergies or conditions in the body.
	body := env.Get("/api/patients?q=jose", h.Doctor.Token).Want(t, http.StatusOK).Body
	for _, word := range []string{"Penicillin", "diabetes", "medical_history", "allergies"} {
		if bytes.Contains(body, []byte(word)) {
			t.Fatalf("search answer holds %q: %s", word, body)
		}
	}
	l := search(t, env, h.Staff.Token, "limit=1000")
	if l.Limit != 100 || l.Total != 6 || len(l.Items) != 6 {
		t.Fatalf("limit=1000: got limit %d, total %d, %d items; want capped at 100, 6 of 6", l.Limit, l.Total, len(l.Items))
	}
	l = search(t, env, h.Staff.Token, "limit=2&page=2")
	if len(l.Items) != 2 || l.Total != 6 || l.Page != 2 {
		t.Fatalf("page 2 of 2: got %d items of %d, page %d", len(l.Items), l.Total, l.Page)
	}
	for _, bad := range []string{"mrn=H00000001", "mrn=nope", "condition=" + url.QueryEscape("--"), "q=" + url.QueryEscape("***"), "limit=0", "page=x"} {
		env.Get("/api/patients?"+bad, h.Staff.Token).Want(t, http.StatusBadRequest)
	}
	env.Get("/api/patients?q=jose", env.NewUser(shared.RolePatient).Token).Want(t, http.StatusForbidden)

	// Row 28: one patient.search entry per search, no search text anywhere in the audit collection.
	searches := 0
	for _, e := range auditActions(t, env, h.Doctor.ID()) {
		if e.Action == "patient.search" {
			searches++
			if e.PatientID != "" {
				t.Errorf("search audited on patient %q, want none", e.PatientID)
			}
		}
	}
	if searches != 1 {
		t.Fatalf("the doctor's searches audited %d times, want 1", searches)
	}
	cur, err := env.App.DB.Collection("audit").Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(context.Background())
	for cur.Next(context.Background()) {
		for _, word := range []string{"jose", "José", "diabetes", "DIABETES", "asthma", jose.MRN} {
			if bytes.Contains(cur.Current, []byte(word)) {
				t.Fatalf("audit entry holds search text %q: %s", word, cur.Current)
			}
		}
	}
}

// TestRecordsRegisterPatchAndMRN: every new record gets a valid, distinct MRN (account registration,
// desk registration, walk-in, unidentified emergency); an Idempotency-Key replays; bad input is 400;
// PATCH changes only what is sent; the GET shows the new fields to someone with a care relationship;
// the raw document holds no plaintext allergies, conditions or history (row 30).
func TestRecordsRegisterPatchAndMRN(t *testing.T) {
	env := apptest.New(t)
	h := env.Hospital()
	account := env.NewUser(shared.RolePatient)
	desk := register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "Ada Byron", DateOfBirth: "1990-12-10", Sex: "female",
		Phone: "+44 20 7946 0018", Address: "12 St James's Square", Allergies: []string{"Penicillin", " penicillin "},
		Conditions: []string{"Epilepsy"}, EmergencyContacts: []shared.EmergencyContact{{Name: "Mary", Relation: "mother", Phone: "020 7946 0019"}}})
	walkIn := env.WalkIn(h.Staff.Token, h.Dept, "Walk In", 3)
	var emergency shared.Appointment
	env.Post("/api/queue/emergency", h.Staff.Token, shared.EmergencyRequest{Department: h.Dept, Triage: 3, Name: "Unknown male"}).Want(t, 201).Decode(t, &emergency)
	mrns := map[string]bool{}
	for _, id := range []string{account.User.PatientID, desk.ID, walkIn.PatientID, emergency.PatientID} {
		// The desk finds a record by its id in the register (demographics, no care relationship needed).
		var l shared.PatientList
		env.Get("/api/patients?q="+id, h.Staff.Token).Want(t, http.StatusOK).Decode(t, &l)
		if len(l.Items) != 1 {
			t.Fatalf("search by id %s: got %d records, want 1", id, len(l.Items))
		}
		p := l.Items[0]
		if !patient.ValidMRN(p.MRN) || mrns[p.MRN] {
			t.Fatalf("record %s has MRN %q, want a valid, distinct one", id, p.MRN)
		}
		mrns[p.MRN] = true
	}
	if !slices.Equal(desk.Allergies, []string{"Penicillin"}) || desk.Sex != "female" || len(desk.EmergencyContacts) != 1 {
		t.Fatalf("registered %+v", desk)
	}

	// Idempotency-Key: the same request twice is one patient; the same key with another body is 409.
	req := shared.RegisterPatientRequest{Name: "Keyed Person"}
	hdr := map[string]string{"Idempotency-Key": "reg-1"}
	var first, again shared.Patient
	env.Do(apptest.Request{Method: "POST", Path: "/api/patients", Token: h.Staff.Token, Body: req, Header: hdr}).Want(t, 201).Decode(t, &first)
	r := env.Do(apptest.Request{Method: "POST", Path: "/api/patients", Token: h.Staff.Token, Body: req, Header: hdr}).Want(t, 201)
	r.Decode(t, &again)
	if again.ID != first.ID || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry made %s (replayed %q), want %s replayed", again.ID, r.Header.Get("Idempotent-Replayed"), first.ID)
	}
	env.Do(apptest.Request{Method: "POST", Path: "/api/patients", Token: h.Staff.Token, Body: shared.RegisterPatientRequest{Name: "Other"}, Header: hdr}).Want(t, 409)

	for name, body := range map[string]any{
		"no name":          shared.RegisterPatientRequest{},
		"future birth":     shared.RegisterPatientRequest{Name: "X", DateOfBirth: "2999-01-01"},
		"bad date":         shared.RegisterPatientRequest{Name: "X", DateOfBirth: "1990-13-01"},
		"bad sex":          shared.RegisterPatientRequest{Name: "X", Sex: "yes"},
		"bad phone":        shared.RegisterPatientRequest{Name: "X", Phone: "call me"},
		"contact no phone": shared.RegisterPatientRequest{Name: "X", EmergencyContacts: []shared.EmergencyContact{{Name: "Y"}}},
		"unknown field":    map[string]any{"name": "X", "blood": "A+"},
	} {
		if r := env.Post("/api/patients", h.Staff.Token, body); r.Status != http.StatusBadRequest {
			t.Errorf("%s: got %d, want 400", name, r.Status)
		}
	}

	// PATCH: demographics and clinical lists; only what is sent changes.
	env.Attend(h.Staff.Token, h.Doctor.ID(), desk.ID, apptest.At(9, 0)) // a care relationship today
	var sum shared.PatientSummary
	env.Patch("/api/patients/"+desk.ID, h.Staff.Token, map[string]any{"phone": "+44 20 7946 0000", "conditions": []string{"Epilepsy", "Migraine"}}).
		Want(t, http.StatusOK).Decode(t, &sum)
	if sum.Phone != "+44 20 7946 0000" || sum.Name != "Ada Byron" {
		t.Fatalf("patched %+v", sum)
	}
	var got shared.Patient
	env.Get("/api/patient/"+desk.ID, h.Doctor.Token).Want(t, http.StatusOK).Decode(t, &got)
	if !slices.Equal(got.Conditions, []string{"Epilepsy", "Migraine"}) || !slices.Equal(got.Allergies, []string{"Penicillin"}) ||
		got.DateOfBirth != "1990-12-10" || got.Address != "12 St James's Square" {
		t.Fatalf("after PATCH: %+v", got)
	}
	for name, body := range map[string]any{
		"empty name":  map[string]any{"name": " "},
		"future":      map[string]any{"date_of_birth": "2999-01-01"},
		"long list":   map[string]any{"allergies": make([]string, 0, 1)},
		"bad contact": map[string]any{"emergency_contacts": []map[string]string{{"name": "", "phone": "1"}}},
	} {
		want := http.StatusBadRequest
		if name == "long list" {
			want = http.StatusOK // an empty list clears
		}
		if r := env.Patch("/api/patients/"+desk.ID, h.Staff.Token, body); r.Status != want {
			t.Errorf("PATCH %s: got %d, want %d (%s)", name, r.Status, want, r.Body)
		}
	}
	env.Patch("/api/patients/not-an-id", h.Staff.Token, map[string]any{"name": "X"}).Want(t, http.StatusBadRequest)
	env.Patch("/api/patients/0123456789abcdef01234567", h.Staff.Token, map[string]any{"name": "X"}).Want(t, http.StatusNotFound)

	// Row 30: the raw document.
	env.Put("/api/patient/"+desk.ID, h.Doctor.Token, shared.UpdatePatientRequest{MedicalHistory: new("Seizures since 2001")}).Want(t, http.StatusOK)
	raw, err := env.App.DB.Collection("patients").FindOne(context.Background(), bson.D{{Key: "_id", Value: desk.ID}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	for _, word := range []string{"Epilepsy", "epilepsy", "Migraine", "migraine", "Seizures", "seizures", "Penicillin", "penicillin"} {
		if bytes.Contains(raw, []byte(word)) {
			t.Fatalf("plaintext %q in the raw patient document: %s", word, raw)
		}
	}
}

// TestRecordsHistoryAndAccess: revisions listed newest first with author and role; a patient reads
// their own history but is refused another's record, history and changes (row 12), all audited (row 28).
func TestRecordsHistoryAndAccess(t *testing.T) {
	env := apptest.New(t)
	h := env.Hospital()
	ann, bob := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	pid := ann.User.PatientID
	env.Attend(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0))
	env.Put("/api/patient/"+pid, ann.Token, shared.UpdatePatientRequest{MedicalHistory: new("hay fever")}).Want(t, 200)
	env.Put("/api/patient/"+pid, h.Doctor.Token, shared.UpdatePatientRequest{MedicalHistory: new("hay fever; asthma")}).Want(t, 200)
	var hist shared.HistoryList
	env.Get("/api/patients/"+pid+"/history", h.Doctor.Token).Want(t, 200).Decode(t, &hist)
	if hist.Total != 2 || len(hist.Items) != 2 || hist.Items[0].Rev != 2 || hist.Items[0].MedicalHistory != "hay fever; asthma" ||
		hist.Items[0].AuthorRole != shared.RoleDoctor || hist.Items[1].AuthorID != ann.ID() || hist.Items[1].AuthorRole != shared.RolePatient {
		t.Fatalf("history %+v", hist)
	}
	env.Get("/api/patients/"+pid+"/history?limit=1&page=2", ann.Token).Want(t, 200).Decode(t, &hist)
	if len(hist.Items) != 1 || hist.Items[0].Rev != 1 {
		t.Fatalf("page 2 of 1: %+v", hist.Items)
	}
	for name, r := range map[string]*apptest.Response{
		"read another's record":     env.Get("/api/patient/"+pid, bob.Token),
		"read another's history":    env.Get("/api/patients/"+pid+"/history", bob.Token),
		"change another's record":   env.Patch("/api/patients/"+pid, bob.Token, map[string]any{"phone": "123"}),
		"search":                    env.Get("/api/patients?q=test", bob.Token),
		"find duplicates":           env.Get("/api/patients/"+pid+"/duplicates", bob.Token),
		"merge into another's":      env.Post("/api/patients/"+bob.User.PatientID+"/merge", bob.Token, shared.MergeRequest{Into: pid}),
		"write another's history":   env.Put("/api/patient/"+pid, bob.Token, shared.UpdatePatientRequest{MedicalHistory: new("x")}),
		"history of a malformed id": env.Get("/api/patients/nope/history", bob.Token),
	} {
		want := http.StatusForbidden
		if name == "history of a malformed id" {
			want = http.StatusBadRequest
		}
		if r.Status != want {
			t.Errorf("bob: %s: got %d, want %d", name, r.Status, want)
		}
	}
	refused := map[string]bool{}
	for _, e := range auditActions(t, env, bob.ID()) {
		if e.PatientID == pid && e.Outcome != "ok" {
			refused[e.Action] = true
		}
	}
	for _, a := range []string{"patient.read", "patient.history", "patient.update", "patient.duplicates"} {
		if !refused[a] {
			t.Errorf("bob's refused %s on ann's record is not audited (got %v)", a, refused)
		}
	}
}

// TestRecordsDuplicatesAndMerge: candidates by name+birth date, phone, and name for an unidentified
// record; merging an unidentified record appends its history and unions allergies; the source then
// shows merged_into and refuses writes; of concurrent merges of one source exactly one wins.
func TestRecordsDuplicatesAndMerge(t *testing.T) {
	env := apptest.New(t)
	h := env.Hospital()
	real := register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "José Álvarez", DateOfBirth: "1980-02-03",
		Phone: "600 111 222", Allergies: []string{"Penicillin"}})
	dup := register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "JOSE ALVAREZ", DateOfBirth: "1980-02-03"})
	byPhone := register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "J Alvarez", Phone: "600-111-222"})
	register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "José Álvarez", DateOfBirth: "1999-09-09"})
	unknown := register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "Jose Alvarez", Unidentified: true,
		Allergies: []string{"Latex", "penicillin"}, Conditions: []string{"Fractured femur"}})
	var l shared.PatientList
	env.Get("/api/patients/"+real.ID+"/duplicates", h.Staff.Token).Want(t, 200).Decode(t, &l)
	ids := []string{}
	for _, p := range l.Items {
		ids = append(ids, p.ID)
	}
	slices.Sort(ids)
	want := []string{dup.ID, byPhone.ID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("duplicates of the real record: %v, want %v", summaryNames(l), want)
	}
	env.Get("/api/patients/"+unknown.ID+"/duplicates", h.Staff.Token).Want(t, 200).Decode(t, &l)
	if l.Total != 3 {
		t.Fatalf("duplicates of the unidentified record: %v, want the 3 other José Álvarez records", summaryNames(l))
	}

	// The three records are today's patients of the doctor (the final access rule's care relationship).
	env.Attend(h.Staff.Token, h.Doctor.ID(), real.ID, apptest.At(9, 0))
	env.Attend(h.Staff.Token, h.Doctor.ID(), unknown.ID, apptest.At(9, 30))
	env.Attend(h.Staff.Token, h.Doctor.ID(), dup.ID, apptest.At(10, 0))
	env.Attend(h.Staff.Token, h.Doctor.ID(), byPhone.ID, apptest.At(10, 15))
	env.Put("/api/patient/"+unknown.ID, h.Doctor.Token, shared.UpdatePatientRequest{MedicalHistory: new("brought in after a fall")}).Want(t, 200)
	env.Put("/api/patient/"+real.ID, h.Doctor.Token, shared.UpdatePatientRequest{MedicalHistory: new("hypertension")}).Want(t, 200)

	// Two merges of the same source at once (into two targets): exactly one wins.
	results := make([]int, 2)
	var wg sync.WaitGroup
	for i, into := range []string{real.ID, dup.ID} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = env.Post("/api/patients/"+unknown.ID+"/merge", h.Doctor.Token, shared.MergeRequest{Into: into}).Status
		}()
	}
	wg.Wait()
	slices.Sort(results)
	if !slices.Equal(results, []int{200, 409}) {
		t.Fatalf("two concurrent merges answered %v, want one 200 and one 409", results)
	}
	var src shared.Patient
	env.Get("/api/patient/"+unknown.ID, h.Doctor.Token).Want(t, 200).Decode(t, &src)
	target := src.MergedInto
	if target != real.ID && target != dup.ID {
		t.Fatalf("source merged_into %q, want one of the targets", target)
	}
	var merged shared.Patient
	env.Get("/api/patient/"+target, h.Staff.Token).Want(t, 200).Decode(t, &merged)
	if !bytes.Contains([]byte(merged.MedicalHistory), []byte("brought in after a fall")) ||
		!bytes.Contains([]byte(merged.MedicalHistory), []byte(unknown.MRN)) || !slices.Contains(merged.Conditions, "Fractured femur") ||
		!slices.Contains(merged.Allergies, "Latex") {
		t.Fatalf("merged target %+v, want the source's history, allergies and conditions", merged)
	}
	if target == real.ID && (!slices.Equal(merged.Allergies, []string{"Penicillin", "Latex"}) || merged.Revision != 2) {
		t.Fatalf("merged allergies %v (revision %d), want [Penicillin Latex] and one new revision", merged.Allergies, merged.Revision)
	}
	for name, r := range map[string]*apptest.Response{
		"PUT":   env.Put("/api/patient/"+unknown.ID, h.Doctor.Token, shared.UpdatePatientRequest{MedicalHistory: new("x")}),
		"PATCH": env.Patch("/api/patients/"+unknown.ID, h.Staff.Token, map[string]any{"phone": "123"}),
		"merge": env.Post("/api/patients/"+unknown.ID+"/merge", h.Doctor.Token, shared.MergeRequest{Into: byPhone.ID}),
	} {
		if r.Status != http.StatusConflict || r.Error().Error.Message != "merged into "+target {
			t.Errorf("%s of a merged record: got %d %q, want 409 %q", name, r.Status, r.Error().Error.Message, "merged into "+target)
		}
	}
	// Bad merges.
	env.Post("/api/patients/"+real.ID+"/merge", h.Doctor.Token, shared.MergeRequest{Into: real.ID}).Want(t, http.StatusBadRequest)
	env.Post("/api/patients/"+real.ID+"/merge", h.Doctor.Token, shared.MergeRequest{Into: "nope"}).Want(t, http.StatusBadRequest)
	env.Post("/api/patients/"+real.ID+"/merge", h.Doctor.Token, shared.MergeRequest{Into: "0123456789abcdef01234567"}).Want(t, http.StatusNotFound)
	account := env.NewUser(shared.RolePatient)
	env.Attend(h.Staff.Token, h.Doctor.ID(), account.User.PatientID, apptest.At(10, 30))
	env.Post("/api/patients/"+account.User.PatientID+"/merge", h.Staff.Token, shared.MergeRequest{Into: real.ID}).Want(t, http.StatusConflict)
	// A merged record is out of name search, found by id.
	if l := search(t, env, h.Staff.Token, "q="+unknown.ID); len(l.Items) != 1 || l.Items[0].MergedInto != target {
		t.Fatalf("by id: %+v", l.Items)
	}
	merges := map[string]int{}
	for _, e := range auditActions(t, env, h.Doctor.ID()) {
		if e.Action == "patient.merge" {
			merges[e.PatientID]++
		}
	}
	if merges[unknown.ID] < 2 || merges[target] < 1 {
		t.Fatalf("merge audit entries per patient %v, want both ids", merges)
	}
}

// exerciseRecords is the patient-records part of TestResponsesMatchDocument: register (with a key and
// its replay), search, PATCH, history, duplicates and merge, error answers included.
func exerciseRecords(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	staff, doc := env.NewUser(shared.RoleStaff), env.NewUser(shared.RoleDoctor)
	pat := env.NewUser(shared.RolePatient)
	const unknown = "0123456789abcdef01234567"
	body := shared.RegisterPatientRequest{Name: "Zoë Contract", DateOfBirth: "1970-05-06", Sex: "female", Phone: "+1 555 0100",
		Address: "1 Main St", Allergies: []string{"Latex"}, Conditions: []string{"Gout"},
		EmergencyContacts: []shared.EmergencyContact{{Name: "Kim", Relation: "partner", Phone: "+1 555 0101"}}}
	keyed := func(b any) apptest.Request {
		r := send("POST", "/api/patients", staff.Token, b)
		r.Header = map[string]string{"Idempotency-Key": "contract-1"}
		return r
	}
	var zoe shared.Patient
	c.call(t, "staff register a patient", keyed(body), http.StatusCreated).Decode(t, &zoe)
	c.call(t, "the registration is retried", keyed(body), http.StatusCreated)
	c.call(t, "the key is reused for another patient", keyed(shared.RegisterPatientRequest{Name: "Other"}), http.StatusConflict)
	var anon shared.Patient
	c.call(t, "staff register an unidentified patient", send("POST", "/api/patients", staff.Token,
		shared.RegisterPatientRequest{Name: "Zoe Contract", Unidentified: true}), http.StatusCreated).Decode(t, &anon)
	c.exchange(t, "register without a name", send("POST", "/api/patients", staff.Token, map[string]any{"sex": "female"}), http.StatusBadRequest, true)
	c.call(t, "register a birth date in the future", send("POST", "/api/patients", staff.Token,
		shared.RegisterPatientRequest{Name: "X", DateOfBirth: "2999-01-01"}), http.StatusBadRequest)
	c.call(t, "a patient registers someone", send("POST", "/api/patients", pat.Token, body), http.StatusForbidden)

	c.call(t, "staff search by name", get("/api/patients?q=zoe&limit=1000", staff.Token), http.StatusOK)
	c.call(t, "a doctor searches by MRN and condition", get("/api/patients?mrn="+zoe.MRN+"&condition=gout&page=1", doc.Token), http.StatusOK)
	c.call(t, "search with a malformed mrn", get("/api/patients?mrn=H1", staff.Token), http.StatusBadRequest)
	c.call(t, "a patient searches", get("/api/patients?q=zoe", pat.Token), http.StatusForbidden)

	c.call(t, "staff change a phone", send("PATCH", "/api/patients/"+zoe.ID, staff.Token, map[string]any{"phone": "+1 555 0199"}), http.StatusOK)
	c.exchange(t, "a change with a bad sex", send("PATCH", "/api/patients/"+zoe.ID, staff.Token, map[string]any{"sex": "x"}), http.StatusBadRequest, true)
	c.call(t, "a change of an unknown record", send("PATCH", "/api/patients/"+unknown, staff.Token, map[string]any{"phone": "123"}), http.StatusNotFound)
	c.call(t, "a patient changes another's record", send("PATCH", "/api/patients/"+zoe.ID, pat.Token, map[string]any{"phone": "123"}), http.StatusForbidden)

	// The doctor has no care relationship with these records: they state a reason (break the glass).
	for _, id := range []string{zoe.ID, anon.ID} {
		c.call(t, "the doctor breaks the glass", send("POST", "/api/patients/"+id+"/access", doc.Token,
			map[string]string{"reason": "identifying an unconscious patient in resus"}), http.StatusCreated)
	}
	c.call(t, "the doctor writes the history", send("PUT", "/api/patient/"+zoe.ID, doc.Token,
		shared.UpdatePatientRequest{MedicalHistory: new("gout since 2015")}), http.StatusOK)
	c.call(t, "the doctor reads the history", get("/api/patients/"+zoe.ID+"/history?limit=5", doc.Token), http.StatusOK)
	c.call(t, "a patient reads their own history", get("/api/patients/"+pat.User.PatientID+"/history", pat.Token), http.StatusOK)
	c.call(t, "a patient reads another's history", get("/api/patients/"+zoe.ID+"/history", pat.Token), http.StatusForbidden)
	c.call(t, "the history of an unknown record", get("/api/patients/"+unknown+"/history", doc.Token), http.StatusNotFound)
	c.exchange(t, "the history of a malformed id", get("/api/patients/nope/history", doc.Token), http.StatusBadRequest, true)

	c.call(t, "staff look for duplicates", get("/api/patients/"+anon.ID+"/duplicates", staff.Token), http.StatusOK)
	c.call(t, "duplicates of an unknown record", get("/api/patients/"+unknown+"/duplicates", staff.Token), http.StatusNotFound)
	c.call(t, "a patient looks for duplicates", get("/api/patients/"+zoe.ID+"/duplicates", pat.Token), http.StatusForbidden)

	c.call(t, "the doctor merges the unidentified record", send("POST", "/api/patients/"+anon.ID+"/merge", doc.Token,
		shared.MergeRequest{Into: zoe.ID}), http.StatusOK)
	c.call(t, "the merged record is read", get("/api/patient/"+anon.ID, doc.Token), http.StatusOK)
	c.call(t, "a write to the merged record", send("PATCH", "/api/patients/"+anon.ID, staff.Token, map[string]any{"phone": "123"}), http.StatusConflict)
	c.call(t, "a merge into itself", send("POST", "/api/patients/"+zoe.ID+"/merge", doc.Token, shared.MergeRequest{Into: zoe.ID}), http.StatusBadRequest)
	c.call(t, "a merge into an unknown record", send("POST", "/api/patients/"+zoe.ID+"/merge", doc.Token, shared.MergeRequest{Into: unknown}), http.StatusNotFound)
	c.call(t, "a patient merges", send("POST", "/api/patients/"+zoe.ID+"/merge", pat.Token, shared.MergeRequest{Into: unknown}), http.StatusForbidden)
}

// TestRecordsMigrateOlderRecords: a record stored before MRNs and search keys gets both at the next
// start, once; it is then found by name prefix and its MRN.
func TestRecordsMigrateOlderRecords(t *testing.T) {
	env := apptest.New(t)
	h := env.Hospital()
	ctx := context.Background()
	id := "0123456789abcdef01234567"
	if _, err := env.App.DB.Collection("patients").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "name", Value: "Óscar Older"},
		{Key: "revision", Value: 0}, {Key: "created_at", Value: apptest.At(7, 0)}, {Key: "updated_at", Value: apptest.At(7, 0)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.DB.Collection("migrations").DeleteOne(ctx, bson.D{{Key: "_id", Value: "patients-mrn-search-v1"}}); err != nil {
		t.Fatal(err)
	}
	env.Restart()
	l := search(t, env, h.Staff.Token, "q=osc")
	if len(l.Items) != 1 || l.Items[0].ID != id || !patient.ValidMRN(l.Items[0].MRN) {
		t.Fatalf("after restart: %+v, want the older record with an MRN", l.Items)
	}
	if l := search(t, env, h.Staff.Token, "mrn="+l.Items[0].MRN); len(l.Items) != 1 {
		t.Fatalf("by MRN: %+v", l.Items)
	}
}

// TestPatientCannotOverwriteClinicianHistory: once a clinician has written the medical history, a
// patient's PUT adds a patient-reported part below the clinician's text, never replacing it; every PUT
// is kept as a revision with its author's role (docs/patient-records.md, "Who writes the history").
func TestPatientCannotOverwriteClinicianHistory(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	ann := env.NewUser(shared.RolePatient)
	pid := ann.User.PatientID
	env.Attend(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0)) // care the doctor and staff give: a check-in
	const clinician = "Type 1 diabetes since 1999; insulin pump"
	env.Put("/api/patient/"+pid, ann.Token, shared.UpdatePatientRequest{MedicalHistory: new("I think I have hay fever")}).Want(t, 200)
	env.Put("/api/patient/"+pid, h.Doctor.Token, shared.UpdatePatientRequest{MedicalHistory: new(clinician)}).Want(t, 200)
	for i, report := range []string{"no diabetes at all", "allergic to cats"} {
		var p shared.Patient
		env.Put("/api/patient/"+pid, ann.Token, shared.UpdatePatientRequest{MedicalHistory: new(report)}).Want(t, 200).Decode(t, &p)
		for _, who := range []apptest.User{ann, h.Doctor} {
			env.Get("/api/patient/"+pid, who.Token).Want(t, 200).Decode(t, &p)
			if !strings.HasPrefix(p.MedicalHistory, clinician+"\n\n") || !strings.HasSuffix(p.MedicalHistory, report) || p.Revision != 3+i {
				t.Errorf("after the patient's report %d, %s reads rev %d %q, want the clinician's text first, then the report", i, who.User.Role, p.Revision, p.MedicalHistory)
			}
		}
	}
	var hist shared.HistoryList
	env.Get("/api/patients/"+pid+"/history", h.Doctor.Token).Want(t, 200).Decode(t, &hist)
	roles := []shared.Role{}
	for _, r := range hist.Items {
		roles = append(roles, r.AuthorRole)
	}
	if want := []shared.Role{shared.RolePatient, shared.RolePatient, shared.RoleDoctor, shared.RolePatient}; !slices.Equal(roles, want) ||
		hist.Items[2].MedicalHistory != clinician || hist.Items[3].MedicalHistory != "I think I have hay fever" {
		t.Errorf("got revisions %+v, want every PUT kept with its author's role", hist.Items)
	}
}

// TestPatientWrittenHistoryIsNotIndexed: the condition search (a blind index of the history's words)
// finds words a clinician wrote, never words only the patient wrote, so a patient cannot plant the
// terms their record is found by (docs/patient-records.md, "Search design").
func TestPatientWrittenHistoryIsNotIndexed(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	ann := env.NewUser(shared.RolePatient)
	pid := ann.User.PatientID
	env.Attend(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0)) // care the doctor and staff give: a check-in
	finds := func(term string) bool {
		t.Helper()
		var l shared.PatientList
		env.Get("/api/patients?condition="+term+"&limit=100", h.Staff.Token).Want(t, 200).Decode(t, &l)
		return slices.ContainsFunc(l.Items, func(p shared.PatientSummary) bool { return p.ID == pid })
	}
	env.Put("/api/patient/"+pid, ann.Token, shared.UpdatePatientRequest{MedicalHistory: new("plantedalpha")}).Want(t, 200)
	if finds("plantedalpha") {
		t.Errorf("a word only the patient wrote finds the record, want not")
	}
	env.Put("/api/patient/"+pid, h.Doctor.Token, shared.UpdatePatientRequest{MedicalHistory: new("sarcoidosis")}).Want(t, 200)
	env.Put("/api/patient/"+pid, ann.Token, shared.UpdatePatientRequest{MedicalHistory: new("plantedbeta")}).Want(t, 200)
	for term, want := range map[string]bool{"sarcoidosis": true, "plantedbeta": false, "plantedalpha": false} {
		if got := finds(term); got != want {
			t.Errorf("condition=%s finds the record: got %v, want %v", term, got, want)
		}
	}
}
