package main_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
	"hms/shared"
)

// TestCrashBetweenChangeAndReactionOnTwoInstances: a booking's confirmation to the patient is a
// reaction that must not be lost. Instance A is a build that stops dead (os.Exit, as a crash: nothing
// deferred runs) right after the booking is stored, before its reactions run. Instance B, and A once
// restarted with the normal build, both run the reaction workers: the confirmation is made exactly
// once — one notification, one attempt of the reaction, the occurrence finished.
func TestCrashBetweenChangeAndReactionOnTwoInstances(t *testing.T) {
	t.Parallel()
	crashing := failpointBinary(t)
	c := newCluster(t, 2)
	a, b := c.nodes[0], c.nodes[1]
	fast := []string{"REACTION_LEASE=3s", "REACTION_POLL=200ms", "HOSPITAL_TZ=UTC"}
	normal := a.bin
	for _, in := range []*instance{b, a} {
		in.kill()
		in.env = append(in.env, fast...)
	}
	a.bin, a.env = crashing, append(a.env, "HMS_FAILPOINT=reaction.after-change")
	for _, in := range []*instance{b, a} {
		if err := in.startOnFreePort(t); err != nil {
			t.Fatal(err)
		}
	}
	c.logf("A runs the failpoint build; B the normal one")

	// A bookable doctor and a patient, set up through B.
	admin := c.login(b, adminEmail, adminPassword)
	c.must(b, "POST", "/api/departments", admin, shared.Department{ID: "general", Name: "General medicine"}, http.StatusCreated, nil)
	doctorToken := c.newUser(b, admin, shared.RoleDoctor)
	var doctor shared.User
	c.must(b, "GET", "/api/me", doctorToken, nil, http.StatusOK, &doctor)
	c.must(b, "PUT", "/api/doctors/"+doctor.ID, admin, shared.UpdateDoctorRequest{Specialty: "general practice", Department: "general"}, http.StatusOK, nil)
	weekly := []shared.Hours{}
	for d := range 7 {
		wd := d
		weekly = append(weekly, shared.Hours{Weekday: &wd, Start: "08:00", End: "18:00"})
	}
	c.must(b, "PUT", "/api/doctors/"+doctor.ID+"/schedule", admin, shared.ScheduleRequest{Weekly: weekly, SlotMinutes: 15}, http.StatusOK, nil)
	email := testenv.RandomName("patient") + "@test.hms"
	const password = "correct horse battery staple"
	c.must(b, "POST", "/api/auth/register", admin, shared.RegisterRequest{Name: "Ada Crash", Email: email, Password: password}, http.StatusCreated, nil)
	patient := c.login(b, email, password)

	// The booking through A: stored, then A dies before its reactions.
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 2).Add(10 * time.Hour)
	_, _, err := c.call(a, "POST", "/api/appointments", patient, shared.BookRequest{DoctorID: doctor.ID, Start: start, Reason: "check-up"})
	select {
	case <-a.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("A did not stop at the failpoint (booking answered %v)", err)
	}
	c.logf("A stopped at the failpoint: %v", a.exitError())
	if !strings.Contains(a.logs.String(), "failpoint reaction.after-change reached") {
		t.Fatalf("A exited, but not at the failpoint: %v", a.exitError())
	}
	var list shared.AppointmentList
	c.must(b, "GET", "/api/appointments", patient, nil, http.StatusOK, &list)
	if len(list.Items) != 1 {
		t.Fatalf("the patient has %d appointments after the crash, want the 1 booked", len(list.Items))
	}
	occurrence := "appointment.booked:" + list.Items[0].ID + ":1"

	// A comes back with the normal build: two instances now recover what A left behind.
	a.bin = normal
	a.env = a.env[:len(a.env)-1]
	if err := a.startOnFreePort(t); err != nil {
		t.Fatal(err)
	}
	c.logf("A restarted with the normal build")
	confirmations := func() int {
		var ns shared.NotificationList
		c.must(b, "GET", "/api/notifications", patient, nil, http.StatusOK, &ns)
		n := 0
		for _, x := range ns.Items {
			if x.Kind == shared.KindAppointmentBooked {
				n++
			}
		}
		return n
	}
	if !waitFor(30*time.Second, func() bool { return confirmations() > 0 }) {
		t.Fatal("no booking confirmation 30 s after the crash")
	}
	time.Sleep(4 * time.Second) // more than a lease, many polls of both workers
	if n := confirmations(); n != 1 {
		t.Fatalf("%d booking confirmations, want exactly 1", n)
	}

	db, err := mongostore.Open(context.Background(), mongostore.Options{URL: envOf(b, "DATABASE_URL"), Database: envOf(b, "DATABASE_NAME")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	ctx := context.Background()
	attempts, err := db.Collection("reaction_attempts").CountDocuments(ctx,
		bson.D{{Key: "occurrence", Value: occurrence}, {Key: "reaction", Value: "notify.confirm-booked"}})
	if err != nil || attempts != 1 {
		t.Fatalf("attempts of the confirmation: %d (%v), want exactly 1", attempts, err)
	}
	var occ struct {
		Happened   bool       `bson:"happened"`
		FinishedAt *time.Time `bson:"finished_at"`
	}
	if err := db.Collection("reaction_occurrences").FindOne(ctx, bson.D{{Key: "_id", Value: occurrence}}).Decode(&occ); err != nil {
		t.Fatalf("the occurrence %s: %v", occurrence, err)
	}
	if !occ.Happened || occ.FinishedAt == nil {
		t.Fatalf("the occurrence: happened %v, finished %v; want both", occ.Happened, occ.FinishedAt)
	}
}

// must sends a request and fails the test unless it answers want; the body is decoded into out.
func (c *cluster) must(in *instance, method, path, token string, body any, want int, out any) {
	c.t.Helper()
	code, data, err := c.call(in, method, path, token, body)
	if err != nil || code != want {
		c.t.Fatalf("%s %s on %s: got %d %s (%v), want %d", method, path, in.name, code, data, err, want)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
}

func envOf(in *instance, name string) string {
	for _, kv := range in.env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

// failpointBinary builds the server with -tags failpoint (package reaction's failpoints) into a
// directory removed when the test ends.
func failpointBinary(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hms-failpoint")
	cmd := exec.Command("go", "build", "-tags", "failpoint", "-o", path, ".")
	cmd.Env = os.Environ()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags failpoint: %v\n%s", err, out)
	}
	return path
}
