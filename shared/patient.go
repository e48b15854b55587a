package shared

import "time"

// Patient is the patient record returned by GET /api/patient/{id}. The fields after updated_at were
// added with patient records (issue 6); clients that know only the first ones keep working.
type Patient struct {
	ID             string    `json:"id"`
	UserID         string    `json:"user_id,omitempty"`
	Name           string    `json:"name"`
	Email          string    `json:"email,omitempty"`
	MedicalHistory string    `json:"medical_history"`
	Revision       int       `json:"revision"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`

	// MRN is the medical record number: "H", 7 digits and a Luhn check digit.
	MRN               string             `json:"mrn,omitempty"`
	DateOfBirth       string             `json:"date_of_birth,omitempty"` // YYYY-MM-DD
	Sex               string             `json:"sex,omitempty"`           // female, male, other, unknown
	Phone             string             `json:"phone,omitempty"`
	Address           string             `json:"address,omitempty"`
	Allergies         []string           `json:"allergies"`
	Conditions        []string           `json:"conditions"`
	EmergencyContacts []EmergencyContact `json:"emergency_contacts"`
	Unidentified      bool               `json:"unidentified,omitempty"`
	// MergedInto is set once this record was merged into another: read that one instead.
	MergedInto string `json:"merged_into,omitempty"`
}

// EmergencyContact is someone to call about a patient.
type EmergencyContact struct {
	Name     string `json:"name"`
	Relation string `json:"relation,omitempty"`
	Phone    string `json:"phone"`
}

// PatientSummary is a patient's demographics, as search and duplicate detection list them (no
// medical content).
type PatientSummary struct {
	ID           string `json:"id"`
	MRN          string `json:"mrn,omitempty"`
	UserID       string `json:"user_id,omitempty"`
	Name         string `json:"name"`
	DateOfBirth  string `json:"date_of_birth,omitempty"`
	Sex          string `json:"sex,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Unidentified bool   `json:"unidentified,omitempty"`
	MergedInto   string `json:"merged_into,omitempty"`
}

// PatientList answers GET /api/patients and GET /api/patients/{id}/duplicates.
type PatientList struct {
	Items []PatientSummary `json:"items"`
	Total int              `json:"total"`
	Page  int              `json:"page"`
	Limit int              `json:"limit"`
}

// UpdatePatientRequest is the body of PUT /api/patient/{id}.
type UpdatePatientRequest struct {
	MedicalHistory *string `json:"medical_history"`
}

// RegisterPatientRequest is the body of POST /api/patients: a patient without an account.
type RegisterPatientRequest struct {
	Name              string             `json:"name"`
	DateOfBirth       string             `json:"date_of_birth,omitempty"`
	Sex               string             `json:"sex,omitempty"`
	Phone             string             `json:"phone,omitempty"`
	Address           string             `json:"address,omitempty"`
	Allergies         []string           `json:"allergies,omitempty"`
	Conditions        []string           `json:"conditions,omitempty"`
	EmergencyContacts []EmergencyContact `json:"emergency_contacts,omitempty"`
	Unidentified      bool               `json:"unidentified,omitempty"`
}

// PatchPatientRequest is the body of PATCH /api/patients/{id}: only the fields sent change (an empty
// list clears allergies, conditions or contacts).
type PatchPatientRequest struct {
	Name              *string             `json:"name,omitempty"`
	DateOfBirth       *string             `json:"date_of_birth,omitempty"`
	Sex               *string             `json:"sex,omitempty"`
	Phone             *string             `json:"phone,omitempty"`
	Address           *string             `json:"address,omitempty"`
	Allergies         *[]string           `json:"allergies,omitempty"`
	Conditions        *[]string           `json:"conditions,omitempty"`
	EmergencyContacts *[]EmergencyContact `json:"emergency_contacts,omitempty"`
	Unidentified      *bool               `json:"unidentified,omitempty"`
}

// MergeRequest is the body of POST /api/patients/{id}/merge: merge record {id} into Into.
type MergeRequest struct {
	Into string `json:"into"`
}

// HistoryRevision is one version of a patient's medical history.
type HistoryRevision struct {
	Rev            int       `json:"rev"`
	MedicalHistory string    `json:"medical_history"`
	AuthorID       string    `json:"author_id,omitempty"`
	AuthorRole     Role      `json:"author_role,omitempty"`
	At             time.Time `json:"at"`
}

// HistoryList answers GET /api/patients/{id}/history, newest revision first.
type HistoryList struct {
	Items []HistoryRevision `json:"items"`
	Total int               `json:"total"`
	Page  int               `json:"page"`
	Limit int               `json:"limit"`
}
