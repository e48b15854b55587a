package appointment

import (
	"context"
	"time"

	"hms/server/internal/doctor"
	"hms/shared"
)

// The reads below are for other domains, through the composition root: they take no principal, so
// no route calls them; each caller applies its own access rule.

// Record returns an appointment as stored.
func (s *Service) Record(ctx context.Context, id string) (Record, error) {
	return s.store.Appointment(ctx, id)
}

// ForPatient returns every appointment of a patient (the patient's data export).
func (s *Service) ForPatient(ctx context.Context, patientID string) ([]shared.Appointment, error) {
	var out []shared.Appointment
	for skip := 0; ; skip += 200 {
		rs, total, err := s.store.List(ctx, Filter{PatientID: patientID}, skip, 200)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			out = append(out, r.Public())
		}
		if len(rs) < 200 || len(out) >= total {
			return out, nil
		}
	}
}

// Scheduled returns a page of the scheduled appointments starting in [from, to) (the reminders).
func (s *Service) Scheduled(ctx context.Context, from, to time.Time, skip, limit int) ([]Record, error) {
	rs, _, err := s.store.List(ctx, Filter{Status: shared.StatusScheduled, From: from, To: to}, skip, limit)
	return rs, err
}

// Booked implements doctor.Bookings: the booked slots of the doctors overlapping [from, to).
func (s *Service) Booked(ctx context.Context, doctorIDs []string, from, to time.Time) ([]doctor.Booking, error) {
	return s.store.Booked(ctx, doctorIDs, from, to)
}

// Appointments implements doctor.Bookings: the appointments with these ids, as the API shows them.
func (s *Service) Appointments(ctx context.Context, ids []string) ([]shared.Appointment, error) {
	return s.store.Appointments(ctx, ids)
}

// ErasePatientName replaces an erased patient's name copied into their appointments, steps and queue
// tickets by the pseudonym (a reaction to the erasure).
func (s *Service) ErasePatientName(ctx context.Context, patientID, pseudonym string) error {
	return s.store.RenamePatient(ctx, patientID, pseudonym)
}
