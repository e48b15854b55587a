// Package chart keeps the clinical chart: encounters (visits, linked to an appointment and through it to
// its queue ticket when there is one) with their reason, summary, clinical notes and diagnoses, and the
// vitals and procedures recorded during them.
//
// An encounter is a series of revisions, only ever inserted, under a unique {encounter_id, rev} index
// (docs/architecture.md): a change is a new revision with its author and time, the encounter as it is now is its
// latest revision, and every earlier version stays readable. A change names the revision it was made
// on; when the encounter has moved on, or another writer took the same revision number first, it is
// refused with 409 rather than retried, because a clinical text edited on an old version must be
// looked at again by its author, not silently merged. Vitals readings are a separate insert-only
// collection: a nurse recording a pulse never conflicts with the doctor writing the notes. So are
// procedures: one recorded in error is marked so by a second insert, never changed or deleted; the
// chart announces both (chart.procedure-recorded, chart.procedure-entered-in-error) for billing.
//
// Every read and change asks the clinical access rule (patient.Access) and is audited, allowed or not.
package chart

import (
	"context"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/shared"
)

// Text is the written part of an encounter: what a revision changes.
type Text struct {
	Reason    string
	Summary   string
	Notes     string
	Diagnoses []shared.Diagnosis
}

// Revision is one version of an encounter. The encounter's fixed facts (patient, appointment, ticket,
// doctor, who opened it and when) are copied into every revision, so the latest one is the whole
// encounter.
type Revision struct {
	EncounterID   string
	Rev           int
	PatientID     string
	AppointmentID string
	Ticket        *shared.EncounterTicket
	DoctorID      string
	Text          Text
	AuthorID      string
	AuthorRole    shared.Role
	At            time.Time
	CreatedBy     string
	CreatedAt     time.Time
}

// Reading is one recorded set of vitals.
type Reading struct {
	ID          string
	EncounterID string
	PatientID   string
	Vitals      shared.Vitals
	By          string
	Role        shared.Role
	At          time.Time
}

// Claim links an appointment to the one encounter that records it.
type Claim struct {
	AppointmentID string
	EncounterID   string
	At            time.Time
}

// Store keeps revisions, readings and appointment claims.
type Store interface {
	// InsertRevision fails with ErrRevisionTaken when the encounter already has that revision.
	InsertRevision(ctx context.Context, r Revision) error
	// Latest returns the encounter's newest revision, ErrNotFound when it has none.
	Latest(ctx context.Context, encounterID string) (Revision, error)
	// Revisions returns every revision of the encounter, oldest first.
	Revisions(ctx context.Context, encounterID string) ([]Revision, error)
	// Encounters returns the latest revision of each of the patient's encounters, newest opened first.
	Encounters(ctx context.Context, patientID string) ([]Revision, error)
	// PatientRevisions returns every revision of every encounter of the patient.
	PatientRevisions(ctx context.Context, patientID string) ([]Revision, error)

	InsertReading(ctx context.Context, r Reading) error
	// Readings returns the readings of the patient's encounters given, oldest first.
	Readings(ctx context.Context, patientID string, encounterIDs []string) ([]Reading, error)

	// ClaimAppointment fails with ErrAppointmentTaken when another encounter records the appointment.
	ClaimAppointment(ctx context.Context, c Claim) error
	// AppointmentClaim returns the appointment's claim, ErrNotFound when there is none.
	AppointmentClaim(ctx context.Context, appointmentID string) (Claim, error)
	// ReleaseAppointment deletes the claim if encounterID still holds it.
	ReleaseAppointment(ctx context.Context, appointmentID, encounterID string) error

	// InsertProcedure fails with ErrProcedureTaken when a procedure with its id is stored.
	InsertProcedure(ctx context.Context, p Procedure) error
	// Procedure returns a procedure with its entered-in-error mark, ErrProcedureNotFound when there is none.
	Procedure(ctx context.Context, id string) (Procedure, error)
	// Procedures returns the procedures of the patient's encounters given, with their marks, oldest
	// performed first.
	Procedures(ctx context.Context, patientID string, encounterIDs []string) ([]Procedure, error)
	// MarkEnteredInError inserts the procedure's mark; ErrAlreadyInError when it has one.
	MarkEnteredInError(ctx context.Context, p Procedure, e ProcedureError) error
}

// Procedure is a procedure or treatment recorded during an encounter: inserted once, never changed.
// Its id is derived from the recording doctor and the request's Idempotency-Key, so a retried request
// finds it; Fingerprint tells a retry from another request under the same key.
type Procedure struct {
	ID          string
	EncounterID string
	PatientID   string
	Code        string
	Name        string
	Kind        string
	Quantity    int
	Note        string
	PerformedAt time.Time
	By          string
	Role        shared.Role
	At          time.Time
	Fingerprint string
	// Error is the entered-in-error mark, nil while the procedure stands.
	Error *ProcedureError
}

// ProcedureError marks a procedure entered in error: a second insert, never a change of the first.
type ProcedureError struct {
	Reason string
	By     string
	Role   shared.Role
	At     time.Time
}

// Codes is the price list's procedures and treatments, which a procedure is recorded by (billing).
type Codes interface {
	// ProcedureCode returns the name and kind (procedure or treatment) of a code on the price list as it
	// is now; a code that is not a current procedure or treatment is a fault.ErrInvalid.
	ProcedureCode(ctx context.Context, code string) (name, kind string, err error)
}

// Appointment is what an encounter needs to know about the appointment it records.
type Appointment struct {
	ID        string
	PatientID string
	DoctorID  string
	Cancelled bool
	// Ticket is the appointment's queue ticket, nil before check-in.
	Ticket *shared.EncounterTicket
}

// Appointments finds appointments; a missing one is a fault.ErrNotFound.
type Appointments interface {
	Appointment(ctx context.Context, id string) (Appointment, error)
}

// Patients finds patient records; a missing one is a fault.ErrNotFound.
type Patients interface {
	Name(ctx context.Context, id string) (string, error)
}

// Access is the clinical access rule (patient.Access).
type Access interface {
	Clinical(ctx context.Context, p auth.Principal, patientID string) error
}

// Auditor writes the audit trail (audit.Log).
type Auditor interface {
	Record(ctx context.Context, actorID string, role shared.Role, patientID, action string, err error) error
}

// The domain's errors.
var (
	ErrNotFound         = fault.New(fault.ErrNotFound, "encounter not found")
	ErrRevisionTaken    = fault.New(fault.ErrConflict, "the encounter was changed at the same moment: reload it and apply your change again")
	ErrAppointmentTaken = fault.New(fault.ErrConflict, "the appointment already has an encounter")
	ErrClaimNotFound    = fault.New(fault.ErrNotFound, "no encounter records this appointment")
	errDoctorsOnly      = fault.New(fault.ErrForbidden, "only doctors write summaries, notes and diagnoses")
	errPatientNotFound  = fault.New(fault.ErrNotFound, "patient not found")

	ErrProcedureNotFound = fault.New(fault.ErrNotFound, "procedure not found")
	ErrProcedureTaken    = fault.New(fault.ErrConflict, "a procedure with this id is recorded")
	ErrAlreadyInError    = fault.Coded(fault.ErrConflict, "procedure_entered_in_error", "the procedure is already marked entered in error")
	errProceduresDoctors = fault.New(fault.ErrForbidden, "only doctors record procedures and mark them entered in error")
)

// Audit actions.
const (
	actionRead   = "encounter.read"
	actionCreate = "encounter.create"
	actionUpdate = "encounter.update"
	actionVitals = "vitals.record"
	actionProc   = "procedure.record"
	actionError  = "procedure.entered_in_error"
)
