package app_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/shared"
)

// TestSecurityEventsAudited makes every security event through the HTTP routes and finds its entry in
// the audit trail, by the request's id: who, about what, the outcome; the trail then verifies, and a
// failed sign-in of an unknown email keeps neither the address nor the password (docs/audit.md,
// docs/security.md row 52).
func TestSecurityEventsAudited(t *testing.T) {
	env := apptest.New(t, apptest.WithEnv("LOGIN_MAX_FAILURES", "3"), apptest.WithEnv("LOGIN_MAX_PER_IP", "1000"))
	admin := env.Admin()
	staff := env.NewUser(shared.RoleStaff)
	patient := env.NewUser(shared.RolePatient)
	login := func(email, password string) apptest.Request {
		return apptest.Request{Method: "POST", Path: "/api/auth/login", Body: shared.LoginRequest{Email: email, Password: password}}
	}
	for range 3 {
		env.Do(login("locked-out@test.hms", "not the password")).Want(t, http.StatusUnauthorized)
	}
	session := env.Login(staff.User.Email, apptest.Password)
	var doctor shared.RegisterResponse
	var resetToken string

	type want struct {
		action, actor, target, outcome, detail string
		patient                                string
	}
	steps := []struct {
		name   string
		req    func() apptest.Request
		status int
		want   want
	}{
		{"sign-in", func() apptest.Request { return login(staff.User.Email, apptest.Password) }, 200,
			want{action: "auth.login", actor: staff.ID(), outcome: "ok"}},
		{"sign-in with a wrong password", func() apptest.Request { return login(staff.User.Email, "wrong password!") }, 401,
			want{action: "auth.login_failed", actor: staff.ID(), target: "email:", outcome: "denied", detail: "wrong password"}},
		{"sign-in with an unknown email", func() apptest.Request { return login("nobody-here@test.hms", "Secret-typed-as-email1") }, 401,
			want{action: "auth.login_failed", target: "email:", outcome: "denied", detail: "no such account"}},
		{"lock-out", func() apptest.Request { return login("locked-out@test.hms", "not the password") }, 429,
			want{action: "auth.lockout", target: "email:", outcome: "denied", detail: "per account"}},
		{"logout", func() apptest.Request {
			return apptest.Request{Method: "POST", Path: "/api/auth/logout", Token: session.Token}
		}, 204,
			want{action: "auth.logout", actor: staff.ID(), outcome: "ok"}},
		{"password change refused", func() apptest.Request {
			return apptest.Request{Method: "POST", Path: "/api/auth/password", Token: staff.Token,
				Body: shared.ChangePasswordRequest{CurrentPassword: "not it at all", NewPassword: "a brand new password 1"}}
		}, 403, want{action: "auth.password_change", actor: staff.ID(), target: staff.ID(), outcome: "denied"}},
		{"password change", func() apptest.Request {
			return apptest.Request{Method: "POST", Path: "/api/auth/password", Token: staff.Token,
				Body: shared.ChangePasswordRequest{CurrentPassword: apptest.Password, NewPassword: "a brand new password 1"}}
		}, 204, want{action: "auth.password_change", actor: staff.ID(), target: staff.ID(), outcome: "ok"}},
		{"password reset asked", func() apptest.Request {
			return apptest.Request{Method: "POST", Path: "/api/auth/password/forgot", Body: shared.ForgotPasswordRequest{Email: staff.User.Email}}
		}, 202, want{action: "auth.password_reset_request", target: "email:", outcome: "ok"}},
		{"password reset", func() apptest.Request {
			resetToken = env.EmailedToken(staff.User.Email, shared.KindPasswordLink)
			return apptest.Request{Method: "POST", Path: "/api/auth/password/reset", Body: shared.ResetPasswordRequest{Token: resetToken, Password: "another new password 2"}}
		}, 200, want{action: "auth.password_reset", actor: staff.ID(), target: staff.ID(), outcome: "ok"}},
		{"account created", func() apptest.Request {
			return apptest.Request{Method: "POST", Path: "/api/auth/register", Token: admin.Token,
				Body: shared.RegisterRequest{Name: "Dr New", Email: "dr-new@test.hms", Password: apptest.Password, Role: shared.RoleDoctor}}
		}, 201, want{action: "user.create", actor: admin.ID(), target: "<doctor>", outcome: "ok", detail: "doctor"}},
		{"role changed", func() apptest.Request {
			return apptest.Request{Method: "PATCH", Path: "/api/users/" + doctor.ID, Token: admin.Token, Body: map[string]any{"role": "staff"}}
		}, 200, want{action: "user.role_change", actor: admin.ID(), target: "<doctor>", outcome: "ok", detail: "doctor → staff"}},
		{"account disabled", func() apptest.Request {
			return apptest.Request{Method: "PATCH", Path: "/api/users/" + doctor.ID, Token: admin.Token, Body: map[string]any{"disabled": true}}
		}, 200, want{action: "user.disable", actor: admin.ID(), target: "<doctor>", outcome: "ok"}},
		{"break-the-glass", func() apptest.Request {
			return apptest.Request{Method: "POST", Path: "/api/patients/" + patient.User.PatientID + "/access", Token: admin.Token,
				Body: shared.BreakGlassRequest{Reason: "Reviewing an incident report on this record"}}
		}, 201, want{action: "patient.break_glass", actor: admin.ID(), patient: patient.User.PatientID, outcome: "ok"}},
		{"export", func() apptest.Request {
			return apptest.Request{Method: "GET", Path: "/api/me/export", Token: patient.Token}
		}, 200,
			want{action: "patient.export", actor: patient.ID(), patient: patient.User.PatientID, outcome: "ok"}},
		{"settings change", func() apptest.Request {
			return apptest.Request{Method: "POST", Path: "/api/departments", Token: admin.Token, Body: shared.Department{ID: "audited", Name: "Audited"}}
		}, 201, want{action: "settings.department_create", actor: admin.ID(), outcome: "ok"}},
		{"activity log exported", func() apptest.Request {
			return apptest.Request{Method: "GET", Path: "/api/audit/export.csv?action=auth.login_failed", Token: admin.Token}
		}, 200, want{action: "audit.export", actor: admin.ID(), outcome: "ok", detail: "action=auth.login_failed"}},
		{"erasure", func() apptest.Request {
			return apptest.Request{Method: "POST", Path: "/api/patients/" + patient.User.PatientID + "/erasure", Token: admin.Token,
				Body: shared.ErasureRequest{Confirm: true}}
		}, 200, want{action: "patient.erase", actor: admin.ID(), patient: patient.User.PatientID, outcome: "ok"}},
		{"chain verified", func() apptest.Request {
			return apptest.Request{Method: "POST", Path: "/api/audit/verify", Token: admin.Token}
		}, 200,
			want{action: "audit.verify", actor: admin.ID(), outcome: "ok"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			res := env.Do(s.req()).Want(t, s.status)
			if s.want.action == "user.create" {
				res.Decode(t, &doctor)
			}
			if s.want.action == "audit.export" {
				rows, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
				if err != nil || len(rows) < 3 || rows[0][6] != "action" {
					t.Fatalf("got CSV %q (%v), want a header and the two failed sign-ins", res.Body, err)
				}
				for _, r := range rows[1:] {
					if r[6] != "auth.login_failed" {
						t.Errorf("got a %s row in an export filtered to auth.login_failed", r[6])
					}
				}
			}
			rid := res.Header.Get("X-Request-ID")
			docs := env.RawDocs(t, "audit", bson.D{{Key: "request_id", Value: rid}, {Key: "action", Value: s.want.action}})
			if len(docs) != 1 {
				t.Fatalf("got %d %s entries for request %s, want 1", len(docs), s.want.action, rid)
			}
			d := docs[0]
			target := strings.ReplaceAll(s.want.target, "<doctor>", doctor.ID)
			got := func(k string) string { v, _ := d[k].(string); return v }
			if got("actor_id") != s.want.actor || got("outcome") != s.want.outcome || got("patient_id") != s.want.patient ||
				!strings.HasPrefix(got("target"), target) || (target == "" && got("target") != "") || !strings.Contains(got("detail"), s.want.detail) {
				t.Errorf("got entry %v, want %+v", d, s.want)
			}
			if got("hash") == "" || got("chain") == "" {
				t.Errorf("got entry %v without its place in a chain", d)
			}
		})
	}

	t.Run("a self-registered account is created", func(t *testing.T) {
		docs := env.RawDocs(t, "audit", bson.D{{Key: "action", Value: "user.create"}, {Key: "target", Value: patient.ID()}})
		if len(docs) != 1 || docs[0]["actor_id"] != patient.ID() {
			t.Fatalf("got %v, want one user.create of the patient by themself", docs)
		}
	})
	t.Run("no email address, password or token in the trail", func(t *testing.T) {
		all := env.RawDocs(t, "audit", bson.D{})
		var buf bytes.Buffer
		for _, d := range all {
			b, _ := bson.MarshalExtJSON(d, false, false)
			buf.Write(b)
		}
		for _, secret := range []string{"nobody-here@test.hms", "Secret-typed-as-email1", "locked-out@test.hms", staff.User.Email,
			"wrong password!", apptest.Password, "a brand new password 1", "another new password 2", resetToken, staff.Token, session.Token} {
			if secret != "" && strings.Contains(buf.String(), secret) {
				t.Errorf("the audit trail holds %q", secret)
			}
		}
	})
	t.Run("the trail verifies", func(t *testing.T) {
		r, err := env.App.VerifyAudit(t.Context())
		if err != nil || !r.OK {
			t.Fatalf("got %+v, %v; want a clean trail", r, err)
		}
	})
}
