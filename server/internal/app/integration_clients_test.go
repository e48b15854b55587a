package app_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"hms/server/internal/app"
	"hms/server/internal/apptest"
	"hms/server/internal/auth"
	"hms/shared"
)

// registerClient registers an integration client as the admin and returns it with its secret.
func registerClient(t *testing.T, env *apptest.Env, admin string, name string, scopes ...string) shared.IntegrationClientSecret {
	t.Helper()
	var out shared.IntegrationClientSecret
	env.Post("/api/integration-clients", admin, shared.CreateIntegrationClientRequest{Name: name, Scopes: scopes}).
		Want(t, http.StatusCreated).Decode(t, &out)
	if out.ClientSecret == "" || out.Client.ID == "" {
		t.Fatalf("registration answered no id or secret: %+v", out)
	}
	return out
}

// oauthConfig is the client credentials configuration of a real OAuth client library for the server.
func oauthConfig(env *apptest.Env, id, secret string, scopes ...string) *clientcredentials.Config {
	return &clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: env.URL + "/oauth/token", Scopes: scopes}
}

// retrieveError returns the token endpoint's error as the OAuth library reads it.
func retrieveError(t *testing.T, err error) *oauth2.RetrieveError {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("got %v, want an OAuth error answer", err)
	}
	return re
}

// fhirGet sends GET path with an OAuth client (which adds the token) and returns the status and body.
func fhirGet(t *testing.T, c *http.Client, env *apptest.Env, path string) (int, string) {
	t.Helper()
	resp, err := c.Get(env.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestIntegrationClients walks a machine client's life: registered by an admin, a token obtained
// with a real OAuth client (golang.org/x/oauth2/clientcredentials), the FHIR Patient read hospital-
// wide with system/Patient.read, refused elsewhere, rotated and revoked, each step in the activity
// log with the client as the actor (docs/security.md row 44).
func TestIntegrationClients(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	pat := env.NewUser(shared.RolePatient)
	staff := env.NewUser(shared.RoleStaff)
	ctx := context.Background()

	// Only integration.manage registers; scopes are checked.
	env.Post("/api/integration-clients", staff.Token, shared.CreateIntegrationClientRequest{Name: "x", Scopes: []string{"system/Patient.read"}}).
		Want(t, http.StatusForbidden)
	for _, bad := range [][]string{nil, {"patient/Patient.read"}, {"system/Banana.read"}, {"system/Patient.delete"}, {"system/Patient"}} {
		env.Post("/api/integration-clients", admin.Token, shared.CreateIntegrationClientRequest{Name: "bad", Scopes: bad}).
			Want(t, http.StatusBadRequest)
	}
	reg := registerClient(t, env, admin.Token, "Lab gateway", "system/Patient.read")
	id := reg.Client.ID

	// The listing never shows the secret; last_used_at comes with the first token.
	var list shared.IntegrationClientList
	listed := env.Get("/api/integration-clients", admin.Token).Want(t, http.StatusOK)
	listed.Decode(t, &list)
	if strings.Contains(string(listed.Body), reg.ClientSecret) || len(list.Items) != 1 || list.Items[0].LastUsedAt != nil {
		t.Fatalf("listing: got %s", listed.Body)
	}
	if docs := env.RawDocs(t, "integration_clients", bson.D{}); len(docs) != 1 || strings.Contains(mustJSON(t, docs), reg.ClientSecret) {
		t.Fatalf("the stored client holds the secret or is missing: %v", docs)
	}

	// A token through the OAuth library (HTTP Basic); the Patient read is hospital-wide.
	cc := oauthConfig(env, id, reg.ClientSecret)
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	if tok.TokenType != "Bearer" || tok.Extra("scope") != "system/Patient.read" || tok.Expiry.IsZero() {
		t.Fatalf("token: got %+v scope %v", tok, tok.Extra("scope"))
	}
	hc := cc.Client(ctx)
	if st, body := fhirGet(t, hc, env, "/fhir/R4/Patient/"+pat.User.PatientID); st != http.StatusOK || !strings.Contains(body, pat.User.PatientID) {
		t.Fatalf("Patient read: got %d %s, want 200", st, body)
	}
	if st, body := fhirGet(t, hc, env, "/fhir/R4/Patient?_id="+pat.User.PatientID); st != http.StatusOK || !strings.Contains(body, `"total":1`) {
		t.Fatalf("Patient search: got %d %s, want 200 with the patient", st, body)
	}
	// No scope for Practitioner: 403 OperationOutcome naming the scope.
	if st, body := fhirGet(t, hc, env, "/fhir/R4/Practitioner?name=x"); st != http.StatusForbidden ||
		!strings.Contains(body, "system/Practitioner.read") || !strings.Contains(body, `"code":"forbidden"`) {
		t.Fatalf("Practitioner search without the scope: got %d %s, want 403 naming system/Practitioner.read", st, body)
	}

	// A machine token is refused off the FHIR API, user-only routes included.
	for _, path := range []string{"/api/me", "/api/patients?q=test", "/api/patient/" + pat.User.PatientID, "/api/integration-clients"} {
		r := env.Get(path, tok.AccessToken)
		if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "machine_token_not_allowed") {
			t.Errorf("GET %s with a machine token: got %d %s, want 403 machine_token_not_allowed", path, r.Status, r.Body)
		}
	}

	// The token endpoint's errors, through the library and by hand.
	re := retrieveError(t, func() error { _, err := oauthConfig(env, id, reg.ClientSecret+"x").Token(ctx); return err }())
	if re.Response.StatusCode != http.StatusUnauthorized || re.ErrorCode != "invalid_client" || re.Response.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("wrong secret: got %d %q, want 401 invalid_client with WWW-Authenticate", re.Response.StatusCode, re.ErrorCode)
	}
	re = retrieveError(t, func() error {
		_, err := oauthConfig(env, id, reg.ClientSecret, "system/Patient.write").Token(ctx)
		return err
	}())
	if re.Response.StatusCode != http.StatusBadRequest || re.ErrorCode != "invalid_scope" {
		t.Fatalf("a scope beyond the client's: got %d %q, want 400 invalid_scope", re.Response.StatusCode, re.ErrorCode)
	}
	form := func(v url.Values, basic bool) *apptest.Response {
		h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
		if basic {
			h["Authorization"] = "Basic " + basicAuth(id, reg.ClientSecret)
		}
		return env.Do(apptest.Request{Method: "POST", Path: "/oauth/token", Body: v.Encode(), Header: h})
	}
	for _, tc := range []struct {
		name   string
		v      url.Values
		basic  bool
		status int
		code   string
	}{
		{"form credentials", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {reg.ClientSecret}}, false, 200, ""},
		{"no grant type", url.Values{"client_id": {id}, "client_secret": {reg.ClientSecret}}, false, 400, "invalid_request"},
		{"password grant", url.Values{"grant_type": {"password"}}, true, 400, "unsupported_grant_type"},
		{"both methods", url.Values{"grant_type": {"client_credentials"}, "client_secret": {reg.ClientSecret}}, true, 400, "invalid_request"},
		{"no credentials", url.Values{"grant_type": {"client_credentials"}}, false, 401, "invalid_client"},
		{"a malformed scope", url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}, true, 400, "invalid_scope"},
	} {
		r := form(tc.v, tc.basic)
		var oe shared.OAuthError
		_ = json.Unmarshal(r.Body, &oe)
		if r.Status != tc.status || oe.Error != tc.code || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: got %d %s (Cache-Control %q), want %d %q", tc.name, r.Status, r.Body, r.Header.Get("Cache-Control"), tc.status, tc.code)
		}
	}

	// Rotation: the old secret fails at once, and so does the token issued under it; the new one works.
	var rot shared.IntegrationClientSecret
	env.Post("/api/integration-clients/"+id+"/rotate", admin.Token, nil).Want(t, http.StatusOK).Decode(t, &rot)
	if rot.ClientSecret == "" || rot.ClientSecret == reg.ClientSecret {
		t.Fatalf("rotate: got secret %q", rot.ClientSecret)
	}
	re = retrieveError(t, func() error { _, err := oauthConfig(env, id, reg.ClientSecret).Token(ctx); return err }())
	if re.ErrorCode != "invalid_client" {
		t.Fatalf("old secret after rotation: got %q, want invalid_client", re.ErrorCode)
	}
	if r := env.Get("/fhir/R4/Patient/"+pat.User.PatientID, tok.AccessToken); r.Status != http.StatusUnauthorized {
		t.Fatalf("a token of the old secret: got %d %s, want 401", r.Status, r.Body)
	}
	hc = oauthConfig(env, id, rot.ClientSecret).Client(ctx)
	if st, body := fhirGet(t, hc, env, "/fhir/R4/Patient/"+pat.User.PatientID); st != http.StatusOK {
		t.Fatalf("after rotation: got %d %s", st, body)
	}

	// Revocation: the next request with a live token is 401, and no new token is given.
	env.Post("/api/integration-clients/"+id+"/revoke", admin.Token, nil).Want(t, http.StatusOK)
	if st, body := fhirGet(t, hc, env, "/fhir/R4/Patient/"+pat.User.PatientID); st != http.StatusUnauthorized || !strings.Contains(body, "client_revoked") {
		t.Fatalf("after revocation: got %d %s, want 401 client_revoked", st, body)
	}
	re = retrieveError(t, func() error { _, err := oauthConfig(env, id, rot.ClientSecret).Token(ctx); return err }())
	if re.ErrorCode != "invalid_client" {
		t.Fatalf("a token for a revoked client: got %q, want invalid_client", re.ErrorCode)
	}
	env.Post("/api/integration-clients/"+id+"/rotate", admin.Token, nil).Want(t, http.StatusConflict)

	// The activity log: the admin's actions on the client, and the client as the actor of its calls.
	var audit struct {
		Items []struct {
			ActorID   string `json:"actor_id"`
			ActorRole string `json:"actor_role"`
			Action    string `json:"action"`
			Outcome   string `json:"outcome"`
			Target    string `json:"target"`
			Detail    string `json:"detail"`
		} `json:"items"`
	}
	actions := map[string]int{}
	env.Get("/api/audit?limit=200", admin.Token).Want(t, http.StatusOK).Decode(t, &audit)
	for _, e := range audit.Items {
		if e.ActorID == "client:"+id {
			if e.ActorRole != "client" {
				t.Errorf("entry %s: actor role %q, want client", e.Action, e.ActorRole)
			}
			actions[e.Action+"/"+e.Outcome]++
			if strings.HasPrefix(e.Action, "fhir.") && !strings.Contains(e.Detail, "Lab gateway") {
				t.Errorf("entry %s: detail %q does not name the client", e.Action, e.Detail)
			}
			if strings.Contains(e.Detail, "revoked or rotated") {
				actions["refused after revocation or rotation"]++
			}
		}
		if e.Target == "client:"+id && e.ActorID == admin.ID() {
			actions[e.Action]++
		}
	}
	// The log filtered by the client as actor holds its entries only.
	var mine struct {
		Items []struct {
			ActorID string `json:"actor_id"`
		} `json:"items"`
	}
	env.Get("/api/audit?actor_id=client:"+id, admin.Token).Want(t, http.StatusOK).Decode(t, &mine)
	if len(mine.Items) == 0 {
		t.Error("the activity log filtered by actor client:<id> is empty")
	}
	for _, e := range mine.Items {
		if e.ActorID != "client:"+id {
			t.Errorf("filtered by the client: got an entry of %q", e.ActorID)
		}
	}
	for _, want := range []string{"client.create", "client.rotate", "client.revoke", "client.token/ok", "client.token/denied",
		"fhir.read/ok", "fhir.read/denied", "patient.read/ok", "patient.search/ok", "refused after revocation or rotation"} {
		if actions[want] == 0 {
			t.Errorf("activity log: no %s entry for the client; got %v", want, actions)
		}
	}
}

// TestFHIRScopeCheck checks the FHIR API's central scope check on routes other helpers add: a stub
// POST /fhir/R4/Appointment and GET /fhir/R4/Observation mounted with the router's own chain. A token
// with only system/Patient.read is refused both (403 OperationOutcome naming the scope); one with
// system/Appointment.write creates, and the handler sees the matched scope on the principal.
func TestFHIRScopeCheck(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	e := gin.New()
	var seen string
	stub := func(c *gin.Context) {
		p, _ := auth.PrincipalOf(c)
		seen = p.SystemGrant
		c.Status(http.StatusCreated)
	}
	for _, r := range []app.Route{
		{Method: "POST", Path: "/fhir/R4/Appointment", Access: app.SignedIn, Handler: stub},
		{Method: "PATCH", Path: "/fhir/R4/Appointment/:id", Access: app.SignedIn, Handler: stub},
		{Method: "GET", Path: "/fhir/R4/Observation", Access: app.Granted, Perm: shared.PermAuditRead, Handler: stub},
	} {
		e.Handle(r.Method, r.Path, append(env.App.Chain(r), r.Handler)...)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	call := func(method, path, token string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(`{"resourceType":"Appointment"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/fhir+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	token := func(scopes ...string) string {
		reg := registerClient(t, env, admin.Token, "Scheduler "+strings.Join(scopes, " "), scopes...)
		tok, err := oauthConfig(env, reg.Client.ID, reg.ClientSecret).Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}
	reader, writer, wildcard := token("system/Patient.read"), token("system/Appointment.write"), token("system/*.read")
	for _, tc := range []struct {
		name, method, path, token string
		status                    int
		want                      string
	}{
		{"Patient.read creates an Appointment", "POST", "/fhir/R4/Appointment", reader, 403, "system/Appointment.write"},
		{"Patient.read cancels an Appointment", "PATCH", "/fhir/R4/Appointment/0123456789abcdef01234567", reader, 403, "system/Appointment.write"},
		{"Patient.read reads Observations", "GET", "/fhir/R4/Observation", reader, 403, "system/Observation.read"},
		{"Appointment.write creates", "POST", "/fhir/R4/Appointment", writer, 201, ""},
		{"Appointment.write reads Observations", "GET", "/fhir/R4/Observation", writer, 403, "system/Observation.read"},
		{"*.read reads Observations (the route's permission is not asked of a client)", "GET", "/fhir/R4/Observation", wildcard, 201, ""},
		{"*.read creates", "POST", "/fhir/R4/Appointment", wildcard, 403, "system/Appointment.write"},
		{"a person without the permission", "GET", "/fhir/R4/Observation", env.NewUser(shared.RoleStaff).Token, 403, "audit.read"},
	} {
		seen = ""
		st, body := call(tc.method, tc.path, tc.token)
		if st != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: got %d %s, want %d naming %q", tc.name, st, body, tc.status, tc.want)
		}
		if st == http.StatusForbidden && !strings.Contains(body, `"resourceType":"OperationOutcome"`) {
			t.Errorf("%s: the refusal is not an OperationOutcome: %s", tc.name, body)
		}
		if st == http.StatusCreated && seen == "" {
			t.Errorf("%s: the handler saw no system grant", tc.name)
		}
	}
	if st, _ := call("POST", "/fhir/R4/Appointment", writer); st != 201 || seen != "system/Appointment.write" {
		t.Errorf("the principal's grant: got %q, want system/Appointment.write", seen)
	}
}

// TestIntegrationClientLimits checks the per-client limits: FHIR calls over the minute's allowance
// answer 429 with Retry-After as an OperationOutcome; token requests over theirs 429 too.
func TestIntegrationClientLimits(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("CLIENT_FHIR_MAX_PER_MIN", "3"), apptest.WithEnv("CLIENT_TOKEN_MAX_PER_MIN", "2"))
	admin := env.Admin()
	reg := registerClient(t, env, admin.Token, "Busy", "system/Practitioner.read")
	cc := oauthConfig(env, reg.Client.ID, reg.ClientSecret)
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		r := env.Get("/fhir/R4/Practitioner?name=x", tok.AccessToken)
		want := http.StatusOK
		if i == 4 {
			want = http.StatusTooManyRequests
		}
		if r.Status != want {
			t.Fatalf("call %d: got %d %s, want %d", i, r.Status, r.Body, want)
		}
		if i == 4 && (r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), `"code":"throttled"`)) {
			t.Fatalf("429: Retry-After %q, body %s; want both", r.Header.Get("Retry-After"), r.Body)
		}
	}
	if _, err := cc.Token(context.Background()); err != nil {
		t.Fatalf("second token: %v", err)
	}
	re := retrieveError(t, func() error { _, err := cc.Token(context.Background()); return err }())
	if re.Response.StatusCode != http.StatusTooManyRequests || re.Response.Header.Get("Retry-After") == "" {
		t.Fatalf("third token in the minute: got %d, want 429 with Retry-After", re.Response.StatusCode)
	}
}

func basicAuth(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestClientsOnTheFHIRResources runs integration clients against the real FHIR routes: a scheduler
// with system/Appointment.write books and cancels for a patient (the scope is its grant to book for
// others), one with system/Appointment.read only is refused the booking, and system/*.read reads a
// patient's appointments, vital signs and prescriptions hospital-wide.
func TestClientsOnTheFHIRResources(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	pat := env.NewUser(shared.RolePatient)
	token := func(scopes ...string) *http.Client {
		reg := registerClient(t, env, h.Admin.Token, "Partner "+strings.Join(scopes, " "), scopes...)
		return oauthConfig(env, reg.Client.ID, reg.ClientSecret).Client(context.Background())
	}
	writer, readerOnly, everything := token("system/Appointment.write", "system/Appointment.read"), token("system/Appointment.read"), token("system/*.read")
	book := func(c *http.Client, start time.Time) (int, string) {
		body := mustJSON(t, map[string]any{"resourceType": "Appointment", "status": "booked", "start": start.UTC().Format(time.RFC3339),
			"participant": []any{map[string]any{"actor": map[string]any{"reference": "Patient/" + pat.User.PatientID}, "status": "accepted"},
				map[string]any{"actor": map[string]any{"reference": "Practitioner/" + h.Doctor.ID()}, "status": "accepted"}}})
		resp, err := c.Post(env.URL+"/fhir/R4/Appointment", "application/fhir+json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, body := book(readerOnly, apptest.At(9, 0)); st != http.StatusForbidden || !strings.Contains(body, "system/Appointment.write") {
		t.Fatalf("a reading client booked: %d %s", st, body)
	}
	st, body := book(writer, apptest.At(9, 0))
	if st != http.StatusCreated {
		t.Fatalf("the scheduler's booking: %d %s", st, body)
	}
	var appt struct{ ID string }
	if err := json.Unmarshal([]byte(body), &appt); err != nil || appt.ID == "" {
		t.Fatalf("booked %s (%v)", body, err)
	}
	if st, body := book(writer, apptest.At(9, 0)); st != http.StatusConflict {
		t.Errorf("the same slot again: %d %s", st, body)
	}
	for _, path := range []string{"/fhir/R4/Appointment/" + appt.ID, "/fhir/R4/Appointment?patient=Patient/" + pat.User.PatientID,
		"/fhir/R4/Observation?patient=Patient/" + pat.User.PatientID + "&category=vital-signs",
		"/fhir/R4/MedicationRequest?patient=Patient/" + pat.User.PatientID} {
		if st, body := fhirGet(t, everything, env, path); st != http.StatusOK {
			t.Errorf("system/*.read GET %s: %d %s", path, st, body)
		}
	}
	req, _ := http.NewRequest("PATCH", env.URL+"/fhir/R4/Appointment/"+appt.ID, strings.NewReader(`[{"op":"replace","path":"/status","value":"cancelled"}]`))
	req.Header.Set("Content-Type", "application/json-patch+json")
	resp, err := writer.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the scheduler's cancel: %d", resp.StatusCode)
	}
}
