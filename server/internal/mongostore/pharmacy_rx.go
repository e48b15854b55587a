package mongostore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/pharmacy"
	"hms/server/internal/seal"
	"hms/shared"
)

// This file holds the pharmacy store's prescriptions, cancellations and fill claims; pharmacy.go the
// catalogue, the stock ledger and rekeying.

type prescriptionFields struct {
	ID           string    `bson:"_id"`
	PatientID    string    `bson:"patient_id"`
	MedicationID string    `bson:"medication_id"`
	DurationDays int       `bson:"duration_days"`
	Quantity     int       `bson:"quantity"`
	Refills      int       `bson:"refills"`
	EncounterID  string    `bson:"encounter_id,omitempty"`
	PrescribedBy string    `bson:"prescribed_by"`
	Status       string    `bson:"status"`
	CreatedAt    time.Time `bson:"created_at"`
}

// prescriptionDoc is a prescription as written; storedPrescription as read (a field may be plain text
// written before it was sealed: the medication name, dose and frequency until December 2026).
type prescriptionDoc struct {
	F               prescriptionFields `bson:",inline"`
	MedicationName  seal.Value         `bson:"medication_name"`
	Dose            seal.Value         `bson:"dose"`
	Frequency       seal.Value         `bson:"frequency"`
	Instructions    seal.Value         `bson:"instructions"`
	OverrideReason  seal.Value         `bson:"override_reason"`
	AllergyWarnings seal.Value         `bson:"allergy_warnings"`
}

type storedPrescription struct {
	F               prescriptionFields `bson:",inline"`
	MedicationName  bson.RawValue      `bson:"medication_name"`
	Dose            bson.RawValue      `bson:"dose"`
	Frequency       bson.RawValue      `bson:"frequency"`
	Instructions    bson.RawValue      `bson:"instructions"`
	OverrideReason  bson.RawValue      `bson:"override_reason"`
	AllergyWarnings bson.RawValue      `bson:"allergy_warnings"`
}

// InsertPrescription implements pharmacy.Store.
func (s *Pharmacy) InsertPrescription(ctx context.Context, p pharmacy.Prescription) error {
	warnings, err := json.Marshal(p.AllergyWarnings)
	if err != nil {
		return fmt.Errorf("encode allergy warnings: %w", err)
	}
	d := prescriptionDoc{F: prescriptionFields{ID: p.ID, PatientID: p.PatientID, MedicationID: p.MedicationID,
		DurationDays: p.DurationDays, Quantity: p.Quantity,
		Refills: p.Refills, EncounterID: p.EncounterID, PrescribedBy: p.PrescribedBy, Status: p.Status, CreatedAt: p.CreatedAt}}
	if d.MedicationName, err = s.seal(colPrescriptions, p.ID, "medication_name", p.MedicationName); err != nil {
		return err
	}
	if d.Dose, err = s.seal(colPrescriptions, p.ID, "dose", p.Dose); err != nil {
		return err
	}
	if d.Frequency, err = s.seal(colPrescriptions, p.ID, "frequency", p.Frequency); err != nil {
		return err
	}
	if d.Instructions, err = s.seal(colPrescriptions, p.ID, "instructions", p.Instructions); err != nil {
		return err
	}
	if d.OverrideReason, err = s.seal(colPrescriptions, p.ID, "override_reason", p.OverrideReason); err != nil {
		return err
	}
	if d.AllergyWarnings, err = s.seal(colPrescriptions, p.ID, "allergy_warnings", string(warnings)); err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.rxs.InsertOne(ctx, d)
	leave()
	return wrap("insert prescription", err)
}

func (s *Pharmacy) prescription(d storedPrescription) (pharmacy.Prescription, error) {
	f := d.F
	p := pharmacy.Prescription{ID: f.ID, PatientID: f.PatientID, MedicationID: f.MedicationID,
		DurationDays: f.DurationDays, Quantity: f.Quantity, Refills: f.Refills,
		EncounterID: f.EncounterID, PrescribedBy: f.PrescribedBy, Status: f.Status, CreatedAt: f.CreatedAt.UTC()}
	var err error
	if p.MedicationName, err = s.open(colPrescriptions, f.ID, "medication_name", d.MedicationName); err != nil {
		return p, err
	}
	if p.Dose, err = s.open(colPrescriptions, f.ID, "dose", d.Dose); err != nil {
		return p, err
	}
	if p.Frequency, err = s.open(colPrescriptions, f.ID, "frequency", d.Frequency); err != nil {
		return p, err
	}
	if p.Instructions, err = s.open(colPrescriptions, f.ID, "instructions", d.Instructions); err != nil {
		return p, err
	}
	if p.OverrideReason, err = s.open(colPrescriptions, f.ID, "override_reason", d.OverrideReason); err != nil {
		return p, err
	}
	warnings, err := s.open(colPrescriptions, f.ID, "allergy_warnings", d.AllergyWarnings)
	if err != nil {
		return p, err
	}
	if warnings != "" {
		if err := json.Unmarshal([]byte(warnings), &p.AllergyWarnings); err != nil {
			return p, fmt.Errorf("decode allergy warnings of prescription %s: %w", f.ID, err)
		}
	}
	return p, nil
}

// Prescription implements pharmacy.Store.
func (s *Pharmacy) Prescription(ctx context.Context, id string) (pharmacy.Prescription, error) {
	d, err := findOne[storedPrescription](ctx, s.rxs, "find prescription", bson.D{{Key: "_id", Value: id}}, pharmacy.ErrRxNotFound)
	if err != nil {
		return pharmacy.Prescription{}, err
	}
	return s.prescription(d)
}

// PatientPrescriptions implements pharmacy.Store.
func (s *Pharmacy) PatientPrescriptions(ctx context.Context, patientID string) ([]pharmacy.Prescription, error) {
	return findAllOpen(ctx, s.rxs, "find prescriptions", bson.D{{Key: "patient_id", Value: patientID}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}), s.prescription)
}

type cancellationDoc struct {
	ID     string        `bson:"_id"`
	By     string        `bson:"by"`
	Reason bson.RawValue `bson:"reason"`
	At     time.Time     `bson:"at"`
}

// InsertCancellation implements pharmacy.Store: its _id is the prescription's, so there is one.
func (s *Pharmacy) InsertCancellation(ctx context.Context, c pharmacy.Cancellation) error {
	v, err := s.seal(colRxCancels, c.PrescriptionID, "reason", c.Reason)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.cancels.InsertOne(ctx, bson.D{{Key: "_id", Value: c.PrescriptionID}, {Key: "by", Value: c.By},
		{Key: "reason", Value: v}, {Key: "at", Value: c.At}})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return pharmacy.ErrCancelled
	}
	return wrap("insert cancellation", err)
}

// Cancellation implements pharmacy.Store.
func (s *Pharmacy) Cancellation(ctx context.Context, prescriptionID string) (pharmacy.Cancellation, bool, error) {
	d, err := findOne[cancellationDoc](ctx, s.cancels, "find cancellation", bson.D{{Key: "_id", Value: prescriptionID}}, errNoDocument)
	if errors.Is(err, errNoDocument) {
		return pharmacy.Cancellation{}, false, nil
	}
	if err != nil {
		return pharmacy.Cancellation{}, false, err
	}
	reason, err := s.open(colRxCancels, d.ID, "reason", d.Reason)
	return pharmacy.Cancellation{PrescriptionID: d.ID, By: d.By, Reason: reason, At: d.At.UTC()}, true, err
}

// SetCancelled implements pharmacy.Store (a cache of the cancellation, for listings).
func (s *Pharmacy) SetCancelled(ctx context.Context, prescriptionID string) error {
	leave := s.gate.enter()
	_, err := s.rxs.UpdateOne(ctx, bson.D{{Key: "_id", Value: prescriptionID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: shared.PrescriptionCancelled}}}})
	leave()
	return wrap("mark prescription cancelled", err)
}

type fillDoc struct {
	ID             string    `bson:"_id"`
	PrescriptionID string    `bson:"prescription_id"`
	PatientID      string    `bson:"patient_id"`
	MedicationID   string    `bson:"medication_id"`
	Fill           int       `bson:"fill"`
	Quantity       int       `bson:"quantity"`
	Key            string    `bson:"key"`
	By             string    `bson:"by"`
	At             time.Time `bson:"at"`
	Done           bool      `bson:"done"`
	Seq            int       `bson:"seq"`
	Balance        int       `bson:"balance"`
	DispensedAt    time.Time `bson:"dispensed_at"`
}

func (d fillDoc) claim() pharmacy.FillClaim {
	return pharmacy.FillClaim{ID: d.ID, PrescriptionID: d.PrescriptionID, PatientID: d.PatientID, MedicationID: d.MedicationID,
		Fill: d.Fill, Quantity: d.Quantity, Key: d.Key, By: d.By, At: d.At.UTC(), Done: d.Done, Seq: d.Seq, Balance: d.Balance,
		DispensedAt: utc(d.DispensedAt)}
}

// ClaimFill implements pharmacy.Store.
func (s *Pharmacy) ClaimFill(ctx context.Context, c pharmacy.FillClaim) error {
	leave := s.gate.enter()
	_, err := s.fills.InsertOne(ctx, fillDoc{ID: c.ID, PrescriptionID: c.PrescriptionID, PatientID: c.PatientID,
		MedicationID: c.MedicationID, Fill: c.Fill, Quantity: c.Quantity, Key: c.Key, By: c.By, At: c.At})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return pharmacy.ErrFillTaken
	}
	return wrap("claim fill", err)
}

// FillByKey implements pharmacy.Store.
func (s *Pharmacy) FillByKey(ctx context.Context, key string) (pharmacy.FillClaim, error) {
	d, err := findOne[fillDoc](ctx, s.fills, "find fill by key", bson.D{{Key: "key", Value: key}}, pharmacy.ErrNotFound)
	return d.claim(), err
}

// FillClaim implements pharmacy.Store.
func (s *Pharmacy) FillClaim(ctx context.Context, id string) (pharmacy.FillClaim, error) {
	d, err := findOne[fillDoc](ctx, s.fills, "find fill", bson.D{{Key: "_id", Value: id}}, pharmacy.ErrNotFound)
	return d.claim(), err
}

// Fills implements pharmacy.Store.
func (s *Pharmacy) Fills(ctx context.Context, prescriptionID string) ([]pharmacy.FillClaim, error) {
	return findAll(ctx, s.fills, "find fills", bson.D{{Key: "prescription_id", Value: prescriptionID}},
		options.Find().SetSort(bson.D{{Key: "fill", Value: 1}}), fillDoc.claim)
}

// CompleteFill implements pharmacy.Store. Every writer writes the same values (those of the fill's one
// movement), so concurrent writes cannot disagree.
func (s *Pharmacy) CompleteFill(ctx context.Context, id string, m pharmacy.Movement) error {
	leave := s.gate.enter()
	_, err := s.fills.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "done", Value: true}, {Key: "seq", Value: m.Seq}, {Key: "balance", Value: m.Balance}, {Key: "dispensed_at", Value: m.At}}}})
	leave()
	return wrap("complete fill", err)
}

// ActivePrescriptions implements pharmacy.Store.
func (s *Pharmacy) ActivePrescriptions(ctx context.Context) ([]pharmacy.Prescription, error) {
	return findAllOpen(ctx, s.rxs, "find active prescriptions", bson.D{{Key: "status", Value: shared.PrescriptionActive}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}), s.prescription)
}

// FillsOf implements pharmacy.Store.
func (s *Pharmacy) FillsOf(ctx context.Context, prescriptionIDs []string) ([]pharmacy.FillClaim, error) {
	if len(prescriptionIDs) == 0 {
		return nil, nil
	}
	return findAll(ctx, s.fills, "find fills of prescriptions", bson.D{{Key: "prescription_id", Value: in(prescriptionIDs)}},
		options.Find(), fillDoc.claim)
}

// colRxExternal holds external pharmacies' outcomes on e-prescriptions, one per message.
const colRxExternal = "prescription_external"

type externalDoc struct {
	ID             string        `bson:"_id"`
	PrescriptionID string        `bson:"prescription_id"`
	MessageID      string        `bson:"message_id"`
	Outcome        string        `bson:"outcome"`
	Pharmacy       string        `bson:"pharmacy"`
	Note           bson.RawValue `bson:"note"`
	At             time.Time     `bson:"at"`
}

// InsertExternal implements pharmacy.Store: its _id is the prescription's and the message's; the
// note is sealed.
func (s *Pharmacy) InsertExternal(ctx context.Context, e pharmacy.External) error {
	id := e.PrescriptionID + "|" + e.MessageID
	v, err := s.seal(colRxExternal, id, "note", e.Note)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.external.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "prescription_id", Value: e.PrescriptionID},
		{Key: "message_id", Value: e.MessageID}, {Key: "outcome", Value: e.Outcome}, {Key: "pharmacy", Value: e.Pharmacy},
		{Key: "note", Value: v}, {Key: "at", Value: e.At}})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return pharmacy.ErrExternalRecorded
	}
	return wrap("insert external outcome", err)
}

// Externals implements pharmacy.Store.
func (s *Pharmacy) Externals(ctx context.Context, prescriptionID string) ([]pharmacy.External, error) {
	return findAllOpen(ctx, s.external, "find external outcomes", bson.D{{Key: "prescription_id", Value: prescriptionID}}, nil,
		func(d externalDoc) (pharmacy.External, error) {
			note, err := s.open(colRxExternal, d.ID, "note", d.Note)
			return pharmacy.External{PrescriptionID: d.PrescriptionID, MessageID: d.MessageID, Outcome: d.Outcome, Pharmacy: d.Pharmacy,
				Note: note, At: d.At.UTC()}, err
		})
}
