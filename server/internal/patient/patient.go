// Package patient keeps patient records and their medical history. Every read and change goes through
// the service, which checks who may see the record and writes the audit trail.
package patient

import (
	"context"
	"time"

	"hms/server/internal/fault"
	"hms/shared"
)

// Record is a patient record.
type Record struct {
	ID             string
	UserID         string
	Name           string
	Email          string
	MedicalHistory string
	// Allergies are the substances the patient is known to react to (pharmacy warns on them).
	Allergies []string
	Revision  int
	// Unidentified marks an emergency admission whose identity is not known yet.
	Unidentified bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Public returns the record as the API shows it.
func (r Record) Public() shared.Patient {
	return shared.Patient{ID: r.ID, UserID: r.UserID, Name: r.Name, Email: r.Email,
		MedicalHistory: r.MedicalHistory, Revision: r.Revision, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// Revision is one version of a patient's medical history. Revisions are only ever inserted, under a
// unique {patient_id, rev} index: two writers cannot both make revision n, and no version is lost.
type Revision struct {
	PatientID      string
	Rev            int
	MedicalHistory string
	AuthorID       string
	AuthorRole     shared.Role
	At             time.Time
}

// Store is what the service needs from storage.
type Store interface {
	InsertPatient(ctx context.Context, r Record) error
	PatientByID(ctx context.Context, id string) (Record, error)
	// InsertRevision fails with ErrRevisionTaken when that revision number exists already.
	InsertRevision(ctx context.Context, rev Revision) error
	// SetCurrent makes rev the record's current medical history, unless a later revision is current.
	SetCurrent(ctx context.Context, rev Revision) error
}

// The domain's errors.
var (
	ErrNotFound      = fault.New(fault.ErrNotFound, "patient not found")
	ErrRevisionTaken = fault.New(fault.ErrConflict, "the record was changed at the same moment; try again")
	errOthersRecord  = fault.New(fault.ErrForbidden, "patients may only access their own record")
)

// maxHistory bounds the medical history text (characters).
const maxHistory = 100_000
