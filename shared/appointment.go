package shared

import "time"

// AppointmentStatus is where an appointment is in its day. A walk-in or emergency starts at checked-in.
//
//	scheduled → checked-in → called → in-consultation → completed
//	scheduled → cancelled | no-show;  checked-in → cancelled | no-show;  called → no-show
//	called | in-consultation | no-show → checked-in (return to the queue)
type AppointmentStatus string

// The statuses.
const (
	StatusScheduled      AppointmentStatus = "scheduled"
	StatusCheckedIn      AppointmentStatus = "checked-in"
	StatusCalled         AppointmentStatus = "called"
	StatusInConsultation AppointmentStatus = "in-consultation"
	StatusCompleted      AppointmentStatus = "completed"
	StatusCancelled      AppointmentStatus = "cancelled"
	StatusNoShow         AppointmentStatus = "no-show"
)

// Appointment is a booking, a walk-in or an emergency admission, with its queue ticket once the patient
// has checked in. History is filled by GET /api/appointments/{id}.
type Appointment struct {
	ID          string            `json:"id"`
	PatientID   string            `json:"patient_id"`
	PatientName string            `json:"patient_name,omitempty"`
	DoctorID    string            `json:"doctor_id,omitempty"`
	DoctorName  string            `json:"doctor_name,omitempty"`
	Department  string            `json:"department"`
	Start       time.Time         `json:"start"`
	End         time.Time         `json:"end"`
	Reason      string            `json:"reason,omitempty"`
	Status      AppointmentStatus `json:"status"`
	WalkIn      bool              `json:"walk_in"`
	Emergency   bool              `json:"emergency"`
	Ticket      *Ticket           `json:"ticket,omitempty"`
	CreatedBy   string            `json:"created_by"`
	CreatedAt   time.Time         `json:"created_at"`
	History     []StatusChange    `json:"history,omitempty"`
}

// Ticket is an appointment's place in its department's queue for the day. Number is unique per
// department and day and never reused. Triage is the ESI level, 1 (resuscitation) to 5 (non-urgent).
// WaitMinutes is the actual wait (check-in → called); EstimatedWaitMinutes and Position are given
// while the ticket waits.
type Ticket struct {
	Number               int        `json:"number"`
	Department           string     `json:"department"`
	Day                  string     `json:"day"`
	Triage               int        `json:"triage"`
	CheckedInAt          time.Time  `json:"checked_in_at"`
	CalledAt             *time.Time `json:"called_at,omitempty"`
	CalledBy             string     `json:"called_by,omitempty"`
	StartedAt            *time.Time `json:"started_at,omitempty"`
	FinishedAt           *time.Time `json:"finished_at,omitempty"`
	WaitMinutes          *float64   `json:"wait_minutes,omitempty"`
	Position             int        `json:"position,omitempty"`
	EstimatedWaitMinutes *int       `json:"estimated_wait_minutes,omitempty"`
}

// StatusChange is one step of an appointment's history.
type StatusChange struct {
	Step   int               `json:"step"`
	Action string            `json:"action"`
	Status AppointmentStatus `json:"status"`
	At     time.Time         `json:"at"`
	By     string            `json:"by"`
	Role   Role              `json:"role"`
	Reason string            `json:"reason,omitempty"`
}

// BookRequest is the body of POST /api/appointments. A patient books for themself; staff give
// patient_id. Start must be the start of a free slot (GET /api/doctors/{id}/slots).
type BookRequest struct {
	DoctorID  string    `json:"doctor_id"`
	Start     time.Time `json:"start"`
	Reason    string    `json:"reason,omitempty"`
	PatientID string    `json:"patient_id,omitempty"`
}

// RescheduleRequest is the body of PATCH /api/appointments/{id}: a new start, optionally with another
// doctor.
type RescheduleRequest struct {
	Start    time.Time `json:"start"`
	DoctorID string    `json:"doctor_id,omitempty"`
	Reason   string    `json:"reason,omitempty"`
}

// ReasonRequest is the body of cancel and of the queue transitions: why (optional for transitions).
type ReasonRequest struct {
	Reason string `json:"reason,omitempty"`
}

// AppointmentList answers GET /api/appointments, ordered by start.
type AppointmentList struct {
	Items []Appointment `json:"items"`
	Total int           `json:"total"`
	Page  int           `json:"page"`
	Limit int           `json:"limit"`
}

// CheckInRequest is the body of POST /api/queue/checkin: either appointment_id (a booked patient
// arrived), or a walk-in: department plus patient_id or name (a record is created for a new patient),
// optionally doctor_id. Triage defaults to 4 (ESI "less urgent").
type CheckInRequest struct {
	AppointmentID string `json:"appointment_id,omitempty"`
	Department    string `json:"department,omitempty"`
	PatientID     string `json:"patient_id,omitempty"`
	Name          string `json:"name,omitempty"`
	DoctorID      string `json:"doctor_id,omitempty"`
	Reason        string `json:"reason,omitempty"`
	Triage        int    `json:"triage,omitempty"`
}

// EmergencyRequest is the body of POST /api/queue/emergency: admit now with minimal data. Without
// patient_id an unidentified patient record is created (name optional, e.g. "Unknown, male, ~40").
// Triage 1 or 2 goes to the front of the queue and raises an emergency alert.
type EmergencyRequest struct {
	Department string `json:"department"`
	Triage     int    `json:"triage"`
	PatientID  string `json:"patient_id,omitempty"`
	Name       string `json:"name,omitempty"`
	Complaint  string `json:"complaint,omitempty"`
}

// TriageRequest is the body of POST /api/queue/tickets/{id}/triage.
type TriageRequest struct {
	Level  int    `json:"level"`
	Reason string `json:"reason,omitempty"`
}

// QueueStats summarises a department's queue today. Minutes are fractional.
type QueueStats struct {
	Waiting                    int     `json:"waiting"`
	InConsultation             int     `json:"in_consultation"`
	Seen                       int     `json:"seen"`
	AverageWaitMinutes         float64 `json:"average_wait_minutes"`
	LongestWaitMinutes         float64 `json:"longest_wait_minutes"`
	LongestWaitTodayMinutes    float64 `json:"longest_wait_today_minutes"`
	AverageConsultationMinutes float64 `json:"average_consultation_minutes"`
}

// QueueSnapshot answers GET /api/queues/{department}: waiting tickets in call order (with positions
// and estimates), those called or in consultation, and the day's figures. Staff only: it has names.
type QueueSnapshot struct {
	Department string        `json:"department"`
	Day        string        `json:"day"`
	At         time.Time     `json:"at"`
	Waiting    []Appointment `json:"waiting"`
	Serving    []Appointment `json:"serving"`
	Stats      QueueStats    `json:"stats"`
}

// DisplayBoard is what a waiting-room screen shows (GET /api/queues/{department}/display and the
// display:<department> channel): ticket numbers and waits only, never names.
type DisplayBoard struct {
	Department string          `json:"department"`
	Day        string          `json:"day"`
	At         time.Time       `json:"at"`
	NowServing []DisplayTicket `json:"now_serving"`
	Next       []DisplayTicket `json:"next"`
	Waiting    int             `json:"waiting"`
	// AverageWaitMinutes is today's average actual wait; LongestWaitMinutes the longest current one.
	AverageWaitMinutes float64 `json:"average_wait_minutes"`
	LongestWaitMinutes float64 `json:"longest_wait_minutes"`
}

// DisplayTicket is one ticket on the display board.
type DisplayTicket struct {
	Number               int    `json:"number"`
	DoctorName           string `json:"doctor_name,omitempty"`
	Status               string `json:"status"`
	EstimatedWaitMinutes *int   `json:"estimated_wait_minutes,omitempty"`
}

// QueueEvent is the data of "queue.changed" on queue:dept:<department> and queue:doctor:<doctor id>:
// what happened to which appointment, and every waiting ticket's new position and estimate.
type QueueEvent struct {
	Action      string       `json:"action"`
	Appointment Appointment  `json:"appointment"`
	Waits       []TicketWait `json:"waits"`
}

// TicketWait is a waiting ticket's place and estimate.
type TicketWait struct {
	AppointmentID        string `json:"appointment_id"`
	Number               int    `json:"number"`
	Position             int    `json:"position"`
	EstimatedWaitMinutes int    `json:"estimated_wait_minutes"`
}

// AppointmentEvent is the data of the appointment.* events on patient:<id> and queue:doctor:<id>.
type AppointmentEvent struct {
	Action      string      `json:"action"`
	Appointment Appointment `json:"appointment"`
}

// Dashboard answers GET /api/doctors/{id}/dashboard: the doctor's day.
type Dashboard struct {
	Doctor                     Doctor        `json:"doctor"`
	Day                        string        `json:"day"`
	Appointments               []Appointment `json:"appointments"`
	Queue                      []Appointment `json:"queue"`
	Current                    *Appointment  `json:"current,omitempty"`
	Seen                       int           `json:"seen"`
	AverageConsultationMinutes float64       `json:"average_consultation_minutes"`
}

// Event types of the scheduling and queue domain.
const (
	EventAppointment  = "appointment.changed" // AppointmentEvent on patient:<id> and queue:doctor:<id>
	EventQueueChanged = "queue.changed"       // QueueEvent on queue:dept:<d> and queue:doctor:<id>
	EventDisplay      = "display.updated"     // DisplayBoard on display:<d>
	EventQueueWaits   = "queue.waits"         // QueueWaits on queue:dept:<d>, when waits changed with time alone
)

// QueueWaits is the data of "queue.waits": the department's waiting tickets with new estimates,
// published when time alone changed them (a consultation running long), not a queue change.
type QueueWaits struct {
	Department string       `json:"department"`
	Waits      []TicketWait `json:"waits"`
}

// AppointmentListQuery is the query of GET /api/appointments: doctor_id, patient_id, date (YYYY-MM-DD,
// hospital time) and status, each optional.
type AppointmentListQuery struct {
	DoctorID  string
	PatientID string
	Date      string
	Status    string
}
