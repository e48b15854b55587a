package shared

import "time"

// CodeBreakGlassRequired is the error code of a 403 refused for want of a care relationship: the caller
// may state a reason (POST /api/patients/{id}/access) and try again.
const CodeBreakGlassRequired = "break_glass_required"

// BreakGlassRequest is the body of POST /api/patients/{id}/access.
type BreakGlassRequest struct {
	Reason string `json:"reason"`
}

// AccessGrant is a break-the-glass grant: one user's time-limited access to one patient's records.
type AccessGrant struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Role      Role      `json:"role"`
	PatientID string    `json:"patient_id"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// AccessGrantList is a page of grants, newest first.
type AccessGrantList struct {
	Items []AccessGrant `json:"items"`
	Total int           `json:"total"`
	Page  int           `json:"page"`
	Limit int           `json:"limit"`
}

// ReferralRequest is the body of POST /api/patients/{id}/referrals.
type ReferralRequest struct {
	DoctorID string `json:"doctor_id"`
	Reason   string `json:"reason"`
}

// Referral sends a patient to a doctor, who then has a care relationship with them.
type Referral struct {
	ID         string    `json:"id"`
	PatientID  string    `json:"patient_id"`
	DoctorID   string    `json:"doctor_id"`
	ReferredBy string    `json:"referred_by"`
	Reason     string    `json:"reason"`
	CreatedAt  time.Time `json:"created_at"`
}

// ReferralList is a page of a patient's referrals, newest first.
type ReferralList struct {
	Items []Referral `json:"items"`
	Total int        `json:"total"`
	Page  int        `json:"page"`
	Limit int        `json:"limit"`
}

// ErasureRequest is the body of POST /api/me/erasure and POST /api/patients/{id}/erasure.
type ErasureRequest struct {
	Confirm bool `json:"confirm"`
}

// Erasure is the result of an erasure: the pseudonym the record now carries and when it was erased.
// Asking again returns the same result.
type Erasure struct {
	PatientID string    `json:"patient_id"`
	Pseudonym string    `json:"pseudonym"`
	ErasedAt  time.Time `json:"erased_at"`
}

// PatientExport is a patient's data export (GET /api/me/export): everything the hospital holds about
// them, machine-readable, clinical text decrypted.
type PatientExport struct {
	Format        string              `json:"format"`
	ExportedAt    time.Time           `json:"exported_at"`
	Account       User                `json:"account"`
	Patient       Patient             `json:"patient"`
	Revisions     []ExportRevision    `json:"revisions"`
	Appointments  []Appointment       `json:"appointments"`
	Notifications []Notification      `json:"notifications"`
	Referrals     []Referral          `json:"referrals"`
	AccessGrants  []AccessGrant       `json:"access_grants"`
	AccessLog     []ExportAccessEntry `json:"access_log"`
	// Sections are the other domains' parts (prescriptions, lab reports, admissions, …) by name.
	Sections map[string]any `json:"sections"`
}

// ExportFormat names the export's layout and version.
const ExportFormat = "hms-patient-export/1"

// ExportRevision is one version of the medical history in an export.
type ExportRevision struct {
	Rev            int       `json:"rev"`
	MedicalHistory string    `json:"medical_history"`
	AuthorID       string    `json:"author_id"`
	AuthorRole     Role      `json:"author_role"`
	At             time.Time `json:"at"`
}

// ExportAccessEntry is one audit entry about the patient's record: who did what, when, with what outcome.
type ExportAccessEntry struct {
	At        time.Time `json:"at"`
	ActorID   string    `json:"actor_id"`
	ActorRole Role      `json:"actor_role"`
	Action    string    `json:"action"`
	Outcome   string    `json:"outcome"`
}
