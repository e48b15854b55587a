package shared

import (
	"regexp"
	"time"
)

// Department is a clinical department. Its ID is a short slug (a-z, 0-9, '-') used in queue and
// display channel names: "cardiology", "general-medicine".
type Department struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

var departmentID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// ValidDepartmentID reports whether id can name a department: 1–40 lowercase letters, digits and '-',
// not starting with '-' (it becomes part of channel names). The server and the desktop's settings use it.
func ValidDepartmentID(id string) bool { return departmentID.MatchString(id) }

// DepartmentList answers GET /api/departments.
type DepartmentList struct {
	Items []Department `json:"items"`
}

// Hours is one weekly working period (or break): weekday 0 = Sunday … 6 = Saturday, start and end as
// "HH:MM" in the hospital's time zone. A break with no weekday applies to every working day.
type Hours struct {
	Weekday *int   `json:"weekday,omitempty"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

// ScheduleRequest is the body of PUT /api/doctors/{id}/schedule; it replaces the weekly schedule.
type ScheduleRequest struct {
	Weekly      []Hours `json:"weekly"`
	SlotMinutes int     `json:"slot_minutes"`
	Breaks      []Hours `json:"breaks,omitempty"`
}

// UpdateDoctorRequest is the body of PUT /api/doctors/{id}: the doctor's specialty and department.
type UpdateDoctorRequest struct {
	Specialty  string `json:"specialty"`
	Department string `json:"department"`
}

// Doctor is a doctor's profile and schedule. FreeSlots and NextFree are filled when a list is asked for
// a date.
type Doctor struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Specialty   string     `json:"specialty"`
	Department  string     `json:"department"`
	SlotMinutes int        `json:"slot_minutes"`
	Weekly      []Hours    `json:"weekly"`
	Breaks      []Hours    `json:"breaks"`
	Leave       []Leave    `json:"leave"`
	FreeSlots   *int       `json:"free_slots,omitempty"`
	NextFree    *time.Time `json:"next_free,omitempty"`
}

// DoctorList answers GET /api/doctors.
type DoctorList struct {
	Items    []Doctor `json:"items"`
	Date     string   `json:"date,omitempty"`
	TimeZone string   `json:"time_zone"`
}

// LeaveRequest is the body of POST /api/doctors/{id}/leave: the doctor is unavailable from From to To.
type LeaveRequest struct {
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Reason string    `json:"reason,omitempty"`
}

// Leave is a period a doctor is unavailable.
type Leave struct {
	ID     string    `json:"id"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Reason string    `json:"reason,omitempty"`
}

// LeaveResponse answers POST /api/doctors/{id}/leave with the appointments booked inside the leave,
// which reception must now move.
type LeaveResponse struct {
	Leave     Leave         `json:"leave"`
	Conflicts []Appointment `json:"conflicts"`
}

// Slot is a free appointment slot, [Start, End).
type Slot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// SlotList answers GET /api/doctors/{id}/slots?date=YYYY-MM-DD.
type SlotList struct {
	DoctorID string `json:"doctor_id"`
	Date     string `json:"date"`
	TimeZone string `json:"time_zone"`
	Slots    []Slot `json:"slots"`
}
