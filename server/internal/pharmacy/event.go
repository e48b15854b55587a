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
