package shared

import "time"

// DiagnosisStatus says whether a diagnosis still applies.
type DiagnosisStatus string

// The diagnosis statuses.
const (
	DiagnosisActive   DiagnosisStatus = "active"
	DiagnosisResolved DiagnosisStatus = "resolved"
)

// Diagnosis is one diagnosis of an encounter. Code is optional (an ICD-10 code such as "J45.909", as
// text); an empty status means active.
type Diagnosis struct {
	Code        string          `json:"code,omitempty"`
	Description string          `json:"description"`
	Status      DiagnosisStatus `json:"status"`
}

// Vitals is one set of measurements; every field is optional, but a reading has at least one, and
// systolic and diastolic pressure come together.
type Vitals struct {
	TemperatureC    *float64 `json:"temperature_c,omitempty"`
	PulseBPM        *int     `json:"pulse_bpm,omitempty"`
	SystolicMMHg    *int     `json:"systolic_mmhg,omitempty"`
	DiastolicMMHg   *int     `json:"diastolic_mmhg,omitempty"`
	RespiratoryRate *int     `json:"respiratory_rate,omitempty"`
	SpO2Percent     *int     `json:"spo2_percent,omitempty"`
	WeightKg        *float64 `json:"weight_kg,omitempty"`
	HeightCm        *float64 `json:"height_cm,omitempty"`
}

// VitalsReading is a recorded set of vitals: readings are only ever added, never changed.
type VitalsReading struct {
	ID             string    `json:"id"`
	EncounterID    string    `json:"encounter_id"`
	Vitals         Vitals    `json:"vitals"`
	RecordedBy     string    `json:"recorded_by"`
	RecordedByRole Role      `json:"recorded_by_role"`
	RecordedAt     time.Time `json:"recorded_at"`
}

// EncounterTicket is the queue ticket of the appointment an encounter records, as it was when the
// encounter was opened.
type EncounterTicket struct {
	Number     int    `json:"number"`
	Department string `json:"department"`
	Day        string `json:"day"`
}

// Encounter is a visit as it is now (its latest revision), with its vitals readings and procedures.
type Encounter struct {
	ID            string           `json:"id"`
	PatientID     string           `json:"patient_id"`
	AppointmentID string           `json:"appointment_id,omitempty"`
	Ticket        *EncounterTicket `json:"ticket,omitempty"`
	DoctorID      string           `json:"doctor_id,omitempty"`
	Reason        string           `json:"reason"`
	Summary       string           `json:"summary"`
	Notes         string           `json:"notes"`
	Diagnoses     []Diagnosis      `json:"diagnoses"`
	Vitals        []VitalsReading  `json:"vitals"`
	// Procedures are the procedures and treatments recorded during the encounter, oldest performed
	// first, those entered in error included (marked).
	Procedures    []Procedure `json:"procedures"`
	Rev           int         `json:"rev"`
	CreatedBy     string      `json:"created_by"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedBy     string      `json:"updated_by"`
	UpdatedByRole Role        `json:"updated_by_role"`
	UpdatedAt     time.Time   `json:"updated_at"`
}

// EncounterList is a page of a patient's encounters, newest first.
type EncounterList struct {
	Items []Encounter `json:"items"`
	Total int         `json:"total"`
	Page  int         `json:"page"`
	Limit int         `json:"limit"`
}

// CreateEncounterRequest is the body of POST /api/patients/{id}/encounters. Staff may give only the
// reason; summary, notes and diagnoses are a doctor's.
type CreateEncounterRequest struct {
	AppointmentID string      `json:"appointment_id,omitempty"`
	Reason        string      `json:"reason,omitempty"`
	Summary       string      `json:"summary,omitempty"`
	Notes         string      `json:"notes,omitempty"`
	Diagnoses     []Diagnosis `json:"diagnoses,omitempty"`
}

// UpdateEncounterRequest is the body of PATCH /api/encounters/{id}: Rev is the revision the change was
// made on (409 when the encounter has moved on); absent fields stay as they are, diagnoses replace
// the whole list.
type UpdateEncounterRequest struct {
	Rev       *int         `json:"rev"`
	Reason    *string      `json:"reason,omitempty"`
	Summary   *string      `json:"summary,omitempty"`
	Notes     *string      `json:"notes,omitempty"`
	Diagnoses *[]Diagnosis `json:"diagnoses,omitempty"`
}

// EncounterRevision is one version of an encounter's text, with who wrote it and when.
type EncounterRevision struct {
	Rev        int         `json:"rev"`
	Reason     string      `json:"reason"`
	Summary    string      `json:"summary"`
	Notes      string      `json:"notes"`
	Diagnoses  []Diagnosis `json:"diagnoses"`
	AuthorID   string      `json:"author_id"`
	AuthorRole Role        `json:"author_role"`
	At         time.Time   `json:"at"`
}

// EncounterHistory is every revision of an encounter, oldest first.
type EncounterHistory struct {
	EncounterID string              `json:"encounter_id"`
	PatientID   string              `json:"patient_id"`
	Revisions   []EncounterRevision `json:"revisions"`
}

// EncounterExport is one encounter in a patient's data export: as it is now, and every revision.
type EncounterExport struct {
	Encounter Encounter           `json:"encounter"`
	Revisions []EncounterRevision `json:"revisions"`
}

// Procedure is a procedure or treatment performed during an encounter, recorded by a doctor under a
// code of the price list. It is never changed: one recorded by mistake is marked entered in error.
type Procedure struct {
	ID          string `json:"id"`
	EncounterID string `json:"encounter_id"`
	PatientID   string `json:"patient_id"`
	Code        string `json:"code"`
	// Name is the price list's name of the code when the procedure was recorded.
	Name string `json:"name"`
	// Kind is the code's kind on the price list: procedure or treatment.
	Kind           string          `json:"kind"`
	Quantity       int             `json:"quantity"`
	Note           string          `json:"note"`
	PerformedAt    time.Time       `json:"performed_at"`
	RecordedBy     string          `json:"recorded_by"`
	RecordedByRole Role            `json:"recorded_by_role"`
	RecordedAt     time.Time       `json:"recorded_at"`
	EnteredInError *ProcedureError `json:"entered_in_error,omitempty"`
}

// ProcedureError says that a procedure was recorded in error: by whom, when and why.
type ProcedureError struct {
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// RecordProcedureRequest is the body of POST /api/encounters/{id}/procedures: a procedure or treatment
// code of the price list, the quantity (1 when absent), an optional note, and when it was performed
// (now when absent).
type RecordProcedureRequest struct {
	Code        string     `json:"code"`
	Quantity    int        `json:"quantity,omitempty"`
	Note        string     `json:"note,omitempty"`
	PerformedAt *time.Time `json:"performed_at,omitempty"`
}

// EnteredInErrorRequest is the body of POST /api/procedures/{id}/entered-in-error.
type EnteredInErrorRequest struct {
	Reason string `json:"reason"`
}
