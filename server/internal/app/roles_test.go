package app_test

// Roles and permissions (docs/roles.md, docs/security.md row 46): custom roles built on a kind, grants
// checked by the router on every request on every instance, and the guard rails.

import (
	"net/http"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/shared"
)

// makeRole creates a custom role as admin and returns it.
func makeRole(t *testing.T, env *apptest.Env, admin apptest.User, name string, kind shared.Role, grants ...shared.Permission) shared.RoleInfo {
	t.Helper()
	var r shared.RoleInfo
	env.Post("/api/roles", admin.Token, shared.CreateRoleRequest{Name: name, Kind: kind, Grants: &grants}).
		Want(t, http.StatusCreated).Decode(t, &r)
	return r
}

// assign gives u the role as admin and signs u in again (a role change ends the account's sessions).
func assign(t *testing.T, env *apptest.Env, admin, u apptest.User, roleID string) apptest.User {
	t.Helper()
	var out shared.User
	env.Patch("/api/users/"+u.ID(), admin.Token, map[string]any{"role_id": roleID}).Want(t, http.StatusOK).Decode(t, &out)
	if out.RoleID != roleID {
		t.Fatalf("got role_id %q after assigning, want %q", out.RoleID, roleID)
	}
	env.Get("/api/me", u.Token).Want(t, http.StatusUnauthorized)
	return signIn(t, env, u.User.Email, apptest.Password)
}

func roleOf(t *testing.T, env *apptest.Env, admin apptest.User, id string) shared.RoleInfo {
	t.Helper()
	var list shared.RoleList
	env.Get("/api/roles", admin.Token).Want(t, http.StatusOK).Decode(t, &list)
	for _, r := range list.Items {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("role %q is not in GET /api/roles", id)
	return shared.RoleInfo{}
}

// TestSecurity46PermissionRevokedOnEveryInstance: a permission taken from a role is refused on its
// holder's very next request, on another instance than the one that took it.
func TestSecurity46PermissionRevokedOnEveryInstance(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	other := env.Sibling()
	admin := env.Admin()
	nurseRole := makeRole(t, env, admin, "Nurse", shared.RoleStaff, shared.PermPatientSearch, shared.PermVitals, shared.PermWardView)
	if nurseRole.ID != "nurse" || nurseRole.Kind != shared.RoleStaff || nurseRole.Revision != 1 {
		t.Fatalf("got %+v, want role nurse of kind staff at revision 1", nurseRole)
	}
	nurse := assign(t, env, admin, env.NewUser(shared.RoleStaff), "nurse")

	want := []shared.Permission{shared.PermPatientSearch, shared.PermVitals, shared.PermWardView}
	if !slices.Equal(nurse.User.Permissions, want) {
		t.Errorf("the sign-in answered permissions %v, want %v", nurse.User.Permissions, want)
	}
	var me shared.User
	other.Get("/api/me", nurse.Token).Want(t, http.StatusOK).Decode(t, &me)
	if me.RoleID != "nurse" || me.Role != shared.RoleStaff || !slices.Equal(me.Permissions, want) {
		t.Fatalf("got me %+v, want the nurse role's kind and grants %v", me, want)
	}
	other.Get("/api/patients?q=a", nurse.Token).Want(t, http.StatusOK)
	// Not granted, though staff hold them by default: the pharmacy and billing.
	wantErr(t, other.Get("/api/prescriptions", nurse.Token), http.StatusForbidden, "forbidden")
	wantErr(t, other.Get("/api/invoices", nurse.Token), http.StatusForbidden, "forbidden")

	// The admin takes patient.search away on the first instance; the very next request on the other
	// instance is refused, with the same token.
	var changed shared.RoleInfo
	env.Put("/api/roles/nurse", admin.Token, shared.UpdateRoleRequest{Grants: []shared.Permission{shared.PermVitals, shared.PermWardView},
		Revision: nurseRole.Revision}).Want(t, http.StatusOK).Decode(t, &changed)
	if changed.Revision != 2 || changed.Users != 1 {
		t.Errorf("got %+v, want revision 2 held by 1 account", changed)
	}
	e := wantErr(t, other.Get("/api/patients?q=a", nurse.Token), http.StatusForbidden, "forbidden")
	if e.Error.Message != "your role (nurse) is not granted patient.search" {
		t.Errorf("got message %q, want it to name the role and the permission", e.Error.Message)
	}
	other.Get("/api/wards", nurse.Token).Want(t, http.StatusOK)
	// Granting it back works as fast; a change against an old revision is refused.
	wantErr(t, env.Put("/api/roles/nurse", admin.Token, shared.UpdateRoleRequest{Grants: want, Revision: 1}), http.StatusConflict, "stale_revision")
	env.Put("/api/roles/nurse", admin.Token, shared.UpdateRoleRequest{Grants: want, Revision: 2}).Want(t, http.StatusOK)
	other.Get("/api/patients?q=a", nurse.Token).Want(t, http.StatusOK)

	// A built-in role's grants change the same way: staff lose the pharmacy queue, then get it back.
	staff := env.NewUser(shared.RoleStaff)
	other.Get("/api/prescriptions", staff.Token).Want(t, http.StatusOK)
	builtin := roleOf(t, env, admin, "staff")
	if !builtin.BuiltIn || builtin.Revision != 0 || !slices.Equal(builtin.Grants, shared.DefaultGrants(shared.RoleStaff)) {
		t.Fatalf("got %+v, want the built-in staff role at its defaults, revision 0", builtin)
	}
	less := slices.DeleteFunc(slices.Clone(builtin.Grants), func(p shared.Permission) bool { return p == shared.PermDispense })
	env.Put("/api/roles/staff", admin.Token, shared.UpdateRoleRequest{Grants: less, Revision: 0}).Want(t, http.StatusOK)
	wantErr(t, other.Get("/api/prescriptions", staff.Token), http.StatusForbidden, "forbidden")
	env.Put("/api/roles/staff", admin.Token, shared.UpdateRoleRequest{Grants: builtin.Grants, Revision: 1}).Want(t, http.StatusOK)
	other.Get("/api/prescriptions", staff.Token).Want(t, http.StatusOK)

	// Every change is in the activity log.
	for _, action := range []string{"role.create", "role.change", "user.role_change"} {
		if n := countDocs(t, env, "audit", bson.D{{Key: "action", Value: action}, {Key: "actor_id", Value: admin.ID()}}); n == 0 {
			t.Errorf("no %s entry in the audit", action)
		}
	}
}

// TestSecurity46LastAdminCannotBeDemoted: no change leaves the hospital without an enabled account that
// can manage roles, whoever makes it and however.
func TestSecurity46LastAdminCannotBeDemoted(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	// An admin-kind role that manages accounts but not roles.
	makeRole(t, env, admin, "User manager", shared.RoleAdmin, shared.PermUsersManage)
	manager := assign(t, env, admin, env.NewUser(shared.RoleStaff), "user-manager")

	// The manager may demote or disable anyone but the last account that can manage roles.
	e := wantErr(t, env.Patch("/api/users/"+admin.ID(), manager.Token, map[string]any{"role": "staff"}), http.StatusConflict, "last_admin")
	if e.Error.Message == "" {
		t.Error("want a message saying why")
	}
	wantErr(t, env.Patch("/api/users/"+admin.ID(), manager.Token, map[string]any{"disabled": true}), http.StatusConflict, "last_admin")
	var u shared.User
	env.Get("/api/users/"+admin.ID(), manager.Token).Want(t, http.StatusOK).Decode(t, &u)
	if u.Role != shared.RoleAdmin || u.RoleID != "admin" || u.Disabled {
		t.Fatalf("got %+v after the refused changes, want the admin unchanged", u)
	}
	// The Administrator role keeps what makes an admin.
	admin = signIn(t, env, admin.User.Email, apptest.Password) // the undone change ended its sessions
	wantErr(t, env.Put("/api/roles/admin", admin.Token, shared.UpdateRoleRequest{Grants: []shared.Permission{shared.PermUsersManage}}),
		http.StatusBadRequest, "locked_permission")
	// Nor can one demote oneself.
	wantErr(t, env.Patch("/api/users/"+admin.ID(), admin.Token, map[string]any{"role": "staff"}), http.StatusForbidden, "forbidden")

	// With a deputy who can manage roles, the admin may go; the deputy is then the last one, and may
	// not take roles.manage from their own role.
	deputyRole := makeRole(t, env, admin, "Deputy", shared.RoleAdmin, shared.PermRolesManage, shared.PermUsersManage)
	deputy := assign(t, env, admin, env.NewUser(shared.RoleStaff), "deputy")
	env.Patch("/api/users/"+admin.ID(), manager.Token, map[string]any{"disabled": true}).Want(t, http.StatusOK)
	wantErr(t, env.Put("/api/roles/deputy", deputy.Token, shared.UpdateRoleRequest{Grants: []shared.Permission{shared.PermUsersManage},
		Revision: deputyRole.Revision}), http.StatusConflict, "last_admin")
	if got := roleOf(t, env, deputy, "deputy"); !slices.Contains(got.Grants, shared.PermRolesManage) {
		t.Fatalf("got %+v, want the refused change undone", got)
	}
	deputy.Token = signIn(t, env, deputy.User.Email, apptest.Password).Token
	env.Get("/api/roles", deputy.Token).Want(t, http.StatusOK)
}

// TestRolesPharmacistDispensesAndDoesNotChart: a custom "pharmacist" role works the pharmacy and is
// refused the chart, on the same patient a doctor charts.
func TestRolesPharmacistDispensesAndDoesNotChart(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := env.Pharmacy(nil)
	f.Receive(f.MedID, 100)
	rx := f.Prescribe(shared.PrescribeRequest{})
	makeRole(t, env, f.Admin, "Pharmacist", shared.RoleStaff, shared.PermPharmacyRead, shared.PermPharmacyStock, shared.PermDispense, shared.PermRxRead)
	f.Staff = assign(t, env, f.Admin, f.Staff, "pharmacist")

	env.Get("/api/prescriptions", f.Staff.Token).Want(t, http.StatusOK)
	f.Dispense("pharm-1", rx.ID, nil).Want(t, http.StatusCreated)
	wantErr(t, env.Post("/api/patients/"+f.PatientID+"/encounters", f.Staff.Token, shared.CreateEncounterRequest{Reason: "check"}),
		http.StatusForbidden, "forbidden")
	wantErr(t, env.Get("/api/patients/"+f.PatientID+"/encounters", f.Staff.Token), http.StatusForbidden, "forbidden")
	wantErr(t, env.Post("/api/queue/checkin", f.Staff.Token, map[string]any{}), http.StatusForbidden, "forbidden")
	// The doctor still charts the same patient.
	env.Post("/api/patients/"+f.PatientID+"/encounters", f.Doctor.Token, shared.CreateEncounterRequest{Reason: "review"}).Want(t, http.StatusCreated)
}

// TestRolesGuardRails: what a role may be granted, and what may be done to roles.
func TestRolesGuardRails(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	bad := func(name string, kind shared.Role, grants ...shared.Permission) *apptest.Response {
		return env.Post("/api/roles", admin.Token, shared.CreateRoleRequest{Name: name, Kind: kind, Grants: &grants})
	}
	// A patient-kind role never reaches other patients' data; administration stays with admin kinds;
	// unknown permissions and bad names are refused with what is wrong.
	e := wantErr(t, bad("Proxy", shared.RolePatient, shared.PermPatientSearch), http.StatusBadRequest, "invalid_request")
	if e.Error.Message != "a patient role cannot be granted patient.search: it reaches other patients' data or the hospital's work" {
		t.Errorf("got %q", e.Error.Message)
	}
	wantErr(t, bad("Chief nurse", shared.RoleStaff, shared.PermRolesManage), http.StatusBadRequest, "invalid_request")
	wantErr(t, bad("Nurse", shared.RoleStaff, "chart.everything"), http.StatusBadRequest, "invalid_request")
	wantErr(t, bad("", shared.RoleStaff), http.StatusBadRequest, "invalid_request")
	wantErr(t, bad("Nurse!", shared.RoleStaff), http.StatusBadRequest, "invalid_request")
	wantErr(t, bad("Nurse", "janitor"), http.StatusBadRequest, "invalid_request")
	wantErr(t, bad("Staff", shared.RoleStaff), http.StatusConflict, "role_exists")
	// Without grants, a custom role starts with its kind's.
	var cashier shared.RoleInfo
	env.Post("/api/roles", admin.Token, shared.CreateRoleRequest{Name: "Cashier", Kind: shared.RoleStaff}).Want(t, http.StatusCreated).Decode(t, &cashier)
	if !slices.Equal(cashier.Grants, shared.DefaultGrants(shared.RoleStaff)) || cashier.BuiltIn {
		t.Errorf("got %+v, want a custom role with staff's grants", cashier)
	}
	wantErr(t, env.Post("/api/roles", admin.Token, shared.CreateRoleRequest{Name: "cashier", Kind: shared.RoleStaff}), http.StatusConflict, "role_exists")
	// A patient account cannot take a staff-kind role; an unknown role is refused.
	pat := env.NewUser(shared.RolePatient)
	wantErr(t, env.Patch("/api/users/"+pat.ID(), admin.Token, map[string]any{"role_id": "cashier"}), http.StatusBadRequest, "invalid_request")
	wantErr(t, env.Patch("/api/users/"+pat.ID(), admin.Token, map[string]any{"role_id": "nobody"}), http.StatusBadRequest, "invalid_request")
	wantErr(t, env.Patch("/api/users/"+pat.ID(), admin.Token, map[string]any{"role_id": "cashier", "role": "staff"}), http.StatusBadRequest, "invalid_request")
	// A role in use cannot be deleted; a built-in one never; a free one can, at its revision.
	clerk := assign(t, env, admin, env.NewUser(shared.RoleStaff), "cashier")
	wantErr(t, env.Do(apptest.Request{Method: "DELETE", Path: "/api/roles/cashier?revision=1", Token: admin.Token}), http.StatusConflict, "role_in_use")
	wantErr(t, env.Do(apptest.Request{Method: "DELETE", Path: "/api/roles/staff?revision=1", Token: admin.Token}), http.StatusBadRequest, "invalid_request")
	env.Patch("/api/users/"+clerk.ID(), admin.Token, map[string]any{"role_id": "staff"}).Want(t, http.StatusOK)
	wantErr(t, env.Do(apptest.Request{Method: "DELETE", Path: "/api/roles/cashier?revision=7", Token: admin.Token}), http.StatusConflict, "stale_revision")
	env.Do(apptest.Request{Method: "DELETE", Path: "/api/roles/cashier?revision=1", Token: admin.Token}).Want(t, http.StatusNoContent)
	wantErr(t, env.Put("/api/roles/cashier", admin.Token, shared.UpdateRoleRequest{Grants: []shared.Permission{}, Revision: 1}), http.StatusNotFound, "role_not_found")
	// Only those who manage roles see them.
	wantErr(t, env.Get("/api/roles", clerk.Token), http.StatusUnauthorized, "unauthenticated") // its role changed: signed out
	staff := env.NewUser(shared.RoleStaff)
	wantErr(t, env.Get("/api/roles", staff.Token), http.StatusForbidden, "forbidden")
	env.Get("/api/permissions", staff.Token).Want(t, http.StatusOK)
}
