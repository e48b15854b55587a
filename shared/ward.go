package shared

import "time"

// Ward is a ward with its bed occupancy, as GET /api/wards lists it.
type Ward struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Department string    `json:"department"`
	Total      int       `json:"total"`
	Occupied   int       `json:"occupied"`
	Free       int       `json:"free"`
	CreatedAt  time.Time `json:"created_at"`
}

// CreateWardRequest is the body of POST /api/wards. ID follows the department-ID rule
// (ValidDepartmentID): it becomes part of the channel name beds:<ward>.
type CreateWardRequest struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Department string `json:"department"`
}

// WardList answers GET /api/wards.
type WardList struct {
	Items []Ward `json:"items"`
}

// AddBedsRequest is the body of POST /api/wards/{id}/beds: the labels of the beds to add.
type AddBedsRequest struct {
	Labels []string `json:"labels"`
}

// Bed states.
const (
	BedFree     = "free"
	BedOccupied = "occupied"
)

// Bed is one bed of a ward's board. AdmissionID is set when occupied; PatientID only in REST answers
// (never in live events). No bed carries a patient's name.
type Bed struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	State       string `json:"state"`
	AdmissionID string `json:"admission_id,omitempty"`
	PatientID   string `json:"patient_id,omitempty"`
}

// BedBoard is one ward's beds and occupancy: GET /api/wards/{id}/beds, and each ward in a beds.updated
// event.
type BedBoard struct {
	Ward Ward  `json:"ward"`
	Beds []Bed `json:"beds"`
}

// BedList answers POST /api/wards/{id}/beds: the beds added.
type BedList struct {
	Items []Bed `json:"items"`
}

// EventBedsUpdated is the type of the event on the beds channels after an admission, transfer or
// discharge.
const EventBedsUpdated = "beds.updated"

// BedsEvent is the data of a beds.updated event: the action, the admission it concerns, and the boards
// of the wards it touched (two for a transfer between wards), as they are when the event is published.
// It holds no patient ids or names.
type BedsEvent struct {
	Action      string     `json:"action"`
	AdmissionID string     `json:"admission_id"`
	Wards       []BedBoard `json:"wards"`
}

// Admission sources.
const (
	SourceEmergency   = "emergency"
	SourceAppointment = "appointment"
	SourcePlanned     = "planned"
)

// Admission statuses.
const (
	AdmissionActive     = "active"
	AdmissionDischarged = "discharged"
)

// AdmitRequest is the body of POST /api/admissions. BedID may be left out: the ward's first free bed is
// taken. AppointmentID is required for source "appointment" and optional for "emergency" (the ticket of
// POST /api/queue/emergency).
type AdmitRequest struct {
	PatientID     string `json:"patient_id"`
	WardID        string `json:"ward_id"`
	BedID         string `json:"bed_id,omitempty"`
	DoctorID      string `json:"doctor_id"`
	Source        string `json:"source"`
	AppointmentID string `json:"appointment_id,omitempty"`
	Reason        string `json:"reason"`
}

// TransferRequest is the body of POST /api/admissions/{id}/transfer; BedID may be left out (the ward's
// first free bed). DoctorID, when set, hands the patient over to another attending doctor.
type TransferRequest struct {
	WardID   string `json:"ward_id"`
	BedID    string `json:"bed_id,omitempty"`
	DoctorID string `json:"doctor_id,omitempty"`
}

// DischargeRequest is the body of POST /api/admissions/{id}/discharge.
type DischargeRequest struct {
	Summary     string `json:"summary"`
	Disposition string `json:"disposition"`
}

// Discharge dispositions: where the patient went.
var Dispositions = []string{"home", "transferred-out", "against-advice", "deceased", "other"}

// AdmissionChange is one step of an admission's history.
type AdmissionChange struct {
	Step   int       `json:"step"`
	Action string    `json:"action"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Role   Role      `json:"role"`
	WardID string    `json:"ward_id"`
	BedID  string    `json:"bed_id"`
	// DoctorID is the attending doctor after the step.
	DoctorID string `json:"doctor_id"`
}

// Admission is an inpatient stay. Reason and DischargeSummary are stored encrypted.
type Admission struct {
	ID               string            `json:"id"`
	PatientID        string            `json:"patient_id"`
	PatientName      string            `json:"patient_name,omitempty"`
	WardID           string            `json:"ward_id"`
	WardName         string            `json:"ward_name,omitempty"` // the ward's name, for people's screens
	BedID            string            `json:"bed_id"`
	BedLabel         string            `json:"bed_label"`
	DoctorID         string            `json:"doctor_id"`
	Source           string            `json:"source"`
	AppointmentID    string            `json:"appointment_id,omitempty"`
	Reason           string            `json:"reason"`
	Status           string            `json:"status"`
	AdmittedAt       time.Time         `json:"admitted_at"`
	AdmittedBy       string            `json:"admitted_by"`
	DischargedAt     *time.Time        `json:"discharged_at,omitempty"`
	DischargeSummary string            `json:"discharge_summary,omitempty"`
	Disposition      string            `json:"disposition,omitempty"`
	History          []AdmissionChange `json:"history,omitempty"`
}

// AdmissionList is a page of admissions, newest first.
type AdmissionList struct {
	Items []Admission `json:"items"`
	Total int         `json:"total"`
	Page  int         `json:"page"`
	Limit int         `json:"limit"`
}
