package app_test

// Tests of the access rule (care relationships, break the glass, referrals) and of the GDPR export and
// erasure: docs/security.md rows 12, 28 and 31.

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/shared"
)

// newPatient registers a patient account with a name and email of its own and signs it in.
func newPatient(t *testing.T, env *apptest.Env, name, email string) apptest.User {
	t.Helper()
	env.SignUp(name, email, apptest.Password)
	return signIn(t, env, email, apptest.Password)
}

// principal is the caller u as the access rule sees them.
func principal(u apptest.User) auth.Principal {
	return auth.Principal{UserID: u.ID(), Role: u.User.Role, PatientID: u.User.PatientID}
}

// breakGlass opens a patient's records for the caller and returns the grant.
func breakGlass(t *testing.T, env *apptest.Env, token, patientID, reason string) shared.AccessGrant {
	t.Helper()
	var g shared.AccessGrant
	env.Post("/api/patients/"+patientID+"/access", token, shared.BreakGlassRequest{Reason: reason}).
		Want(t, http.StatusCreated).Decode(t, &g)
	return g
}

func TestAccessClinicalRule(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital() // Monday 2030-01-07 07:30
	third := env.NewDoctor(h.Dept, "dermatology")
	a := newPatient(t, env, "Alma Today", "alma@example.org")     // checked in for h.Doctor today
	b := newPatient(t, env, "Boris Other", "boris@example.org")   // no appointment
	c := newPatient(t, env, "Cleo Tomorrow", "cleo@example.org")  // booked with Doctor2 tomorrow
	d := newPatient(t, env, "Dora Cancelled", "dora@example.org") // Doctor2's appointment, cancelled
	r := newPatient(t, env, "Remy Referred", "remy@example.org")  // referred by h.Doctor to third
	env.CheckIn(h.Staff.Token, env.Book(h.Staff.Token, h.Doctor.ID(), a.User.PatientID, apptest.At(9, 0)).ID)
	env.CheckIn(h.Staff.Token, env.Book(h.Staff.Token, h.Doctor.ID(), r.User.PatientID, apptest.At(10, 0)).ID)
	env.Book(h.Staff.Token, h.Doctor2.ID(), c.User.PatientID, apptest.At(9, 0).AddDate(0, 0, 1))
	cancelled := env.Book(h.Staff.Token, h.Doctor2.ID(), d.User.PatientID, apptest.At(11, 0))
	env.Post("/api/appointments/"+cancelled.ID+"/cancel", h.Staff.Token, shared.ReasonRequest{Reason: "patient called"}).Want(t, http.StatusOK)
	walkIn := env.WalkIn(h.Staff.Token, h.Dept, "Wanda Walk-in", 4)
	env.Post("/api/patients/"+r.User.PatientID+"/referrals", h.Doctor.Token,
		shared.ReferralRequest{DoctorID: third.ID(), Reason: "suspicious mole on the back"}).Want(t, http.StatusCreated)
	ctx := context.Background()

	check := func(t *testing.T, who apptest.User, patientID string, want error) {
		t.Helper()
		err := env.App.Access.Clinical(ctx, principal(who), patientID)
		switch {
		case want == nil && err != nil:
			t.Errorf("got %v, want access", err)
		case want != nil && !errors.Is(err, want):
			t.Errorf("got %v, want %v", err, want)
		}
	}
	for _, tc := range []struct {
		name      string
		who       apptest.User
		patientID string
		want      error // nil: allowed; else the category
	}{
		{"a patient reads their own", a, a.User.PatientID, nil},
		{"a patient reads another's", a, b.User.PatientID, fault.ErrForbidden},
		{"a doctor the patient is checked in for today", h.Doctor, a.User.PatientID, nil},
		{"a doctor with an appointment tomorrow (booked only)", h.Doctor2, c.User.PatientID, fault.ErrForbidden},
		{"a doctor without an appointment", h.Doctor2, a.User.PatientID, fault.ErrForbidden},
		{"a doctor whose only appointment was cancelled", h.Doctor2, d.User.PatientID, fault.ErrForbidden},
		{"a doctor the patient was referred to", third, r.User.PatientID, nil},
		{"a referred doctor on another patient", third, a.User.PatientID, fault.ErrForbidden},
		{"staff, the patient is checked in today", h.Staff, a.User.PatientID, nil},
		{"staff, a walk-in queued today", h.Staff, walkIn.PatientID, nil},
		{"staff, the patient is booked tomorrow only", h.Staff, c.User.PatientID, fault.ErrForbidden},
		{"staff, no appointment", h.Staff, b.User.PatientID, fault.ErrForbidden},
		{"an admin without a grant", h.Admin, a.User.PatientID, fault.ErrForbidden},
		{"a doctor, malformed id", h.Doctor, "nope", fault.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) { check(t, tc.who, tc.patientID, tc.want) })
	}

	t.Run("a refusal names break the glass", func(t *testing.T) {
		e := wantErr(t, env.Get("/api/patients/"+b.User.PatientID+"/referrals", h.Doctor.Token), http.StatusForbidden, shared.CodeBreakGlassRequired)
		if !strings.Contains(e.Error.Message, "break the glass") {
			t.Errorf("got message %q, want it to say how to break the glass", e.Error.Message)
		}
		wantErr(t, env.Get("/api/patients/"+b.User.PatientID+"/referrals", a.Token), http.StatusForbidden, "forbidden")
	})

	t.Run("a grant opens the record until it expires", func(t *testing.T) {
		g := breakGlass(t, env, h.Admin.Token, a.User.PatientID, "verifying a billing dispute")
		check(t, h.Admin, a.User.PatientID, nil)
		check(t, h.Admin, b.User.PatientID, fault.ErrForbidden) // one patient per grant
		check(t, h.Staff, b.User.PatientID, fault.ErrForbidden) // one user per grant
		if want := g.CreatedAt.Add(time.Hour); !g.ExpiresAt.Equal(want) {
			t.Errorf("got expires_at %v, want %v", g.ExpiresAt, want)
		}
		h.Clock.Advance(61 * time.Minute)
		check(t, h.Admin, a.User.PatientID, fault.ErrForbidden)
	})
}

func TestAccessBreakGlass(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	second := env.NewUser(shared.RoleAdmin)
	a := newPatient(t, env, "Alma Glass", "alma.glass@example.org")
	const reason = "unconscious in A&E, needs allergy list"
	pid := a.User.PatientID

	t.Run("refused", func(t *testing.T) {
		wantErr(t, env.Post("/api/patients/"+pid+"/access", h.Doctor2.Token, shared.BreakGlassRequest{Reason: "too short"}), http.StatusBadRequest, "invalid_request")
		wantErr(t, env.Post("/api/patients/"+pid+"/access", h.Doctor2.Token, shared.BreakGlassRequest{Reason: strings.Repeat("x", 501)}), http.StatusBadRequest, "invalid_request")
		wantErr(t, env.Post("/api/patients/nope/access", h.Doctor2.Token, shared.BreakGlassRequest{Reason: reason}), http.StatusBadRequest, "invalid_request")
		wantErr(t, env.Post("/api/patients/0123456789abcdef01234567/access", h.Doctor2.Token, shared.BreakGlassRequest{Reason: reason}), http.StatusNotFound, "not_found")
		wantErr(t, env.Post("/api/patients/"+pid+"/access", a.Token, shared.BreakGlassRequest{Reason: reason}), http.StatusForbidden, "forbidden")
	})

	g := breakGlass(t, env, h.Doctor2.Token, pid, reason)
	if g.UserID != h.Doctor2.ID() || g.PatientID != pid || g.Reason != reason || g.Role != shared.RoleDoctor {
		t.Errorf("got grant %+v, want Doctor2's on the patient with the reason", g)
	}
	env.Get("/api/patients/"+pid+"/referrals", h.Doctor2.Token).Want(t, http.StatusOK)

	t.Run("every admin is notified in words, without the reason or an id", func(t *testing.T) {
		var doctor shared.User
		env.Get("/api/me", h.Doctor2.Token).Want(t, http.StatusOK).Decode(t, &doctor)
		for _, admin := range []apptest.User{h.Admin, second} {
			var list shared.NotificationList
			env.Get("/api/notifications", admin.Token).Want(t, http.StatusOK).Decode(t, &list)
			found := 0
			for _, n := range list.Items {
				if n.Kind != shared.KindBreakGlass {
					continue
				}
				found++
				if !strings.Contains(n.Message, "Alma Glass") || !strings.Contains(n.Message, doctor.Name) ||
					strings.Contains(n.Message, reason) || strings.Contains(n.Message, pid) || strings.Contains(n.Message, g.ID) ||
					strings.Contains(n.Message, "/api/") || n.SenderID != h.Doctor2.ID() {
					t.Errorf("got notification %q from %s, want the doctor's and the patient's names, the doctor as sender, no reason, id or route", n.Message, n.SenderID)
				}
			}
			if found != 1 {
				t.Errorf("admin %s got %d notifications of the grant, want 1", admin.ID(), found)
			}
		}
	})

	t.Run("audited, without the reason", func(t *testing.T) {
		var trail struct{ Items []map[string]any }
		env.Get("/api/audit?patient_id="+pid+"&limit=100", h.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
		outcomes := map[string]int{}
		for _, e := range trail.Items {
			if e["action"] == "patient.break_glass" {
				outcomes[e["outcome"].(string)]++
			}
		}
		if outcomes["ok"] != 1 || outcomes["denied"] != 1 || outcomes["invalid"] != 2 {
			t.Errorf("got break-the-glass outcomes %v, want 1 ok, 1 denied (the patient), 2 invalid", outcomes)
		}
		for _, doc := range rawDocs(t, env, "audit", bson.D{}) {
			raw, _ := bson.Marshal(doc)
			if bytes.Contains(raw, []byte("allergy list")) {
				t.Errorf("the audit entry %v holds the reason", doc)
			}
		}
	})

	t.Run("admins review grants", func(t *testing.T) {
		var list shared.AccessGrantList
		env.Get("/api/access/grants?active=true", second.Token).Want(t, http.StatusOK).Decode(t, &list)
		if list.Total != 1 || len(list.Items) != 1 || list.Items[0].ID != g.ID || list.Items[0].Reason != reason {
			t.Errorf("got %+v, want the one active grant with its reason", list)
		}
		wantErr(t, env.Get("/api/access/grants?active=maybe", second.Token), http.StatusBadRequest, "invalid_request")
		wantErr(t, env.Get("/api/access/grants", h.Doctor.Token), http.StatusForbidden, "forbidden")
		h.Clock.Advance(time.Hour)
		env.Get("/api/access/grants?active=true", second.Token).Want(t, http.StatusOK).Decode(t, &list)
		if list.Total != 0 || len(list.Items) != 0 {
			t.Errorf("got %+v after the hour, want no active grant", list)
		}
		env.Get("/api/access/grants?patient_id="+pid, second.Token).Want(t, http.StatusOK).Decode(t, &list)
		if list.Total != 1 {
			t.Errorf("got %d grants on the patient, want 1 (expired ones stay listed)", list.Total)
		}
		wantErr(t, env.Get("/api/patients/"+pid+"/referrals", h.Doctor2.Token), http.StatusForbidden, shared.CodeBreakGlassRequired)
		var trail struct{ Items []map[string]any }
		env.Get("/api/audit?actor_id="+second.ID(), h.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
		reviews := 0
		for _, e := range trail.Items {
			if e["action"] == "access.grants" {
				reviews++
			}
		}
		if reviews != 3 {
			t.Errorf("got %d audited reviews of grants, want 3 (a malformed query reads nothing)", reviews)
		}
	})
}

func TestAccessReferrals(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	derm := env.NewDoctor(h.Dept, "dermatology")
	a := newPatient(t, env, "Alma Ref", "alma.ref@example.org")
	b := newPatient(t, env, "Boris Ref", "boris.ref@example.org")
	pid := a.User.PatientID
	env.CheckIn(h.Staff.Token, env.Book(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0)).ID)
	path := "/api/patients/" + pid + "/referrals"
	const reason = "changing mole, left shoulder"

	wantErr(t, env.Get(path, derm.Token), http.StatusForbidden, shared.CodeBreakGlassRequired)
	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
		code   string
	}{
		{"to someone who is not a doctor", h.Doctor.Token, shared.ReferralRequest{DoctorID: h.Staff.ID(), Reason: reason}, 404, "not_found"},
		{"to oneself", h.Doctor.Token, shared.ReferralRequest{DoctorID: h.Doctor.ID(), Reason: reason}, 400, "invalid_request"},
		{"without a reason", h.Doctor.Token, shared.ReferralRequest{DoctorID: derm.ID()}, 400, "invalid_request"},
		{"a malformed doctor id", h.Doctor.Token, shared.ReferralRequest{DoctorID: "x", Reason: reason}, 400, "invalid_request"},
		{"by a doctor without access", h.Doctor2.Token, shared.ReferralRequest{DoctorID: derm.ID(), Reason: reason}, 403, shared.CodeBreakGlassRequired},
		{"by a patient", a.Token, shared.ReferralRequest{DoctorID: derm.ID(), Reason: reason}, 403, "forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, env.Post(path, tc.token, tc.body), tc.status, tc.code) })
	}
	var ref shared.Referral
	env.Post(path, h.Staff.Token, shared.ReferralRequest{DoctorID: derm.ID(), Reason: reason}).Want(t, http.StatusCreated).Decode(t, &ref)
	if ref.DoctorID != derm.ID() || ref.ReferredBy != h.Staff.ID() || ref.PatientID != pid {
		t.Errorf("got %+v, want staff's referral to the dermatologist", ref)
	}
	var list shared.ReferralList
	env.Get(path, derm.Token).Want(t, http.StatusOK).Decode(t, &list)
	if list.Total != 1 || len(list.Items) != 1 || list.Items[0].ID != ref.ID {
		t.Errorf("got %+v, want the referral", list)
	}
	env.Get(path, a.Token).Want(t, http.StatusOK)
	wantErr(t, env.Get(path, b.Token), http.StatusForbidden, "forbidden")
	wantErr(t, env.Get("/api/patients/0123456789abcdef01234567/referrals", derm.Token), http.StatusNotFound, "not_found")
}

func TestAccessExport(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	a := newPatient(t, env, "Ada Exporter", "ada.export@example.org")
	b := newPatient(t, env, "Bertha Neighbour", "bertha.n@example.org")
	pid := a.User.PatientID
	env.CheckIn(h.Staff.Token, env.Book(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0)).ID)
	env.CheckIn(h.Staff.Token, env.Book(h.Staff.Token, h.Doctor.ID(), b.User.PatientID, apptest.At(9, 15)).ID)
	env.Put("/api/patient/"+pid, a.Token, map[string]string{"medical_history": "hay fever"}).Want(t, http.StatusOK)
	env.Put("/api/patient/"+pid, h.Doctor.Token, map[string]string{"medical_history": "hay fever; asthma-7c1e"}).Want(t, http.StatusOK)
	env.Put("/api/patient/"+b.User.PatientID, h.Doctor.Token, map[string]string{"medical_history": "bertha-secret-9d2"}).Want(t, http.StatusOK)
	env.Post("/api/notifications/send", h.Doctor.Token, shared.SendNotificationRequest{RecipientID: a.ID(), Message: "results ready"}).Want(t, http.StatusCreated)
	env.Post("/api/notifications/send", h.Doctor.Token, shared.SendNotificationRequest{RecipientID: b.ID(), Message: "bertha note"}).Want(t, http.StatusCreated)
	env.Post("/api/patients/"+pid+"/referrals", h.Doctor.Token, shared.ReferralRequest{DoctorID: h.Doctor2.ID(), Reason: "second opinion on asthma"}).Want(t, http.StatusCreated)
	breakGlass(t, env, h.Admin.Token, pid, "checking a complaint about access")
	breakGlass(t, env, h.Admin.Token, b.User.PatientID, "checking another complaint")

	wantErr(t, env.Get("/api/me/export", h.Doctor.Token), http.StatusForbidden, "forbidden")
	resp := env.Get("/api/me/export", a.Token).Want(t, http.StatusOK)
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, pid) {
		t.Errorf("got Content-Disposition %q, want an attachment named after the record", cd)
	}
	var x shared.PatientExport
	resp.Decode(t, &x)
	if x.Format != shared.ExportFormat || x.Account.ID != a.ID() || x.Account.Email != "ada.export@example.org" || x.Patient.ID != pid {
		t.Errorf("got format %q, account %+v, patient %s; want Ada's", x.Format, x.Account, x.Patient.ID)
	}
	if x.Patient.MedicalHistory != "hay fever; asthma-7c1e" {
		t.Errorf("got medical history %q, want the current one decrypted", x.Patient.MedicalHistory)
	}
	if len(x.Revisions) != 2 || x.Revisions[0].MedicalHistory != "hay fever" || x.Revisions[1].AuthorID != h.Doctor.ID() {
		t.Errorf("got revisions %+v, want both, decrypted, oldest first", x.Revisions)
	}
	if len(x.Appointments) != 1 || x.Appointments[0].PatientID != pid {
		t.Errorf("got appointments %+v, want Ada's one", x.Appointments)
	}
	// The booking confirmation and the message (made at the same instant of the fixture's clock).
	var kinds []string
	for _, n := range x.Notifications {
		kinds = append(kinds, n.Kind+": "+n.Message)
	}
	slices.Sort(kinds)
	if len(kinds) != 2 || !strings.HasPrefix(kinds[0], shared.KindAppointmentBooked+": ") || kinds[1] != "message: results ready" {
		t.Errorf("got notifications %q, want Ada's booking confirmation and her message", kinds)
	}
	if len(x.Referrals) != 1 || x.Referrals[0].DoctorID != h.Doctor2.ID() {
		t.Errorf("got referrals %+v, want the referral to Doctor2", x.Referrals)
	}
	if len(x.AccessGrants) != 1 || x.AccessGrants[0].UserID != h.Admin.ID() || x.AccessGrants[0].Reason != "checking a complaint about access" {
		t.Errorf("got grants %+v, want the admin's break the glass with its reason", x.AccessGrants)
	}
	actions := map[string]bool{}
	for _, e := range x.AccessLog {
		actions[e.Action] = true
	}
	for _, want := range []string{"patient.update", "patient.refer", "patient.break_glass"} {
		if !actions[want] {
			t.Errorf("got access log actions %v, want %s among them", actions, want)
		}
	}
	if x.Sections == nil {
		t.Error("got no sections object, want one (empty while no domain exports)")
	}
	for _, leak := range []string{b.User.PatientID, b.ID(), "Bertha", "bertha", "password_hash", "$argon2id$"} {
		if bytes.Contains(resp.Body, []byte(leak)) {
			t.Errorf("the export holds %q (another patient's data or a secret)", leak)
		}
	}
	var trail struct{ Items []map[string]any }
	env.Get("/api/audit?actor_id="+a.ID(), h.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
	if len(trail.Items) == 0 || trail.Items[0]["action"] != "patient.export" || trail.Items[0]["patient_id"] != pid {
		t.Errorf("got %v, want the export audited last", trail.Items)
	}
}

func TestAccessErasure(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	const name, email = "Eustace Forgetme", "eustace.forget@example.org"
	a := newPatient(t, env, name, email)
	pid := a.User.PatientID
	env.CheckIn(h.Staff.Token, env.Book(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0)).ID)
	env.Put("/api/patient/"+pid, h.Doctor.Token, map[string]string{"medical_history": "kept-by-law-4b7"}).Want(t, http.StatusOK)
	env.Post("/api/notifications/send", h.Doctor.Token, shared.SendNotificationRequest{RecipientID: a.ID(), Message: "see you Monday"}).Want(t, http.StatusCreated)
	other := newPatient(t, env, "Olga Stays", "olga.stays@example.org")
	phone := "+44 7700 900461"
	env.Patch("/api/patients/"+pid, h.Staff.Token, shared.PatchPatientRequest{Phone: &phone}).Want(t, http.StatusOK)
	// What a staff search finds for q (the record is found before erasure: see below).
	found := func(t *testing.T, q string) bool {
		t.Helper()
		var l shared.PatientList
		env.Get("/api/patients?q="+url.QueryEscape(q)+"&limit=100", h.Staff.Token).Want(t, http.StatusOK).Decode(t, &l)
		return slices.ContainsFunc(l.Items, func(p shared.PatientSummary) bool { return p.ID == pid })
	}
	searches := []string{"Forgetme", "forgetme", "FORG", "eus", "Eustace Forgetme"}
	for _, q := range searches {
		if !found(t, q) {
			t.Fatalf("before erasure, search %q does not find the record", q)
		}
	}

	for _, tc := range []struct {
		name   string
		path   string
		token  string
		body   any
		status int
		code   string
	}{
		{"no confirmation", "/api/me/erasure", a.Token, map[string]any{}, 400, "invalid_request"},
		{"confirm false", "/api/me/erasure", a.Token, shared.ErasureRequest{Confirm: false}, 400, "invalid_request"},
		{"no body", "/api/me/erasure", a.Token, nil, 400, "invalid_request"},
		{"staff erase a patient", "/api/patients/" + pid + "/erasure", h.Staff.Token, shared.ErasureRequest{Confirm: true}, 403, "forbidden"},
		{"a patient erases another", "/api/patients/" + pid + "/erasure", other.Token, shared.ErasureRequest{Confirm: true}, 403, "forbidden"},
		{"an admin, malformed id", "/api/patients/nope/erasure", h.Admin.Token, shared.ErasureRequest{Confirm: true}, 400, "invalid_request"},
		{"an admin, unknown patient", "/api/patients/0123456789abcdef01234567/erasure", h.Admin.Token, shared.ErasureRequest{Confirm: true}, 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, env.Post(tc.path, tc.token, tc.body), tc.status, tc.code) })
	}

	var first, again shared.Erasure
	env.Post("/api/me/erasure", a.Token, shared.ErasureRequest{Confirm: true}).Want(t, http.StatusOK).Decode(t, &first)
	if first.PatientID != pid || !strings.HasPrefix(first.Pseudonym, "Erased patient ") || first.ErasedAt.IsZero() {
		t.Errorf("got %+v, want the record pseudonymised", first)
	}

	t.Run("signed out and cannot sign in", func(t *testing.T) {
		wantErr(t, env.Get("/api/me", a.Token), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: a.RefreshToken}), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Post("/api/auth/login", "", shared.LoginRequest{Email: email, Password: apptest.Password}), http.StatusUnauthorized, "unauthenticated")
	})

	t.Run("the raw documents hold no name or email", func(t *testing.T) {
		for _, q := range []struct {
			col    string
			filter bson.D
		}{
			{"patients", bson.D{{Key: "_id", Value: pid}}},
			{"users", bson.D{{Key: "_id", Value: a.ID()}}},
			{"appointments", bson.D{{Key: "patient_id", Value: pid}}},
			{"appointment_steps", bson.D{{Key: "state.patient_id", Value: pid}}},
		} {
			docs := rawDocs(t, env, q.col, q.filter)
			if len(docs) == 0 {
				t.Errorf("%s: no document left, want it kept under a pseudonym", q.col)
			}
			for _, doc := range docs {
				raw, _ := bson.Marshal(doc)
				for _, leak := range []string{"eustace", "forgetme"} {
					if bytes.Contains(bytes.ToLower(raw), []byte(leak)) {
						t.Errorf("%s document %v still holds %q", q.col, doc["_id"], leak)
					}
				}
			}
		}
		if n := countDocs(t, env, "notifications", bson.D{{Key: "recipient_id", Value: a.ID()}}); n != 0 {
			t.Errorf("got %d notifications to the erased patient, want 0", n)
		}
		if doc := rawDoc(t, env, "patients", bson.D{{Key: "_id", Value: pid}}); doc["erased_at"] == nil || doc["name"] != first.Pseudonym {
			t.Errorf("got %v, want erased_at set and the pseudonym", doc)
		}
	})

	t.Run("no search finds the record by its old name", func(t *testing.T) {
		for _, q := range searches {
			if found(t, q) {
				t.Errorf("search %q after erasure finds the record, want not", q)
			}
		}
		// The record keeps its MRN (the clinical record's number) and is found by it; its identity and
		// every search key derived from it are gone (folded case: the keys are lowercase).
		doc := rawDoc(t, env, "patients", bson.D{{Key: "_id", Value: pid}})
		raw, _ := bson.Marshal(doc)
		for _, leak := range []string{"eustace", "forgetme", "eus", "7700900461", "900461"} {
			if bytes.Contains(bytes.ToLower(raw), []byte(leak)) {
				t.Errorf("patient document still holds %q (case folded)", leak)
			}
		}
	})

	t.Run("no stored event carries the patient", func(t *testing.T) {
		for _, doc := range rawDocs(t, env, "events", bson.D{}) {
			data, _ := doc["data"].(string)
			ch, _ := doc["channel"].(string)
			low := strings.ToLower(data)
			for _, leak := range []string{"eustace", "forgetme", pid} {
				if strings.Contains(low, leak) {
					t.Errorf("event %v on %s still holds %q: %s", doc["_id"], ch, leak, data)
				}
			}
		}
	})

	t.Run("clinical records are kept", func(t *testing.T) {
		var p shared.Patient
		env.Get("/api/patient/"+pid, h.Doctor.Token).Want(t, http.StatusOK).Decode(t, &p)
		if p.MedicalHistory != "kept-by-law-4b7" || p.Name != first.Pseudonym || p.Email != "" {
			t.Errorf("got %+v, want the history under the pseudonym, no email", p)
		}
	})

	t.Run("asking again gives the same result", func(t *testing.T) {
		env.Post("/api/patients/"+pid+"/erasure", h.Admin.Token, shared.ErasureRequest{Confirm: true}).Want(t, http.StatusOK).Decode(t, &again)
		if again != first {
			t.Errorf("got %+v, want %+v", again, first)
		}
	})

	t.Run("the email may register again", func(t *testing.T) {
		env.SignUp("Eustace Again", email, apptest.Password)
		signIn(t, env, email, apptest.Password)
	})

	t.Run("a record without an account", func(t *testing.T) {
		w := env.WalkIn(h.Staff.Token, h.Dept, "Wilhelmina Unlinked", 4)
		var e shared.Erasure
		env.Post("/api/patients/"+w.PatientID+"/erasure", h.Admin.Token, shared.ErasureRequest{Confirm: true}).Want(t, http.StatusOK).Decode(t, &e)
		for _, col := range []string{"patients", "appointments", "queue_tickets"} {
			key := "patient_id"
			if col == "patients" {
				key = "_id"
			}
			for _, doc := range rawDocs(t, env, col, bson.D{{Key: key, Value: w.PatientID}}) {
				raw, _ := bson.Marshal(doc)
				if bytes.Contains(raw, []byte("Wilhelmina")) {
					t.Errorf("%s document %v still holds the name", col, doc["_id"])
				}
			}
		}
	})

	t.Run("audited", func(t *testing.T) {
		var trail struct{ Items []map[string]any }
		env.Get("/api/audit?patient_id="+pid+"&limit=100", h.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
		ok, invalid := 0, 0
		for _, e := range trail.Items {
			if e["action"] != "patient.erase" {
				continue
			}
			switch e["outcome"] {
			case "ok":
				ok++
			case "invalid":
				invalid++
			}
		}
		if ok != 2 || invalid != 3 {
			t.Errorf("got %d ok and %d invalid erasures audited, want 2 and 3", ok, invalid)
		}
	})
}
