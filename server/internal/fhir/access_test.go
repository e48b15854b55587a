package fhir_test

import (
	"fmt"
	"net/http"
	neturl "net/url"
	"slices"
	"strings"
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// TestAccessAsREST checks the FHIR API applies the REST API's rules: a patient reads their own Patient
// and no other, and finds only themself; a doctor, staff or admin without a care relationship is
// refused a read with break_glass_required (403), exactly as GET /api/patient/{id}, and may read after
// a check-in; staff-side searches list what GET /api/patients lists. Reads and searches are audited
// as patient.read and patient.search.
func TestAccessAsREST(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	ann, bob := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	annID, bobID := ann.User.PatientID, bob.User.PatientID
	annName, bobName := "Annika Quennell", "Bartholomew Ostrander"
	env.Patch("/api/patients/"+annID, h.Admin.Token, map[string]string{"name": annName}).Want(t, http.StatusOK)
	env.Patch("/api/patients/"+bobID, h.Admin.Token, map[string]string{"name": bobName}).Want(t, http.StatusOK)
	same := func(t *testing.T, who apptest.User, id string) int {
		t.Helper()
		rest := env.Get("/api/patient/"+id, who.Token)
		fhirR := env.Get("/fhir/R4/Patient/"+id, who.Token)
		if rest.Status != fhirR.Status {
			t.Errorf("%s reading %s: REST answers %d, FHIR %d (%s)", who.User.Role, id, rest.Status, fhirR.Status, fhirR.Body)
		}
		if fhirR.Status >= 400 {
			valid(t, fhirR, "OperationOutcome")
			if code := rest.Error().Error.Code; code != "" && !strings.Contains(string(fhirR.Body), `"code":"`+code+`"`) {
				t.Errorf("got %s, want HMS code %s as REST", fhirR.Body, code)
			}
		} else {
			valid(t, fhirR, "Patient")
		}
		return fhirR.Status
	}

	t.Run("a patient", func(t *testing.T) {
		if s := same(t, ann, annID); s != http.StatusOK {
			t.Errorf("got %d reading their own record, want 200", s)
		}
		if s := same(t, ann, bobID); s != http.StatusForbidden {
			t.Errorf("got %d reading another's record, want 403", s)
		}
		b := searchBundle(t, env, "/fhir/R4/Patient", ann.Token)
		if b.Total != 1 || !slices.Equal(b.ids(), []string{annID}) {
			t.Errorf("got %+v, want only their own record", b)
		}
		for _, q := range []string{"_id=" + bobID, "name=" + esc(bobName), "_id=" + bobID + "&name=" + esc(bobName)} {
			if b := searchBundle(t, env, "/fhir/R4/Patient?"+q, ann.Token); b.Total != 0 || len(b.Entry) != 0 {
				t.Errorf("%s: got %+v, want nothing", q, b)
			}
		}
	})

	for _, who := range []apptest.User{h.Doctor, h.Staff, h.Admin} {
		t.Run(string(who.User.Role), func(t *testing.T) {
			r := env.Get("/fhir/R4/Patient/"+bobID, who.Token)
			outcome(t, r, http.StatusForbidden, "forbidden", shared.CodeBreakGlassRequired)
			same(t, who, bobID)
			// Staff-side search: the same matches as GET /api/patients.
			var list shared.PatientList
			env.Get("/api/patients?q="+esc(annName)+"&limit=100", who.Token).Want(t, http.StatusOK).Decode(t, &list)
			b := searchBundle(t, env, "/fhir/R4/Patient?name="+esc(annName)+"&_count=100", who.Token)
			if b.Total != list.Total || len(b.Entry) != len(list.Items) || b.Total < 1 {
				t.Errorf("got %d (%d entries), want REST's %d", b.Total, len(b.Entry), list.Total)
			}
		})
	}

	t.Run("after a check-in", func(t *testing.T) {
		env.Attend(h.Staff.Token, h.Doctor.ID(), bobID, apptest.At(10, 0))
		if s := same(t, h.Doctor, bobID); s != http.StatusOK {
			t.Errorf("the doctor got %d after the check-in, want 200", s)
		}
		if s := same(t, h.Doctor2, bobID); s != http.StatusForbidden {
			t.Errorf("another doctor got %d, want 403", s)
		}
	})

	t.Run("audited", func(t *testing.T) {
		var trail struct{ Items []map[string]any }
		env.Get("/api/audit?patient_id="+bobID+"&action=patient.read&limit=100", h.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
		got := map[string]int{}
		for _, e := range trail.Items {
			got[fmt.Sprint(e["actor_id"], " ", e["outcome"])]++
		}
		// Each read above is audited, REST's and FHIR's (the doctor was refused once more on its own).
		for key, n := range map[string]int{h.Doctor.ID() + " denied": 3, h.Doctor.ID() + " ok": 2, ann.ID() + " denied": 2} {
			if got[key] != n {
				t.Errorf("got %d patient.read entries %q, want %d (all: %v)", got[key], key, n, got)
			}
		}
		env.Get("/api/audit?actor_id="+ann.ID()+"&action=patient.search&limit=100", h.Admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
		if len(trail.Items) != 4 {
			t.Errorf("got %d patient.search entries for the patient's 4 FHIR searches, want 4", len(trail.Items))
		}
	})
}

func esc(s string) string { return neturl.QueryEscape(s) }

// TestSearchNeedsPermission: a staff-side role without patient.search is refused the FHIR Patient
// search (403) as it is GET /api/patients, while a patient needs no such grant.
func TestSearchNeedsPermission(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	grants := []shared.Permission{shared.PermWardView}
	var role shared.RoleInfo
	env.Post("/api/roles", admin.Token, shared.CreateRoleRequest{Name: "Porter", Kind: shared.RoleStaff, Grants: &grants}).
		Want(t, http.StatusCreated).Decode(t, &role)
	porter := env.NewUser(shared.RoleStaff)
	env.Patch("/api/users/"+porter.ID(), admin.Token, map[string]any{"role_id": role.ID}).Want(t, http.StatusOK)
	porter = env.Login(porter.User.Email, apptest.Password)

	env.Get("/api/patients?q=a", porter.Token).WantError(t, http.StatusForbidden, "forbidden")
	msg := outcome(t, env.Get("/fhir/R4/Patient?name=a", porter.Token), http.StatusForbidden, "forbidden", "forbidden")
	if !strings.Contains(msg, "patient.search") {
		t.Errorf("got %q, want the permission named", msg)
	}
	// The rest of the FHIR API is open to every signed-in user, as its REST routes.
	valid(t, env.Get("/fhir/R4/Organization/hospital", porter.Token).Want(t, http.StatusOK), "Organization")
	searchBundle(t, env, "/fhir/R4/Patient", env.NewUser(shared.RolePatient).Token)
}
