package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"hms/server/internal/app"
	"hms/server/internal/apptest"
	"hms/shared"
)

// loadDocument fetches the document the server serves and parses it.
func loadDocument(t *testing.T, env *apptest.Env) *openapi3.T {
	t.Helper()
	resp := env.Get("/api/openapi.json", "").Want(t, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("got Content-Type %q, want application/json", ct)
	}
	doc, err := openapi3.NewLoader().LoadFromData(resp.Body)
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	return doc
}

// operations lists the document's operations by "METHOD /path".
func operations(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[method+" "+path] = op
		}
	}
	return ops
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	doc := loadDocument(t, env)
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	if doc.OpenAPI != "3.0.3" || doc.Info.Title != "HMS API" || doc.Info.Version != "0.1.0" {
		t.Errorf("got openapi %q, title %q, version %q; want 3.0.3, HMS API, 0.1.0", doc.OpenAPI, doc.Info.Title, doc.Info.Version)
	}
	// Validate does not insist on these, but clients and generated code need them.
	ids := map[string]string{}
	for key, op := range operations(doc) {
		switch {
		case op.OperationID == "":
			t.Errorf("%s has no operationId", key)
		case ids[op.OperationID] != "":
			t.Errorf("%s and %s share the operationId %q", key, ids[op.OperationID], op.OperationID)
		}
		ids[op.OperationID] = key
		if op.Summary == "" || op.Description == "" {
			t.Errorf("%s (%s) needs a summary and a description", key, op.OperationID)
		}
		if op.Security == nil {
			t.Errorf("%s (%s) does not declare its security", key, op.OperationID)
		}
	}
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// openAPIPath turns gin's /users/:id into OpenAPI's /users/{id}.
func openAPIPath(ginPath string) string { return ginParam.ReplaceAllString(ginPath, "{$1}") }

func TestRouterAndDocumentAgree(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	documented := operations(loadDocument(t, env))
	routed := map[string]app.Route{}
	for _, r := range env.App.Routes() {
		routed[r.Method+" "+openAPIPath(r.Path)] = r
	}
	for _, key := range sortedKeys(routed) {
		if _, ok := documented[key]; !ok {
			t.Errorf("route %s is not in the OpenAPI document", key)
		}
	}
	for _, key := range sortedKeys(documented) {
		r, ok := routed[key]
		if !ok {
			t.Errorf("documented operation %s (%s) is not a route", key, documented[key].OperationID)
			continue
		}
		checkAccess(t, key, r, documented[key])
	}
}

// checkAccess compares who the table lets call a route with what the document tells clients.
func checkAccess(t *testing.T, key string, r app.Route, op *openapi3.Operation) {
	t.Helper()
	name := fmt.Sprintf("%s (%s)", key, op.OperationID)
	var security []string
	if op.Security != nil {
		for _, req := range *op.Security {
			security = append(security, strings.Join(sortedKeys(req), "+"))
		}
	}
	var wantSecurity []string
	switch r.Access {
	case app.Public:
		wantSecurity = nil
	case app.OptionalAuth:
		wantSecurity = []string{"", "bearerAuth"}
	case app.SignedIn, app.Granted:
		wantSecurity = []string{"bearerAuth"}
	case app.StaticToken:
		wantSecurity = []string{"metricsToken"}
	}
	if !slices.Equal(security, wantSecurity) {
		t.Errorf("%s: got security %q, want %q", name, security, wantSecurity)
	}

	// x-roles are the roles that may call the route as shipped: every role on a signed-in route, the
	// built-in roles granted the permission by default on a Granted one.
	var docRoles []string
	if raw, ok := op.Extensions["x-roles"].([]any); ok {
		for _, v := range raw {
			s, _ := v.(string)
			docRoles = append(docRoles, s)
		}
	}
	var tableRoles []string
	switch r.Access {
	case app.SignedIn:
		for _, role := range shared.Roles {
			tableRoles = append(tableRoles, string(role))
		}
	case app.Granted:
		info, ok := shared.PermissionByID(r.Perm)
		if !ok {
			t.Errorf("%s: the table names %q, which is not in the permission catalogue", name, r.Perm)
		}
		for _, role := range info.Defaults {
			tableRoles = append(tableRoles, string(role))
		}
	}
	if !slices.Equal(docRoles, tableRoles) {
		t.Errorf("%s: got x-roles %q, want the table's %q", name, docRoles, tableRoles)
	}
	docPerm, _ := op.Extensions["x-permission"].(string)
	if docPerm != string(r.Perm) {
		t.Errorf("%s: got x-permission %q, want the table's %q", name, docPerm, r.Perm)
	}
	if r.Access == app.SignedIn && !strings.Contains(op.Description, "Any signed-in user.") {
		t.Errorf("%s: the description does not say %q", name, "Any signed-in user.")
	}
	if r.Access == app.Granted {
		if want := fmt.Sprintf("Permission: `%s` (by default: %s).", r.Perm, strings.Join(tableRoles, ", ")); !strings.Contains(op.Description, want) {
			t.Errorf("%s: the description does not say %q", name, want)
		}
		if op.Responses.Value("403") == nil {
			t.Errorf("%s: a route that needs a permission must document 403", name)
		}
	}
	if r.Access == app.SignedIn || r.Access == app.Granted {
		if op.Responses.Value("401") == nil {
			t.Errorf("%s: a route that needs a token must document 401", name)
		}
	}
	if op.RequestBody != nil {
		for _, status := range []string{"400", "413"} {
			if op.Responses.Value(status) == nil {
				t.Errorf("%s: a route that reads a JSON body must document %s", name, status)
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// contract sends requests through the real server and checks each request and response against the
// document.
type contract struct {
	env       *apptest.Env
	doc       *openapi3.T
	router    routers.Router
	opts      *openapi3filter.Options
	exercised map[string]bool // operationId → called at least once
}

func newContract(t *testing.T, env *apptest.Env) *contract {
	t.Helper()
	doc := loadDocument(t, env)
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("route the document: %v", err)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		// A status the document does not list is a mismatch too.
		IncludeResponseStatus: true,
		MultiError:            true,
	}
	// Name the failing field and why, without printing the whole schema.
	opts.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return fmt.Sprintf("at /%s: %s", strings.Join(err.JSONPointer(), "/"), err.Reason)
	})
	return &contract{env: env, doc: doc, router: router, opts: opts, exercised: map[string]bool{}}
}

// call sends a request the document allows and wants the status.
func (c *contract) call(t *testing.T, name string, req apptest.Request, status int) *apptest.Response {
	t.Helper()
	return c.exchange(t, name, req, status, false)
}

// exchange sends req and fails the test unless the answer has the status. Whether the document accepts
// the request must agree with docRejects (a deliberately bad request must be one the document forbids),
// and the response must match the document.
func (c *contract) exchange(t *testing.T, name string, req apptest.Request, status int, docRejects bool) *apptest.Response {
	t.Helper()
	hr, err := req.HTTP(t.Context(), c.env.URL) // the request Do sends, for the validator to read
	if err != nil {
		t.Fatalf("%s: new request: %v", name, err)
	}

	route, params, err := c.router.FindRoute(hr)
	if err != nil {
		t.Errorf("%s: %s %s is not in the document: %v", name, req.Method, req.Path, err)
		return c.env.Do(req)
	}
	op := route.Operation.OperationID
	c.exercised[op] = true
	resp := c.env.Do(req)
	if resp.Status != status {
		t.Fatalf("%s (%s): got status %d, want %d; body: %s", name, op, resp.Status, status, resp.Body)
	}

	in := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route, Options: c.opts}
	switch err := openapi3filter.ValidateRequest(t.Context(), in); {
	case docRejects && err == nil:
		t.Errorf("%s (%s): the document accepts a request the server refuses as invalid", name, op)
	case !docRejects && err != nil:
		t.Errorf("%s (%s): the request does not match the document: %v", name, op, err)
	}

	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.Status, Header: resp.Header, Options: c.opts}
	out.SetBodyBytes(resp.Body)
	if err := openapi3filter.ValidateResponse(t.Context(), out); err != nil {
		t.Errorf("%s (%s): the %d response does not match the document: %v\nbody: %s", name, op, resp.Status, err, resp.Body)
	}
	return resp
}

// upgrade opens a websocket through the real server (an Authorization header when token is set) and
// returns it with the server's first frame, which must be welcome. kin-openapi cannot send a websocket
// handshake, so gorilla/websocket does; the handshake request must still match the document, and so must
// the answer's status (101) and headers.
func (c *contract) upgrade(t *testing.T, name, token, query string) (*apptest.WS, apptest.Frame) {
	t.Helper()
	hr, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.env.URL+"/ws?"+query, http.NoBody)
	if err != nil {
		t.Fatalf("%s: new request: %v", name, err)
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	route, params, err := c.router.FindRoute(hr)
	if err != nil {
		t.Fatalf("%s: GET /ws is not in the document: %v", name, err)
	}
	op := route.Operation.OperationID
	c.exercised[op] = true

	ws, resp, err := c.env.DialWS(token, query, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("%s (%s): the websocket handshake failed: %v (status %d)", name, op, err, status)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("%s (%s): got status %d, want 101", name, op, resp.StatusCode)
	}
	in := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route, Options: c.opts}
	if err := openapi3filter.ValidateRequest(t.Context(), in); err != nil {
		t.Errorf("%s (%s): the request does not match the document: %v", name, op, err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: c.opts}
	out.SetBodyBytes(nil)
	if err := openapi3filter.ValidateResponse(t.Context(), out); err != nil {
		t.Errorf("%s (%s): the 101 response does not match the document: %v\nheaders: %v", name, op, err, resp.Header)
	}
	welcome := ws.Next(5 * time.Second)
	if welcome.Op != shared.OpWelcome {
		t.Fatalf("%s (%s): got first frame %+v, want welcome", name, op, welcome)
	}
	return ws, welcome
}

func get(path, token string) apptest.Request {
	return apptest.Request{Method: http.MethodGet, Path: path, Token: token}
}

// wsGet is a websocket handshake request that the server refuses before upgrading (the test's HTTP
// client cannot complete an upgrade): a ticket is only looked at on a real handshake, so that a
// refused request never spends one.
func wsGet(path string) apptest.Request {
	return apptest.Request{Method: http.MethodGet, Path: path, Header: map[string]string{
		"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
		"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
	}}
}

func send(method, path, token string, body any) apptest.Request {
	return apptest.Request{Method: method, Path: path, Token: token, Body: body}
}

// contractMetricsToken is METRICS_TOKEN in TestResponsesMatchDocument.
const contractMetricsToken = "contract-metrics-token"

// TestResponsesMatchDocument drives a realistic session through the real server and checks every
// request and response against the OpenAPI document, error answers included.
func TestResponsesMatchDocument(t *testing.T) {
	t.Parallel()
	// Email goes to a relay that is not there and is tried once, so that a dead letter exists to retry.
	env := apptest.New(t, apptest.WithEnv("LOGIN_MAX_FAILURES", "2"), apptest.WithEnv("EMAIL_HOST", "127.0.0.1"),
		apptest.WithEnv("EMAIL_PORT", "9"), apptest.WithEnv("NOTIFY_MAX_ATTEMPTS", "1"),
		apptest.WithEnv("METRICS_TOKEN", contractMetricsToken))
	c := newContract(t, env)

	c.call(t, "liveness", get("/healthz", ""), http.StatusOK)
	c.call(t, "readiness", get("/readyz", ""), http.StatusOK)
	c.call(t, "version", get("/api/version", ""), http.StatusOK)
	c.call(t, "metrics", get("/metrics", contractMetricsToken), http.StatusOK)
	c.call(t, "metrics without the token", get("/metrics", ""), http.StatusUnauthorized)
	c.call(t, "the document", get("/api/openapi.json", ""), http.StatusOK)
	c.call(t, "the hospital", get("/api/hospital", ""), http.StatusOK)

	// A patient registers, signs in, refreshes and manages their own record.
	c.call(t, "a patient registers", send("POST", "/api/auth/register", "", shared.RegisterRequest{
		Name: "Ann Lee", Email: "Ann@Example.org", Password: apptest.Password,
	}), http.StatusAccepted)
	c.call(t, "a confirmation link that is not one", send("POST", "/api/auth/confirm", "", shared.ConfirmRequest{Token: "not-a-token"}), http.StatusBadRequest)
	c.call(t, "the patient follows the emailed link", send("POST", "/api/auth/confirm", "", shared.ConfirmRequest{
		Token: env.EmailedToken("ann@example.org", shared.KindAccountConfirm)}), http.StatusCreated)
	var first, ann shared.TokenResponse
	c.call(t, "the patient signs in", send("POST", "/api/auth/login", "", shared.LoginRequest{
		Email: "ann@example.org", Password: apptest.Password,
	}), http.StatusOK).Decode(t, &first)
	reg := first.User
	c.call(t, "the patient refreshes", send("POST", "/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: first.RefreshToken}),
		http.StatusOK).Decode(t, &ann)
	c.call(t, "the patient reads their profile", get("/api/me", ann.Token), http.StatusOK)
	c.call(t, "the patient renames themself", send("PATCH", "/api/me", ann.Token, shared.UpdateProfileRequest{Name: "Ann B. Lee"}), http.StatusOK)
	c.call(t, "the patient reads their record", get("/api/patient/"+reg.PatientID, ann.Token), http.StatusOK)
	c.call(t, "the patient writes their history", send("PUT", "/api/patient/"+reg.PatientID, ann.Token,
		map[string]string{"medical_history": "asthma since 2010"}), http.StatusOK)

	// Staff: an admin registers a staff member; a doctor charts and sends a notification.
	admin := env.Admin()
	doctor := env.NewUser(shared.RoleDoctor)
	var staffReg shared.RegisterResponse
	c.call(t, "an admin registers a staff member", send("POST", "/api/auth/register", admin.Token, shared.RegisterRequest{
		Name: "Sam Staff", Email: "sam@example.org", Password: apptest.Password, Role: shared.RoleStaff,
	}), http.StatusCreated).Decode(t, &staffReg)
	staff := env.Login("sam@example.org", apptest.Password)
	c.call(t, "staff with no care relationship are asked to break the glass", get("/api/patient/"+reg.PatientID, staff.Token), http.StatusForbidden)
	for _, u := range []apptest.User{staff, doctor} {
		c.call(t, "break the glass to read the record", send("POST", "/api/patients/"+reg.PatientID+"/access", u.Token,
			map[string]string{"reason": "covering the ward tonight; patient asked for advice"}), http.StatusCreated)
	}
	c.call(t, "staff read the record", get("/api/patient/"+reg.PatientID, staff.Token), http.StatusOK)
	c.call(t, "the doctor writes the history", send("PUT", "/api/patient/"+reg.PatientID, doctor.Token,
		shared.UpdatePatientRequest{MedicalHistory: new("asthma since 2010; penicillin allergy")}), http.StatusOK)
	c.call(t, "the doctor sends a notification", send("POST", "/api/notifications/send", doctor.Token,
		shared.SendNotificationRequest{RecipientID: reg.ID, Message: "Your results are ready"}), http.StatusCreated)
	c.call(t, "the patient lists notifications", get("/api/notifications?limit=5", ann.Token), http.StatusOK)
	var list shared.NotificationList
	c.call(t, "a limit above 100 is capped", get("/api/notifications?limit=500", ann.Token), http.StatusOK).Decode(t, &list)
	if list.Limit != 100 || len(list.Items) != 1 {
		t.Errorf("got limit %d and %d items, want 100 and 1", list.Limit, len(list.Items))
	}

	// Administration.
	c.call(t, "the admin lists users", get("/api/users?page=1&limit=2", admin.Token), http.StatusOK)
	c.call(t, "the admin reads a user", get("/api/users/"+reg.ID, admin.Token), http.StatusOK)
	c.call(t, "the admin makes staff a doctor", send("PATCH", "/api/users/"+staffReg.ID, admin.Token,
		map[string]any{"role": "doctor"}), http.StatusOK)
	staff = env.Login("sam@example.org", apptest.Password) // a role change ends the account's sessions

	// Bob is a second patient, whose record Ann may not read, and whose sign-ins get throttled.
	bob := env.SignUp("Bob", "bob@example.org", apptest.Password).User
	nurse := env.NewUser(shared.RoleStaff)
	unknown := "0123456789abcdef01234567"
	valid := map[string]string{"name": "Eve", "email": "eve@example.org", "password": apptest.Password}

	for _, tc := range []struct {
		name       string
		req        apptest.Request
		status     int
		docRejects bool
	}{
		{"register with an unknown field", send("POST", "/api/auth/register", "",
			map[string]string{"name": "Eve", "email": "eve@example.org", "password": apptest.Password, "owner": "x"}), 400, true},
		{"register with a short password", send("POST", "/api/auth/register", "",
			map[string]string{"name": "Eve", "email": "eve@example.org", "password": "short"}), 400, true},
		{"register with malformed JSON", send("POST", "/api/auth/register", "", `{"name": `), 400, true},
		{"register a taken email", send("POST", "/api/auth/register", "",
			map[string]string{"name": "Ann", "email": "ann@example.org", "password": apptest.Password}), 202, false},
		{"register a doctor anonymously", send("POST", "/api/auth/register", "",
			map[string]string{"name": "Eve", "email": "eve@example.org", "password": apptest.Password, "role": "doctor"}), 403, false},
		{"register with a bad token", send("POST", "/api/auth/register", "not-a-token", valid), 401, false},
		{"log in without a password", send("POST", "/api/auth/login", "", map[string]string{"email": "bob@example.org"}), 400, true},
		{"log in with a wrong password", send("POST", "/api/auth/login", "", shared.LoginRequest{Email: "bob@example.org", Password: "wrong password"}), 401, false},
		{"log in with a wrong password again", send("POST", "/api/auth/login", "", shared.LoginRequest{Email: "bob@example.org", Password: "wrong password"}), 401, false},
		{"log in when throttled", send("POST", "/api/auth/login", "", shared.LoginRequest{Email: "bob@example.org", Password: apptest.Password}), 429, false},
		{"refresh with a bad token", send("POST", "/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: "nope"}), 401, false},
		{"change password with a wrong current one", send("POST", "/api/auth/password", nurse.Token,
			shared.ChangePasswordRequest{CurrentPassword: "not my password", NewPassword: "another fine passphrase"}), 403, false},
		{"change password to a short one", send("POST", "/api/auth/password", nurse.Token,
			shared.ChangePasswordRequest{CurrentPassword: apptest.Password, NewPassword: "short"}), 400, true},
		{"profile without a token", get("/api/me", ""), 401, false},
		{"rename to nothing", send("PATCH", "/api/me", ann.Token, map[string]string{"name": ""}), 400, true},
		{"a malformed patient id", get("/api/patient/not-an-id", doctor.Token), 400, true},
		{"a patient reads another's record", get("/api/patient/"+bob.PatientID, ann.Token), 403, false},
		{"an unknown patient", get("/api/patient/"+unknown, doctor.Token), 404, false},
		{"an admin writes history", send("PUT", "/api/patient/"+reg.PatientID, admin.Token, map[string]string{"medical_history": "x"}), 403, false},
		{"write history without the field", send("PUT", "/api/patient/"+reg.PatientID, doctor.Token, map[string]string{}), 400, true},
		{"write a null history", send("PUT", "/api/patient/"+reg.PatientID, doctor.Token, `{"medical_history": null}`), 400, true},
		{"write a body over the limit", send("PUT", "/api/patient/"+reg.PatientID, doctor.Token,
			map[string]string{"medical_history": strings.Repeat("a", 1<<20)}), 413, true},
		{"a patient sends a notification", send("POST", "/api/notifications/send", ann.Token,
			shared.SendNotificationRequest{RecipientID: doctor.ID(), Message: "hello"}), 403, false},
		{"notify an unknown user", send("POST", "/api/notifications/send", doctor.Token,
			shared.SendNotificationRequest{RecipientID: unknown, Message: "hello"}), 404, false},
		{"notify with an empty message", send("POST", "/api/notifications/send", doctor.Token,
			shared.SendNotificationRequest{RecipientID: reg.ID, Message: ""}), 400, true},
		{"notifications with limit 0", get("/api/notifications?limit=0", ann.Token), 400, true},
		{"a doctor lists users", get("/api/users", doctor.Token), 403, false},
		{"users page 0", get("/api/users?page=0", admin.Token), 400, true},
		{"an unknown user", get("/api/users/"+unknown, admin.Token), 404, false},
		{"a malformed user id", get("/api/users/nope", admin.Token), 400, true},
		{"change a user with nothing", send("PATCH", "/api/users/"+reg.ID, admin.Token, map[string]any{}), 400, true},
		{"an admin changes their own role", send("PATCH", "/api/users/"+admin.ID(), admin.Token, map[string]any{"role": "staff"}), 403, false},
		{"make a patient a doctor", send("PATCH", "/api/users/"+reg.ID, admin.Token, map[string]any{"role": "doctor"}), 400, false},
		{"change an unknown user", send("PATCH", "/api/users/"+unknown, admin.Token, map[string]any{"disabled": true}), 404, false},
		{"staff read the audit trail", get("/api/audit", nurse.Token), 403, false},
		{"audit with a malformed actor_id", get("/api/audit?actor_id=nope", admin.Token), 400, true},

		{"a websocket ticket without a token", send("POST", "/api/ws/ticket", "", nil), 401, false},
		{"a patient raises an alert", send("POST", "/api/alerts/emergency", ann.Token, shared.RaiseAlertRequest{Message: "help"}), 403, false},
		{"raise an alert without a message", send("POST", "/api/alerts/emergency", nurse.Token,
			map[string]string{"location": "Ward 3"}), 400, true},
		{"raise an alert with an empty message", send("POST", "/api/alerts/emergency", nurse.Token, map[string]string{"message": ""}), 400, true},
		{"raise an alert of an unknown severity", send("POST", "/api/alerts/emergency", nurse.Token,
			map[string]string{"message": "help", "severity": "meh"}), 400, true},
		{"raise an alert with a location over 200 characters", send("POST", "/api/alerts/emergency", nurse.Token,
			shared.RaiseAlertRequest{Message: "help", Location: strings.Repeat("a", 201)}), 400, true},
		{"raise an alert with an unknown field", send("POST", "/api/alerts/emergency", nurse.Token,
			map[string]string{"message": "help", "raised_by": unknown}), 400, true},
		{"raise an alert without a body", send("POST", "/api/alerts/emergency", nurse.Token, nil), 400, true},
		{"a patient lists alerts", get("/api/alerts", ann.Token), 403, false},
		{"alerts with limit 0", get("/api/alerts?limit=0", nurse.Token), 400, true},
		{"acknowledge a malformed alert id", send("POST", "/api/alerts/nope/ack", nurse.Token, nil), 400, true},
		{"acknowledge an unknown alert", send("POST", "/api/alerts/"+unknown+"/ack", nurse.Token, nil), 404, false},
		{"a patient acknowledges an alert", send("POST", "/api/alerts/"+unknown+"/ack", ann.Token, nil), 403, false},
		{"a doctor broadcasts", send("POST", "/api/broadcasts", doctor.Token, shared.BroadcastRequest{Message: "hello"}), 403, false},
		{"broadcast an empty message", send("POST", "/api/broadcasts", admin.Token, shared.BroadcastRequest{}), 400, true},
		{"broadcast a message over 2000 characters", send("POST", "/api/broadcasts", admin.Token,
			shared.BroadcastRequest{Message: strings.Repeat("a", 2001)}), 400, true},
		{"a websocket from a foreign origin", apptest.Request{Method: "GET", Path: "/ws", Token: doctor.Token,
			Header: map[string]string{"Origin": "https://evil.example"}}, 403, false},
		{"a websocket without credentials", get("/ws", ""), 401, false},
		{"a websocket with a bad token", get("/ws", "not-a-token"), 401, false},
		{"a websocket with a bad ticket", wsGet("/ws?ticket=not-a-ticket"), 401, false},
		{"a ticket on a request that is not a websocket handshake", get("/ws?ticket=not-a-ticket", ""), 400, false},
		{"a websocket with a malformed since", get("/ws?since=alerts", doctor.Token), 400, true},
		{"a websocket with a negative since", get("/ws?since=alerts:-1", doctor.Token), 400, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.exchange(t, tc.name, tc.req, tc.status, tc.docRejects)
		})
	}

	// The audit trail now holds reads and writes, denied and malformed ones among them.
	var trail struct{ Items []map[string]any }
	c.call(t, "the admin reads the audit trail", get("/api/audit?page=1&limit=100", admin.Token), http.StatusOK).Decode(t, &trail)
	if len(trail.Items) < 5 {
		t.Errorf("got %d audit entries, want the test's reads and writes", len(trail.Items))
	}
	c.call(t, "the audit trail of one patient", get("/api/audit?patient_id="+reg.PatientID, admin.Token), http.StatusOK)
	c.call(t, "the audit trail of one actor", get("/api/audit?actor_id="+doctor.ID(), admin.Token), http.StatusOK)
	c.call(t, "the activity log filtered", get("/api/audit?action=auth.login&outcome=ok&from=2020-01-01T00:00:00Z", admin.Token), http.StatusOK)
	c.exchange(t, "the activity log with a bad outcome", get("/api/audit?outcome=maybe", admin.Token), http.StatusBadRequest, true)
	c.call(t, "the activity log as CSV", get("/api/audit/export.csv?action=patient.read", admin.Token), http.StatusOK)
	c.exchange(t, "the activity log as CSV with a bad time", get("/api/audit/export.csv?from=yesterday", admin.Token), http.StatusBadRequest, true)
	c.call(t, "staff download the activity log", get("/api/audit/export.csv", nurse.Token), http.StatusForbidden)
	c.call(t, "the admin verifies the audit chains", send("POST", "/api/audit/verify", admin.Token, nil), http.StatusOK)

	// Live updates: staff raise alerts, a doctor acknowledges one, the admin broadcasts; clients open the
	// websocket with a token or a single-use ticket.
	var raised, second, acked shared.Alert
	c.call(t, "staff raise an alert", send("POST", "/api/alerts/emergency", nurse.Token, shared.RaiseAlertRequest{
		Message: " Cardiac arrest, bed 12 ", Location: "Ward 3", Severity: "high",
	}), http.StatusCreated).Decode(t, &raised)
	if raised.Message != "Cardiac arrest, bed 12" || raised.Location != "Ward 3" || raised.Severity != "high" ||
		raised.RaisedBy != nurse.ID() || len(raised.Acks) != 0 || raised.Escalated {
		t.Errorf("got %+v, want the trimmed message, the location, severity high, raised by the nurse, no acks", raised)
	}
	c.call(t, "a doctor raises an alert of the default severity", send("POST", "/api/alerts/emergency", doctor.Token,
		map[string]string{"message": "Fire alarm, east wing"}), http.StatusCreated).Decode(t, &second)
	if second.Severity != "critical" || second.Location != "" {
		t.Errorf("got severity %q and location %q, want critical and none", second.Severity, second.Location)
	}
	c.call(t, "the doctor acknowledges the alert", send("POST", "/api/alerts/"+raised.ID+"/ack", doctor.Token, nil), http.StatusOK)
	c.call(t, "the doctor acknowledges it again", send("POST", "/api/alerts/"+raised.ID+"/ack", doctor.Token, nil),
		http.StatusOK).Decode(t, &acked)
	if len(acked.Acks) != 1 || acked.Acks[0].UserID != doctor.ID() || acked.Acks[0].Role != shared.RoleDoctor {
		t.Errorf("got acks %+v, want the doctor's one ack", acked.Acks)
	}
	var resolved shared.Alert
	c.call(t, "the doctor resolves the second alert", send("POST", "/api/alerts/"+second.ID+"/resolve", doctor.Token, nil),
		http.StatusOK).Decode(t, &resolved)
	if resolved.Resolved == nil || resolved.Resolved.How != "responder" || resolved.Resolved.By != doctor.ID() {
		t.Errorf("got resolved %+v, want by the doctor", resolved.Resolved)
	}
	c.call(t, "resolving it again", send("POST", "/api/alerts/"+second.ID+"/resolve", nurse.Token, nil), http.StatusConflict)
	var alerts shared.AlertList
	c.call(t, "the admin lists alerts", get("/api/alerts?page=1&limit=5", admin.Token), http.StatusOK).Decode(t, &alerts)
	if alerts.Limit != 5 || len(alerts.Items) != 2 {
		t.Errorf("got limit %d and %d alerts, want 5 and 2", alerts.Limit, len(alerts.Items))
	}
	for _, a := range alerts.Items {
		if a.ID == raised.ID && len(a.Acks) != 1 {
			t.Errorf("the list shows acks %+v for the acknowledged alert, want one", a.Acks)
		}
	}
	c.call(t, "an alert limit above 100 is capped", get("/api/alerts?limit=500", staff.Token), http.StatusOK).Decode(t, &alerts)
	if alerts.Limit != 100 {
		t.Errorf("got limit %d, want 100", alerts.Limit)
	}
	var sent shared.Broadcast
	c.call(t, "the admin broadcasts", send("POST", "/api/broadcasts", admin.Token,
		shared.BroadcastRequest{Message: "Visiting hours end at 8 pm"}), http.StatusCreated).Decode(t, &sent)
	if sent.SentBy != admin.ID() || sent.Message != "Visiting hours end at 8 pm" {
		t.Errorf("got %+v, want the admin's message", sent)
	}

	ws, welcome := c.upgrade(t, "the doctor opens the websocket with a token", doctor.Token, "since=alerts:0")
	if welcome.UserID != doctor.ID() || !slices.Contains(welcome.Channels, shared.ChannelAlerts) {
		t.Errorf("got welcome %+v, want the doctor, subscribed to alerts", welcome)
	}
	if f := ws.NextEvent(shared.ChannelAlerts, 5*time.Second); f.Type != "alert.raised" || f.SeqOr() != 1 {
		t.Errorf("got %+v, want the first alert replayed after since=alerts:0", f)
	}
	var ticket shared.WSTicket
	c.call(t, "the patient asks for a websocket ticket", send("POST", "/api/ws/ticket", ann.Token, nil),
		http.StatusCreated).Decode(t, &ticket)
	if ticket.Ticket == "" || ticket.ExpiresIn != 30 {
		t.Errorf("got %+v, want a ticket valid for 30 seconds", ticket)
	}
	byTicket := "ticket=" + url.QueryEscape(ticket.Ticket)
	_, welcome = c.upgrade(t, "the patient opens the websocket with the ticket", "", byTicket)
	if welcome.UserID != reg.ID || welcome.Role != string(shared.RolePatient) || slices.Contains(welcome.Channels, shared.ChannelAlerts) {
		t.Errorf("got welcome %+v, want the patient, not subscribed to alerts", welcome)
	}
	c.call(t, "a spent ticket", wsGet("/ws?"+byTicket), http.StatusUnauthorized)

	// Appointments and queues.
	exerciseScheduling(t, c)
	exerciseAccess(t, c)
	exerciseChart(t, c)
	exerciseLab(t, c)
	exerciseWards(t, c)
	exercisePharmacy(t, c)
	exerciseBilling(t, c)
	exerciseInsurance(t, c)
	exerciseReports(t, c)
	exerciseDirectory(t, c)
	exerciseRoles(t, c)
	exerciseNotifications(t, c)
	exerciseFHIR(t, c)
	exerciseFHIRClinical(t, c)
	exerciseIntegrations(t, c)
	exerciseWebhooks(t, c)
	// Patient records.
	exerciseRecords(t, c)

	// Ending sessions.
	c.call(t, "the admin disables the nurse", send("PATCH", "/api/users/"+nurse.ID(), admin.Token, map[string]any{"disabled": true}), http.StatusOK)
	c.call(t, "a disabled account's token", get("/api/me", nurse.Token), http.StatusUnauthorized)
	c.call(t, "staff change their password", send("POST", "/api/auth/password", staff.Token,
		shared.ChangePasswordRequest{CurrentPassword: apptest.Password, NewPassword: "another fine passphrase"}), http.StatusNoContent)
	c.call(t, "a token from before the password change", get("/api/me", staff.Token), http.StatusUnauthorized)
	// Password links: forgotten, and an admin's set-password link.
	c.call(t, "a forgotten password", send("POST", "/api/auth/password/forgot", "", shared.ForgotPasswordRequest{Email: "sam@example.org"}), http.StatusAccepted)
	c.call(t, "a forgotten password for an unknown email", send("POST", "/api/auth/password/forgot", "", shared.ForgotPasswordRequest{Email: "nobody@example.org"}), http.StatusAccepted)
	reset := env.EmailedToken("sam@example.org", shared.KindPasswordLink)
	c.exchange(t, "a reset with a weak password", send("POST", "/api/auth/password/reset", "", shared.ResetPasswordRequest{Token: reset, Password: "short"}), http.StatusBadRequest, true)
	c.call(t, "staff reset their password", send("POST", "/api/auth/password/reset", "", shared.ResetPasswordRequest{Token: reset, Password: "a third fine passphrase"}), http.StatusOK)
	c.call(t, "a spent reset link", send("POST", "/api/auth/password/reset", "", shared.ResetPasswordRequest{Token: reset, Password: "a fourth fine passphrase"}), http.StatusBadRequest)
	c.call(t, "the admin emails a set-password link", send("POST", "/api/users/"+staffReg.ID+"/password-link", admin.Token, nil), http.StatusAccepted)
	c.call(t, "a patient may not send a set-password link", send("POST", "/api/users/"+staffReg.ID+"/password-link", env.NewUser(shared.RolePatient).Token, nil), http.StatusForbidden)
	c.call(t, "a set-password link for nobody", send("POST", "/api/users/"+unknown+"/password-link", admin.Token, nil), http.StatusNotFound)
	c.call(t, "a spent refresh token", send("POST", "/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: first.RefreshToken}), http.StatusUnauthorized)
	c.call(t, "the replayed session's token", get("/api/me", ann.Token), http.StatusUnauthorized)
	c.call(t, "the doctor logs out", send("POST", "/api/auth/logout", doctor.Token, nil), http.StatusNoContent)
	c.call(t, "a logged-out token", get("/api/notifications", doctor.Token), http.StatusUnauthorized)

	for key, op := range operations(c.doc) {
		if !c.exercised[op.OperationID] {
			t.Errorf("operation %s (%s) was never exercised", op.OperationID, key)
		}
	}
}
