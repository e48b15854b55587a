// Package pharmacy keeps the medication catalogue, the stock ledger, prescriptions and their
// dispensing. Stock is an append-only ledger: every movement is an insert numbered per medication under
// a unique index and carries the balance after it, so that concurrent movements can neither be lost
// nor take the balance below zero (docs/architecture.md: FerretDB loses concurrent read-modify-writes).
// Dispensing happens exactly once per fill: a fill is claimed by an insert under a unique
// {prescription, fill} index, and its stock movement carries the fill's id under a unique index.
package pharmacy

import (
	"context"
	"fmt"
	"time"

	"hms/server/internal/fault"
	"hms/shared"
)

// Medication is a catalogue entry as stored.
type Medication struct {
	ID                string
	Code              string
	Name              string
	Form              string
	Strength          string
	Substances        []string
	LowStockThreshold int
	CreatedBy         string
	CreatedAt         time.Time
}

// Public returns the medication as the API shows it.
func (m Medication) Public() shared.Medication {
	subs := m.Substances
	if subs == nil {
		subs = []string{}
	}
	return shared.Medication{ID: m.ID, Code: m.Code, Name: m.Name, Form: m.Form, Strength: m.Strength,
		Substances: subs, LowStockThreshold: m.LowStockThreshold, CreatedAt: m.CreatedAt}
}

// Movement is one stock ledger entry. (MedicationID, Seq) is unique; so is FillID, which names the
// prescription fill a dispense movement belongs to (other movements get a fresh unique value).
type Movement struct {
	MedicationID   string
	Seq            int
	Kind           string
	Quantity       int // signed: + received, − dispensed or written off
	Balance        int // after this movement
	Reason         string
	FillID         string
	PrescriptionID string
	Fill           int
	By             string
	At             time.Time
}

// Public returns the movement as the API shows it.
func (m Movement) Public() shared.StockMovement {
	return shared.StockMovement{Seq: m.Seq, Kind: m.Kind, Quantity: m.Quantity, Balance: m.Balance, Reason: m.Reason,
		PrescriptionID: m.PrescriptionID, Fill: m.Fill, By: m.By, At: m.At}
}

// Prescription is a prescription as stored. Status is a cache of the cancellation record, which is
// the truth (an insert: a cancel cannot be lost).
type Prescription struct {
	ID              string
	PatientID       string
	MedicationID    string
	MedicationName  string
	Dose            string
	Frequency       string
	DurationDays    int
	Quantity        int
	Refills         int
	Instructions    string
	EncounterID     string
	PrescribedBy    string
	AllergyWarnings []string
	OverrideReason  string
	Status          string
	CreatedAt       time.Time
}

// Cancellation is the record that a prescription was cancelled; its id is the prescription's.
type Cancellation struct {
	PrescriptionID string
	By             string
	Reason         string
	At             time.Time
}

// FillClaim reserves fill number Fill of a prescription. Key is the caller-scoped Idempotency-Key
// (unique; the claim's id when none was sent). Done is a cache: the fill is dispensed exactly when a
// movement with FillID = the claim's ID exists.
type FillClaim struct {
	ID             string // prescription id + "#" + fill
	PrescriptionID string
	PatientID      string
	MedicationID   string
	Fill           int
	Quantity       int
	Key            string
	By             string
	At             time.Time
	Done           bool
	Seq            int
	Balance        int
	DispensedAt    time.Time
}

// FillID is the id of a prescription's fill claim, carried by its stock movement.
func FillID(prescriptionID string, fill int) string {
	return fmt.Sprintf("%s#%02d", prescriptionID, fill)
}

// Store is what the service needs from storage.
type Store interface {
	// InsertMedication fails with ErrCodeTaken when the code exists.
	InsertMedication(ctx context.Context, m Medication) error
	Medication(ctx context.Context, id string) (Medication, error)
	// Medications returns the whole catalogue, ordered by name (the service filters it: a catalogue is
	// hundreds of entries, and FerretDB scans the collection for any filter anyway).
	Medications(ctx context.Context) ([]Medication, error)

	// LastMovement returns a medication's newest movement (Seq 0, Balance 0 when there is none).
	LastMovement(ctx context.Context, medicationID string) (Movement, error)
	// InsertMovement fails with ErrSeqTaken when another movement took the seq first, or returns
	// the existing movement and ErrFillMoved when the fill has its movement already.
	InsertMovement(ctx context.Context, m Movement) (Movement, error)
	// MovementByFill returns the movement of a fill, or ErrNotFound.
	MovementByFill(ctx context.Context, fillID string) (Movement, error)
	// Movements returns up to limit movements, newest first.
	Movements(ctx context.Context, medicationID string, limit int) ([]Movement, error)

	InsertPrescription(ctx context.Context, p Prescription) error
	Prescription(ctx context.Context, id string) (Prescription, error)
	// PatientPrescriptions returns a patient's prescriptions, newest first.
	PatientPrescriptions(ctx context.Context, patientID string) ([]Prescription, error)
	// ActivePrescriptions returns the prescriptions not marked cancelled, oldest first (the pharmacy's
	// queue; the cancellation records are checked too, as the mark is a cache).
	ActivePrescriptions(ctx context.Context) ([]Prescription, error)
	// FillsOf returns the fill claims of the prescriptions, in no particular order.
	FillsOf(ctx context.Context, prescriptionIDs []string) ([]FillClaim, error)
	// InsertCancellation fails with ErrCancelled when the prescription was cancelled already.
	InsertCancellation(ctx context.Context, c Cancellation) error
	Cancellation(ctx context.Context, prescriptionID string) (Cancellation, bool, error)
	SetCancelled(ctx context.Context, prescriptionID string) error
	// InsertExternal fails with ErrExternalRecorded when that message was recorded before.
	InsertExternal(ctx context.Context, e External) error
	// Externals returns a prescription's external outcomes, in no particular order.
	Externals(ctx context.Context, prescriptionID string) ([]External, error)

	// ClaimFill inserts a fill claim; ErrFillTaken when the fill number or the key is taken.
	ClaimFill(ctx context.Context, c FillClaim) error
	FillByKey(ctx context.Context, key string) (FillClaim, error)
	FillClaim(ctx context.Context, id string) (FillClaim, error)
	// Fills returns a prescription's fill claims by number.
	Fills(ctx context.Context, prescriptionID string) ([]FillClaim, error)
	// CompleteFill records the movement a fill was dispensed by (a cache; the movement is the truth).
	CompleteFill(ctx context.Context, id string, m Movement) error

	// The reads below serve DueAlerts: each is one query whose result is bounded by a date or by the
	// ids asked for, in no particular order.

	// RecentFills returns the fill claims claimed or dispensed at or after since.
	RecentFills(ctx context.Context, since time.Time) ([]FillClaim, error)
	// MovementsByFill returns the stock movements of those of the fills that have one.
	MovementsByFill(ctx context.Context, fillIDs []string) ([]Movement, error)
	// PrescriptionsByID returns those of the prescriptions that exist.
	PrescriptionsByID(ctx context.Context, ids []string) ([]Prescription, error)
	// Cancelled returns those of the prescriptions that have a cancellation record.
	Cancelled(ctx context.Context, prescriptionIDs []string) ([]string, error)
}

// The domain's errors.
var (
	ErrNotFound      = fault.New(fault.ErrNotFound, "not found")
	ErrMedNotFound   = fault.New(fault.ErrNotFound, "medication not found")
	ErrRxNotFound    = fault.New(fault.ErrNotFound, "prescription not found")
	ErrCodeTaken     = fault.New(fault.ErrConflict, "a medication with this code exists already")
	ErrSeqTaken      = fault.New(fault.ErrConflict, "the stock moved at the same moment; try again")
	ErrFillMoved     = fault.New(fault.ErrConflict, "this fill was dispensed already")
	ErrFillTaken     = fault.New(fault.ErrConflict, "this fill was claimed already")
	ErrCancelled     = fault.New(fault.ErrConflict, "the prescription is cancelled")
	ErrNotEnough     = fault.New(fault.ErrConflict, "not enough stock")
	ErrNoRefillsLeft = fault.New(fault.ErrConflict, "no refills left")
	ErrStockBusy     = fault.New(fault.ErrUnavailable, "the stock is changing too fast; try again")
)
