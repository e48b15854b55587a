package app_test

import (
	"net/http"
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// TestUsersByRole: GET /api/users?role= lists only that role's accounts, with their count; an unknown
// role is a 400, and the list stays the admin's alone.
func TestUsersByRole(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	d1, d2 := env.NewUser(shared.RoleDoctor), env.NewUser(shared.RoleDoctor)
	staff := env.NewUser(shared.RoleStaff)
	env.NewUser(shared.RolePatient)

	var docs shared.UserList
	env.Get("/api/users?role=doctor&limit=100", admin.Token).Want(t, http.StatusOK).Decode(t, &docs)
	got := map[string]bool{}
	for _, u := range docs.Items {
		if u.Role != shared.RoleDoctor {
			t.Errorf("got %s (%s) in the doctors", u.Name, u.Role)
		}
		got[u.ID] = true
	}
	if !got[d1.ID()] || !got[d2.ID()] || docs.Total != len(docs.Items) {
		t.Errorf("got %+v, want both doctors and a total that counts only doctors", docs)
	}
	var all shared.UserList
	env.Get("/api/users?limit=100", admin.Token).Want(t, http.StatusOK).Decode(t, &all)
	if all.Total <= docs.Total {
		t.Errorf("got %d accounts in all and %d doctors, want more accounts than doctors", all.Total, docs.Total)
	}
	wantErr(t, env.Get("/api/users?role=surgeon", admin.Token), http.StatusBadRequest, "invalid_request")
	wantErr(t, env.Get("/api/users?role=doctor", staff.Token), http.StatusForbidden, "forbidden")
}
