package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
	_ "time/tzdata" // the server's HOSPITAL_TZ, even where the machine has no tz database

	"hms/shared"
)

const benchPassword = "bench password for hms"

// fixture is what a booking benchmark runs against: a fresh department with its doctors, patients, and
// the token each booking is sent with.
type fixture struct {
	c        *client
	admin    string
	staff    string // with -as staff
	dept     string
	doctors  []string
	patients []benchPatient
	loc      *time.Location
	took     time.Duration
}

// benchPatient is a registered patient; token is set when patients book for themselves.
type benchPatient struct {
	id, token string
}

// booking returns the token and body of patient p's booking of doctorID at start.
func (f *fixture) booking(p benchPatient, doctorID string, start time.Time) (string, shared.BookRequest) {
	req := shared.BookRequest{DoctorID: doctorID, Start: start, Reason: "benchmark"}
	if f.staff != "" {
		req.PatientID = p.id
		return f.staff, req
	}
	return p.token, req
}

// setUp creates a department named after this run, doctors with the same schedule every day of the week
// (o.open–o.close, o.slotMinutes slots, no breaks) and patients, registered and signed in a few at a time.
func setUp(c *client, o options, doctors, patients int) (*fixture, error) {
	if o.as != "patient" && o.as != "staff" {
		return nil, fmt.Errorf("-as must be patient or staff, not %q", o.as)
	}
	if o.adminEmail == "" || o.adminPassword == "" {
		return nil, fmt.Errorf("an admin is needed: -admin-email and -admin-password (or ADMIN_EMAIL, ADMIN_PASSWORD)")
	}
	t0 := time.Now()
	f := &fixture{c: c}
	var tok shared.TokenResponse
	if err := c.call(http.MethodPost, "/api/auth/login", "", shared.LoginRequest{Email: o.adminEmail, Password: o.adminPassword}, &tok, http.StatusOK); err != nil {
		return nil, fmt.Errorf("admin sign-in: %w", err)
	}
	f.admin = tok.Token
	var list shared.DoctorList
	if err := c.call(http.MethodGet, "/api/doctors", f.admin, nil, &list, http.StatusOK); err != nil {
		return nil, err
	}
	var err error
	if f.loc, err = time.LoadLocation(list.TimeZone); err != nil {
		return nil, fmt.Errorf("server time zone %q: %w", list.TimeZone, err)
	}
	run := randomHex(4)
	f.dept = "bench-" + run
	if err := c.call(http.MethodPost, "/api/departments", f.admin, shared.Department{ID: f.dept, Name: "Bench " + run}, nil, http.StatusCreated); err != nil {
		return nil, err
	}
	sched := shared.ScheduleRequest{SlotMinutes: o.slotMinutes}
	for wd := range 7 {
		sched.Weekly = append(sched.Weekly, shared.Hours{Weekday: &wd, Start: o.open, End: o.close})
	}
	f.doctors = make([]string, doctors)
	err = parallel(doctors, func(i int) error {
		email := fmt.Sprintf("bench-%s-d%02d@bench.example.org", run, i)
		var reg shared.RegisterResponse
		req := shared.RegisterRequest{Name: fmt.Sprintf("Dr. Bench %d", i), Email: email, Password: benchPassword, Role: shared.RoleDoctor}
		if err := c.call(http.MethodPost, "/api/auth/register", f.admin, req, &reg, http.StatusCreated); err != nil {
			return err
		}
		f.doctors[i] = reg.ID
		path := "/api/doctors/" + reg.ID
		if err := c.call(http.MethodPut, path, f.admin, shared.UpdateDoctorRequest{Specialty: "Benchmarking", Department: f.dept}, nil, http.StatusOK); err != nil {
			return err
		}
		return c.call(http.MethodPut, path+"/schedule", f.admin, sched, nil, http.StatusOK)
	})
	if err != nil {
		return nil, err
	}
	if o.as == "staff" {
		email := fmt.Sprintf("bench-%s-staff@bench.example.org", run)
		req := shared.RegisterRequest{Name: "Bench Reception", Email: email, Password: benchPassword, Role: shared.RoleStaff}
		if err := c.call(http.MethodPost, "/api/auth/register", f.admin, req, nil, http.StatusCreated); err != nil {
			return nil, err
		}
		if err := c.call(http.MethodPost, "/api/auth/login", "", shared.LoginRequest{Email: email, Password: benchPassword}, &tok, http.StatusOK); err != nil {
			return nil, err
		}
		f.staff = tok.Token
	}
	f.patients = make([]benchPatient, patients)
	err = parallel(patients, func(i int) error {
		email := fmt.Sprintf("bench-%s-p%04d@bench.example.org", run, i)
		var reg shared.RegisterResponse
		req := shared.RegisterRequest{Name: fmt.Sprintf("Bench Patient %d", i), Email: email, Password: benchPassword}
		// Through the admin: self-registration is limited per client address (REGISTER_MAX_PER_IP).
		if err := c.call(http.MethodPost, "/api/auth/register", f.admin, req, &reg, http.StatusCreated); err != nil {
			return err
		}
		f.patients[i].id = reg.PatientID
		if o.as == "staff" {
			return nil
		}
		var tok shared.TokenResponse
		if err := c.call(http.MethodPost, "/api/auth/login", "", shared.LoginRequest{Email: email, Password: benchPassword}, &tok, http.StatusOK); err != nil {
			return err
		}
		f.patients[i].token = tok.Token
		return nil
	})
	f.took = time.Since(t0)
	return f, err
}

// days returns the next n dates (YYYY-MM-DD) in the hospital's time zone, from tomorrow.
func (f *fixture) days(n int) []string {
	now := time.Now().In(f.loc)
	out := make([]string, n)
	for i := range out {
		out[i] = time.Date(now.Year(), now.Month(), now.Day()+1+i, 12, 0, 0, 0, f.loc).Format(time.DateOnly)
	}
	return out
}

// freeSlots returns the free slots of each doctor on each date: [doctor] → slots in time order.
func (f *fixture) freeSlots(dates []string) ([][]shared.Slot, error) {
	per := make([][][]shared.Slot, len(f.doctors))
	for i := range per {
		per[i] = make([][]shared.Slot, len(dates))
	}
	err := parallel(len(f.doctors)*len(dates), func(k int) error {
		d, day := k/len(dates), k%len(dates)
		var sl shared.SlotList
		path := "/api/doctors/" + f.doctors[d] + "/slots?date=" + url.QueryEscape(dates[day])
		if err := f.c.call(http.MethodGet, path, f.admin, nil, &sl, http.StatusOK); err != nil {
			return err
		}
		per[d][day] = sl.Slots
		return nil
	})
	out := make([][]shared.Slot, len(f.doctors))
	for d := range per {
		for _, s := range per[d] {
			out[d] = append(out[d], s...)
		}
	}
	return out, err
}

// parallel runs f(0) … f(n-1) on a few goroutines (set-up is bound by the server's password hashing)
// and returns the first error.
func parallel(n int, f func(i int) error) error {
	const workers = 8
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
