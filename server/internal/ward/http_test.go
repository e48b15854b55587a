package ward_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/shared"
)

// wardPatient registers a patient with a recognisable name and signs them in.
func wardPatient(t *testing.T, env *apptest.Env, name string) apptest.User {
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + fmt.Sprintf(".%d@test.hms", time.Now().UnixNano())
	return env.SignUp(name, email, apptest.Password)
}

// wardSetup creates a ward with beds as the admin and returns the beds by label.
func wardSetup(t *testing.T, env *apptest.Env, admin, id, dept string, labels ...string) []shared.Bed {
	t.Helper()
	env.Post("/api/wards", admin, shared.CreateWardRequest{ID: id, Name: "Ward " + id, Department: dept}).Want(t, http.StatusCreated)
	var beds shared.BedList
	env.Post("/api/wards/"+id+"/beds", admin, shared.AddBedsRequest{Labels: labels}).Want(t, http.StatusCreated).Decode(t, &beds)
	if len(beds.Items) != len(labels) {
		t.Fatalf("got %d beds, want %d", len(beds.Items), len(labels))
	}
	return beds.Items
}

func bedsEvent(t *testing.T, f apptest.Frame) shared.BedsEvent {
	t.Helper()
	if f.Type != shared.EventBedsUpdated {
		t.Fatalf("got event type %q, want %s", f.Type, shared.EventBedsUpdated)
	}
	var ev shared.BedsEvent
	if err := json.Unmarshal(f.Data, &ev); err != nil {
		t.Fatalf("decode %s: %v", f.Data, err)
	}
	return ev
}

// occupancy returns a board's ward counts as "occupied/free/total".
func occupancy(b shared.BedBoard) string {
	return fmt.Sprintf("%d/%d/%d", b.Ward.Occupied, b.Ward.Free, b.Ward.Total)
}

// TestWardAdmitTransferDischarge: a patient booked today is admitted from the appointment, moved to
// another ward and discharged; each change reaches the bed board live, with the right counts and no
// names or patient ids; the reason and summary are ciphertext in MongoDB; every step is audited.
func TestWardAdmitTransferDischarge(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	bedsA := wardSetup(t, env, h.Admin.Token, "ward-a", h.Dept, "A1", "A2", "A3")
	bedsB := wardSetup(t, env, h.Admin.Token, "ward-b", h.Dept, "B1")
	const name, reason, summary = "Zelda Quartermain", "community-acquired pneumonia, hypoxic", "recovered on oral amoxicillin"
	pat := wardPatient(t, env, name)
	pid := pat.User.PatientID
	appt := env.Attend(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0)) // checked in today: staff and doctor have a relation

	all := env.MustDialWS(h.Staff.Token, "")
	if ans, _ := all.Subscribe(shared.ChannelBeds, nil); ans.Op != shared.OpSubscribed {
		t.Fatalf("got %+v subscribing staff to beds, want subscribed", ans)
	}
	wardB := env.MustDialWS(h.Doctor.Token, "")
	if ans, _ := wardB.Subscribe(shared.ChannelBeds+":ward-b", nil); ans.Op != shared.OpSubscribed {
		t.Fatalf("got %+v subscribing the doctor to beds:ward-b, want subscribed", ans)
	}
	patWS := env.MustDialWS(pat.Token, "")
	if ans, _ := patWS.Subscribe(shared.ChannelBeds, nil); ans.Op != shared.OpError {
		t.Errorf("got %+v subscribing a patient to beds, want an error", ans)
	}

	var adm shared.Admission
	env.Post("/api/admissions", h.Staff.Token, shared.AdmitRequest{PatientID: pid, WardID: "ward-a", BedID: bedsA[1].ID,
		DoctorID: h.Doctor.ID(), Source: shared.SourceAppointment, AppointmentID: appt.ID, Reason: reason}).
		Want(t, http.StatusCreated).Decode(t, &adm)
	if adm.Status != shared.AdmissionActive || adm.BedID != bedsA[1].ID || adm.BedLabel != "A2" || adm.Reason != reason || adm.PatientName != name {
		t.Errorf("got %+v, want an active admission to A2 with the reason and the name", adm)
	}
	checkEvent := func(ws *apptest.WS, channel, action string, want map[string]string) {
		t.Helper()
		f := ws.NextEvent(channel, 5*time.Second)
		for _, leak := range []string{name, pid, "Quartermain"} {
			if strings.Contains(string(f.Data), leak) {
				t.Errorf("%s event on %s carries %q: %s", action, channel, leak, f.Data)
			}
		}
		ev := bedsEvent(t, f)
		if ev.Action != action || ev.AdmissionID != adm.ID {
			t.Errorf("got %s of %s on %s, want %s of %s", ev.Action, ev.AdmissionID, channel, action, adm.ID)
		}
		got := map[string]string{}
		for _, b := range ev.Wards {
			got[b.Ward.ID] = occupancy(b)
			for _, bed := range b.Beds {
				if (bed.State == shared.BedOccupied) != (bed.AdmissionID != "") || bed.PatientID != "" {
					t.Errorf("got bed %+v in a live event, want an admission id exactly when occupied and no patient id", bed)
				}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s on %s: got occupied/free/total %v, want %v", action, channel, got, want)
		}
	}
	checkEvent(all, shared.ChannelBeds, "admitted", map[string]string{"ward-a": "1/2/3"})

	var board shared.BedBoard
	env.Get("/api/wards/ward-a/beds", h.Doctor.Token).Want(t, http.StatusOK).Decode(t, &board)
	if occupancy(board) != "1/2/3" || board.Beds[1].State != shared.BedOccupied || board.Beds[1].AdmissionID != adm.ID ||
		board.Beds[1].PatientID != pid || board.Beds[0].State != shared.BedFree {
		t.Errorf("got board %+v, want A2 occupied by the admission", board)
	}
	if strings.Contains(string(env.Get("/api/wards/ward-a/beds", h.Staff.Token).Body), name) {
		t.Errorf("the REST board names the patient")
	}

	env.Post("/api/admissions/"+adm.ID+"/transfer", h.Doctor.Token, shared.TransferRequest{WardID: "ward-b", DoctorID: h.Doctor2.ID()}).
		Want(t, http.StatusOK).Decode(t, &adm)
	if adm.WardID != "ward-b" || adm.BedID != bedsB[0].ID || adm.DoctorID != h.Doctor2.ID() {
		t.Errorf("got %+v, want the admission in B1, handed over to the second doctor", adm)
	}
	var inpatients shared.AdmissionList
	env.Get("/api/admissions?doctor=me&active=true", h.Doctor2.Token).Want(t, http.StatusOK).Decode(t, &inpatients)
	if len(inpatients.Items) != 1 || inpatients.Items[0].ID != adm.ID {
		t.Errorf("got the second doctor's inpatients %+v, want the handed-over admission", inpatients.Items)
	}
	checkEvent(all, shared.ChannelBeds, "transferred", map[string]string{"ward-a": "0/3/3", "ward-b": "1/0/1"})
	checkEvent(wardB, shared.ChannelBeds+":ward-b", "transferred", map[string]string{"ward-b": "1/0/1"})

	env.Post("/api/admissions/"+adm.ID+"/discharge", h.Staff.Token, shared.DischargeRequest{Summary: summary, Disposition: "home"}).
		Want(t, http.StatusOK).Decode(t, &adm)
	if adm.Status != shared.AdmissionDischarged || adm.DischargeSummary != summary || adm.DischargedAt == nil {
		t.Errorf("got %+v, want discharged with the summary", adm)
	}
	checkEvent(all, shared.ChannelBeds, "discharged", map[string]string{"ward-b": "0/1/1"})
	checkEvent(wardB, shared.ChannelBeds+":ward-b", "discharged", map[string]string{"ward-b": "0/1/1"})
	env.Post("/api/admissions/"+adm.ID+"/discharge", h.Staff.Token, shared.DischargeRequest{Summary: summary, Disposition: "home"}).
		Want(t, http.StatusConflict)

	var got shared.Admission
	env.Get("/api/admissions/"+adm.ID, pat.Token).Want(t, http.StatusOK).Decode(t, &got)
	var actions []string
	for _, c := range got.History {
		actions = append(actions, c.Action+"@"+c.BedID)
	}
	if want := []string{"admitted@" + bedsA[1].ID, "transferred@" + bedsB[0].ID, "discharged@" + bedsB[0].ID}; fmt.Sprint(actions) != fmt.Sprint(want) {
		t.Errorf("got history %v, want %v", actions, want)
	}
	var wards shared.WardList
	env.Get("/api/wards", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &wards)
	if len(wards.Items) != 2 || wards.Items[0].Free != 3 || wards.Items[1].Free != 1 {
		t.Errorf("got wards %+v, want every bed free again", wards.Items)
	}

	// SECURITY row 30: the reason and the summary are ciphertext, in the admission and in its steps.
	for _, col := range []string{"admissions", "admission_steps"} {
		cur, err := env.App.DB.Collection(col).Find(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(context.Background(), &docs); err != nil {
			t.Fatal(err)
		}
		if len(docs) == 0 {
			t.Fatalf("got no documents in %s", col)
		}
		for _, d := range docs {
			if s := d.String(); strings.Contains(s, "pneumonia") || strings.Contains(s, "amoxicillin") {
				t.Errorf("got plaintext in a raw %s document: %s", col, s)
			}
		}
	}

	// SECURITY row 28: each change and read is in the audit trail, with the outcome.
	var trail struct {
		Items []struct{ Action, Outcome, ActorRole string } `json:"items"`
	}
	env.Get("/api/audit?limit=100&patient_id="+pid, h.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
	seen := map[string]bool{}
	for _, e := range trail.Items {
		seen[e.Action+":"+e.Outcome] = true
	}
	for _, want := range []string{"admission.admit:ok", "admission.transfer:ok", "admission.discharge:ok", "admission.discharge:invalid", "admission.read:ok"} {
		if !seen[want] {
			t.Errorf("got audit %v, want %s", seen, want)
		}
	}
}

// TestWardConcurrentAdmissions: ten admissions of ten patients into one bed at once: exactly one
// wins, the others get 409; two admissions of one patient into two beds at once: one wins. The
// losers leave no hold behind: the beds they were not given are free.
func TestWardConcurrentAdmissions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	beds := wardSetup(t, env, h.Admin.Token, "icu", h.Dept, "1", "2", "3")
	var pids []string
	for i := range 10 {
		p := env.NewUser(shared.RolePatient)
		env.Attend(h.Staff.Token, h.Doctor.ID(), p.User.PatientID, apptest.At(9, 15*i))
		pids = append(pids, p.User.PatientID)
	}
	race := func(reqs []shared.AdmitRequest) map[int]int {
		var wg sync.WaitGroup
		statuses := make([]int, len(reqs))
		start := make(chan struct{})
		for i, req := range reqs {
			wg.Go(func() {
				<-start
				statuses[i] = env.Post("/api/admissions", h.Staff.Token, req).Status
			})
		}
		close(start)
		wg.Wait()
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		return count
	}
	var reqs []shared.AdmitRequest
	for _, pid := range pids {
		reqs = append(reqs, shared.AdmitRequest{PatientID: pid, WardID: "icu", BedID: beds[0].ID, DoctorID: h.Doctor.ID(),
			Source: shared.SourcePlanned, Reason: "observation"})
	}
	if got := race(reqs); got[http.StatusCreated] != 1 || got[http.StatusConflict] != 9 {
		t.Errorf("ten admissions into one bed: got statuses %v, want one 201 and nine 409", got)
	}
	var board shared.BedBoard
	env.Get("/api/wards/icu/beds", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &board)
	if occupancy(board) != "1/2/3" || board.Beds[0].State != shared.BedOccupied {
		t.Errorf("got board %+v, want bed 1 occupied only", board)
	}
	var winner string
	for _, pid := range pids {
		var l shared.AdmissionList
		env.Get("/api/patients/"+pid+"/admissions", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &l)
		if len(l.Items) == 1 {
			winner = pid
		}
	}

	// One patient (not the winner) into beds 2 and 3 at once.
	other := pids[0]
	if other == winner {
		other = pids[1]
	}
	both := []shared.AdmitRequest{
		{PatientID: other, WardID: "icu", BedID: beds[1].ID, DoctorID: h.Doctor.ID(), Source: shared.SourcePlanned, Reason: "observation"},
		{PatientID: other, WardID: "icu", BedID: beds[2].ID, DoctorID: h.Doctor.ID(), Source: shared.SourcePlanned, Reason: "observation"},
	}
	if got := race(both); got[http.StatusCreated] != 1 || got[http.StatusConflict] != 1 {
		t.Errorf("one patient into two beds: got statuses %v, want one 201 and one 409", got)
	}
	env.Get("/api/wards/icu/beds", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &board)
	if occupancy(board) != "2/1/3" {
		t.Errorf("got board %s, want 2 occupied, 1 free", occupancy(board))
	}
	// The bed the losing request did not get is free to anyone: the first free bed is given, then the
	// ward is full.
	var rest []string
	for _, pid := range pids {
		if pid != winner && pid != other {
			rest = append(rest, pid)
		}
	}
	env.Post("/api/admissions", h.Staff.Token, shared.AdmitRequest{PatientID: rest[0], WardID: "icu", DoctorID: h.Doctor.ID(),
		Source: shared.SourcePlanned, Reason: "observation"}).Want(t, http.StatusCreated)
	env.Post("/api/admissions", h.Staff.Token, shared.AdmitRequest{PatientID: rest[1], WardID: "icu", DoctorID: h.Doctor.ID(),
		Source: shared.SourcePlanned, Reason: "observation"}).Want(t, http.StatusConflict)

	// Two discharges of one admission at once: one 200, one 409; the bed is free once.
	var l shared.AdmissionList
	env.Get("/api/patients/"+winner+"/admissions", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &l)
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = env.Post("/api/admissions/"+l.Items[0].ID+"/discharge", h.Staff.Token,
				shared.DischargeRequest{Summary: "stable", Disposition: "home"}).Status
		})
	}
	wg.Wait()
	if statuses[0]+statuses[1] != http.StatusOK+http.StatusConflict {
		t.Errorf("two discharges at once: got %v, want one 200 and one 409", statuses)
	}
	env.Get("/api/wards/icu/beds", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &board)
	if occupancy(board) != "2/1/3" || board.Beds[0].State != shared.BedFree {
		t.Errorf("got board %+v, want bed 1 free again", board)
	}

	// The same transfer twice at once (a double click): one moves the patient, the other is refused,
	// and the bed stays held by the one that moved.
	env.Get("/api/patients/"+other+"/admissions", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &l)
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = env.Post("/api/admissions/"+l.Items[0].ID+"/transfer", h.Staff.Token,
				shared.TransferRequest{WardID: "icu", BedID: beds[0].ID}).Status
		})
	}
	wg.Wait()
	// The loser is 409 when it overlapped the winner, 400 ("in that bed already") when it came after.
	slices.Sort(statuses)
	if got := fmt.Sprint(statuses); got != "[200 409]" && got != "[200 400]" {
		t.Errorf("one transfer twice at once: got %v, want one 200 and one 409 (or 400)", statuses)
	}
	env.Get("/api/wards/icu/beds", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &board)
	if occupancy(board) != "2/1/3" || board.Beds[0].AdmissionID != l.Items[0].ID {
		t.Errorf("got board %+v, want bed 1 held by the transferred admission", board)
	}
	env.Post("/api/admissions", h.Staff.Token, shared.AdmitRequest{PatientID: rest[1], WardID: "icu", BedID: beds[0].ID, DoctorID: h.Doctor.ID(),
		Source: shared.SourcePlanned, Reason: "observation"}).Want(t, http.StatusConflict)
}

// TestWardDoctorInpatients: a doctor lists the inpatients they attend, and only those; a discharged
// stay leaves the active list; the attending doctor keeps access to the patient's admissions.
func TestWardDoctorInpatients(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	beds := wardSetup(t, env, h.Admin.Token, "med", h.Dept, "M1", "M2", "M3")
	slot := 0
	admit := func(doctorID, bedID string) shared.Admission {
		t.Helper()
		p := env.NewUser(shared.RolePatient)
		slot++
		env.Attend(h.Staff.Token, doctorID, p.User.PatientID, apptest.At(10, 15*slot))
		h.Clock.Advance(time.Minute) // lists are newest first: each admission a minute after the last
		var a shared.Admission
		env.Post("/api/admissions", h.Staff.Token, shared.AdmitRequest{PatientID: p.User.PatientID, WardID: "med", BedID: bedID,
			DoctorID: doctorID, Source: shared.SourcePlanned, Reason: "planned surgery"}).Want(t, http.StatusCreated).Decode(t, &a)
		return a
	}
	mine1, theirs, mine2 := admit(h.Doctor.ID(), beds[0].ID), admit(h.Doctor2.ID(), beds[1].ID), admit(h.Doctor.ID(), beds[2].ID)
	env.Post("/api/admissions/"+mine2.ID+"/discharge", h.Doctor.Token, shared.DischargeRequest{Summary: "well", Disposition: "home"}).
		Want(t, http.StatusOK)

	ids := func(path, token string) []string {
		t.Helper()
		var l shared.AdmissionList
		env.Get(path, token).Want(t, http.StatusOK).Decode(t, &l)
		var out []string
		for _, a := range l.Items {
			out = append(out, a.ID)
		}
		return out
	}
	tests := []struct {
		name, path, token string
		want              []string
	}{
		{"my inpatients", "/api/admissions?doctor=me&active=true", h.Doctor.Token, []string{mine1.ID}},
		{"all I attend", "/api/admissions?doctor=me", h.Doctor.Token, []string{mine2.ID, mine1.ID}},
		{"the other doctor's", "/api/admissions?doctor=me&active=true", h.Doctor2.Token, []string{theirs.ID}},
		{"the ward, active", "/api/admissions?ward=med&active=true", h.Staff.Token, []string{theirs.ID, mine1.ID}},
		{"a patient's", "/api/patients/" + mine2.PatientID + "/admissions", h.Doctor.Token, []string{mine2.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(tt.path, tt.token); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	env.Get("/api/admissions?doctor=me", h.Staff.Token).Want(t, http.StatusBadRequest)
}

// TestWardInvalidInput: bad input is 400, unknown wards, beds and admissions 404, an occupied bed or
// a second discharge 409, never a 500.
func TestWardInvalidInput(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	beds := wardSetup(t, env, h.Admin.Token, "surg", h.Dept, "S1", "S2")
	otherBeds := wardSetup(t, env, h.Admin.Token, "peds", h.Dept, "P1")
	p1, p2 := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	appt := env.Attend(h.Staff.Token, h.Doctor.ID(), p1.User.PatientID, apptest.At(9, 0))
	env.Attend(h.Staff.Token, h.Doctor.ID(), p2.User.PatientID, apptest.At(9, 15))
	emergency := env.WalkIn(h.Staff.Token, h.Dept, "Walk In", 3)
	var first shared.Admission
	env.Post("/api/admissions", h.Staff.Token, shared.AdmitRequest{PatientID: p1.User.PatientID, WardID: "surg", BedID: beds[0].ID,
		DoctorID: h.Doctor.ID(), Source: shared.SourcePlanned, Reason: "hernia repair"}).Want(t, http.StatusCreated).Decode(t, &first)
	const unknown = "0123456789abcdef01234567"
	ok := shared.AdmitRequest{PatientID: p2.User.PatientID, WardID: "surg", BedID: beds[1].ID, DoctorID: h.Doctor.ID(),
		Source: shared.SourcePlanned, Reason: "appendicitis"}
	with := func(f func(*shared.AdmitRequest)) shared.AdmitRequest { r := ok; f(&r); return r }
	tests := []struct {
		name   string
		method string
		path   string
		token  string
		body   any
		want   int
	}{
		{"ward id not a slug", "POST", "/api/wards", h.Admin.Token, shared.CreateWardRequest{ID: "Ward 1", Name: "x", Department: h.Dept}, 400},
		{"ward in no department", "POST", "/api/wards", h.Admin.Token, shared.CreateWardRequest{ID: "w9", Name: "x", Department: "nowhere"}, 400},
		{"ward exists", "POST", "/api/wards", h.Admin.Token, shared.CreateWardRequest{ID: "surg", Name: "x", Department: h.Dept}, 409},
		{"no labels", "POST", "/api/wards/surg/beds", h.Admin.Token, shared.AddBedsRequest{}, 400},
		{"label twice", "POST", "/api/wards/surg/beds", h.Admin.Token, shared.AddBedsRequest{Labels: []string{"X", "X"}}, 400},
		{"label taken", "POST", "/api/wards/surg/beds", h.Admin.Token, shared.AddBedsRequest{Labels: []string{"S1"}}, 409},
		{"beds of no ward", "POST", "/api/wards/nowhere/beds", h.Admin.Token, shared.AddBedsRequest{Labels: []string{"Z"}}, 404},
		{"board of no ward", "GET", "/api/wards/nowhere/beds", h.Staff.Token, nil, 404},
		{"no reason", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.Reason = " " }), 400},
		{"bad source", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.Source = "walk" }), 400},
		{"not a doctor", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.DoctorID = h.Staff.ID() }), 400},
		{"malformed patient", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.PatientID = "x" }), 400},
		{"unknown patient", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.PatientID = unknown }), 400},
		{"unknown ward", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.WardID = "nowhere" }), 404},
		{"unknown bed", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.BedID = unknown }), 404},
		{"bed of another ward", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.BedID = otherBeds[0].ID }), 404},
		{"occupied bed", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.BedID = beds[0].ID }), 409},
		{"admitted already", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.PatientID = p1.User.PatientID }), 409},
		{"appointment without id", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.Source = shared.SourceAppointment }), 400},
		{"another patient's appointment", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) {
			r.Source, r.AppointmentID = shared.SourceAppointment, appt.ID
		}), 400},
		{"emergency from a walk-in", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) {
			r.Source, r.AppointmentID = shared.SourceEmergency, emergency.ID
		}), 400},
		{"planned with an appointment", "POST", "/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.AppointmentID = appt.ID }), 400},
		{"unknown field", "POST", "/api/admissions", h.Staff.Token, map[string]any{"patient_id": p2.User.PatientID, "status": "discharged"}, 400},
		{"malformed admission", "GET", "/api/admissions/nope", h.Staff.Token, nil, 400},
		{"unknown admission", "GET", "/api/admissions/" + unknown, h.Staff.Token, nil, 404},
		{"transfer to the same bed", "POST", "/api/admissions/" + first.ID + "/transfer", h.Staff.Token, shared.TransferRequest{WardID: "surg", BedID: beds[0].ID}, 400},
		{"transfer to no ward", "POST", "/api/admissions/" + first.ID + "/transfer", h.Staff.Token, shared.TransferRequest{WardID: "nowhere"}, 404},
		{"transfer without ward", "POST", "/api/admissions/" + first.ID + "/transfer", h.Staff.Token, shared.TransferRequest{}, 400},
		{"transfer to a non-doctor", "POST", "/api/admissions/" + first.ID + "/transfer", h.Staff.Token, shared.TransferRequest{WardID: "peds", DoctorID: h.Staff.ID()}, 400},
		{"discharge without summary", "POST", "/api/admissions/" + first.ID + "/discharge", h.Staff.Token, shared.DischargeRequest{Disposition: "home"}, 400},
		{"discharge to nowhere", "POST", "/api/admissions/" + first.ID + "/discharge", h.Staff.Token, shared.DischargeRequest{Summary: "ok", Disposition: "mars"}, 400},
		{"discharge unknown", "POST", "/api/admissions/" + unknown + "/discharge", h.Staff.Token, shared.DischargeRequest{Summary: "ok", Disposition: "home"}, 404},
		{"active not a boolean", "GET", "/api/admissions?active=yes", h.Staff.Token, nil, 400},
		{"doctor not an id", "GET", "/api/admissions?doctor=bob", h.Staff.Token, nil, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env.Do(apptest.Request{Method: tt.method, Path: tt.path, Token: tt.token, Body: tt.body}).Want(t, tt.want)
		})
	}
	// The ward filled up: no free bed → 409; moving into an occupied bed → 409.
	env.Post("/api/admissions", h.Staff.Token, ok).Want(t, http.StatusCreated)
	env.Post("/api/admissions/"+first.ID+"/transfer", h.Staff.Token, shared.TransferRequest{WardID: "surg", BedID: beds[1].ID}).Want(t, http.StatusConflict)
	// An emergency patient: the surgical ward is full; their emergency ticket may be linked.
	p3 := env.NewUser(shared.RolePatient)
	var em shared.Appointment
	env.Post("/api/queue/emergency", h.Staff.Token, shared.EmergencyRequest{Department: h.Dept, PatientID: p3.User.PatientID, Triage: 3, Complaint: "chest pain"}).
		Want(t, http.StatusCreated).Decode(t, &em)
	env.Post("/api/admissions", h.Staff.Token, with(func(r *shared.AdmitRequest) { r.PatientID, r.BedID = p3.User.PatientID, "" })).Want(t, http.StatusConflict)
	env.Post("/api/admissions", h.Staff.Token, shared.AdmitRequest{PatientID: p3.User.PatientID, WardID: "peds", DoctorID: h.Doctor.ID(),
		Source: shared.SourceEmergency, AppointmentID: em.ID, Reason: "chest pain"}).Want(t, http.StatusCreated)
}

// TestWardPatientAccess is SECURITY row 12 for admissions: a patient reads their own admission and
// list, never another patient's (404 / 403, audited as denied); patients cannot admit or discharge.
func TestWardPatientAccess(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	wardSetup(t, env, h.Admin.Token, "obs", h.Dept, "O1")
	ann, bob := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	env.Attend(h.Staff.Token, h.Doctor.ID(), ann.User.PatientID, apptest.At(11, 0))
	var adm shared.Admission
	env.Post("/api/admissions", h.Doctor.Token, shared.AdmitRequest{PatientID: ann.User.PatientID, WardID: "obs", DoctorID: h.Doctor.ID(),
		Source: shared.SourcePlanned, Reason: "syncope"}).Want(t, http.StatusCreated).Decode(t, &adm)

	env.Get("/api/admissions/"+adm.ID, ann.Token).Want(t, http.StatusOK)
	env.Get("/api/patients/"+ann.User.PatientID+"/admissions", ann.Token).Want(t, http.StatusOK)
	env.Get("/api/admissions/"+adm.ID, bob.Token).Want(t, http.StatusNotFound)
	env.Get("/api/patients/"+ann.User.PatientID+"/admissions", bob.Token).Want(t, http.StatusForbidden)
	env.Post("/api/admissions/"+adm.ID+"/discharge", bob.Token, shared.DischargeRequest{Summary: "x", Disposition: "home"}).Want(t, http.StatusForbidden)
	env.Post("/api/admissions", ann.Token, shared.AdmitRequest{PatientID: ann.User.PatientID}).Want(t, http.StatusForbidden)
	env.Get("/api/admissions", ann.Token).Want(t, http.StatusForbidden)
	env.Get("/api/wards/obs/beds", ann.Token).Want(t, http.StatusForbidden)

	var trail struct {
		Items []struct {
			ActorID, Action, Outcome string
		} `json:"items"`
	}
	env.Get("/api/audit?limit=100&patient_id="+ann.User.PatientID+"&actor_id="+bob.ID(), h.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
	denied := 0
	for _, e := range trail.Items {
		if e.Action == "admission.read" && e.Outcome == "denied" {
			denied++
		}
	}
	if denied != 2 {
		t.Errorf("got %d denied admission.read entries for bob, want 2: %+v", denied, trail.Items)
	}
}

// TestWardAbandonedHolds: a request that stopped half-way leaves a hold whose admission does not
// match it; the next claimer releases it (at once when the holder is discharged or gone for longer
// than the grace period) instead of finding the bed occupied for ever.
func TestWardAbandonedHolds(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	beds := wardSetup(t, env, h.Admin.Token, "rec", h.Dept, "R1", "R2")
	p := env.NewUser(shared.RolePatient)
	env.Attend(h.Staff.Token, h.Doctor.ID(), p.User.PatientID, apptest.At(9, 0))
	ctx := context.Background()
	claims := env.App.DB.Collection("bed_claims")
	ghost := "aaaaaaaaaaaaaaaaaaaaaaaa"
	hold := func(bedID string, at time.Time) {
		t.Helper()
		if _, err := claims.InsertOne(ctx, bson.D{{Key: "_id", Value: bedID + "#00000001"}, {Key: "key", Value: bedID},
			{Key: "n", Value: 1}, {Key: "op", Value: "hold"}, {Key: "admission_id", Value: ghost}, {Key: "at", Value: at}}); err != nil {
			t.Fatal(err)
		}
	}
	req := shared.AdmitRequest{PatientID: p.User.PatientID, WardID: "rec", BedID: beds[0].ID, DoctorID: h.Doctor.ID(),
		Source: shared.SourcePlanned, Reason: "observation"}
	hold(beds[0].ID, env.App.Clock.Now().UTC())
	env.Post("/api/admissions", h.Staff.Token, req).Want(t, http.StatusConflict) // may still be in progress
	hold(beds[1].ID, env.App.Clock.Now().UTC().Add(-2*time.Minute))
	req.BedID = beds[1].ID
	var adm shared.Admission
	env.Post("/api/admissions", h.Staff.Token, req).Want(t, http.StatusCreated).Decode(t, &adm) // abandoned: recovered
	if n, err := claims.CountDocuments(ctx, bson.D{{Key: "key", Value: beds[1].ID}}); err != nil || n != 3 {
		t.Errorf("got %d claims on the bed (%v), want 3: the ghost's hold, its release, the new hold", n, err)
	}

	// A transfer that stopped after its step, before releasing the old bed: the admission is in R3,
	// R2 still holds its old claim. The next admission to R2 finds the holder moved on and takes it.
	more := wardSetup(t, env, h.Admin.Token, "rec-2", h.Dept, "R3")
	env.Post("/api/admissions/"+adm.ID+"/transfer", h.Staff.Token, shared.TransferRequest{WardID: "rec-2", BedID: more[0].ID}).Want(t, http.StatusOK)
	last := fmt.Sprintf("%s#%08d", beds[1].ID, 4)
	if res, err := claims.DeleteOne(ctx, bson.D{{Key: "_id", Value: last}}); err != nil || res.DeletedCount != 1 {
		t.Fatalf("undo the release %s: %v, %+v", last, err, res)
	}
	q := env.NewUser(shared.RolePatient)
	env.Attend(h.Staff.Token, h.Doctor.ID(), q.User.PatientID, apptest.At(9, 15))
	req.PatientID = q.User.PatientID
	env.Post("/api/admissions", h.Staff.Token, req).Want(t, http.StatusCreated)
	var board shared.BedBoard
	env.Get("/api/wards/rec/beds", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &board)
	if occupancy(board) != "1/1/2" {
		t.Errorf("got board %s, want R2 occupied by the new admission and R1 free", occupancy(board))
	}
}
