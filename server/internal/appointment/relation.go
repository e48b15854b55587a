package appointment

import (
	"context"
	"time"

	"hms/server/internal/auth"
	"hms/shared"
)

// CareStore is what the care relationship reads of appointments.
type CareStore interface {
	// DoctorSees reports whether the doctor has a non-cancelled appointment with the patient, past or
	// future, or called a ticket of theirs.
	DoctorSees(ctx context.Context, doctorID, patientID string) (bool, error)
	// ExpectedOn reports whether the patient has a non-cancelled appointment starting in [from, to) or a
	// queue ticket of day (YYYY-MM-DD).
	ExpectedOn(ctx context.Context, patientID string, from, to time.Time, day string) (bool, error)
}

// Relation is the appointment domain's part of the clinical access rule (patient.Relation): a doctor
// sees the patients they have (had) an appointment with; staff the patients expected today, in the
// hospital's time.
func (s *Service) Relation(ctx context.Context, p auth.Principal, patientID string) (bool, error) {
	switch p.Role {
	case shared.RoleDoctor:
		return s.store.DoctorSees(ctx, p.UserID, patientID)
	case shared.RoleStaff:
		now := s.now().In(s.loc)
		from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.loc)
		return s.store.ExpectedOn(ctx, patientID, from, from.AddDate(0, 0, 1), from.Format(time.DateOnly))
	}
	return false, nil
}
