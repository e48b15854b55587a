// Package gdpr gives a patient their data (export) and erases what identifies them (erasure), keeping
// the clinical records the law requires under a pseudonym (docs/security.md row 31). Both are audited.
package gdpr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/clock"
	"hms/server/internal/notify"
	"hms/server/internal/patient"
	"hms/server/internal/reaction"
	"hms/shared"
)

// Records is what the service needs of the patient store.
type Records interface {
	PatientByID(ctx context.Context, id string) (patient.Record, error)
	ExportRevisions(ctx context.Context, patientID string) ([]patient.Revision, error)
	// ErasePatient pseudonymises the record and returns when it was first erased.
	ErasePatient(ctx context.Context, id, pseudonym string, at time.Time) (time.Time, error)
}

// Users is what the service needs of accounts.
type Users interface {
	User(ctx context.Context, id string) (auth.User, error)
}

// Deps are the service's collaborators.
type Deps struct {
	Records Records
	// Bus announces the erasure; the other domains' reactions erase their parts.
	Bus   *reaction.Bus
	Users Users
	// Appointments returns every appointment of a patient.
	Appointments  func(ctx context.Context, patientID string) ([]shared.Appointment, error)
	Notifications *notify.Service
	Access        *patient.Access
	Audit         *audit.Log
	Exporters     []patient.Exporter
	// Clock is the hospital's clock (nil: the system time).
	Clock *clock.Clock
}

// Service exports and erases a patient's data.
type Service struct {
	d Deps
}

// NewService wires the service.
func NewService(d Deps) *Service { return &Service{d: d} }

// Pseudonym is the name an erased patient record carries: the same for the same record every time.
func Pseudonym(patientID string) string {
	sum := sha256.Sum256([]byte("hms-erased-patient:" + patientID))
	return "Erased patient " + hex.EncodeToString(sum[:4])
}

// now is the hospital's time as stored: UTC, to the millisecond.
func (s *Service) now() time.Time { return s.d.Clock.Now().UTC().Truncate(time.Millisecond) }
