package app_test

import (
	"net/http"
	"testing"

	"hms/shared"
)

// exerciseRoles is the roles part of TestResponsesMatchDocument: the catalogue, a custom role made,
// changed, assigned and freed, and the refusals a client acts on.
func exerciseRoles(t *testing.T, c *contract) {
	t.Helper()
	admin, staff := c.env.Admin(), c.env.NewUser(shared.RoleStaff)
	c.call(t, "staff read the permission catalogue", get("/api/permissions", staff.Token), http.StatusOK)
	c.call(t, "the admin lists the roles", get("/api/roles", admin.Token), http.StatusOK)
	c.call(t, "staff may not list the roles", get("/api/roles", staff.Token), http.StatusForbidden)
	grants := []shared.Permission{shared.PermPatientSearch, shared.PermVitals}
	var r shared.RoleInfo
	c.call(t, "the admin creates a nurse role", send("POST", "/api/roles", admin.Token,
		shared.CreateRoleRequest{Name: "Contract nurse", Kind: shared.RoleStaff, Grants: &grants}), http.StatusCreated).Decode(t, &r)
	c.call(t, "the same name again", send("POST", "/api/roles", admin.Token,
		shared.CreateRoleRequest{Name: "Contract nurse", Kind: shared.RoleStaff}), http.StatusConflict)
	c.call(t, "a patient role granted patient search", send("POST", "/api/roles", admin.Token,
		shared.CreateRoleRequest{Name: "Proxy", Kind: shared.RolePatient, Grants: &grants}), http.StatusBadRequest)
	c.call(t, "the admin grants ward view", send("PUT", "/api/roles/"+r.ID, admin.Token,
		shared.UpdateRoleRequest{Grants: append(grants, shared.PermWardView), Revision: r.Revision}), http.StatusOK)
	c.call(t, "a change against an old revision", send("PUT", "/api/roles/"+r.ID, admin.Token,
		shared.UpdateRoleRequest{Grants: grants, Revision: r.Revision}), http.StatusConflict)
	c.call(t, "an unknown role", send("PUT", "/api/roles/nobody", admin.Token,
		shared.UpdateRoleRequest{Grants: grants, Revision: 1}), http.StatusNotFound)
	c.call(t, "the admin assigns the role", send("PATCH", "/api/users/"+staff.ID(), admin.Token, map[string]any{"role_id": r.ID}), http.StatusOK)
	c.call(t, "a role in use cannot be deleted", send("DELETE", "/api/roles/"+r.ID+"?revision=2", admin.Token, nil), http.StatusConflict)
	c.call(t, "the admin gives the account back its kind's role", send("PATCH", "/api/users/"+staff.ID(), admin.Token, map[string]any{"role_id": "staff"}), http.StatusOK)
	c.call(t, "the admin deletes the free role", send("DELETE", "/api/roles/"+r.ID+"?revision=2", admin.Token, nil), http.StatusNoContent)
}
