package app_test

// Rows 14 and 16–18 of docs/security.md: what the server accepts as input, and what it says when it
// refuses.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/ident"
	"hms/shared"
)

// TestSecurity14NoMassAssignment checks row 14: a body carrying a field the caller may not set is
// refused with 400 and changes nothing.
func TestSecurity14NoMassAssignment(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	p := env.NewUser(shared.RolePatient)
	doctor := env.NewUser(shared.RoleDoctor)
	pid := p.User.PatientID
	env.Put("/api/patient/"+pid, p.Token, map[string]string{"medical_history": "before"}).Want(t, http.StatusOK)
	foreign := ident.New()

	t.Run("register", func(t *testing.T) {
		for _, field := range []struct {
			key   string
			value any
		}{
			{"id", foreign}, {"_id", foreign}, {"patient_id", foreign}, {"password_hash", "$argon2id$x"},
			{"disabled", false}, {"epoch", 1}, {"owner", foreign}, {"created_at", "2000-01-01T00:00:00Z"},
		} {
			t.Run(field.key, func(t *testing.T) {
				email := "mass-" + strings.Trim(field.key, "_") + "@test.hms"
				body := map[string]any{"name": "Mass", "email": email, "password": apptest.Password, "role": "patient", field.key: field.value}
				wantErr(t, env.Post("/api/auth/register", "", body), http.StatusBadRequest, "invalid_request")
				if n := countDocs(t, env, "users", bson.D{{Key: "email", Value: email}}); n != 0 {
					t.Errorf("got %d accounts for %s, want 0", n, email)
				}
			})
		}
		if n := countDocs(t, env, "users", bson.D{{Key: "_id", Value: foreign}}); n != 0 {
			t.Errorf("got %d users with the chosen id, want 0", n)
		}
	})

	t.Run("PUT patient", func(t *testing.T) {
		before := rawPatient(t, env, pid)
		revs := countDocs(t, env, "patient_revisions", bson.D{{Key: "patient_id", Value: pid}})
		for _, field := range []struct {
			key   string
			value any
		}{
			{"id", foreign}, {"revision", 99}, {"user_id", doctor.ID()}, {"owner", doctor.ID()},
			{"name", "Renamed"}, {"email", "x@test.hms"}, {"author_id", admin.ID()},
		} {
			t.Run(field.key, func(t *testing.T) {
				body := map[string]any{"medical_history": "changed via " + field.key, field.key: field.value}
				wantErr(t, env.Put("/api/patient/"+pid, p.Token, body), http.StatusBadRequest, "invalid_request")
				if after := rawPatient(t, env, pid); after != before {
					t.Errorf("got record %+v, want it unchanged %+v", after, before)
				}
			})
		}
		if got := countDocs(t, env, "patient_revisions", bson.D{{Key: "patient_id", Value: pid}}); got != revs {
			t.Errorf("got %d revisions, want %d (no new one)", got, revs)
		}
	})

	t.Run("PATCH me", func(t *testing.T) {
		for _, field := range []struct {
			key   string
			value any
		}{{"role", "admin"}, {"email", "new@test.hms"}, {"disabled", false}, {"patient_id", foreign}, {"id", foreign}} {
			t.Run(field.key, func(t *testing.T) {
				wantErr(t, env.Patch("/api/me", p.Token, map[string]any{"name": "Evil", field.key: field.value}), http.StatusBadRequest, "invalid_request")
				d := rawDoc(t, env, "users", bson.D{{Key: "_id", Value: p.ID()}})
				if d["role"] != "patient" || d["name"] != p.User.Name || d["email"] != p.User.Email || d["patient_id"] != pid {
					t.Errorf("got role %v name %v email %v patient_id %v, want patient %q %q %q", d["role"], d["name"], d["email"], d["patient_id"],
						p.User.Name, p.User.Email, pid)
				}
			})
		}
		var me shared.User
		env.Get("/api/me", p.Token).Want(t, http.StatusOK).Decode(t, &me)
		if me.Role != shared.RolePatient {
			t.Errorf("got role %q, want patient", me.Role)
		}
	})

	t.Run("PATCH users/{id}", func(t *testing.T) {
		for _, field := range []struct {
			key   string
			value any
		}{{"email", "taken@test.hms"}, {"password_hash", "$argon2id$x"}, {"epoch", 0}, {"patient_id", foreign}} {
			t.Run(field.key, func(t *testing.T) {
				wantErr(t, env.Patch("/api/users/"+doctor.ID(), admin.Token, map[string]any{"disabled": false, field.key: field.value}),
					http.StatusBadRequest, "invalid_request")
			})
		}
		env.Get("/api/me", doctor.Token).Want(t, http.StatusOK) // no epoch bump: nothing was written
		d := rawDoc(t, env, "users", bson.D{{Key: "_id", Value: doctor.ID()}})
		if d["email"] != doctor.User.Email {
			t.Errorf("got email %v, want %q", d["email"], doctor.User.Email)
		}
	})

	t.Run("notifications/send", func(t *testing.T) {
		for _, field := range []struct {
			key   string
			value any
		}{{"sender_id", admin.ID()}, {"id", foreign}, {"created_at", "2000-01-01T00:00:00Z"}, {"read_at", "2000-01-01T00:00:00Z"}} {
			t.Run(field.key, func(t *testing.T) {
				body := map[string]any{"recipient_id": p.ID(), "message": "spoofed " + field.key, field.key: field.value}
				wantErr(t, env.Post("/api/notifications/send", doctor.Token, body), http.StatusBadRequest, "invalid_request")
			})
		}
		if n := countDocs(t, env, "notifications", bson.D{{Key: "kind", Value: bson.D{{Key: "$ne", Value: shared.KindAccountConfirm}}}}); n != 0 { // but a sign-up's confirmation
			t.Errorf("got %d notifications stored, want 0", n)
		}
	})
}

// TestSecurity16OperatorInjection checks row 16: operator objects as values, and keys that start with
// $ or contain a dot at any depth, get exactly 400 (never 200, 401 or 500) and change nothing.
func TestSecurity16OperatorInjection(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	p := env.NewUser(shared.RolePatient)
	doctor := env.NewUser(shared.RoleDoctor)
	pid := p.User.PatientID
	env.Put("/api/patient/"+pid, p.Token, map[string]string{"medical_history": "before"}).Want(t, http.StatusOK)
	before := rawPatient(t, env, pid)
	email := p.User.Email
	ops := []map[string]any{{"$ne": ""}, {"$gt": ""}, {"$regex": ".*"}, {"$where": "1"}}

	type attempt struct {
		name, method, path, token string
		body                      any
	}
	var cases []attempt
	for _, op := range ops {
		var opName string
		for k := range op {
			opName = k
		}
		cases = append(cases,
			attempt{"login email " + opName, "POST", "/api/auth/login", "", map[string]any{"email": op, "password": apptest.Password}},
			attempt{"login password " + opName, "POST", "/api/auth/login", "", map[string]any{"email": email, "password": op}},
			attempt{"login both " + opName, "POST", "/api/auth/login", "", map[string]any{"email": op, "password": op}},
			attempt{"login email in array " + opName, "POST", "/api/auth/login", "", map[string]any{"email": []any{op}, "password": apptest.Password}},
			attempt{"medical_history " + opName, "PUT", "/api/patient/" + pid, p.Token, map[string]any{"medical_history": op}},
			attempt{"recipient_id " + opName, "POST", "/api/notifications/send", doctor.Token, map[string]any{"recipient_id": op, "message": "hi"}},
			attempt{"register email " + opName, "POST", "/api/auth/register", "", map[string]any{"name": "I", "email": op, "password": apptest.Password}},
		)
	}
	cases = append(cases,
		attempt{"top-level $where at login", "POST", "/api/auth/login", "", map[string]any{"email": email, "password": apptest.Password, "$where": "1"}},
		attempt{"dotted key at login", "POST", "/api/auth/login", "", map[string]any{"email.address": email, "password": apptest.Password}},
		attempt{"dotted key in medical_history", "PUT", "/api/patient/" + pid, p.Token, map[string]any{"medical_history.text": "x"}},
		attempt{"$set beside medical_history", "PUT", "/api/patient/" + pid, p.Token, map[string]any{"medical_history": "x", "$set": map[string]any{"revision": 0}}},
		attempt{"nested dotted key", "PUT", "/api/patient/" + pid, p.Token, map[string]any{"medical_history": "x", "meta": map[string]any{"a.b": 1}}},
		attempt{"dotted key deep in an array", "POST", "/api/notifications/send", doctor.Token,
			map[string]any{"recipient_id": p.ID(), "message": "hi", "x": []any{1, map[string]any{"y": map[string]any{"$gt": 1}}}}},
		attempt{"dot-only key", "PATCH", "/api/me", p.Token, map[string]any{"name": "x", ".": 1}},
		attempt{"raw $ne object, login", "POST", "/api/auth/login", "", `{"email":{"$ne":null},"password":{"$ne":null}}`},
		attempt{"escaped $ key", "POST", "/api/auth/login", "", `{"email":"` + email + `","password":{"\u0024ne":""}}`},
	)

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := env.Do(apptest.Request{Method: c.method, Path: c.path, Token: c.token, Body: c.body})
			wantErr(t, r, http.StatusBadRequest, "invalid_request")
		})
	}
	if after := rawPatient(t, env, pid); after != before {
		t.Errorf("got record %+v, want it unchanged %+v", after, before)
	}
	if n := countDocs(t, env, "notifications", bson.D{{Key: "kind", Value: bson.D{{Key: "$ne", Value: shared.KindAccountConfirm}}}}); n != 0 { // but a sign-up's confirmation
		t.Errorf("got %d notifications stored, want 0", n)
	}
	if n := countDocs(t, env, "users", bson.D{}); n != 3 { // the two test users and the admin that made the doctor
		t.Errorf("got %d accounts, want 3 (none registered by the attempts)", n)
	}
}

// unsized hides a reader's length, so that the request is sent chunked.
type unsized struct{ io.Reader }

// TestSecurity17SizeLimits checks row 17: a 10 MB body gets 413, sized or chunked, and a page size of
// 100000 is capped at 100 while nonsense paging gets 400.
func TestSecurity17SizeLimits(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	p := env.NewUser(shared.RolePatient)
	pid := p.User.PatientID
	before := rawPatient(t, env, pid)
	big := func() []byte {
		return []byte(`{"medical_history":"` + strings.Repeat("a", 10<<20) + `"}`)
	}

	for _, c := range []struct {
		name, method, path, token string
		chunked                   bool
	}{
		{"sized PUT patient", "PUT", "/api/patient/" + pid, p.Token, false},
		{"chunked PUT patient", "PUT", "/api/patient/" + pid, p.Token, true},
		{"sized login", "POST", "/api/auth/login", "", false},
		{"chunked register", "POST", "/api/auth/register", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(big())
			if c.chunked {
				body = unsized{body}
			}
			// The tests' client, not env.Do: a transport error must fail this subtest, not the Env's test.
			r, err := apptest.Client{URL: env.URL}.Send(t.Context(), apptest.Request{Method: c.method, Path: c.path, Token: c.token, Body: body})
			if err != nil {
				t.Fatalf("got transport error %v, want a response", err)
			}
			wantErr(t, r, http.StatusRequestEntityTooLarge, "too_large")
		})
	}
	if after := rawPatient(t, env, pid); after != before {
		t.Errorf("got record %+v, want it unchanged %+v", after, before)
	}

	// More users than a page can hold, written straight to the store (registering 120 through the API
	// would spend most of the test hashing passwords).
	docs := make([]any, 0, 120)
	for i := range 120 {
		docs = append(docs, bson.D{{Key: "_id", Value: ident.New()}, {Key: "name", Value: fmt.Sprintf("Bulk %d", i)},
			{Key: "email", Value: fmt.Sprintf("bulk%03d@test.hms", i)}, {Key: "role", Value: "staff"},
			{Key: "password_hash", Value: "$argon2id$v=19$m=19456,t=2,p=1$AAAA$AAAA"}, {Key: "disabled", Value: false},
			{Key: "epoch", Value: int64(1)}, {Key: "created_at", Value: time.Now().UTC()}})
	}
	if _, err := env.App.DB.Collection("users").InsertMany(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	total := int(countDocs(t, env, "users", bson.D{}))

	t.Run("limit 100000 capped at 100", func(t *testing.T) {
		var list shared.UserList
		env.Get("/api/users?limit=100000", admin.Token).Want(t, http.StatusOK).Decode(t, &list)
		if list.Limit != 100 || len(list.Items) != 100 || list.Total != total || list.Page != 1 {
			t.Errorf("got limit %d, %d items, total %d, page %d; want limit 100, 100 items, total %d, page 1",
				list.Limit, len(list.Items), list.Total, list.Page, total)
		}
	})
	t.Run("second page holds the rest", func(t *testing.T) {
		var list shared.UserList
		env.Get("/api/users?limit=100000&page=2", admin.Token).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Items) != total-100 {
			t.Errorf("got %d items on page 2, want %d", len(list.Items), total-100)
		}
	})
	t.Run("audit and notifications capped too", func(t *testing.T) {
		for _, path := range []string{"/api/audit?limit=100000", "/api/notifications?limit=100000"} {
			var page struct {
				Limit int `json:"limit"`
			}
			tok := admin.Token
			env.Get(path, tok).Want(t, http.StatusOK).Decode(t, &page)
			if page.Limit != 100 {
				t.Errorf("%s: got limit %d, want 100", path, page.Limit)
			}
		}
	})
	for _, q := range []string{"limit=0", "limit=-1", "limit=abc", "limit=", "page=0", "page=-3", "page=abc"} {
		t.Run("bad paging "+q, func(t *testing.T) {
			r := env.Get("/api/users?"+q, admin.Token)
			if q == "limit=" { // an empty value means "not given"
				r.Want(t, http.StatusOK)
				return
			}
			wantErr(t, r, http.StatusBadRequest, "invalid_request")
		})
	}
}

// internalWords are things a response body must never show: stack traces, Go runtime and driver text.
var internalWords = []string{"goroutine", "runtime.", "panic", ".go:", "mongo", "bson", "ferret", "postgres", "sqlite",
	"decode", "cannot unmarshal", "strconv.", "ObjectID", "SQLSTATE"}

// TestSecurity18GenericErrors checks row 18: malformed IDs, unknown routes and internal failures get a
// generic message in the common shape with a request ID equal to X-Request-ID, and no internals.
func TestSecurity18GenericErrors(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	p := env.NewUser(shared.RolePatient)
	doctor := env.NewUser(shared.RoleDoctor)
	var bodies [][]byte

	for _, c := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		code                      string
	}{
		{"patient not-an-id", "GET", "/api/patient/not-an-id", doctor.Token, nil, 400, "invalid_request"},
		{"patient id too long", "GET", "/api/patient/" + strings.Repeat("a", 25), doctor.Token, nil, 400, "invalid_request"},
		{"patient id uppercase hex", "GET", "/api/patient/" + strings.ToUpper(ident.New()), doctor.Token, nil, 400, "invalid_request"},
		{"patient id with operators", "GET", "/api/patient/%7B%22%24ne%22%3A1%7D", doctor.Token, nil, 400, "invalid_request"},
		{"put patient xyz", "PUT", "/api/patient/xyz", doctor.Token, map[string]string{"medical_history": "x"}, 400, "invalid_request"},
		{"users xyz", "GET", "/api/users/xyz", admin.Token, nil, 400, "invalid_request"},
		{"patch users xyz", "PATCH", "/api/users/xyz", admin.Token, map[string]bool{"disabled": true}, 400, "invalid_request"},
		{"audit bad filter", "GET", "/api/audit?patient_id=xyz", admin.Token, nil, 400, "invalid_request"},
		{"send bad recipient", "POST", "/api/notifications/send", doctor.Token, map[string]string{"recipient_id": "xyz", "message": "m"}, 400, "invalid_request"},
		{"unknown user", "GET", "/api/users/" + ident.New(), admin.Token, nil, 404, "not_found"},
		{"unknown route", "GET", "/api/does-not-exist", "", nil, 404, "not_found"},
		{"unknown nested route", "POST", "/api/patient", doctor.Token, map[string]string{}, 404, "not_found"},
		{"broken JSON", "POST", "/api/auth/login", "", `{"email": "a@b.c", "password": `, 400, "invalid_request"},
		{"wrong JSON type", "POST", "/api/auth/login", "", `{"email": 12, "password": true}`, 400, "invalid_request"},
		{"JSON array", "POST", "/api/auth/login", "", `[1,2,3]`, 400, "invalid_request"},
		{"two JSON values", "POST", "/api/auth/login", "", `{"email":"a@b.c","password":"x"}{}`, 400, "invalid_request"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := env.Do(apptest.Request{Method: c.method, Path: c.path, Token: c.token, Body: c.body})
			e := wantErr(t, r, c.status, c.code)
			if e.Error.Message == "" {
				t.Errorf("got an empty message, want a short explanation")
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("got Content-Type %q, want JSON", ct)
			}
			bodies = append(bodies, r.Body)
		})
	}

	t.Run("method not allowed", func(t *testing.T) {
		r := env.Do(apptest.Request{Method: "DELETE", Path: "/api/me", Token: p.Token})
		wantErr(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
		bodies = append(bodies, r.Body)
	})

	t.Run("client request ID", func(t *testing.T) {
		r := env.Do(apptest.Request{Method: "GET", Path: "/api/users/xyz", Token: admin.Token,
			Header: map[string]string{"X-Request-ID": "client-trace-0001"}})
		if e := wantErr(t, r, 400, "invalid_request"); e.RequestID != "client-trace-0001" {
			t.Errorf("got request_id %q, want the client's plain ID kept", e.RequestID)
		}
		r = env.Do(apptest.Request{Method: "GET", Path: "/api/users/xyz", Token: admin.Token,
			Header: map[string]string{"X-Request-ID": "<script>alert(1)</script>"}})
		if e := wantErr(t, r, 400, "invalid_request"); strings.ContainsAny(e.RequestID, "<>()") {
			t.Errorf("got request_id %q, want a client ID with markup replaced", e.RequestID)
		}
	})

	t.Run("internal failure", func(t *testing.T) {
		// A record the store cannot decode stands in for any internal failure.
		pid := p.User.PatientID
		if _, err := env.App.DB.Collection("patients").UpdateOne(context.Background(), bson.D{{Key: "_id", Value: pid}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "medical_history", Value: bson.D{{Key: "nested", Value: 1}}}}}}); err != nil {
			t.Fatal(err)
		}
		r := env.Get("/api/patient/"+pid, p.Token)
		if r.Status != http.StatusInternalServerError && r.Status != http.StatusServiceUnavailable {
			t.Fatalf("got status %d, want 500 or 503; body: %s", r.Status, r.Body)
		}
		e := wantErr(t, r, r.Status, map[int]string{500: "internal", 503: "unavailable"}[r.Status])
		if strings.Contains(e.Error.Message, "medical_history") || strings.Contains(e.Error.Message, "nested") {
			t.Errorf("got message %q, want a generic one", e.Error.Message)
		}
		bodies = append(bodies, r.Body)
		// The request ID is how an operator finds the failure in the log.
		if logs := env.Logs(); !strings.Contains(logs, `"request_id":"`+e.RequestID+`"`) {
			t.Errorf("got no log line with request_id %s, want one to correlate the failure", e.RequestID)
		}
	})

	for _, b := range bodies {
		low := strings.ToLower(string(b))
		for _, w := range internalWords {
			if strings.Contains(low, strings.ToLower(w)) {
				t.Errorf("got %q in a response body: %s", w, b)
			}
		}
	}
}
