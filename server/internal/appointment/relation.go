package appointment

import (
	"context"

	"hms/server/internal/auth"
	"hms/shared"
)

// CareStore is what the care relationship reads of appointments.
type CareStore interface {
	// DoctorSees reports whether the patient was checked in for an appointment with the doctor (checked
	// in, called, in consultation or completed), or the doctor called a ticket of theirs; a ticket the
	// doctor checked in themself does not count, unless it is an emergency admitted at ESI 1–2.
	DoctorSees(ctx context.Context, doctorID, patientID string) (bool, error)
	// CheckedInOn reports whether the patient holds a non-cancelled queue ticket of day (YYYY-MM-DD).
	CheckedInOn(ctx context.Context, patientID, day string) (bool, error)
}

// Relation is the appointment domain's part of the clinical access rule (patient.Relation). It counts
// care that happened or is happening, never a booking alone: anyone may book anyone, so a booking the
// caller made themself would otherwise open any chart (docs/security.md row 34). A doctor sees the
// patients checked in for an appointment with them, or whose ticket they called, when someone else
// checked the ticket in (or it is an emergency they admitted that raised an alert); staff the patients
// checked in today, in the hospital's time.
func (s *Service) Relation(ctx context.Context, p auth.Principal, patientID string) (bool, error) {
	switch p.Role {
	case shared.RoleDoctor:
		return s.store.DoctorSees(ctx, p.UserID, patientID)
	case shared.RoleStaff:
		return s.store.CheckedInOn(ctx, patientID, s.today())
	}
	return false, nil
}
