package shared

import "time"

// Patient is the patient record returned by GET /api/patient/{id}.
type Patient struct {
	ID             string    `json:"id"`
	UserID         string    `json:"user_id,omitempty"`
	Name           string    `json:"name"`
	Email          string    `json:"email,omitempty"`
	MedicalHistory string    `json:"medical_history"`
	Revision       int       `json:"revision"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// UpdatePatientRequest is the body of PUT /api/patient/{id}.
type UpdatePatientRequest struct {
	MedicalHistory *string `json:"medical_history"`
}
