package chart_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/shared"
)

// recordProcedure posts a procedure to an encounter under an Idempotency-Key.
func recordProcedure(env *apptest.Env, token, encounterID, key string, body any) *apptest.Response {
	r := apptest.Request{Method: "POST", Path: "/api/encounters/" + encounterID + "/procedures", Token: token, Body: body}
	if key != "" {
		r.Header = map[string]string{"Idempotency-Key": key}
	}
	return env.Do(r)
}

// TestChartProcedures: a doctor records a procedure of the price list during an encounter, once per
// Idempotency-Key (a retry, ten at once, and one on a second instance answer the first); it shows with
// the encounter, in the list and in the patient's export; it is marked entered in error by a second
// insert, with a reason, never deleted. Patients, staff and a doctor without a care relationship cannot
// record; codes that are not procedures or treatments are refused; all audited, the text sealed.
func TestChartProcedures(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	env, h := f.env, f.h
	env.Put("/api/billing/prices/PROC-SUTURE", h.Admin.Token, map[string]any{"name": "Wound suturing", "kind": "procedure", "amount": 6000}).Want(t, 200)
	env.Put("/api/billing/prices/TRT-NEB", h.Admin.Token, map[string]any{"name": "Nebuliser treatment", "kind": "treatment", "amount": 1500}).Want(t, 200)
	env.Put("/api/billing/prices/LAB-K", h.Admin.Token, map[string]any{"name": "Potassium", "kind": "lab_test", "ref": "K", "amount": 500}).Want(t, 200)
	env.Put("/api/billing/prices/PROC-OLD", h.Admin.Token, map[string]any{"name": "Old procedure", "kind": "procedure", "amount": 100, "retired": true}).Want(t, 200)
	// Doctors read the price list to pick a code.
	env.Get("/api/billing/prices", h.Doctor.Token).Want(t, http.StatusOK)

	enc := f.create(t, f.annPath, h.Doctor.Token, shared.CreateEncounterRequest{AppointmentID: f.annAppt.ID, Reason: "cut hand"})
	body := map[string]any{"code": "PROC-SUTURE", "quantity": 2, "note": "left palm-4f2a", "performed_at": apptest.At(7, 10)}
	var p shared.Procedure
	r := recordProcedure(env, h.Doctor.Token, enc.ID, "p-1", body).Want(t, http.StatusCreated)
	r.Decode(t, &p)
	if p.ID == "" || p.EncounterID != enc.ID || p.PatientID != f.ann.User.PatientID || p.Code != "PROC-SUTURE" || p.Name != "Wound suturing" ||
		p.Kind != "procedure" || p.Quantity != 2 || p.Note != "left palm-4f2a" || !p.PerformedAt.Equal(apptest.At(7, 10)) ||
		p.RecordedBy != h.Doctor.ID() || p.RecordedByRole != shared.RoleDoctor || p.EnteredInError != nil || r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("got %+v, want two sutures by the doctor at 7:10", p)
	}

	t.Run("a retried request records once, on any instance", func(t *testing.T) {
		sibling := env.Sibling()
		var wg sync.WaitGroup
		ids := make([]string, 10)
		for i := range ids {
			wg.Go(func() {
				on := env
				if i%2 == 1 {
					on = sibling
				}
				var again shared.Procedure
				r := recordProcedure(on, h.Doctor.Token, enc.ID, "p-1", body)
				if r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "true" {
					t.Errorf("repeat %d: got %d %s, want 201 replayed", i, r.Status, r.Body)
					return
				}
				r.Decode(t, &again)
				ids[i] = again.ID
			})
		}
		wg.Wait()
		for i, id := range ids {
			if id != p.ID {
				t.Errorf("repeat %d answered procedure %q, want %q", i, id, p.ID)
			}
		}
		other := map[string]any{"code": "TRT-NEB"}
		recordProcedure(env, h.Doctor.Token, enc.ID, "p-1", other).WantError(t, http.StatusConflict, "conflict")
		docs := env.RawDocs(t, "encounter_procedures", bson.D{{Key: "encounter_id", Value: enc.ID}})
		if len(docs) != 1 {
			t.Fatalf("got %d stored procedures, want 1", len(docs))
		}
	})

	var neb shared.Procedure
	recordProcedure(env, h.Doctor2.Token, enc.ID, "p-2", map[string]any{"code": "TRT-NEB"}).Want(t, http.StatusCreated).Decode(t, &neb)
	if neb.Kind != "treatment" || neb.Quantity != 1 || neb.RecordedBy != h.Doctor2.ID() || neb.PerformedAt.IsZero() {
		t.Errorf("got %+v, want one treatment, performed now", neb)
	}

	t.Run("who may record", func(t *testing.T) {
		recordProcedure(env, f.ann.Token, enc.ID, "x", body).WantError(t, http.StatusForbidden, "forbidden")
		recordProcedure(env, h.Staff.Token, enc.ID, "x", body).WantError(t, http.StatusForbidden, "forbidden")
		recordProcedure(env, h.Admin.Token, enc.ID, "x", body).WantError(t, http.StatusForbidden, "forbidden")
		stranger := env.NewDoctor(h.Dept, "surgery") // no care relationship with Ann
		recordProcedure(env, stranger.Token, enc.ID, "x", body).WantError(t, http.StatusForbidden, "break_glass_required")
		var e shared.Encounter
		env.Get("/api/encounters/"+enc.ID, h.Doctor.Token).Want(t, http.StatusOK).Decode(t, &e)
		if len(e.Procedures) != 2 {
			t.Errorf("got %d procedures after the refusals, want 2", len(e.Procedures))
		}
	})

	t.Run("what is refused", func(t *testing.T) {
		for _, tc := range []struct {
			key  string
			body any
			msg  string
		}{
			{"", body, "Idempotency-Key"},
			{"v1", map[string]any{"quantity": 1}, "code is required"},
			{"v2", map[string]any{"code": "LAB-K"}, "not a procedure or treatment"},
			{"v3", map[string]any{"code": "NOPE"}, "not on the price list"},
			{"v4", map[string]any{"code": "PROC-OLD"}, "no longer on the price list"},
			{"v5", map[string]any{"code": "PROC-SUTURE", "quantity": 1001}, "quantity must be between 1 and 1000"},
			{"v6", map[string]any{"code": "PROC-SUTURE", "quantity": -1}, "quantity"},
			{"v7", map[string]any{"code": "PROC-SUTURE", "note": strings.Repeat("n", 2001)}, "note is longer"},
			{"v8", map[string]any{"code": "PROC-SUTURE", "performed_at": apptest.At(7, 30).Add(time.Hour)}, "in the future"},
			{"v9", map[string]any{"code": "PROC-SUTURE", "amount": 1}, "amount"},
		} {
			code := "invalid_request"
			if strings.Contains(tc.msg, "price list") || strings.Contains(tc.msg, "not a procedure") {
				code = "unknown_procedure_code"
			}
			e := recordProcedure(env, h.Doctor.Token, enc.ID, tc.key, tc.body).WantError(t, http.StatusBadRequest, code)
			if !strings.Contains(e.Error.Message, tc.msg) {
				t.Errorf("%v: got message %q, want %q", tc.body, e.Error.Message, tc.msg)
			}
		}
		recordProcedure(env, h.Doctor.Token, "0123456789abcdef01234567", "k", body).WantError(t, http.StatusNotFound, "not_found")
	})

	t.Run("entered in error", func(t *testing.T) {
		path := "/api/procedures/" + neb.ID + "/entered-in-error"
		env.Post(path, h.Doctor.Token, shared.EnteredInErrorRequest{}).WantError(t, http.StatusBadRequest, "invalid_request")
		env.Post(path, h.Staff.Token, shared.EnteredInErrorRequest{Reason: "x"}).WantError(t, http.StatusForbidden, "forbidden")
		env.Post(path, f.ann.Token, shared.EnteredInErrorRequest{Reason: "x"}).WantError(t, http.StatusForbidden, "forbidden")
		stranger := env.NewDoctor(h.Dept, "surgery")
		env.Post(path, stranger.Token, shared.EnteredInErrorRequest{Reason: "x"}).WantError(t, http.StatusForbidden, "break_glass_required")
		var marked shared.Procedure
		env.Post(path, h.Doctor.Token, shared.EnteredInErrorRequest{Reason: "wrong patient-9c1d"}).Want(t, http.StatusOK).Decode(t, &marked)
		if marked.EnteredInError == nil || marked.EnteredInError.Reason != "wrong patient-9c1d" || marked.EnteredInError.By != h.Doctor.ID() {
			t.Fatalf("got %+v, want it marked by the doctor", marked)
		}
		env.Post(path, h.Doctor.Token, shared.EnteredInErrorRequest{Reason: "wrong patient-9c1d"}).Want(t, http.StatusOK)
		env.Post(path, h.Doctor.Token, shared.EnteredInErrorRequest{Reason: "another"}).WantError(t, http.StatusConflict, "procedure_entered_in_error")
		env.Post("/api/procedures/0123456789abcdef01234567/entered-in-error", h.Doctor.Token, shared.EnteredInErrorRequest{Reason: "x"}).
			WantError(t, http.StatusNotFound, "not_found")
		env.Post("/api/procedures/nope/entered-in-error", h.Doctor.Token, shared.EnteredInErrorRequest{Reason: "x"}).
			WantError(t, http.StatusBadRequest, "invalid_request")
		if docs := env.RawDocs(t, "encounter_procedures", bson.D{{Key: "_id", Value: neb.ID}}); len(docs) != 1 {
			t.Errorf("the procedure entered in error is gone from the store")
		}
	})

	t.Run("shown with the encounter, the list and the export", func(t *testing.T) {
		var e shared.Encounter
		env.Get("/api/encounters/"+enc.ID, f.ann.Token).Want(t, http.StatusOK).Decode(t, &e)
		if len(e.Procedures) != 2 || e.Procedures[0].ID != p.ID || e.Procedures[1].ID != neb.ID ||
			e.Procedures[0].EnteredInError != nil || e.Procedures[1].EnteredInError == nil {
			t.Fatalf("got %+v, want the sutures then the nebuliser marked in error", e.Procedures)
		}
		var list shared.EncounterList
		env.Get(f.annPath, h.Staff.Token).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Items) != 1 || len(list.Items[0].Procedures) != 2 {
			t.Errorf("got %+v, want the encounter with its two procedures", list.Items)
		}
		var x struct {
			Sections struct {
				Encounters []shared.EncounterExport `json:"encounters"`
			} `json:"sections"`
		}
		env.Get("/api/me/export", f.ann.Token).Want(t, http.StatusOK).Decode(t, &x)
		if len(x.Sections.Encounters) != 1 || len(x.Sections.Encounters[0].Encounter.Procedures) != 2 ||
			x.Sections.Encounters[0].Encounter.Procedures[1].EnteredInError.Reason != "wrong patient-9c1d" {
			t.Errorf("got %+v, want the export's encounter with both procedures", x.Sections.Encounters)
		}
	})

	t.Run("sealed at rest and audited", func(t *testing.T) {
		for _, col := range []string{"encounter_procedures", "encounter_procedure_errors"} {
			raw, err := bson.Marshal(bson.M{"docs": env.RawDocs(t, col, bson.D{{Key: "encounter_id", Value: enc.ID}})})
			if err != nil {
				t.Fatal(err)
			}
			for _, plain := range []string{"PROC-SUTURE", "Wound suturing", "palm-4f2a", "patient-9c1d"} {
				if strings.Contains(string(raw), plain) {
					t.Errorf("a raw %s document holds %q in plaintext", col, plain)
				}
			}
		}
		var trail struct {
			Items []struct{ ActorID, Action, Outcome string }
		}
		env.Get("/api/audit?limit=200&patient_id="+f.ann.User.PatientID, h.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
		got := map[string]int{}
		for _, e := range trail.Items {
			got[e.Action+" "+e.Outcome]++
		}
		for _, want := range []string{"procedure.record ok", "procedure.record denied", "procedure.record invalid",
			"procedure.entered_in_error ok", "procedure.entered_in_error denied"} {
			if got[want] == 0 {
				t.Errorf("no %q audit entry; got %v", want, got)
			}
		}
		if n := got["procedure.record ok"]; n < 12 {
			t.Errorf("got %d procedure.record ok entries, want every answer audited (%s)", n, fmt.Sprint(got))
		}
	})
}
