// Package patient keeps patient records and their medical history. Every read and change goes through
// the service, which checks who may see the record and writes the audit trail.
package patient

import (
	"context"
	"time"

	"hms/server/internal/fault"
	"hms/server/internal/idem"
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

	// MRN is the medical record number (NewMRN), unique through a claim in the store.
	MRN         string
	DateOfBirth string // YYYY-MM-DD
	Sex         string
	Phone       string
	Address     string
	// Conditions are the patient's known conditions (sealed, like allergies and the history).
	Conditions        []string
	EmergencyContacts []shared.EmergencyContact
	// MergedInto is the record this one was merged into; a merged record takes no more writes.
	MergedInto string
}

// Public returns the record as the API shows it.
func (r Record) Public() shared.Patient {
	return shared.Patient{ID: r.ID, UserID: r.UserID, Name: r.Name, Email: r.Email,
		MedicalHistory: r.MedicalHistory, Revision: r.Revision, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		MRN: r.MRN, DateOfBirth: r.DateOfBirth, Sex: r.Sex, Phone: r.Phone, Address: r.Address,
		Allergies: nonNil(r.Allergies), Conditions: nonNil(r.Conditions), EmergencyContacts: nonNil(r.EmergencyContacts),
		Unidentified: r.Unidentified, MergedInto: r.MergedInto}
}

// Summary returns the record's demographics, as search lists them (no medical content).
func (r Record) Summary() shared.PatientSummary {
	return shared.PatientSummary{ID: r.ID, MRN: r.MRN, UserID: r.UserID, Name: r.Name, DateOfBirth: r.DateOfBirth,
		Sex: r.Sex, Phone: r.Phone, Unidentified: r.Unidentified, MergedInto: r.MergedInto}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
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
	Migrations
	InsertPatient(ctx context.Context, r Record) error
	PatientByID(ctx context.Context, id string) (Record, error)
	// InsertRevision fails with ErrRevisionTaken when that revision number exists already.
	InsertRevision(ctx context.Context, rev Revision) error
	// SetCurrent makes rev the record's current medical history, unless a later revision is current.
	SetCurrent(ctx context.Context, rev Revision) error

	// ClaimMRN reserves mrn for patientID and returns the MRN the patient holds: mrn, or the one it
	// claimed before. It fails with ErrMRNTaken when mrn belongs to another patient.
	ClaimMRN(ctx context.Context, mrn, patientID string) (string, error)
	// SetMRN writes a claimed MRN into a record that has none (records made before MRNs).
	SetMRN(ctx context.Context, patientID, mrn string) error
	// WithoutMRN lists the ids of records that have no MRN yet.
	WithoutMRN(ctx context.Context) ([]string, error)
	// UpdateFields changes the fields set in c (and their search keys); at is the new updated_at.
	UpdateFields(ctx context.Context, id string, c Changes, at time.Time) error
	// Search lists records matching q, and how many match in all.
	Search(ctx context.Context, q Query) ([]Record, int, error)
	// Duplicates lists other, unmerged records that may be the same person as r.
	Duplicates(ctx context.Context, r Record) ([]Record, error)
	// Revisions lists a record's medical-history revisions, newest first, and how many there are.
	Revisions(ctx context.Context, patientID string, skip, limit int) ([]Revision, int, error)
	// ClaimMerge records that m.Source is being merged into m.Into; it fails with ErrMergeTaken when
	// the source has a merge claim already (returned, so the same merge can be completed).
	ClaimMerge(ctx context.Context, m Merge) (Merge, error)
	// MergeOf returns the merge claim of a source record, or ErrNotFound.
	MergeOf(ctx context.Context, source string) (Merge, error)
	// DeleteMerge removes a merge claim that did not go through.
	DeleteMerge(ctx context.Context, source string) error
	// SetMergedInto marks the source record of a merge.
	SetMergedInto(ctx context.Context, source, into string, at time.Time) error
	// Idempotency-Keys of registrations; the result is the new patient's id, stored with the claim.
	idem.Store
}

// Changes are the fields a PATCH sets; nil fields stay as they are.
type Changes struct {
	Name, DateOfBirth, Sex, Phone, Address *string
	Allergies, Conditions                  *[]string
	EmergencyContacts                      *[]shared.EmergencyContact
	Unidentified                           *bool
}

// Clinical reports whether c changes medical content (allergies, conditions).
func (c Changes) Clinical() bool { return c.Allergies != nil || c.Conditions != nil }

// Query is a search: every set field must match.
type Query struct {
	// Prefixes are folded words each of which must begin some word of the name.
	Prefixes []string
	// ID and MRN match exactly.
	ID, MRN string
	// Terms are folded medical words each matched whole against conditions and the history (blind
	// index).
	Terms []string
	// BirthFrom and BirthTo bound the date of birth, inclusive (YYYY-MM-DD; empty: unbounded). Equal
	// bounds are an exact match.
	BirthFrom, BirthTo string
	// WithMerged includes records merged into another (exact id/MRN lookups do).
	WithMerged  bool
	Skip, Limit int
}

// Merge is the claim that a source record is merged into another: one per source, so two merges of
// the same record cannot both win.
type Merge struct {
	Source, Into string
	ByID         string
	At           time.Time
}

// The domain's errors.
var (
	ErrNotFound      = fault.New(fault.ErrNotFound, "patient not found")
	ErrRevisionTaken = fault.New(fault.ErrConflict, "the record was changed at the same moment; try again")
	errOthersRecord  = fault.New(fault.ErrForbidden, "patients may only access their own record")
	ErrMRNTaken      = fault.New(fault.ErrConflict, "that MRN is taken")
	ErrMergeTaken    = fault.New(fault.ErrConflict, "the record is being merged already")
)

// maxHistory bounds the medical history text (characters).
const maxHistory = 100_000
