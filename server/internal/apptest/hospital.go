package apptest

import (
	"sync"
	"time"

	"hms/shared"
)

// Clock is a settable time for the hospital clock (Env.SetClock), so that tests are about a known day (slots in
// the future, a queue that fills and empties) whatever the real time is.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Monday is the fixture's day: Monday 7 January 2030, hospital time (UTC in tests).
var Monday = time.Date(2030, 1, 7, 0, 0, 0, 0, time.UTC)

// At returns the fixture day at hh:mm.
func At(hh, mm int) time.Time {
	return Monday.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

// Hospital is a small hospital for scheduling tests: department "general" with two doctors working
// every day 08:00–18:00 in 15-minute slots with a 12:00–13:00 break, a receptionist, and the clock
// set to Monday 07:30.
type Hospital struct {
	Dept            string
	Doctor, Doctor2 User
	Staff           User
	Admin           User
	Clock           *Clock
}

// Schedule is the fixture doctors' weekly schedule.
func Schedule() shared.ScheduleRequest {
	var weekly []shared.Hours
	for d := range 7 {
		wd := d
		weekly = append(weekly, shared.Hours{Weekday: &wd, Start: "08:00", End: "18:00"})
	}
	return shared.ScheduleRequest{Weekly: weekly, SlotMinutes: 15, Breaks: []shared.Hours{{Start: "12:00", End: "13:00"}}}
}

// SetClock sets the hospital's clock (App.Clock, which every service reads), now and after every Restart.
func (e *Env) SetClock(now func() time.Time) {
	e.clock = now
	e.App.Clock.Set(now)
}

// Hospital sets up the fixture hospital on the env.
func (e *Env) Hospital() *Hospital {
	e.T.Helper()
	h := &Hospital{Dept: "general", Admin: e.Admin(), Staff: e.NewUser(shared.RoleStaff), Clock: &Clock{t: At(7, 30)}}
	e.SetClock(h.Clock.Now)
	e.Post("/api/departments", h.Admin.Token, shared.Department{ID: h.Dept, Name: "General medicine"}).Want(e.T, 201)
	h.Doctor, h.Doctor2 = e.NewDoctor(h.Dept, "general practice"), e.NewDoctor(h.Dept, "general practice")
	return h
}

// NewDoctor registers a doctor in dept with the fixture schedule and signs them in.
func (e *Env) NewDoctor(dept, specialty string) User {
	e.T.Helper()
	d := e.NewUser(shared.RoleDoctor)
	admin := e.adminToken()
	e.Put("/api/doctors/"+d.ID(), admin, shared.UpdateDoctorRequest{Specialty: specialty, Department: dept}).Want(e.T, 200)
	e.Put("/api/doctors/"+d.ID()+"/schedule", admin, Schedule()).Want(e.T, 200)
	return d
}

// Book books a slot for a patient as staff and returns the appointment.
func (e *Env) Book(token, doctorID, patientID string, start time.Time) shared.Appointment {
	e.T.Helper()
	var a shared.Appointment
	e.Post("/api/appointments", token, shared.BookRequest{DoctorID: doctorID, PatientID: patientID, Start: start, Reason: "check-up"}).
		Want(e.T, 201).Decode(e.T, &a)
	return a
}

// WalkIn checks a new walk-in patient into dept at the triage level and returns the appointment.
func (e *Env) WalkIn(token, dept, name string, triage int) shared.Appointment {
	e.T.Helper()
	var a shared.Appointment
	e.Post("/api/queue/checkin", token, shared.CheckInRequest{Department: dept, Name: name, Triage: triage}).
		Want(e.T, 201).Decode(e.T, &a)
	return a
}

// CheckIn checks a booked appointment of today in and returns it: the care relationship the access
// rule counts (a booking alone opens no chart).
func (e *Env) CheckIn(token, appointmentID string) shared.Appointment {
	e.T.Helper()
	var a shared.Appointment
	e.Post("/api/queue/checkin", token, shared.CheckInRequest{AppointmentID: appointmentID}).
		Want(e.T, 201).Decode(e.T, &a)
	return a
}

// Attend books a slot of today for a patient and checks them in: the doctor and today's staff then
// have a care relationship with them (docs/security.md row 34). It returns the checked-in appointment.
func (e *Env) Attend(token, doctorID, patientID string, start time.Time) shared.Appointment {
	e.T.Helper()
	return e.CheckIn(token, e.Book(token, doctorID, patientID, start).ID)
}
