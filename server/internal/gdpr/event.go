package gdpr

import (
	"context"
	"errors"

	"hms/server/internal/fault"
	"hms/server/internal/reaction"
)

// PatientErased is announced when a patient record is erased: every domain that holds something that
// identifies the patient reacts by erasing its own part (the account, the name copied into
// appointments, notifications and deliveries). Each reaction must not be lost (package reaction).
type PatientErased struct {
	PatientID string `json:"patient_id"`
	// UserID is the account linked to the record, "" when none.
	UserID string `json:"user_id,omitempty"`
	// Pseudonym is the name the record goes by from now on.
	Pseudonym string `json:"pseudonym"`
}

// EventType implements reaction.Event.
func (PatientErased) EventType() string { return "patient.erased" }

// Key implements reaction.Event: a record is erased once.
func (e PatientErased) Key() string { return e.PatientID }

// Verify gives the bus the check of PatientErased: the record goes by its pseudonym.
func (s *Service) Verify(b *reaction.Bus) {
	reaction.Verify(b, func(ctx context.Context, e PatientErased) (bool, error) {
		r, err := s.d.Records.PatientByID(ctx, e.PatientID)
		if errors.Is(err, fault.ErrNotFound) {
			return false, nil
		}
		return err == nil && r.Name == e.Pseudonym, err
	})
}
