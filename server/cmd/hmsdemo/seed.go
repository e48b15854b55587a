package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"hms/shared"
)

// DemoPassword is the password of every demo account. It passes the server's policy.
const DemoPassword = "demo-hospital-2026"

var departments = []shared.Department{
	{ID: "general-medicine", Name: "General Medicine"},
	{ID: "cardiology", Name: "Cardiology"},
	{ID: "pediatrics", Name: "Pediatrics"},
	{ID: "emergency", Name: "Emergency"},
}

// doctorSeed is one demo doctor; book says how many of today's free slots the seed books with them.
type doctorSeed struct {
	name, email, specialty, department string
	book                               int
}

var doctorSeeds = []doctorSeed{
	{"Dr. Alice Adams", "dr.adams@demo.hms", "General practice", "general-medicine", 4},
	{"Dr. Ben Okafor", "dr.okafor@demo.hms", "Internal medicine", "general-medicine", 3},
	{"Dr. Clara Chen", "dr.chen@demo.hms", "Cardiology", "cardiology", 3},
	{"Dr. David Novak", "dr.novak@demo.hms", "Cardiac electrophysiology", "cardiology", 2},
	{"Dr. Emma Evans", "dr.evans@demo.hms", "Pediatrics", "pediatrics", 3},
	{"Dr. Farid Haddad", "dr.haddad@demo.hms", "Emergency medicine", "emergency", 0},
}

const receptionName, receptionEmail = "Rosa Reyes", "reception@demo.hms"

var patientNames = []string{
	"Anna Schmidt", "Bilal Khan", "Carmen Lopez", "Daniel Kim", "Elif Yilmaz",
	"Finn O'Brien", "Grace Mensah", "Hugo Martin", "Isla Campbell", "Jonas Berg",
	"Keiko Tanaka", "Liam Walsh", "Maya Patel", "Noah Fischer", "Olivia Rossi",
	"Pavel Novak", "Quinn Harper", "Rania Haddad", "Samuel Osei", "Tara Nguyen",
}

// doctor is a seeded doctor, signed in.
type doctor struct {
	doctorSeed
	id string
	s  *session
}

// patient is a seeded patient.
type patient struct {
	name, email, id string
}

// hospital is what the seed made: the accounts, the hospital's time zone and today's date there.
type hospital struct {
	admin, reception *session
	doctors          []*doctor
	patients         []*patient
	loc              *time.Location
	today            string
}

// seed creates (or finds) the departments, accounts, profiles and schedules, and books some of today's
// free slots. Running it again changes nothing but books a few more slots.
func seed(ctx context.Context, a *api, adminEmail, adminPassword string) (*hospital, error) {
	h := &hospital{}
	var err error
	if h.admin, err = a.login(ctx, adminEmail, adminPassword); err != nil {
		return nil, fmt.Errorf("admin sign-in (set ADMIN_EMAIL/ADMIN_PASSWORD or -admin-email/-admin-password): %w", err)
	}
	var list shared.DoctorList
	if _, err := a.call(ctx, h.admin, http.MethodGet, "/api/doctors", nil, &list, http.StatusOK); err != nil {
		return nil, err
	}
	if h.loc, err = time.LoadLocation(list.TimeZone); err != nil {
		return nil, fmt.Errorf("the server's time zone %q: %w", list.TimeZone, err)
	}
	h.today = time.Now().In(h.loc).Format(time.DateOnly)
	logf("seeding the demo hospital (server time zone %s, today %s)", h.loc, h.today)

	for _, d := range departments {
		status, err := a.call(ctx, h.admin, http.MethodPost, "/api/departments", d, nil, http.StatusCreated, http.StatusConflict)
		if err != nil {
			return nil, err
		}
		logf("department %-17s %s", d.ID, created(status == http.StatusCreated))
	}
	if err := seedAccounts(ctx, a, h); err != nil {
		return nil, err
	}
	for _, d := range h.doctors {
		if err := setUpDoctor(ctx, a, h, d); err != nil {
			return nil, err
		}
	}
	if err := book(ctx, a, h); err != nil {
		return nil, err
	}
	return h, seedWards(ctx, a, h)
}

func created(c bool) string {
	if c {
		return "created"
	}
	return "exists"
}

// seedAccounts registers (or signs in) the reception, doctor and patient accounts, a few at a time:
// each costs the server a password hash or two.
func seedAccounts(ctx context.Context, a *api, h *hospital) error {
	h.doctors = make([]*doctor, len(doctorSeeds))
	h.patients = make([]*patient, len(patientNames))
	type job struct {
		name, email string
		role        shared.Role
		done        func(*session)
	}
	jobs := []job{{receptionName, receptionEmail, shared.RoleStaff, func(s *session) { h.reception = s }}}
	for i, d := range doctorSeeds {
		jobs = append(jobs, job{d.name, d.email, shared.RoleDoctor, func(s *session) {
			h.doctors[i] = &doctor{doctorSeed: d, id: s.user.ID, s: s}
		}})
	}
	for i, name := range patientNames {
		email := fmt.Sprintf("patient%02d@demo.hms", i+1)
		jobs = append(jobs, job{name, email, shared.RolePatient, func(s *session) {
			h.patients[i] = &patient{name: name, email: email, id: s.user.PatientID}
		}})
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		first   error
		next    = make(chan job)
		workers = 4
	)
	for range workers {
		wg.Go(func() {
			for j := range next {
				s, isNew, err := a.account(ctx, h.admin, j.name, j.email, DemoPassword, j.role)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				if err == nil {
					j.done(s)
					if isNew {
						logf("account %-22s %-7s created", j.email, j.role)
					}
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	if first == nil {
		logf("accounts ready: 1 receptionist, %d doctors, %d patients", len(h.doctors), len(h.patients))
	}
	return first
}

// setUpDoctor sets the doctor's specialty and department, and a weekly schedule: Monday to Friday and
// today's weekday (so the demo works at weekends), 08:00–17:00 with lunch 12:30–13:30, 15-minute slots.
func setUpDoctor(ctx context.Context, a *api, h *hospital, d *doctor) error {
	path := "/api/doctors/" + d.id
	info := shared.UpdateDoctorRequest{Specialty: d.specialty, Department: d.department}
	if _, err := a.call(ctx, h.admin, http.MethodPut, path, info, nil, http.StatusOK); err != nil {
		return err
	}
	days := []int{1, 2, 3, 4, 5}
	if wd := int(time.Now().In(h.loc).Weekday()); wd == 0 || wd == 6 {
		days = append(days, wd)
	}
	req := shared.ScheduleRequest{SlotMinutes: 15, Breaks: []shared.Hours{{Start: "12:30", End: "13:30"}}}
	for _, wd := range days {
		req.Weekly = append(req.Weekly, shared.Hours{Weekday: &wd, Start: "08:00", End: "17:00"})
	}
	if _, err := a.call(ctx, h.admin, http.MethodPut, path+"/schedule", req, nil, http.StatusOK); err != nil {
		return err
	}
	logf("doctor %-18s %-26s %-17s schedule set", d.name, d.specialty, d.department)
	return nil
}

var bookingReasons = map[string][]string{
	"general-medicine": {"annual check-up", "persistent cough", "blood test results", "back pain", "fatigue"},
	"cardiology":       {"chest pain follow-up", "ECG review", "palpitations", "blood pressure control"},
	"pediatrics":       {"vaccination", "ear ache", "growth check", "fever for three days"},
}

// book has reception book the first free slots of today with each doctor, for patients in turn. A slot
// taken meanwhile (409) is skipped.
func book(ctx context.Context, a *api, h *hospital) error {
	n := 0
	for _, d := range h.doctors {
		if d.book == 0 {
			continue
		}
		var slots shared.SlotList
		q := "/api/doctors/" + d.id + "/slots?date=" + url.QueryEscape(h.today)
		if _, err := a.call(ctx, h.reception, http.MethodGet, q, nil, &slots, http.StatusOK); err != nil {
			return err
		}
		for i, slot := range slots.Slots {
			if i >= d.book {
				break
			}
			p := h.patients[n%len(h.patients)]
			reasons := bookingReasons[d.department]
			req := shared.BookRequest{DoctorID: d.id, Start: slot.Start, PatientID: p.id, Reason: reasons[n%len(reasons)]}
			var ap shared.Appointment
			status, err := a.call(ctx, h.reception, http.MethodPost, "/api/appointments", req, &ap, http.StatusCreated, http.StatusConflict)
			if err != nil {
				return err
			}
			n++
			if status == http.StatusConflict {
				logf("booking %s with %s at %s: taken meanwhile (409), skipped", p.name, d.name, clock(slot.Start, h.loc))
				continue
			}
			logf("booked %-14s with %-17s at %s (%s)", p.name, d.name, clock(ap.Start, h.loc), req.Reason)
		}
		if len(slots.Slots) == 0 {
			logf("%s has no free slot left today", d.name)
		}
	}
	return nil
}

// clock formats t as HH:MM in loc.
func clock(t time.Time, loc *time.Location) string { return t.In(loc).Format("15:04") }

// printCredentials prints the demo sign-ins and where to use them.
func printCredentials(h *hospital, base string) {
	fmt.Printf("\nDemo sign-ins — every account's password: %s\n", DemoPassword)
	fmt.Printf("  %-10s %-22s %s\n", "staff", receptionEmail, receptionName+" (reception)")
	for _, d := range h.doctors {
		fmt.Printf("  %-10s %-22s %s — %s, %s\n", "doctor", d.email, d.name, d.specialty, d.department)
	}
	fmt.Printf("  %-10s %s … patient%02d@demo.hms (%s … %s)\n", "patients", h.patients[0].email, len(h.patients),
		h.patients[0].name, h.patients[len(h.patients)-1].name)
	fmt.Printf("  %-10s %-22s (the admin you gave)\n", "admin", h.admin.email)
	fmt.Printf("Sign in at %s/ — reception, doctors and patients each get their own screen;\n", base)
	fmt.Printf("ward displays (no patient names): %s/display; the bed board: %s/beds\n\n", base, base)
}
