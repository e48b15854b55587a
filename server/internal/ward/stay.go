package ward

import (
	"context"
	"errors"

	"hms/shared"

	"hms/server/internal/reaction"
)

// Discharged is announced (package reaction) once an admission's discharge step is stored. It carries
// the admission's id only; a reaction reads the stay through Stay.
type Discharged struct {
	AdmissionID string `json:"admission_id"`
}

// EventType implements reaction.Event.
func (Discharged) EventType() string { return "ward.discharged" }

// Key implements reaction.Event: an admission is discharged once.
func (e Discharged) Key() string { return e.AdmissionID }

// Admitted is announced (package reaction) once an admission is stored, with its id only.
type Admitted struct {
	AdmissionID string `json:"admission_id"`
}

// EventType implements reaction.Event.
func (Admitted) EventType() string { return "ward.admitted" }

// Key implements reaction.Event: an admission is stored once.
func (e Admitted) Key() string { return e.AdmissionID }

// Announce gives the wards the bus they announce discharges on, and gives the bus the check of it
// (whether a Discharged recorded before a crash did happen). Call it while wiring, before serving.
func (s *Service) Announce(b *reaction.Bus) {
	s.bus = b
	reaction.Verify(b, func(ctx context.Context, e Discharged) (bool, error) {
		r, err := s.current(ctx, e.AdmissionID)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return err == nil && r.Status == shared.AdmissionDischarged, err
	})
	reaction.Verify(b, func(ctx context.Context, e Admitted) (bool, error) {
		_, err := s.current(ctx, e.AdmissionID)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	})
}

// Department returns a ward's department.
func (s *Service) Department(ctx context.Context, wardID string) (string, error) {
	w, err := s.ward(ctx, wardID)
	return w.Department, err
}

// Stay returns an admission as it is now and its steps, in order (a transfer is a step with the new
// ward), for billing its nights.
func (s *Service) Stay(ctx context.Context, id string) (Record, []Step, error) {
	r, err := s.current(ctx, id)
	if err != nil {
		return Record{}, nil, err
	}
	steps, err := s.store.Steps(ctx, id, r.Step)
	return r, steps, err
}

// Active returns the active admissions.
func (s *Service) Active(ctx context.Context) ([]Record, error) {
	return s.store.Admissions(ctx, Filter{ActiveOnly: true})
}
