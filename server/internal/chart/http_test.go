package chart_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/shared"
)

// chartFixture is the fixture hospital with two patients, Ann and Bob, each booked today with the
// fixture doctor (so the doctor and the receptionist have a care relationship with both).
type chartFixture struct {
	env              *apptest.Env
	h                *apptest.Hospital
	ann, bob         apptest.User
	annAppt, bobAppt shared.Appointment
	annPath, bobPath string // /api/patients/{id}/encounters
}

func newChartFixture(t *testing.T) *chartFixture {
	t.Helper()
	env := apptest.New(t)
	h := env.Hospital()
	f := &chartFixture{env: env, h: h, ann: env.NewUser(shared.RolePatient), bob: env.NewUser(shared.RolePatient)}
	f.annAppt = env.Attend(h.Staff.Token, h.Doctor.ID(), f.ann.User.PatientID, apptest.At(9, 0))
	f.bobAppt = env.Book(h.Staff.Token, h.Doctor.ID(), f.bob.User.PatientID, apptest.At(9, 15))
	// Ann is checked in for both doctors today: both have a care relationship with her (a booking alone
	// would open nothing).
	env.Attend(h.Staff.Token, h.Doctor2.ID(), f.ann.User.PatientID, apptest.At(11, 0))
	f.annPath = "/api/patients/" + f.ann.User.PatientID + "/encounters"
	f.bobPath = "/api/patients/" + f.bob.User.PatientID + "/encounters"
	return f
}

func (f *chartFixture) create(t *testing.T, path, token string, req shared.CreateEncounterRequest) shared.Encounter {
	t.Helper()
	var e shared.Encounter
	f.env.Post(path, token, req).Want(t, http.StatusCreated).Decode(t, &e)
	return e
}

func TestChartEncountersCreateListGetAndAccess(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	env, h := f.env, f.h

	// The doctor opens Ann's encounter for her appointment; staff open a second one, reason only.
	first := f.create(t, f.annPath, h.Doctor.Token, shared.CreateEncounterRequest{AppointmentID: f.annAppt.ID,
		Reason: " chest pain ", Notes: "ECG normal", Diagnoses: []shared.Diagnosis{{Code: "R07.9", Description: "chest pain, unspecified"}}})
	if first.Rev != 1 || first.PatientID != f.ann.User.PatientID || first.AppointmentID != f.annAppt.ID ||
		first.DoctorID != h.Doctor.ID() || first.Reason != "chest pain" || first.Notes != "ECG normal" ||
		len(first.Diagnoses) != 1 || first.Diagnoses[0].Status != shared.DiagnosisActive || first.Ticket == nil || // she is checked in
		first.CreatedBy != h.Doctor.ID() || first.UpdatedByRole != shared.RoleDoctor || len(first.Vitals) != 0 {
		t.Errorf("got %+v, want revision 1 of Ann's encounter for her appointment, the diagnosis active", first)
	}
	second := f.create(t, f.annPath, h.Staff.Token, shared.CreateEncounterRequest{Reason: "follow-up"})
	if second.DoctorID != "" || second.UpdatedByRole != shared.RoleStaff {
		t.Errorf("got %+v, want an encounter opened by staff, no doctor", second)
	}

	// Bob checks in: his encounter carries his queue ticket.
	var checkedIn shared.Appointment
	env.Post("/api/queue/checkin", h.Staff.Token, shared.CheckInRequest{AppointmentID: f.bobAppt.ID}).Want(t, http.StatusCreated).Decode(t, &checkedIn)
	bobs := f.create(t, f.bobPath, h.Doctor.Token, shared.CreateEncounterRequest{AppointmentID: f.bobAppt.ID, Reason: "fever"})
	if bobs.Ticket == nil || bobs.Ticket.Number != checkedIn.Ticket.Number || bobs.Ticket.Department != h.Dept || bobs.Ticket.Day != checkedIn.Ticket.Day {
		t.Errorf("got ticket %+v, want Bob's ticket %+v", bobs.Ticket, checkedIn.Ticket)
	}

	t.Run("list newest first, paged", func(t *testing.T) {
		var list shared.EncounterList
		env.Get(f.annPath, h.Doctor.Token).Want(t, http.StatusOK).Decode(t, &list)
		if list.Total != 2 || len(list.Items) != 2 || list.Items[0].ID != second.ID || list.Items[1].ID != first.ID ||
			list.Items[1].Notes != "ECG normal" {
			t.Errorf("got %+v, want the staff's encounter then the doctor's", list)
		}
		env.Get(f.annPath+"?page=2&limit=1", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &list)
		if list.Total != 2 || list.Page != 2 || list.Limit != 1 || len(list.Items) != 1 || list.Items[0].ID != first.ID {
			t.Errorf("got %+v, want page 2 of 2 holding the first encounter", list)
		}
		env.Get(f.annPath+"?limit=100000", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &list)
		if list.Limit != 100 {
			t.Errorf("got limit %d, want it capped at 100", list.Limit)
		}
	})

	t.Run("a patient reads their own chart only (row 12)", func(t *testing.T) {
		var list shared.EncounterList
		env.Get(f.annPath, f.ann.Token).Want(t, http.StatusOK).Decode(t, &list)
		if list.Total != 2 {
			t.Errorf("Ann sees %d of her encounters, want 2", list.Total)
		}
		env.Get("/api/encounters/"+first.ID, f.ann.Token).Want(t, http.StatusOK)
		env.Get("/api/encounters/"+first.ID+"/history", f.ann.Token).Want(t, http.StatusOK)
		for _, path := range []string{f.bobPath, "/api/encounters/" + bobs.ID, "/api/encounters/" + bobs.ID + "/history"} {
			if r := env.Get(path, f.ann.Token); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
				t.Errorf("Ann reading %s: got %d, want 403 or 404; body %s", path, r.Status, r.Body)
			} else if strings.Contains(string(r.Body), "fever") {
				t.Errorf("the refusal shows Bob's chart: %s", r.Body)
			}
		}
		stranger := env.NewUser(shared.RolePatient)
		env.Get("/api/encounters/"+first.ID, stranger.Token).Want(t, http.StatusForbidden)
		env.Post(f.annPath, f.ann.Token, shared.CreateEncounterRequest{Reason: "self"}).Want(t, http.StatusForbidden)
		env.Patch("/api/encounters/"+first.ID, f.ann.Token, map[string]any{"rev": 1, "notes": "mine"}).Want(t, http.StatusForbidden)
		env.Post("/api/encounters/"+first.ID+"/vitals", f.ann.Token, map[string]any{"pulse_bpm": 70}).Want(t, http.StatusForbidden)
		env.Get(f.annPath, h.Admin.Token).Want(t, http.StatusForbidden)
	})

	t.Run("who writes what", func(t *testing.T) {
		for _, req := range []shared.CreateEncounterRequest{{Notes: "x"}, {Summary: "x"}, {Diagnoses: []shared.Diagnosis{{Description: "x"}}}} {
			if e := env.Post(f.annPath, h.Staff.Token, req).WantError(t, http.StatusForbidden, "forbidden"); !strings.Contains(e.Error.Message, "only doctors") {
				t.Errorf("got message %q, want it to say only doctors write that", e.Error.Message)
			}
		}
		env.Patch("/api/encounters/"+second.ID, h.Staff.Token, map[string]any{"rev": 1, "reason": "x"}).Want(t, http.StatusForbidden)
	})

	t.Run("appointment link", func(t *testing.T) {
		unknown := "0123456789abcdef01234567"
		for _, tc := range []struct {
			name, appt, msg string
		}{
			{"another patient's", f.bobAppt.ID, "another patient's"},
			{"unknown", unknown, "no such appointment"},
			{"malformed", "nope", "malformed appointment_id"},
		} {
			e := env.Post(f.annPath, h.Doctor.Token, shared.CreateEncounterRequest{AppointmentID: tc.appt}).WantError(t, http.StatusBadRequest, "invalid_request")
			if !strings.Contains(e.Error.Message, tc.msg) {
				t.Errorf("%s appointment: got message %q, want %q", tc.name, e.Error.Message, tc.msg)
			}
		}
		e := env.Post(f.annPath, h.Doctor.Token, shared.CreateEncounterRequest{AppointmentID: f.annAppt.ID}).WantError(t, http.StatusConflict, "conflict")
		if !strings.Contains(e.Error.Message, first.ID) {
			t.Errorf("got message %q, want it to name the encounter that records the appointment", e.Error.Message)
		}
		later := env.Book(h.Staff.Token, h.Doctor.ID(), f.ann.User.PatientID, apptest.At(11, 0))
		env.Post("/api/appointments/"+later.ID+"/cancel", h.Staff.Token, shared.ReasonRequest{Reason: "patient called"}).Want(t, http.StatusOK)
		env.Post(f.annPath, h.Doctor.Token, shared.CreateEncounterRequest{AppointmentID: later.ID}).WantError(t, http.StatusBadRequest, "invalid_request")
	})

	t.Run("ids", func(t *testing.T) {
		unknown := "0123456789abcdef01234567"
		env.Get("/api/encounters/nope", h.Doctor.Token).WantError(t, http.StatusBadRequest, "invalid_request")
		env.Get("/api/encounters/"+unknown, h.Doctor.Token).WantError(t, http.StatusNotFound, "not_found")
		env.Get("/api/encounters/"+unknown+"/history", h.Doctor.Token).WantError(t, http.StatusNotFound, "not_found")
		env.Get("/api/patients/"+unknown+"/encounters", h.Doctor.Token).WantError(t, http.StatusNotFound, "not_found")
		env.Post("/api/patients/"+unknown+"/encounters", h.Doctor.Token, shared.CreateEncounterRequest{}).WantError(t, http.StatusNotFound, "not_found")
	})

	t.Run("every call is audited, refused ones too (row 28)", func(t *testing.T) {
		var trail struct {
			Items []struct {
				ActorID   string `json:"actor_id"`
				PatientID string `json:"patient_id"`
				Action    string `json:"action"`
				Outcome   string `json:"outcome"`
			}
		}
		got := map[string]bool{}
		for _, pid := range []string{f.ann.User.PatientID, f.bob.User.PatientID} {
			env.Get("/api/audit?limit=100&patient_id="+pid, h.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
			for _, e := range trail.Items {
				got[fmt.Sprintf("%s %s %s %s", e.ActorID, e.PatientID, e.Action, e.Outcome)] = true
			}
		}
		ann, bob := f.ann.User.PatientID, f.bob.User.PatientID
		for _, want := range []string{
			h.Doctor.ID() + " " + ann + " encounter.create ok",
			h.Staff.ID() + " " + ann + " encounter.create ok",
			h.Staff.ID() + " " + ann + " encounter.create denied",
			h.Doctor.ID() + " " + ann + " encounter.create invalid",
			h.Doctor.ID() + " " + ann + " encounter.read ok",
			f.ann.ID() + " " + ann + " encounter.read ok",
			f.ann.ID() + " " + bob + " encounter.read denied",
			f.ann.ID() + " " + ann + " encounter.create denied",
			h.Admin.ID() + " " + ann + " encounter.read denied",
			h.Doctor.ID() + " " + bob + " encounter.create ok",
		} {
			if !got[want] {
				t.Errorf("no audit entry %q", want)
			}
		}
		for k := range got {
			if strings.Contains(k, "chest") || strings.Contains(k, "ECG") {
				t.Errorf("an audit entry holds clinical text: %s", k)
			}
		}
	})

	t.Run("notes, diagnoses, reason are ciphertext at rest (row 30)", func(t *testing.T) {
		docs := env.RawDocs(t, "encounter_revisions", bson.D{{Key: "encounter_id", Value: first.ID}})
		if len(docs) != 1 {
			t.Fatalf("got %d revision documents, want 1", len(docs))
		}
		raw, err := bson.Marshal(docs[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{"chest pain", "ECG normal", "R07.9", "unspecified"} {
			if strings.Contains(string(raw), plain) {
				t.Errorf("the raw revision holds %q in plaintext", plain)
			}
		}
		if notes, ok := docs[0]["notes"].(bson.D); !ok || len(notes) == 0 || notes[0].Key != "k" {
			t.Errorf("got notes %v, want a sealed value naming its key", docs[0]["notes"])
		}
	})
}

func TestChartRevisionsConflictsAndVitals(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	env, h := f.env, f.h
	enc := f.create(t, f.annPath, h.Doctor.Token, shared.CreateEncounterRequest{Reason: "cough", Notes: "v1"})
	path := "/api/encounters/" + enc.ID

	var e shared.Encounter
	env.Patch(path, h.Doctor.Token, map[string]any{"rev": 1, "notes": "v2",
		"diagnoses": []shared.Diagnosis{{Code: "J20.9", Description: "acute bronchitis"}}}).Want(t, http.StatusOK).Decode(t, &e)
	if e.Rev != 2 || e.Notes != "v2" || e.Reason != "cough" || len(e.Diagnoses) != 1 || e.UpdatedBy != h.Doctor.ID() {
		t.Errorf("got %+v, want revision 2 with the new notes and diagnosis, the reason kept", e)
	}

	t.Run("a stale rev is refused with 409", func(t *testing.T) {
		r := env.Patch(path, h.Doctor2.Token, map[string]any{"rev": 1, "notes": "stale"}).WantError(t, http.StatusConflict, "conflict")
		if !strings.Contains(r.Error.Message, "revision 2") {
			t.Errorf("got message %q, want it to name the current revision", r.Error.Message)
		}
		env.Patch(path, h.Doctor.Token, map[string]any{"notes": "no rev"}).WantError(t, http.StatusBadRequest, "invalid_request")
		env.Patch(path, h.Doctor.Token, map[string]any{"rev": 2}).WantError(t, http.StatusBadRequest, "invalid_request")
		env.Patch(path, h.Doctor.Token, map[string]any{"rev": 2, "diagnoses": []map[string]string{{"description": "x", "status": "gone"}}}).
			WantError(t, http.StatusBadRequest, "invalid_request")
	})

	t.Run("of concurrent writers of one rev exactly one wins", func(t *testing.T) {
		const writers = 6
		var wg sync.WaitGroup
		statuses := make([]int, writers)
		for i := range writers {
			wg.Go(func() {
				statuses[i] = env.Patch(path, h.Doctor.Token, map[string]any{"rev": 2, "notes": fmt.Sprintf("writer %d", i)}).Status
			})
		}
		wg.Wait()
		slices.Sort(statuses)
		want := []int{200, 409, 409, 409, 409, 409}
		if !slices.Equal(statuses, want) {
			t.Errorf("got statuses %v, want %v", statuses, want)
		}
		env.Get(path, h.Doctor.Token).Want(t, http.StatusOK).Decode(t, &e)
		if e.Rev != 3 || !strings.HasPrefix(e.Notes, "writer ") {
			t.Errorf("got revision %d with notes %q, want revision 3 by one of the writers", e.Rev, e.Notes)
		}
	})

	t.Run("history shows every revision", func(t *testing.T) {
		var hist shared.EncounterHistory
		env.Get(path+"/history", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &hist)
		if hist.EncounterID != enc.ID || hist.PatientID != f.ann.User.PatientID || len(hist.Revisions) != 3 {
			t.Fatalf("got %+v, want the encounter's three revisions", hist)
		}
		for i, want := range []string{"v1", "v2", e.Notes} {
			r := hist.Revisions[i]
			if r.Rev != i+1 || r.Notes != want || r.AuthorID != h.Doctor.ID() || r.AuthorRole != shared.RoleDoctor || r.At.IsZero() {
				t.Errorf("revision %d: got %+v, want rev %d with notes %q by the doctor", i, r, i+1, want)
			}
		}
		if len(hist.Revisions[0].Diagnoses) != 0 || len(hist.Revisions[1].Diagnoses) != 1 {
			t.Errorf("got diagnoses %v then %v, want none then one", hist.Revisions[0].Diagnoses, hist.Revisions[1].Diagnoses)
		}
	})

	t.Run("vitals are range-checked", func(t *testing.T) {
		for _, tc := range []struct {
			body any
			msg  string
		}{
			{map[string]any{"pulse_bpm": 400}, "pulse_bpm must be between 20 and 300 bpm (got 400)"},
			{map[string]any{"pulse_bpm": 10}, "pulse_bpm must be between 20 and 300"},
			{map[string]any{"temperature_c": 98.6}, "temperature_c must be between 25 and 45 °C (got 98.6)"},
			{map[string]any{"spo2_percent": 101}, "spo2_percent must be between 50 and 100"},
			{map[string]any{"respiratory_rate": 0}, "respiratory_rate must be between 2 and 80"},
			{map[string]any{"weight_kg": 900}, "weight_kg must be between 0.2 and 500"},
			{map[string]any{"height_cm": 5}, "height_cm must be between 20 and 260"},
			{map[string]any{"systolic_mmhg": 120}, "systolic_mmhg and diastolic_mmhg are recorded together"},
			{map[string]any{"systolic_mmhg": 80, "diastolic_mmhg": 90}, "must be above diastolic_mmhg"},
			{map[string]any{"systolic_mmhg": 350, "diastolic_mmhg": 90}, "systolic_mmhg must be between 40 and 300"},
			{map[string]any{}, "at least one"},
			{map[string]any{"pulse_bpm": 72.5}, "pulse_bpm"},
			{map[string]any{"pulse": 72}, "pulse"},
		} {
			r := env.Post(path+"/vitals", h.Staff.Token, tc.body).WantError(t, http.StatusBadRequest, "invalid_request")
			if !strings.Contains(r.Error.Message, tc.msg) {
				t.Errorf("%v: got message %q, want %q", tc.body, r.Error.Message, tc.msg)
			}
		}
	})

	t.Run("staff and doctors record vitals; they do not change the revision", func(t *testing.T) {
		var v shared.VitalsReading
		env.Post(path+"/vitals", h.Staff.Token, map[string]any{"temperature_c": 38.4, "pulse_bpm": 96, "systolic_mmhg": 128,
			"diastolic_mmhg": 82, "respiratory_rate": 18, "spo2_percent": 95, "weight_kg": 71.5, "height_cm": 172}).
			Want(t, http.StatusCreated).Decode(t, &v)
		if v.EncounterID != enc.ID || v.RecordedBy != h.Staff.ID() || v.RecordedByRole != shared.RoleStaff ||
			v.Vitals.TemperatureC == nil || *v.Vitals.TemperatureC != 38.4 || v.Vitals.SpO2Percent == nil || *v.Vitals.SpO2Percent != 95 {
			t.Errorf("got %+v, want the staff's full reading", v)
		}
		env.Post(path+"/vitals", h.Doctor.Token, map[string]any{"pulse_bpm": 88}).Want(t, http.StatusCreated)
		var got shared.Encounter
		env.Get(path, f.ann.Token).Want(t, http.StatusOK).Decode(t, &got)
		if got.Rev != 3 || len(got.Vitals) != 2 || got.Vitals[0].ID != v.ID || *got.Vitals[1].Vitals.PulseBPM != 88 {
			t.Errorf("got rev %d and vitals %+v, want rev 3 and both readings in order", got.Rev, got.Vitals)
		}
		env.Post("/api/encounters/0123456789abcdef01234567/vitals", h.Staff.Token, map[string]any{"pulse_bpm": 70}).
			WantError(t, http.StatusNotFound, "not_found")
		docs := env.RawDocs(t, "encounter_vitals", bson.D{{Key: "encounter_id", Value: enc.ID}})
		raw, err := bson.Marshal(bson.M{"docs": docs})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "pulse_bpm") || strings.Contains(string(raw), "38.4") {
			t.Errorf("a raw vitals document holds the measurements in plaintext")
		}
	})

	t.Run("audited", func(t *testing.T) {
		var trail struct {
			Items []struct{ Action, Outcome string }
		}
		env.Get("/api/audit?limit=100&patient_id="+f.ann.User.PatientID, h.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
		got := map[string]int{}
		for _, e := range trail.Items {
			got[e.Action+" "+e.Outcome]++
		}
		for _, want := range []string{"encounter.update ok", "encounter.update invalid", "vitals.record ok", "encounter.read ok"} {
			if got[want] == 0 {
				t.Errorf("no %q audit entry; got %v", want, got)
			}
		}
		if got["encounter.update ok"] != 2 || got["vitals.record ok"] != 2 {
			t.Errorf("got %d updates and %d vitals audited as ok, want 2 and 2", got["encounter.update ok"], got["vitals.record ok"])
		}
	})
}
