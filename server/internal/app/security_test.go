package app_test

// The security suite: one test per row of docs/security.md's matrix, named TestSecurityNN… after the
// row. Rows 1–11 (tokens, sessions, logins, passwords) are in security_auth_test.go, rows 14 and 16–18
// (input handling) in security_input_test.go; this file holds the shared helpers and rows 12, 13, 15, 28.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/app"
	"hms/server/internal/apptest"
	"hms/shared"
)

// wantErr is apptest's Response.WantError, under the name the security suites use.
func wantErr(t *testing.T, r *apptest.Response, status int, code string) shared.Error {
	t.Helper()
	return r.WantError(t, status, code)
}

// errorCode is an error answer's HMS code: the JSON error's, or for the FHIR API (application/fhir+json)
// the OperationOutcome's details coding in system urn:hms:error.
func errorCode(r *apptest.Response) string {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/fhir+json") {
		return r.Error().Error.Code
	}
	var oo struct {
		ResourceType string
		Issue        []struct {
			Details struct {
				Coding []struct{ System, Code string }
			}
		}
	}
	if json.Unmarshal(r.Body, &oo) != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 {
		return ""
	}
	for _, c := range oo.Issue[0].Details.Coding {
		if c.System == "urn:hms:error" {
			return c.Code
		}
	}
	return ""
}

// wantAnyErr is wantErr for a route of either API: the JSON error shape, or for the FHIR API an
// OperationOutcome with the code.
func wantAnyErr(t *testing.T, r *apptest.Response, status int, code string) {
	t.Helper()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/fhir+json") {
		wantErr(t, r, status, code)
		return
	}
	if r.Status != status || errorCode(r) != code {
		t.Fatalf("got status %d code %q, want %d %q; body: %s", r.Status, errorCode(r), status, code, r.Body)
	}
}

// signIn logs in through the API, failing t (not the Env's test) unless it answers 200, so that it can
// be used inside subtests.
func signIn(t *testing.T, env *apptest.Env, email, password string) apptest.User {
	t.Helper()
	var tr shared.TokenResponse
	env.Post("/api/auth/login", "", shared.LoginRequest{Email: email, Password: password}).Want(t, http.StatusOK).Decode(t, &tr)
	if tr.Token == "" || tr.RefreshToken == "" {
		t.Fatalf("got login response %+v, want both tokens", tr)
	}
	return apptest.User{TokenResponse: tr, Password: password}
}

// rawDoc returns the one raw document of collection col matching filter.
func rawDoc(t *testing.T, env *apptest.Env, col string, filter bson.D) bson.M {
	t.Helper()
	var m bson.M
	if err := env.App.DB.Collection(col).FindOne(context.Background(), filter).Decode(&m); err != nil {
		t.Fatalf("find %s %v: %v", col, filter, err)
	}
	return m
}

// rawDocs is apptest's Env.RawDocs.
func rawDocs(t *testing.T, env *apptest.Env, col string, filter bson.D) []bson.M {
	t.Helper()
	return env.RawDocs(t, col, filter)
}

// countDocs counts the documents of collection col matching filter.
func countDocs(t *testing.T, env *apptest.Env, col string, filter bson.D) int64 {
	t.Helper()
	n, err := env.App.DB.Collection(col).CountDocuments(context.Background(), filter)
	if err != nil {
		t.Fatalf("count %s %v: %v", col, filter, err)
	}
	return n
}

// patientState is what "nothing changed" compares on a raw patient document.
type patientState struct {
	History  string
	Revision int64
	UserID   string
}

func rawPatient(t *testing.T, env *apptest.Env, patientID string) patientState {
	t.Helper()
	d := rawDoc(t, env, "patients", bson.D{{Key: "_id", Value: patientID}})
	var rev int64
	switch v := d["revision"].(type) {
	case int32:
		rev = int64(v)
	case int64:
		rev = v
	case float64:
		rev = int64(v)
	default:
		t.Fatalf("got revision %v (%T) in the raw patient document, want a number", d["revision"], d["revision"])
	}
	history, _ := d["medical_history"].(string)
	userID, _ := d["user_id"].(string)
	return patientState{History: history, Revision: rev, UserID: userID}
}

// tokenClaims decodes a JWT's payload without checking it. Numbers stay exact: the epoch claim is a
// Unix time in nanoseconds, beyond float64's exact range.
func tokenClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("got a token of %d parts, want 3", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decode payload: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode payload %s: %v", raw, err)
	}
	return m
}

// b64JSON is one base64url-encoded JWT segment.
func b64JSON(t *testing.T, v any) string {
	t.Helper()
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %v: %v", v, err)
	}
	return base64.RawURLEncoding.EncodeToString(j)
}

// TestSecurity12PatientCannotReachAnotherPatient checks row 12: patient A reading or changing patient
// B's record gets 403, B's record is unchanged, and each attempt is audited as denied.
func TestSecurity12PatientCannotReachAnotherPatient(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	a, b := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	bID := b.User.PatientID
	env.Put("/api/patient/"+bID, b.Token, map[string]string{"medical_history": "B's own history"}).Want(t, http.StatusOK)
	before := rawPatient(t, env, bID)

	get := env.Get("/api/patient/"+bID, a.Token)
	wantErr(t, get, http.StatusForbidden, "forbidden")
	if bytes.Contains(get.Body, []byte("B's own history")) {
		t.Errorf("got B's history in the 403 body: %s", get.Body)
	}
	put := env.Put("/api/patient/"+bID, a.Token, map[string]string{"medical_history": "written by A"})
	wantErr(t, put, http.StatusForbidden, "forbidden")
	if after := rawPatient(t, env, bID); after != before {
		t.Errorf("got B's record %+v after A's attempts, want it unchanged %+v", after, before)
	}

	for _, c := range []struct {
		action string
		resp   *apptest.Response
	}{{"patient.read", get}, {"patient.update", put}} {
		t.Run("audited "+c.action, func(t *testing.T) {
			docs := rawDocs(t, env, "audit", bson.D{{Key: "request_id", Value: c.resp.Header.Get("X-Request-ID")}})
			if len(docs) != 1 {
				t.Fatalf("got %d audit entries for the request, want 1", len(docs))
			}
			d := docs[0]
			want := map[string]string{"actor_id": a.ID(), "actor_role": "patient", "patient_id": bID, "action": c.action, "outcome": "denied"}
			for k, v := range want {
				if d[k] != v {
					t.Errorf("got audit %s %v, want %q", k, d[k], v)
				}
			}
		})
	}

	t.Run("visible to the admin at GET /api/audit", func(t *testing.T) {
		var list struct {
			Items []map[string]any `json:"items"`
		}
		env.Get("/api/audit?patient_id="+bID+"&actor_id="+a.ID(), admin.Token).Want(t, http.StatusOK).Decode(t, &list)
		var denied []string
		for _, it := range list.Items {
			if it["outcome"] == "denied" {
				denied = append(denied, it["action"].(string))
			}
		}
		slices.Sort(denied)
		if !slices.Equal(denied, []string{"patient.read", "patient.update"}) {
			t.Errorf("got denied actions %v by A on B, want [patient.read patient.update]", denied)
		}
	})

	t.Run("notifications stay private", func(t *testing.T) {
		doctor := env.NewUser(shared.RoleDoctor)
		env.Post("/api/notifications/send", doctor.Token, map[string]string{"recipient_id": b.ID(), "message": "B's results"}).Want(t, http.StatusCreated)
		var list shared.NotificationList
		env.Get("/api/notifications", a.Token).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Items) != 0 {
			t.Errorf("got %d notifications for A, want 0 (B's are B's)", len(list.Items))
		}
	})
}

// matrixEncounter opens an encounter for the patient as the fixture doctor and returns its path, for
// the route-role matrix (TestSecurity13RouteRoleMatrix).
func matrixEncounter(t *testing.T, env *apptest.Env, h *apptest.Hospital, patientID string) string {
	t.Helper()
	var e shared.Encounter
	env.Post("/api/patients/"+patientID+"/encounters", h.Doctor.Token, shared.CreateEncounterRequest{Reason: "matrix"}).
		Want(t, http.StatusCreated).Decode(t, &e)
	return "/api/encounters/" + e.ID
}

// labFixture is an order with results and a PDF for the route-role matrix (TestSecurity13).
func labFixture(t *testing.T, env *apptest.Env, doctor, staff, patientID string) (orderID, fileID string) {
	t.Helper()
	var o shared.LabOrder
	env.Post("/api/patients/"+patientID+"/lab-orders", doctor, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &o)
	env.Post("/api/lab-orders/"+o.ID+"/results", staff, apptest.LabResults).Want(t, http.StatusCreated)
	var f shared.LabFile
	env.UploadLabFile(staff, o.ID, "file", "matrix.pdf", "application/pdf", apptest.PDF(t, 1000, "x")).Want(t, http.StatusCreated).Decode(t, &f)
	return o.ID, f.ID
}

// perRole is a body that depends on the caller, for a route that every allowed role can call
// successfully only on different data (each books its own slot).
type perRole func(shared.Role) any

// TestSecurity13RouteRoleMatrix checks row 13 from the router's own table: for every signed-in route, no
// token is 401; on a Granted route a built-in role not granted its permission by default is 403, and
// every other role gets through (2xx with the bodies below).
func TestSecurity13RouteRoleMatrix(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital() // department "general"; its doctor is the matrix's doctor, its receptionist the staff
	admin := h.Admin
	users := map[shared.Role]apptest.User{
		shared.RoleAdmin:   admin,
		shared.RoleDoctor:  h.Doctor,
		shared.RoleStaff:   h.Staff,
		shared.RolePatient: env.NewUser(shared.RolePatient),
	}
	target := env.NewUser(shared.RoleStaff) // PATCH /api/users/:id acts on someone other than the caller
	var raised shared.Alert
	env.Post("/api/alerts/emergency", admin.Token, map[string]string{"message": "matrix drill"}).Want(t, http.StatusCreated).Decode(t, &raised)

	// Scheduling fixtures: the patient's booking (read and rescheduled below), a leave to delete, and
	// queue tickets. "next" takes the triage 2 walk-in, ahead of every other ticket; call, start and
	// finish each get a ticket already in the state that step starts from, so that the doctor's call
	// succeeds whatever the order of the table.
	doctorID, patientID := h.Doctor.ID(), users[shared.RolePatient].User.PatientID
	booked := env.Book(h.Staff.Token, doctorID, patientID, apptest.At(9, 0))
	// The doctor's and the desk's care relationship with the patient: checked in today for the doctor
	// (a booking alone opens no chart, row 34).
	env.Post("/api/queue/checkin", h.Staff.Token, shared.CheckInRequest{Department: h.Dept, PatientID: patientID, DoctorID: doctorID, Triage: 5}).
		Want(t, http.StatusCreated)
	farAway := shared.LeaveRequest{From: apptest.At(0, 0).AddDate(1, 0, 0), To: apptest.At(24, 0).AddDate(1, 0, 0), Reason: "matrix"}
	var leave shared.LeaveResponse
	env.Post("/api/doctors/"+doctorID+"/leave", admin.Token, farAway).Want(t, http.StatusCreated).Decode(t, &leave)
	env.WalkIn(h.Staff.Token, h.Dept, "Matrix First", 2)
	ticket := func(name string, steps ...string) string {
		t.Helper()
		a := env.WalkIn(h.Staff.Token, h.Dept, name, 5)
		for _, step := range steps {
			env.Post("/api/queue/tickets/"+a.ID+"/"+step, h.Doctor.Token, nil).Want(t, http.StatusOK)
		}
		return a.ID
	}
	tickets := "/api/queue/tickets/"
	labOrderID, labFileID := labFixture(t, env, h.Doctor.Token, h.Staff.Token, patientID)
	var matrixClient shared.IntegrationClientSecret
	env.Post("/api/integration-clients", admin.Token, shared.CreateIntegrationClientRequest{Name: "Matrix", Scopes: []string{"system/Patient.read"}}).
		Want(t, http.StatusCreated).Decode(t, &matrixClient)
	params := map[string]string{
		"/api/integration-clients/:id/rotate":        "/api/integration-clients/" + matrixClient.Client.ID + "/rotate",
		"/api/integration-clients/:id/revoke":        "/api/integration-clients/" + matrixClient.Client.ID + "/revoke",
		"/api/roles/:id":                             "/api/roles/staff",
		"/api/hospitals/:id":                         "/api/hospitals/matrix",
		"/api/patients/:id/lab-orders":               "/api/patients/" + patientID + "/lab-orders",
		"/api/lab-orders/:id":                        "/api/lab-orders/" + labOrderID,
		"/api/lab-orders/:id/results":                "/api/lab-orders/" + labOrderID + "/results",
		"/api/lab-orders/:id/release":                "/api/lab-orders/" + labOrderID + "/release",
		"/api/lab-orders/:id/cancel":                 "/api/lab-orders/" + labOrderID + "/cancel",
		"/api/lab-orders/:id/files":                  "/api/lab-orders/" + labOrderID + "/files",
		"/api/lab-files/:id":                         "/api/lab-files/" + labFileID,
		"/api/users/:id":                             "/api/users/" + target.ID(),
		"/api/users/:id/password-link":               "/api/users/" + target.ID() + "/password-link",
		"/api/notifications/:id/read":                "/api/notifications/0123456789abcdef01234567/read",
		"/api/deliveries/:id/retry":                  "/api/deliveries/0123456789abcdef01234567-email/retry",
		"/api/patient/:id":                           "/api/patient/" + patientID,
		"/api/patients/:id":                          "/api/patients/" + patientID,
		"/api/patients/:id/history":                  "/api/patients/" + patientID + "/history",
		"/api/patients/:id/duplicates":               "/api/patients/" + patientID + "/duplicates",
		"/api/patients/:id/merge":                    "/api/patients/" + patientID + "/merge",
		"/api/alerts/:id/ack":                        "/api/alerts/" + raised.ID + "/ack",
		"/api/alerts/:id/resolve":                    "/api/alerts/" + raised.ID + "/resolve",
		"/api/billing/prices/:code":                  "/api/billing/prices/MATRIX",
		"/api/patients/:id/charges":                  "/api/patients/" + patientID + "/charges",
		"/api/charges/:id/void":                      "/api/charges/0123456789abcdef01234567/void",
		"/api/invoices/:id":                          "/api/invoices/0123456789abcdef01234567",
		"/api/invoices/:id/issue":                    "/api/invoices/0123456789abcdef01234567/issue",
		"/api/invoices/:id/lines/:charge_id":         "/api/invoices/0123456789abcdef01234567/lines/x?rev=1",
		"/api/invoices/:id/pdf":                      "/api/invoices/0123456789abcdef01234567/pdf",
		"/api/invoices/:id/credit-notes":             "/api/invoices/0123456789abcdef01234567/credit-notes",
		"/api/invoices/:id/payments":                 "/api/invoices/0123456789abcdef01234567/payments",
		"/api/invoices/:id/checkout":                 "/api/invoices/0123456789abcdef01234567/checkout",
		"/api/payments/:id/refund":                   "/api/payments/pay_0123456789abcdef/refund",
		"/api/payments/:id/receipt":                  "/api/payments/pay_0123456789abcdef/receipt",
		"/api/billing/payers/:id":                    "/api/billing/payers/0123456789abcdef01234567",
		"/api/patients/:id/policies":                 "/api/patients/" + patientID + "/policies",
		"/api/policies/:id/end":                      "/api/policies/0123456789abcdef01234567/end",
		"/api/invoices/:id/claims":                   "/api/invoices/0123456789abcdef01234567/claims",
		"/api/claims/:id":                            "/api/claims/0123456789abcdef01234567",
		"/api/claims/:id/status":                     "/api/claims/0123456789abcdef01234567/status",
		"/api/claims/:id/fhir":                       "/api/claims/0123456789abcdef01234567/fhir",
		"/api/doctors/:id":                           "/api/doctors/" + doctorID,
		"/api/doctors/:id/schedule":                  "/api/doctors/" + doctorID + "/schedule",
		"/api/doctors/:id/leave":                     "/api/doctors/" + doctorID + "/leave",
		"/api/doctors/:id/leave/:leave_id":           "/api/doctors/" + doctorID + "/leave/" + leave.Leave.ID,
		"/api/doctors/:id/slots":                     "/api/doctors/" + doctorID + "/slots?date=2030-01-07",
		"/api/doctors/:id/dashboard":                 "/api/doctors/" + doctorID + "/dashboard",
		"/api/appointments/:id":                      "/api/appointments/" + booked.ID,
		"/api/appointments/:id/cancel":               "/api/appointments/" + booked.ID + "/cancel",
		"/api/queues/:department":                    "/api/queues/" + h.Dept,
		"/api/queues/:department/display":            "/api/queues/" + h.Dept + "/display",
		"/api/queues/:department/next":               "/api/queues/" + h.Dept + "/next",
		"/api/queue/tickets/:id/call":                tickets + ticket("Matrix Call") + "/call",
		"/api/queue/tickets/:id/start":               tickets + ticket("Matrix Start", "call") + "/start",
		"/api/queue/tickets/:id/finish":              tickets + ticket("Matrix Finish", "call", "start") + "/finish",
		"/api/queue/tickets/:id/triage":              tickets + ticket("Matrix Triage") + "/triage",
		"/api/queue/tickets/:id/no-show":             tickets + ticket("Matrix No-show") + "/no-show",
		"/api/queue/tickets/:id/requeue":             tickets + ticket("Matrix Requeue", "call") + "/requeue",
		"/api/patients/:id/access":                   "/api/patients/" + patientID + "/access",
		"/api/patients/:id/referrals":                "/api/patients/" + patientID + "/referrals",
		"/api/patients/:id/erasure":                  "/api/patients/" + patientID + "/erasure",
		"/api/patients/:id/encounters":               "/api/patients/" + patientID + "/encounters",
		"/api/encounters/:id":                        matrixEncounter(t, env, h, patientID),
		"/api/encounters/:id/history":                matrixEncounter(t, env, h, patientID) + "/history",
		"/api/encounters/:id/vitals":                 matrixEncounter(t, env, h, patientID) + "/vitals",
		"/api/encounters/:id/procedures":             matrixEncounter(t, env, h, patientID) + "/procedures",
		"/api/procedures/:id/entered-in-error":       "/api/procedures/0123456789abcdef01234567/entered-in-error",
		"/api/wards/:id/beds":                        "/api/wards/matrix-ward/beds",
		"/api/admissions/:id":                        "/api/admissions/0123456789abcdef01234567",
		"/api/admissions/:id/transfer":               "/api/admissions/0123456789abcdef01234567/transfer",
		"/api/admissions/:id/discharge":              "/api/admissions/0123456789abcdef01234567/discharge",
		"/api/patients/:id/admissions":               "/api/patients/" + patientID + "/admissions",
		"/api/medications/:id/stock":                 "/api/medications/0123456789abcdef01234567/stock",
		"/api/patients/:id/prescriptions":            "/api/patients/" + patientID + "/prescriptions",
		"/api/prescriptions/:id":                     "/api/prescriptions/0123456789abcdef01234567",
		"/api/prescriptions/:id/cancel":              "/api/prescriptions/0123456789abcdef01234567/cancel",
		"/api/prescriptions/:id/dispense":            "/api/prescriptions/0123456789abcdef01234567/dispense",
		"/fhir/R4/Patient/:id":                       "/fhir/R4/Patient/" + patientID,
		"/fhir/R4/Practitioner/:id":                  "/fhir/R4/Practitioner/" + doctorID,
		"/fhir/R4/Organization/:id":                  "/fhir/R4/Organization/hospital",
		"/fhir/R4/Schedule/:id":                      "/fhir/R4/Schedule/" + doctorID,
		"/fhir/R4/Location/:id":                      "/fhir/R4/Location/0123456789abcdef01234567",
		"/fhir/R4/Appointment/:id":                   "/fhir/R4/Appointment/" + booked.ID,
		"/fhir/R4/Encounter/:id":                     "/fhir/R4" + strings.Replace(matrixEncounter(t, env, h, patientID), "/api/encounters/", "/Encounter/", 1),
		"/fhir/R4/Observation/:id":                   "/fhir/R4/Observation/lab-" + labOrderID + "-1",
		"/fhir/R4/DiagnosticReport/:id":              "/fhir/R4/DiagnosticReport/" + labOrderID,
		"/fhir/R4/MedicationRequest/:id":             "/fhir/R4/MedicationRequest/0123456789abcdef01234567",
		"/fhir/R4/Coverage/:id":                      "/fhir/R4/Coverage/0123456789abcdef01234567",
		"/fhir/R4/Claim/:id":                         "/fhir/R4/Claim/0123456789abcdef01234567",
		"/fhir/R4/ClaimResponse/:id":                 "/fhir/R4/ClaimResponse/0123456789abcdef01234567",
		"/api/webhooks/subscriptions/:id":            "/api/webhooks/subscriptions/0123456789abcdef01234567",
		"/api/webhooks/subscriptions/:id/deliveries": "/api/webhooks/subscriptions/0123456789abcdef01234567/deliveries",
		"/api/webhooks/subscriptions/:id/test":       "/api/webhooks/subscriptions/0123456789abcdef01234567/test",
		"/api/webhooks/partners/:id/received":        "/api/webhooks/partners/0123456789abcdef01234567/received",
	}
	// slotFor gives each role its own slot from hh:00, 15 minutes apart.
	slotFor := func(hh int, role shared.Role) time.Time {
		return apptest.At(hh, 15*slices.Index(shared.Roles, role))
	}
	// Bodies that make an allowed call succeed; a route missing here is sent {} and need only pass the
	// role check. Cancel, no-show, requeue and deleting the leave are missing: on one appointment or
	// leave they can succeed only once, not for every allowed role.
	bodies := map[string]any{
		"POST /api/auth/password":       shared.ChangePasswordRequest{CurrentPassword: apptest.Password, NewPassword: apptest.Password},
		"PATCH /api/me":                 map[string]string{"name": "Renamed"},
		"PATCH /api/users/:id":          map[string]bool{"disabled": false},
		"PUT /api/patient/:id":          map[string]string{"medical_history": "matrix"},
		"POST /api/notifications/send":  map[string]string{"recipient_id": target.ID(), "message": "matrix"},
		"POST /api/auth/logout":         nil,
		"GET /api/me":                   nil,
		"GET /api/users":                nil,
		"GET /api/users/:id":            nil,
		"GET /api/patient/:id":          nil,
		"GET /api/notifications":        nil,
		"GET /api/audit":                nil,
		"GET /api/integration-clients":  nil,
		"POST /api/integration-clients": shared.CreateIntegrationClientRequest{Name: "Matrix", Scopes: []string{"system/*.read"}},
		"POST /api/ws/ticket":           nil,
		"POST /api/alerts/emergency":    map[string]string{"message": "matrix"},
		"GET /api/alerts":               nil,
		"POST /api/alerts/:id/ack":      nil,
		"POST /api/broadcasts":          map[string]string{"message": "matrix"},

		"GET /api/hospitals":             nil,
		"GET /api/departments":           nil,
		"POST /api/departments":          shared.Department{ID: "matrix", Name: "Matrix"},
		"GET /api/doctors":               nil,
		"GET /api/doctors/:id":           nil,
		"PUT /api/doctors/:id":           shared.UpdateDoctorRequest{Specialty: "general practice", Department: h.Dept},
		"PUT /api/doctors/:id/schedule":  apptest.Schedule(),
		"POST /api/doctors/:id/leave":    farAway,
		"GET /api/doctors/:id/slots":     nil,
		"GET /api/doctors/:id/dashboard": nil,
		"POST /api/appointments": perRole(func(role shared.Role) any {
			return shared.BookRequest{DoctorID: doctorID, PatientID: patientID, Start: slotFor(14, role), Reason: "matrix"}
		}),
		"GET /api/appointments":     nil,
		"GET /api/appointments/:id": nil,
		"PATCH /api/appointments/:id": perRole(func(role shared.Role) any {
			return shared.RescheduleRequest{Start: slotFor(15, role)}
		}),
		"POST /api/queue/checkin":             shared.CheckInRequest{Department: h.Dept, Name: "Matrix Walk-in"},
		"POST /api/queue/emergency":           shared.EmergencyRequest{Department: h.Dept, Triage: 3, Complaint: "matrix"},
		"GET /api/queues/:department":         nil,
		"GET /api/queues/:department/display": nil,
		"POST /api/queues/:department/next":   nil,
		"POST /api/queue/tickets/:id/call":    nil,
		"POST /api/queue/tickets/:id/start":   nil,
		"POST /api/queue/tickets/:id/finish":  nil,
		"POST /api/queue/tickets/:id/triage":  shared.TriageRequest{Level: 5, Reason: "matrix"},
	}

	// sessionOf returns a signed-in session of the role: the last one while the server still accepts it,
	// else a new sign-in (logout and a password change end the caller's sessions). Checking the token
	// costs a lookup; signing in checks a password hash, once per route and role before.
	sessions := map[shared.Role]apptest.User{}
	sessionOf := func(t *testing.T, role shared.Role) apptest.User {
		t.Helper()
		if u, ok := sessions[role]; ok {
			if _, err := env.App.Auth.Authenticate(t.Context(), u.Token); err == nil {
				return u
			}
		}
		u := signIn(t, env, users[role].User.Email, apptest.Password)
		sessions[role] = u
		return u
	}

	roleRoutes := 0
	for _, r := range env.App.Routes() {
		key := r.Method + " " + r.Path
		if r.Access == app.OptionalAuth {
			t.Run(key+" bad token", func(t *testing.T) {
				wantErr(t, env.Do(apptest.Request{Method: r.Method, Path: r.Path, Token: "not.a.token", Body: map[string]any{}}),
					http.StatusUnauthorized, "unauthenticated")
			})
		}
		if r.Access != app.SignedIn && r.Access != app.Granted {
			continue
		}
		allowed := shared.Roles
		if r.Access == app.Granted {
			info, _ := shared.PermissionByID(r.Perm)
			allowed = info.Defaults
		}
		roleRoutes++
		path := r.Path
		if p, ok := params[r.Path]; ok {
			path = p
		}
		if strings.Contains(path, ":") {
			t.Fatalf("route %s has a parameter this test has no value for; add its path to params", key)
		}
		body, known := bodies[key]
		if !known && r.Method != http.MethodGet {
			body = map[string]any{}
		}
		bodyFor := func(role shared.Role) any {
			if f, ok := body.(perRole); ok {
				return f(role)
			}
			return body
		}

		t.Run(key+" no token", func(t *testing.T) {
			wantAnyErr(t, env.Do(apptest.Request{Method: r.Method, Path: path, Body: bodyFor(shared.RoleAdmin)}), http.StatusUnauthorized, "unauthenticated")
		})
		for _, role := range shared.Roles {
			t.Run(key+" as "+string(role), func(t *testing.T) {
				u := sessionOf(t, role)
				resp := env.Do(apptest.Request{Method: r.Method, Path: path, Token: u.Token, Body: bodyFor(role)})
				if !slices.Contains(allowed, role) {
					wantAnyErr(t, resp, http.StatusForbidden, "forbidden")
					return
				}
				// The router let it through when the clinical access rule answers: an allowed role
				// with no care relationship is asked to break the glass (TestAccessClinicalRule).
				if resp.Status == http.StatusForbidden && errorCode(resp) == shared.CodeBreakGlassRequired {
					return
				}
				if resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden {
					t.Fatalf("got status %d for an allowed role, want it let through; body: %s", resp.Status, resp.Body)
				}
				if known && resp.Status >= 300 {
					t.Errorf("got status %d for an allowed role with a valid body, want 2xx; body: %s", resp.Status, resp.Body)
				}
			})
		}
	}
	if roleRoutes < 12 {
		t.Fatalf("got %d signed-in routes from the table, want at least 12", roleRoutes)
	}
}

// TestSecurity15NoSecretsInResponsesOrLogs checks row 15 over a full flow: no password, password hash
// or JWT secret in any response body, no token in any response but the one that issued it, and none of
// them (nor medical history) in the server's log.
func TestSecurity15NoSecretsInResponsesOrLogs(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	const (
		pw1     = "first secret passphrase 41"
		pw2     = "second secret passphrase 42"
		history = "confidential-history-7f3a9c"
	)
	type exchange struct {
		name   string
		resp   *apptest.Response
		issued []string // tokens this response hands out, allowed in its own body only
	}
	var log []exchange
	var tokens []string
	call := func(name string, r *apptest.Response, status int) *apptest.Response {
		t.Helper()
		r.Want(t, status)
		var tr shared.TokenResponse
		_ = json.Unmarshal(r.Body, &tr)
		issued := []string{}
		for _, tok := range []string{tr.Token, tr.RefreshToken} {
			if tok != "" {
				issued = append(issued, tok)
				tokens = append(tokens, tok)
			}
		}
		log = append(log, exchange{name, r, issued})
		return r
	}
	login := func(name, email, pw string) shared.TokenResponse {
		var tr shared.TokenResponse
		call(name, env.Post("/api/auth/login", "", shared.LoginRequest{Email: email, Password: pw}), http.StatusOK).Decode(t, &tr)
		return tr
	}

	admin := env.Admin()
	tokens = append(tokens, admin.Token, admin.RefreshToken)
	login("admin login", admin.User.Email, apptest.Password)
	call("register", env.Post("/api/auth/register", "", shared.RegisterRequest{Name: "Flow Patient", Email: "flow@test.hms", Password: pw1}), http.StatusAccepted)
	call("confirm", env.Post("/api/auth/confirm", "", shared.ConfirmRequest{Token: env.EmailedToken("flow@test.hms", shared.KindAccountConfirm)}), http.StatusCreated)
	call("register staff", env.Post("/api/auth/register", admin.Token, shared.RegisterRequest{Name: "Flow Staff", Email: "flowstaff@test.hms", Password: pw1, Role: shared.RoleStaff}), http.StatusCreated)
	p := login("login", "flow@test.hms", pw1)
	reg := p.User
	call("bad login", env.Post("/api/auth/login", "", shared.LoginRequest{Email: "flow@test.hms", Password: pw2}), http.StatusUnauthorized)
	call("me", env.Get("/api/me", p.Token), http.StatusOK)
	call("me with token in query", env.Get("/api/me?access_token="+p.Token, p.Token), http.StatusOK)
	call("patient put", env.Put("/api/patient/"+reg.PatientID, p.Token, map[string]string{"medical_history": history}), http.StatusOK)
	call("patient get", env.Get("/api/patient/"+reg.PatientID, p.Token), http.StatusOK)
	var r2 shared.TokenResponse
	call("refresh", env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: p.RefreshToken}), http.StatusOK).Decode(t, &r2)
	call("refresh replay", env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: p.RefreshToken}), http.StatusUnauthorized)
	p = login("login again", "flow@test.hms", pw1)
	call("users", env.Get("/api/users?limit=100", admin.Token), http.StatusOK)
	call("user", env.Get("/api/users/"+reg.ID, admin.Token), http.StatusOK)
	call("update user", env.Patch("/api/users/"+reg.ID, admin.Token, map[string]bool{"disabled": false}), http.StatusOK)
	p = login("login after update", "flow@test.hms", pw1)
	call("send", env.Post("/api/notifications/send", admin.Token, map[string]string{"recipient_id": reg.ID, "message": "hello"}), http.StatusCreated)
	call("notifications", env.Get("/api/notifications", p.Token), http.StatusOK)
	call("audit", env.Get("/api/audit", admin.Token), http.StatusOK)
	call("weak password", env.Post("/api/auth/password", p.Token, shared.ChangePasswordRequest{CurrentPassword: pw1, NewPassword: "password123"}), http.StatusBadRequest)
	call("wrong current password", env.Post("/api/auth/password", p.Token, shared.ChangePasswordRequest{CurrentPassword: pw2, NewPassword: pw2}), http.StatusForbidden)
	call("password", env.Post("/api/auth/password", p.Token, shared.ChangePasswordRequest{CurrentPassword: pw1, NewPassword: pw2}), http.StatusNoContent)
	p = login("login new password", "flow@test.hms", pw2)
	call("logout", env.Post("/api/auth/logout", p.Token, nil), http.StatusNoContent)
	call("after logout", env.Get("/api/me", p.Token), http.StatusUnauthorized)

	var hashes []string
	for _, d := range rawDocs(t, env, "users", bson.D{}) {
		h, _ := d["password_hash"].(string)
		if h == "" {
			t.Fatalf("got a user document without password_hash: %v", d)
		}
		hashes = append(hashes, h)
	}
	secrets := map[string]string{"password 1": pw1, "password 2": pw2, "test password": apptest.Password,
		"JWT secret": env.Config.JWTSecret, "argon2 prefix": "$argon2id$", "argon2 params": "m=19456"}
	for i, h := range hashes {
		secrets[fmt.Sprintf("password hash #%d", i)] = h
	}

	for _, x := range log {
		body := string(x.resp.Body)
		for _, own := range x.issued {
			body = strings.ReplaceAll(body, own, "")
		}
		for name, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("%s: got the %s in the response body", x.name, name)
			}
		}
		for i, tok := range tokens {
			if strings.Contains(body, tok) {
				t.Errorf("%s: got token #%d (issued elsewhere) in the response body", x.name, i)
			}
		}
	}

	logs := env.Logs()
	if !strings.Contains(logs, `"route":"/api/auth/login"`) {
		t.Fatalf("got logs without the login request line, want the access log captured:\n%s", logs)
	}
	secrets["medical history"] = history
	secrets["bearer header"] = "Bearer "
	for name, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("got the %s in the server log", name)
		}
	}
	for i, tok := range tokens {
		sig := tok[strings.LastIndex(tok, ".")+1:]
		if strings.Contains(logs, tok) || strings.Contains(logs, sig) {
			t.Errorf("got token #%d in the server log", i)
		}
	}
}

// TestSecurity28PatientDataAudited checks row 28: every read and change of patient data, whatever its
// outcome, writes one audit entry with UTC time, actor, role, patient, action, outcome, IP and the
// response's request ID, and the entry holds no medical history, token or password.
func TestSecurity28PatientDataAudited(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	p, q := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	doctor := env.NewUser(shared.RoleDoctor)
	pid := p.User.PatientID
	const history = "PHI-text-diabetes-type-2-since-2015"
	missing := "0123456789abcdef01234567"

	// The doctor and the admin have no care relationship with p: they break the glass first.
	for _, u := range []apptest.User{doctor, admin} {
		env.Post("/api/patients/"+pid+"/access", u.Token, map[string]string{"reason": "audit test: on call for the ward"}).Want(t, http.StatusCreated)
	}
	start := time.Now().UTC().Add(-time.Second)
	cases := []struct {
		name                   string
		req                    apptest.Request
		actor                  apptest.User
		status                 int
		patient, action, outco string
	}{
		{"own read, spoofed XFF", apptest.Request{Method: "GET", Path: "/api/patient/" + pid, Token: p.Token,
			Header: map[string]string{"X-Forwarded-For": "203.0.113.9"}}, p, 200, pid, "patient.read", "ok"},
		{"own update", apptest.Request{Method: "PUT", Path: "/api/patient/" + pid, Token: p.Token,
			Body: map[string]string{"medical_history": history}}, p, 200, pid, "patient.update", "ok"},
		{"doctor read", apptest.Request{Method: "GET", Path: "/api/patient/" + pid, Token: doctor.Token}, doctor, 200, pid, "patient.read", "ok"},
		{"other patient read", apptest.Request{Method: "GET", Path: "/api/patient/" + pid, Token: q.Token}, q, 403, pid, "patient.read", "denied"},
		{"other patient update", apptest.Request{Method: "PUT", Path: "/api/patient/" + pid, Token: q.Token,
			Body: map[string]string{"medical_history": history + " by Q"}}, q, 403, pid, "patient.update", "denied"},
		{"read not found", apptest.Request{Method: "GET", Path: "/api/patient/" + missing, Token: doctor.Token}, doctor, 404, missing, "patient.read", "not_found"},
		{"update not found", apptest.Request{Method: "PUT", Path: "/api/patient/" + missing, Token: doctor.Token,
			Body: map[string]string{"medical_history": history}}, doctor, 404, missing, "patient.update", "not_found"},
		{"admin read", apptest.Request{Method: "GET", Path: "/api/patient/" + pid, Token: admin.Token}, admin, 200, pid, "patient.read", "ok"},
		// Admins may not write medical history (the route's Roles): the refusal is an attempted change
		// of patient data by a known actor, and is audited like any other denial.
		{"admin update, role not allowed", apptest.Request{Method: "PUT", Path: "/api/patient/" + pid, Token: admin.Token,
			Body: map[string]string{"medical_history": history + " by admin"}}, admin, 403, pid, "patient.update", "denied"},
	}
	rids := make([]string, len(cases))
	for i, c := range cases {
		r := env.Do(c.req).Want(t, c.status)
		rids[i] = r.Header.Get("X-Request-ID")
		if rids[i] == "" {
			t.Fatalf("%s: got no X-Request-ID header", c.name)
		}
	}
	end := time.Now().UTC().Add(time.Second)

	var api struct {
		Items []map[string]any `json:"items"`
		Limit int              `json:"limit"`
	}
	env.Get("/api/audit?limit=100", admin.Token).Want(t, http.StatusOK).Decode(t, &api)
	byRID := map[string]map[string]any{}
	for _, it := range api.Items {
		if rid, _ := it["request_id"].(string); rid != "" {
			byRID[rid] = it
		}
	}

	forbidden := map[string]string{"medical history": history, "patient name": p.User.Name, "patient email": p.User.Email,
		"password": apptest.Password, "JWT secret": env.Config.JWTSecret}
	for _, u := range []apptest.User{p, q, doctor, admin} {
		forbidden["access token of "+u.User.Email] = u.Token
		forbidden["refresh token of "+u.User.Email] = u.RefreshToken
	}
	// The entry's fields, and its place in its chain (docs/audit.md).
	wantKeys := []string{"_id", "action", "actor_id", "actor_role", "at", "chain", "entry_id", "hash", "ip", "outcome", "patient_id", "prev", "request_id", "seq"}

	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docs := rawDocs(t, env, "audit", bson.D{{Key: "request_id", Value: rids[i]}})
			if len(docs) != 1 {
				t.Fatalf("got %d audit entries with request_id %s, want 1", len(docs), rids[i])
			}
			d := docs[0]
			want := map[string]string{"actor_id": c.actor.ID(), "actor_role": string(c.actor.User.Role), "patient_id": c.patient,
				"action": c.action, "outcome": c.outco, "ip": "127.0.0.1", "request_id": rids[i]}
			for k, v := range want {
				if d[k] != v {
					t.Errorf("got %s %v, want %q", k, d[k], v)
				}
			}
			var keys []string
			for k := range d {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, wantKeys) {
				t.Errorf("got fields %v, want exactly %v", keys, wantKeys)
			}
			at, ok := d["at"].(bson.DateTime)
			if !ok {
				t.Fatalf("got at %v (%T), want a BSON date", d["at"], d["at"])
			}
			if tm := at.Time(); tm.Before(start) || tm.After(end) {
				t.Errorf("got at %v, want between %v and %v", tm, start, end)
			}
			ext, err := bson.MarshalExtJSON(d, false, false)
			if err != nil {
				t.Fatal(err)
			}
			for name, s := range forbidden {
				if s != "" && bytes.Contains(ext, []byte(s)) {
					t.Errorf("got the %s inside the audit document %s", name, ext)
				}
			}

			it, ok := byRID[rids[i]]
			if !ok {
				t.Fatalf("got no entry with request_id %s from GET /api/audit", rids[i])
			}
			s, _ := it["at"].(string)
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil || !strings.HasSuffix(s, "Z") || tm.Location() != time.UTC {
				t.Errorf("got at %q from the API, want an RFC 3339 UTC time ending in Z", s)
			}
			for k, v := range want {
				if it[k] != v {
					t.Errorf("got API %s %v, want %q", k, it[k], v)
				}
			}
		})
	}
}
