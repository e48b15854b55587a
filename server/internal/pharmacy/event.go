package pharmacy

import (
	"context"
	"errors"
	"strings"

	"hms/server/internal/reaction"
)

// Dispensed is announced (package reaction) once a fill's stock movement is stored: the medication
// left the pharmacy. It carries the fill's id only; a reaction reads the fill through FillFacts.
type Dispensed struct {
	FillID string `json:"fill_id"`
}

// EventType implements reaction.Event.
func (Dispensed) EventType() string { return "pharmacy.dispensed" }

// Key implements reaction.Event: a fill moves stock once.
func (e Dispensed) Key() string { return e.FillID }

// Prescribed is announced once a prescription is stored: for an external pharmacy it is the
// e-prescription (webhook prescription.created). Ids only.
type Prescribed struct {
	PrescriptionID string `json:"prescription_id"`
	PatientID      string `json:"patient_id"`
}

// EventType implements reaction.Event.
func (Prescribed) EventType() string { return "pharmacy.prescribed" }

// Key implements reaction.Event: a prescription is written once.
func (e Prescribed) Key() string { return e.PrescriptionID }

// Announce gives the pharmacy the bus it announces dispensing on, and gives the bus the check of it
// (whether a Dispensed recorded before a crash did happen: the fill's movement is stored). Call it while
// wiring, before serving.
func (s *Service) Announce(b *reaction.Bus) {
	s.bus = b
	reaction.Verify(b, func(ctx context.Context, e Dispensed) (bool, error) {
		_, err := s.store.MovementByFill(ctx, e.FillID)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	})
	reaction.Verify(b, func(ctx context.Context, e Prescribed) (bool, error) {
		_, err := s.store.Prescription(ctx, e.PrescriptionID)
		if errors.Is(err, ErrRxNotFound) {
			return false, nil
		}
		return err == nil, err
	})
}

// FillFacts returns a fill as claimed and its medication's name and strength, for a reaction to
// Dispensed.
func (s *Service) FillFacts(ctx context.Context, fillID string) (FillClaim, string, error) {
	f, err := s.store.FillClaim(ctx, fillID)
	if err != nil {
		return FillClaim{}, "", err
	}
	med, err := s.store.Medication(ctx, f.MedicationID)
	if err != nil {
		return FillClaim{}, "", err
	}
	return f, strings.TrimSpace(med.Name + " " + med.Strength), nil
}
