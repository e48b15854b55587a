// Package doctor keeps departments, doctors' profiles, weekly schedules and leave, and works out which
// appointment slots are free. Slots are computed, never stored: a weekly schedule in the hospital's time
// zone, minus breaks, leave and the appointments already booked.
package doctor

import (
	"context"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/shared"
)

// Profile is a doctor's profile and weekly schedule. Its ID is the doctor's user account ID.
type Profile struct {
	ID          string
	Name        string
	Specialty   string
	Department  string
	SlotMinutes int
	Weekly      []shared.Hours
	Breaks      []shared.Hours
}

// Leave is a period a doctor is unavailable, [From, To).
type Leave struct {
	ID        string
	DoctorID  string
	From, To  time.Time
	Reason    string
	CreatedBy string
	CreatedAt time.Time
}

// Booking is a booked slot: which appointment holds which doctor's time.
type Booking struct {
	AppointmentID string
	DoctorID      string
	Start, End    time.Time
}

// Store keeps departments, profiles and leave.
type Store interface {
	// InsertDepartment fails with ErrDepartmentExists when the id is taken.
	InsertDepartment(ctx context.Context, d shared.Department) error
	Departments(ctx context.Context) ([]shared.Department, error)
	// SetInfo sets a doctor's name, specialty and department, creating the profile if needed.
	SetInfo(ctx context.Context, id, name, specialty, department string) error
	// SetSchedule sets a doctor's name and schedule, creating the profile if needed.
	SetSchedule(ctx context.Context, id, name string, slotMinutes int, weekly, breaks []shared.Hours) error
	// Profile fails with ErrNotFound when the doctor has no profile.
	Profile(ctx context.Context, id string) (Profile, error)
	Profiles(ctx context.Context) ([]Profile, error)
	InsertLeave(ctx context.Context, l Leave) error
	// DeleteLeave fails with ErrLeaveNotFound when the doctor has no such leave.
	DeleteLeave(ctx context.Context, doctorID, id string) error
	// LeaveBetween returns the leave of the doctors (all when doctorIDs is nil) overlapping [from, to).
	LeaveBetween(ctx context.Context, doctorIDs []string, from, to time.Time) ([]Leave, error)
}

// Bookings tells which appointments hold doctors' time; the appointment domain implements it.
type Bookings interface {
	// Booked returns the booked slots of the doctors overlapping [from, to), not before today.
	Booked(ctx context.Context, doctorIDs []string, from, to time.Time) ([]Booking, error)
	// Appointments returns the appointments with these ids, as the API shows them.
	Appointments(ctx context.Context, ids []string) ([]shared.Appointment, error)
}

// Accounts finds user accounts; the auth service implements it.
type Accounts interface {
	User(ctx context.Context, id string) (auth.User, error)
}

// The domain's errors.
var (
	ErrNotFound         = fault.New(fault.ErrNotFound, "doctor not found")
	ErrNoProfile        = fault.New(fault.ErrNotFound, "this doctor has no profile yet: an admin sets it with PUT /api/doctors/{id}")
	ErrLeaveNotFound    = fault.New(fault.ErrNotFound, "leave not found")
	ErrDepartmentExists = fault.New(fault.ErrConflict, "a department with this id exists already")
	errNotYours         = fault.New(fault.ErrForbidden, "doctors may only change their own schedule")
)
