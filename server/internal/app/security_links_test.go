package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/testenv"
	"hms/shared"
)

// inbox reads what a mailpit received.
type inbox struct{ m *testenv.MailpitServer }

type inboxMessage struct {
	ID      string
	Subject string
	To      []struct{ Address string }
}

// to returns the messages to address, newest first.
func (b inbox) to(t *testing.T, address string) []inboxMessage {
	t.Helper()
	resp, err := http.Get(b.m.APIURL + "/api/v1/messages?limit=1000")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Messages []inboxMessage }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	var mine []inboxMessage
	for _, m := range out.Messages {
		if len(m.To) == 1 && strings.EqualFold(m.To[0].Address, address) {
			mine = append(mine, m)
		}
	}
	return mine
}

func (b inbox) text(t *testing.T, id string) string {
	t.Helper()
	resp, err := http.Get(b.m.APIURL + "/api/v1/message/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ Text string }
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m.Text
}

// waitFor waits up to 15 s for ok.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mailEnv starts a server that emails through a local mailpit, with links under PUBLIC_URL.
func mailEnv(t *testing.T) (*apptest.Env, inbox) {
	t.Helper()
	mp := testenv.Mailpit(t, testenv.MailpitOptions{NoTLS: true})
	env := apptest.New(t, apptest.WithEnv("EMAIL_HOST", mp.SMTPHost), apptest.WithEnv("EMAIL_PORT", strconv.Itoa(mp.SMTPPort)),
		apptest.WithEnv("PUBLIC_URL", "https://hms.stmarys.example"), apptest.WithEnv("NOTIFY_SCAN", "1h"))
	return env, inbox{mp}
}

var emailedLink = regexp.MustCompile(`https://hms\.stmarys\.example(/[a-z-]+)\?token=([A-Za-z0-9_-]{43})`)

// linkIn returns the path and token of the one link in an email's text.
func linkIn(t *testing.T, text string) (path, token string) {
	t.Helper()
	m := emailedLink.FindAllStringSubmatch(text, -1)
	if len(m) != 1 {
		t.Fatalf("got links %q in the email, want one under PUBLIC_URL:\n%s", m, text)
	}
	return m[0][1], m[0][2]
}

// sameAnswer fails unless two error answers have the same status, code and message.
func sameAnswer(t *testing.T, what string, got, want *apptest.Response) {
	t.Helper()
	var g, w shared.Error
	got.Decode(t, &g)
	want.Decode(t, &w)
	if got.Status != want.Status || g.Error != w.Error {
		t.Fatalf("%s: got %d %+v, want %d %+v", what, got.Status, g.Error, want.Status, w.Error)
	}
}

// TestSecurity40RegistrationDoesNotTellWhoHasAnAccount checks row 40: self-registering an email that
// has an account answers exactly as a new registration does (status, headers that matter, body), stores
// nothing and tells the owner by email; a new email gets an emailed link (mailpit), and until it is
// followed signing in with the chosen password answers as a wrong password does; the link makes the
// account once (a second use, and the loser of two racing uses, get 400 invalid_or_expired_token); an
// expired link is 400 and pruned; an admin registering a taken email still gets 409. That both paths run
// the password hash once is TestSelfRegistrationHashesOnBothPaths (internal/auth/signup_test.go).
func TestSecurity40RegistrationDoesNotTellWhoHasAnAccount(t *testing.T) {
	t.Parallel()
	env, mail := mailEnv(t)
	register := func(token, name, email, password string) *apptest.Response {
		return env.Post("/api/auth/register", token, shared.RegisterRequest{Name: name, Email: email, Password: password})
	}
	owner := env.NewUser(shared.RolePatient)
	fresh := register("", "Nina New", "nina@test.hms", apptest.Password)
	taken := register("", "Someone Else", strings.ToUpper(owner.User.Email), "another good passphrase")
	if fresh.Status != http.StatusAccepted || taken.Status != fresh.Status {
		t.Fatalf("got %d for a new email and %d for a taken one, want 202 for both", fresh.Status, taken.Status)
	}
	if string(taken.Body) != string(fresh.Body) {
		t.Fatalf("got body %s for a taken email, want the new one's %s", taken.Body, fresh.Body)
	}
	for _, h := range []string{"Content-Type", "Content-Length", "Location"} {
		if taken.Header.Get(h) != fresh.Header.Get(h) {
			t.Errorf("got %s %q for a taken email, want %q as for a new one", h, taken.Header.Get(h), fresh.Header.Get(h))
		}
	}
	if n := countDocs(t, env, "auth_links", bson.D{{Key: "email", Value: owner.User.Email}}); n != 0 {
		t.Errorf("got %d pending registrations for the taken email, want none", n)
	}
	if n := countDocs(t, env, "users", bson.D{{Key: "email", Value: "nina@test.hms"}}); n != 0 {
		t.Errorf("got %d accounts for nina before she confirmed, want none", n)
	}

	// The taken email's account is unchanged, and its owner is told by email.
	wantErr(t, env.Post("/api/auth/login", "", shared.LoginRequest{Email: owner.User.Email, Password: "another good passphrase"}),
		http.StatusUnauthorized, "unauthenticated")
	waitFor(t, "the owner's notice", func() bool {
		for _, m := range mail.to(t, owner.User.Email) {
			if strings.Contains(m.Subject, "tried to register") {
				return true
			}
		}
		return false
	})

	// Before the link is followed, Nina's chosen password answers as a wrong password does.
	sameAnswer(t, "sign-in before confirmation",
		env.Post("/api/auth/login", "", shared.LoginRequest{Email: "nina@test.hms", Password: apptest.Password}),
		env.Post("/api/auth/login", "", shared.LoginRequest{Email: owner.User.Email, Password: "a wrong passphrase"}))

	// The link arrives by email and makes the account, signed in, once.
	waitFor(t, "the confirmation email", func() bool { return len(mail.to(t, "nina@test.hms")) == 1 })
	path, token := linkIn(t, mail.text(t, mail.to(t, "nina@test.hms")[0].ID))
	if path != "/confirm" {
		t.Fatalf("got link path %q, want /confirm", path)
	}
	var nina shared.TokenResponse
	env.Post("/api/auth/confirm", "", shared.ConfirmRequest{Token: token}).Want(t, http.StatusCreated).Decode(t, &nina)
	if nina.User.Name != "Nina New" || nina.User.Role != shared.RolePatient || nina.User.PatientID == "" || nina.Token == "" {
		t.Fatalf("got %+v, want Nina's patient account with her record, signed in", nina)
	}
	env.Get("/api/patient/"+nina.User.PatientID, nina.Token).Want(t, http.StatusOK)
	signIn(t, env, "nina@test.hms", apptest.Password)
	wantErr(t, env.Post("/api/auth/confirm", "", shared.ConfirmRequest{Token: token}), http.StatusBadRequest, "invalid_or_expired_token")
	if n := countDocs(t, env, "auth_links", bson.D{}); n != 0 {
		t.Errorf("got %d links left, want none", n)
	}

	// Two confirmations of one link at the same moment: exactly one account, one winner.
	register("", "Racer", "racer@test.hms", apptest.Password).Want(t, http.StatusAccepted)
	waitFor(t, "the racer's email", func() bool { return len(mail.to(t, "racer@test.hms")) == 1 })
	_, token = linkIn(t, mail.text(t, mail.to(t, "racer@test.hms")[0].ID))
	const racers = 8
	statuses := make([]int, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := apptest.Client{URL: env.URL}.Send(context.Background(), apptest.Request{Method: "POST", Path: "/api/auth/confirm",
				Body: shared.ConfirmRequest{Token: token}})
			if err == nil {
				statuses[i] = r.Status
			}
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for _, st := range statuses {
		switch st {
		case http.StatusCreated:
			won++
		case http.StatusBadRequest:
		default:
			t.Errorf("got status %d from a racing confirmation, want 201 or 400", st)
		}
	}
	if won != 1 || countDocs(t, env, "users", bson.D{{Key: "email", Value: "racer@test.hms"}}) != 1 {
		t.Fatalf("got %d confirmations accepted of %d racing (statuses %v), want exactly one and one account", won, racers, statuses)
	}

	// An expired link is refused, and pruned.
	register("", "Late", "late@test.hms", apptest.Password).Want(t, http.StatusAccepted)
	waitFor(t, "the late email", func() bool { return len(mail.to(t, "late@test.hms")) == 1 })
	_, token = linkIn(t, mail.text(t, mail.to(t, "late@test.hms")[0].ID))
	if _, err := env.App.DB.Collection("auth_links").UpdateMany(context.Background(), bson.D{{Key: "email", Value: "late@test.hms"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expires_at", Value: time.Now().Add(-time.Minute)}}}}); err != nil {
		t.Fatal(err)
	}
	register("", "Never", "never@test.hms", apptest.Password).Want(t, http.StatusAccepted)
	if _, err := env.App.DB.Collection("auth_links").UpdateMany(context.Background(), bson.D{{Key: "email", Value: "never@test.hms"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expires_at", Value: time.Now().Add(-time.Minute)}}}}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, env.Post("/api/auth/confirm", "", shared.ConfirmRequest{Token: token}), http.StatusBadRequest, "invalid_or_expired_token")
	if n, err := env.App.Auth.PruneLinks(context.Background()); err != nil || n != 1 {
		t.Fatalf("pruned %d (%v), want the one registration never confirmed", n, err)
	}
	if n := countDocs(t, env, "auth_links", bson.D{}); n != 0 {
		t.Errorf("got %d links left after pruning, want none", n)
	}
	wantErr(t, env.Post("/api/auth/login", "", shared.LoginRequest{Email: "late@test.hms", Password: apptest.Password}),
		http.StatusUnauthorized, "unauthenticated")

	// An admin, who may know who has an account, is still told.
	admin := env.Admin()
	wantErr(t, register(admin.Token, "Nina Again", "nina@test.hms", apptest.Password), http.StatusConflict, "conflict")
}

// TestSecurity50PasswordLinks checks row 50: a forgotten password for an unknown email answers as for a
// known one and emails nothing; a known one gets a link (mailpit) that sets a new password once, after
// which every earlier session is refused and the old password no longer works; a weak password is
// refused without spending the link; an admin's set-password link (admin only, audited) works the
// same way, and a newer reset ends older links.
func TestSecurity50PasswordLinks(t *testing.T) {
	t.Parallel()
	env, mail := mailEnv(t)
	u := env.NewUser(shared.RoleStaff)
	other := env.Login(u.User.Email, apptest.Password) // a second session

	forgot := func(email string) *apptest.Response {
		return env.Post("/api/auth/password/forgot", "", shared.ForgotPasswordRequest{Email: email})
	}
	unknown := forgot("nobody@test.hms")
	known := forgot(strings.ToUpper(u.User.Email))
	if unknown.Status != http.StatusAccepted || known.Status != unknown.Status || string(known.Body) != string(unknown.Body) {
		t.Fatalf("got %d %s for an unknown email and %d %s for a known one, want the same 202", unknown.Status, unknown.Body, known.Status, known.Body)
	}
	waitFor(t, "the reset email", func() bool { return len(mail.to(t, u.User.Email)) == 1 })
	if n := len(mail.to(t, "nobody@test.hms")); n != 0 {
		t.Errorf("got %d emails to the unknown address, want none", n)
	}
	path, token := linkIn(t, mail.text(t, mail.to(t, u.User.Email)[0].ID))
	if path != "/reset-password" {
		t.Fatalf("got link path %q, want /reset-password", path)
	}

	reset := func(token, password string) *apptest.Response {
		return env.Post("/api/auth/password/reset", "", shared.ResetPasswordRequest{Token: token, Password: password})
	}
	wantErr(t, reset(token, "password123"), http.StatusBadRequest, "invalid_request") // too common: the link stays
	reset(token, "a brand new passphrase").Want(t, http.StatusOK)
	wantErr(t, reset(token, "yet another passphrase"), http.StatusBadRequest, "invalid_or_expired_token")
	for _, s := range []apptest.User{u, other} {
		wantErr(t, env.Get("/api/me", s.Token), http.StatusUnauthorized, "unauthenticated")
		wantErr(t, env.Post("/api/auth/refresh", "", shared.RefreshRequest{RefreshToken: s.RefreshToken}), http.StatusUnauthorized, "unauthenticated")
	}
	wantErr(t, env.Post("/api/auth/login", "", shared.LoginRequest{Email: u.User.Email, Password: apptest.Password}), http.StatusUnauthorized, "unauthenticated")
	signIn(t, env, u.User.Email, "a brand new passphrase")

	// An admin's set-password link: others may not send one; it works like a reset, once.
	admin := env.Admin()
	for _, role := range []shared.Role{shared.RolePatient, shared.RoleDoctor, shared.RoleStaff} {
		wantErr(t, env.Post("/api/users/"+u.ID()+"/password-link", env.NewUser(role).Token, nil), http.StatusForbidden, "forbidden")
	}
	var sent shared.PasswordLinkSent
	env.Post("/api/users/"+u.ID()+"/password-link", admin.Token, nil).Want(t, http.StatusAccepted).Decode(t, &sent)
	if d := time.Until(sent.ExpiresAt); d < 71*time.Hour || d > 73*time.Hour {
		t.Errorf("got the link expiring in %v, want about 72h", d)
	}
	waitFor(t, "the set-password email", func() bool { return len(mail.to(t, u.User.Email)) == 2 })
	msgs := mail.to(t, u.User.Email)
	if !strings.HasPrefix(msgs[0].Subject, "Set your password") {
		t.Errorf("got subject %q, want a set-password email", msgs[0].Subject)
	}
	_, adminToken := linkIn(t, mail.text(t, msgs[0].ID))
	// A forgotten-password link sent meanwhile: the first reset ends the other.
	forgot(u.User.Email).Want(t, http.StatusAccepted)
	waitFor(t, "the second reset email", func() bool { return len(mail.to(t, u.User.Email)) == 3 })
	_, later := linkIn(t, mail.text(t, mail.to(t, u.User.Email)[0].ID))
	reset(adminToken, "chosen by the owner").Want(t, http.StatusOK)
	wantErr(t, reset(later, "chosen again later"), http.StatusBadRequest, "invalid_or_expired_token")
	signIn(t, env, u.User.Email, "chosen by the owner")

	var trail struct{ Items []map[string]any }
	env.Get("/api/audit?actor_id="+admin.ID(), admin.Token).Want(t, http.StatusOK).Decode(t, &trail)
	found := false
	for _, e := range trail.Items {
		if e["action"] == "user.password_link" && e["target"] == u.ID() && e["outcome"] == "ok" {
			found = true
		}
	}
	if !found {
		t.Errorf("got audit entries %+v, want user.password_link on %s", trail.Items, u.ID())
	}
}
