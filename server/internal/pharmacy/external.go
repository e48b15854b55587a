package pharmacy

import (
	"context"
	"errors"
	"time"

	"hms/server/internal/fault"
	"hms/shared"
)

// External is an external pharmacy's word on an e-prescription, stored once per message (its _id is
// the prescription's and the message's).
type External struct {
	PrescriptionID string
	MessageID      string
	Outcome        string // "dispensed" or "unavailable"
	Pharmacy       string
	Note           string
	At             time.Time
}

// The outcomes an external pharmacy reports.
const (
	ExternalDispensed   = "dispensed"
	ExternalUnavailable = "unavailable"
)

// ErrExternalRecorded means the message was recorded before.
var ErrExternalRecorded = errors.New("pharmacy: external outcome recorded before")

// RecordExternal records an external pharmacy's outcome on a prescription (an inbound webhook): the
// prescription shows it, and the pharmacy's queue is told. It returns the prescription's patient;
// already is true when the same message was recorded before (nothing changed).
func (s *Service) RecordExternal(ctx context.Context, e External) (patientID string, already bool, err error) {
	if e.Outcome != ExternalDispensed && e.Outcome != ExternalUnavailable {
		return "", false, fault.Invalid("outcome must be dispensed or unavailable")
	}
	rx, c, err := s.load(ctx, e.PrescriptionID)
	if errors.Is(err, ErrRxNotFound) {
		return "", false, fault.Invalid("prescription_id: no such prescription")
	}
	if err != nil {
		return "", false, err
	}
	if c != nil {
		return rx.PatientID, false, fault.Coded(fault.ErrConflict, "prescription_cancelled", "the prescription was cancelled")
	}
	if e.At.IsZero() {
		e.At = s.clock()
	}
	switch err := s.store.InsertExternal(ctx, e); {
	case errors.Is(err, ErrExternalRecorded):
		return rx.PatientID, true, nil
	case err != nil:
		return "", false, err
	}
	s.changed(ctx, rx.ID)
	return rx.PatientID, false, nil
}

// external is the newest external outcome of a prescription, nil when there is none.
func (s *Service) external(ctx context.Context, prescriptionID string) (*shared.ExternalFill, error) {
	es, err := s.store.Externals(ctx, prescriptionID)
	if err != nil || len(es) == 0 {
		return nil, err
	}
	newest := es[0]
	for _, e := range es[1:] {
		if e.At.After(newest.At) {
			newest = e
		}
	}
	return &shared.ExternalFill{Outcome: newest.Outcome, Pharmacy: newest.Pharmacy, Note: newest.Note, At: newest.At}, nil
}
