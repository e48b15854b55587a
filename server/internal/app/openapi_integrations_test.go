package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// exerciseIntegrations is the integration clients' part of TestResponsesMatchDocument: registering,
// listing, rotating and revoking a client, and the token endpoint's answers, errors included.
func exerciseIntegrations(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	admin, staff := env.Admin(), env.NewUser(shared.RoleStaff)
	var reg shared.IntegrationClientSecret
	c.call(t, "the admin registers a client", send("POST", "/api/integration-clients", admin.Token,
		shared.CreateIntegrationClientRequest{Name: "Contract feed", Scopes: []string{"system/Patient.read", "system/Appointment.*"}}),
		http.StatusCreated).Decode(t, &reg)
	c.call(t, "a scope of an unknown type", send("POST", "/api/integration-clients", admin.Token,
		shared.CreateIntegrationClientRequest{Name: "Bad", Scopes: []string{"system/Banana.read"}}), http.StatusBadRequest)
	c.exchange(t, "no scopes", send("POST", "/api/integration-clients", admin.Token,
		shared.CreateIntegrationClientRequest{Name: "Bad", Scopes: []string{}}), http.StatusBadRequest, true)
	c.call(t, "staff may not register", send("POST", "/api/integration-clients", staff.Token,
		shared.CreateIntegrationClientRequest{Name: "Mine", Scopes: []string{"system/*.*"}}), http.StatusForbidden)
	c.call(t, "the admin lists the clients", get("/api/integration-clients?page=1&limit=10", admin.Token), http.StatusOK)
	c.call(t, "the list without a token", get("/api/integration-clients", ""), http.StatusUnauthorized)

	tokenReq := func(v url.Values, basic string) apptest.Request {
		h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
		if basic != "" {
			h["Authorization"] = "Basic " + basic
		}
		return apptest.Request{Method: "POST", Path: "/oauth/token", Body: v.Encode(), Header: h}
	}
	id := reg.Client.ID
	c.call(t, "the client gets a token", tokenReq(url.Values{"grant_type": {"client_credentials"}, "scope": {"system/Patient.read"}},
		basicAuth(id, reg.ClientSecret)), http.StatusOK)
	c.call(t, "a wrong secret", tokenReq(url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {"nope"}}, ""),
		http.StatusUnauthorized)
	c.exchange(t, "another grant", tokenReq(url.Values{"grant_type": {"password"}}, basicAuth(id, reg.ClientSecret)), http.StatusBadRequest, true)
	c.call(t, "a scope beyond the client's", tokenReq(url.Values{"grant_type": {"client_credentials"}, "scope": {"system/Claim.read"}},
		basicAuth(id, reg.ClientSecret)), http.StatusBadRequest)

	c.call(t, "the admin rotates the secret", send("POST", "/api/integration-clients/"+id+"/rotate", admin.Token, nil), http.StatusOK)
	c.call(t, "an unknown client", send("POST", "/api/integration-clients/0123456789abcdef01234567/rotate", admin.Token, nil), http.StatusNotFound)
	c.call(t, "the admin revokes the client", send("POST", "/api/integration-clients/"+id+"/revoke", admin.Token, nil), http.StatusOK)
	c.call(t, "a revoked client is not rotated", send("POST", "/api/integration-clients/"+id+"/rotate", admin.Token, nil), http.StatusConflict)
	c.call(t, "revoking an unknown client", send("POST", "/api/integration-clients/nope/revoke", admin.Token, nil), http.StatusNotFound)
}
