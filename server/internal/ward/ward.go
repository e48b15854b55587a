// Package ward keeps wards and beds, and admits, transfers and discharges inpatients, with a live bed
// board.
//
// Exclusivity (docs/architecture.md: FerretDB loses concurrent read-modify-writes) rests on two chains of claims,
// each an insert under a unique _id, never an update:
//
//   - a bed's chain: bed_claims {_id: bed id + "#" + n}. Claim n+1 may be written only after reading
//     claim n as the bed's last; a hold (by an admission) is always followed by its release, and a
//     release by the next hold. Two admissions racing for a free bed both try to insert the same n+1:
//     the unique _id lets exactly one in, the other rereads, finds the bed held and answers 409;
//   - a patient's chain: stay_claims {_id: patient id + "#" + n}, the same shape, so that a patient
//     holds at most one active admission.
//
// Releasing is inserting claim n+1 of kind "release" for the hold n the admission remembers: a
// duplicate means someone released it already, so releasing is idempotent. An admission's own changes
// (transfer, discharge) are steps under a unique {admission_id, step} (two discharges cannot both
// win); the admission document is a copy of its newest step, repaired from the steps when behind.
//
// A process that stops half-way leaves a hold whose admission does not match it (not stored yet,
// discharged, or moved to another bed). The next claimer of that bed or patient finds such a hold,
// judges it abandoned (at once when the admission is discharged, after staleClaim otherwise, so a
// transfer or admission in progress is left alone), releases it and claims after it.
package ward

import (
	"context"
	"time"

	"hms/server/internal/fault"
	"hms/shared"
)

// WardRecord is a ward as stored.
type WardRecord struct {
	ID, Name, Department string
	CreatedAt            time.Time
}

// BedRecord is a bed as stored.
type BedRecord struct {
	ID, WardID, Label string
	CreatedAt         time.Time
}

// Chain names a chain of claims.
type Chain string

// The two chains.
const (
	BedChain     Chain = "bed"
	PatientChain Chain = "patient"
)

// Claim is one link of a bed's or a patient's chain: Hold by AdmissionID, or its release.
type Claim struct {
	Chain       Chain
	Key         string // bed id or patient id
	N           int    // 1, 2, 3, …: odd links hold, even links release
	Hold        bool
	AdmissionID string
	At          time.Time
}

// Record is an admission as stored (decrypted). BedClaim and PatientClaim are the numbers of the holds
// it owns on its current bed and on its patient.
type Record struct {
	ID               string
	PatientID        string
	WardID           string
	BedID            string
	BedLabel         string
	DoctorID         string
	Source           string
	AppointmentID    string
	Reason           string
	Status           string
	AdmittedAt       time.Time
	AdmittedBy       string
	DischargedAt     time.Time
	DischargeSummary string
	Disposition      string
	BedClaim         int
	PatientClaim     int
	Step             int
}

// Step is one change of an admission with the whole admission as it is after the change.
type Step struct {
	AdmissionID string
	Step        int
	Action      string
	At          time.Time
	By          string
	Role        shared.Role
	State       Record
}

// Filter narrows admissions; empty fields match all.
type Filter struct {
	PatientID, WardID, DoctorID string
	ActiveOnly                  bool
}

// Store keeps wards, beds, claims and admissions.
type Store interface {
	// InsertWard fails with ErrWardExists.
	InsertWard(ctx context.Context, w WardRecord) error
	// Ward fails with ErrWardNotFound.
	Ward(ctx context.Context, id string) (WardRecord, error)
	Wards(ctx context.Context) ([]WardRecord, error)
	// InsertBed fails with ErrBedExists when the ward has a bed with that label.
	InsertBed(ctx context.Context, b BedRecord) error
	// Bed fails with ErrBedNotFound.
	Bed(ctx context.Context, id string) (BedRecord, error)
	// Beds returns a ward's beds ("" = every ward's), by label.
	Beds(ctx context.Context, wardID string) ([]BedRecord, error)

	// LastClaim returns the chain's newest claim for key (N = 0 when none).
	LastClaim(ctx context.Context, chain Chain, key string) (Claim, error)
	// InsertClaim fails with ErrClaimTaken when the chain already has claim c.N for c.Key.
	InsertClaim(ctx context.Context, c Claim) error

	// InsertAdmission stores a new admission with its first step.
	InsertAdmission(ctx context.Context, r Record, first Step) error
	// InsertStep fails with ErrStepTaken when the admission has that step already.
	InsertStep(ctx context.Context, s Step) error
	// SetState replaces the stored admission by r (the writer of step r.Step).
	SetState(ctx context.Context, r Record) error
	// Admission fails with ErrNotFound.
	Admission(ctx context.Context, id string) (Record, error)
	// Steps returns steps 1..n of an admission.
	Steps(ctx context.Context, id string, n int) ([]Step, error)
	// StepsAfter returns the admission's steps after n.
	StepsAfter(ctx context.Context, id string, n int) ([]Step, error)
	// Admissions returns the matching admissions, newest first.
	Admissions(ctx context.Context, f Filter) ([]Record, error)
}

// The domain's errors.
var (
	ErrNotFound      = fault.New(fault.ErrNotFound, "admission not found")
	ErrWardNotFound  = fault.New(fault.ErrNotFound, "ward not found")
	ErrBedNotFound   = fault.New(fault.ErrNotFound, "bed not found in this ward")
	ErrWardExists    = fault.New(fault.ErrConflict, "a ward with this id exists already")
	ErrBedExists     = fault.New(fault.ErrConflict, "the ward has a bed with this label already")
	ErrClaimTaken    = fault.New(fault.ErrConflict, "claim taken")
	ErrStepTaken     = fault.New(fault.ErrConflict, "the admission was changed at the same moment; reload and try again")
	ErrBedOccupied   = fault.New(fault.ErrConflict, "the bed is occupied")
	ErrNoFreeBed     = fault.New(fault.ErrConflict, "the ward has no free bed")
	ErrAdmitted      = fault.New(fault.ErrConflict, "the patient has an active admission already")
	ErrDischarged    = fault.New(fault.ErrConflict, "the admission is discharged already")
	errPatientAbsent = fault.Invalid("patient_id: no such patient")
	// errHidden answers a patient asking for someone else's admission: not found to them (no probing
	// which ids exist), denied in the audit trail.
	errHidden = fault.New(fault.ErrNotFound, "admission not found")
)
