package gdpr

import (
	"context"
	"errors"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/patient"
	"hms/shared"
)

// system is the principal the erasure disables an account as: a patient erasing themself may not
// change their own account through the admin path, and the change is the erasure's, not an admin's.
var system = auth.Principal{UserID: "gdpr-erasure", Role: shared.RoleAdmin}

// Erase pseudonymises a patient (the patient themself, or an admin): the record's name becomes a
// pseudonym and its identifying fields go; the linked account is disabled, renamed, its email replaced
// (the address may register again) and every session ends; the name copied into appointments is
// replaced; notifications to the patient are deleted. Clinical records stay under the patient id.
// Asking again returns the same result. Audited as patient.erase whatever the outcome.
func (s *Service) Erase(ctx context.Context, by auth.Principal, patientID string, confirm bool) (shared.Erasure, error) {
	e, err := s.erase(ctx, by, patientID, confirm)
	if aerr := s.d.Audit.Record(ctx, by.UserID, by.Role, patient.AuditID(patientID), "patient.erase", err); aerr != nil {
		return shared.Erasure{}, aerr
	}
	return e, err
}

func (s *Service) erase(ctx context.Context, by auth.Principal, patientID string, confirm bool) (shared.Erasure, error) {
	switch {
	case by.Role == shared.RolePatient && by.PatientID != patientID:
		return shared.Erasure{}, fault.New(fault.ErrForbidden, "patients may only erase their own record")
	case by.Role != shared.RolePatient && by.Role != shared.RoleAdmin:
		return shared.Erasure{}, fault.New(fault.ErrForbidden, "only the patient or an admin can erase a record")
	case !ident.Valid(patientID):
		return shared.Erasure{}, fault.Invalid("malformed patient id: want 24 hex digits")
	case !confirm:
		return shared.Erasure{}, fault.Invalid(`erasure cannot be undone: send {"confirm": true}`)
	}
	r, err := s.d.Records.PatientByID(ctx, patientID)
	if err != nil {
		return shared.Erasure{}, err
	}
	name, at := Pseudonym(patientID), s.now()
	if r.UserID != "" {
		// Disabling changes the account's epoch: every token it holds stops working at once.
		_, err := s.d.Users.UpdateUser(ctx, system, r.UserID, shared.UpdateUserRequest{Disabled: new(true)})
		if err != nil && !errors.Is(err, fault.ErrNotFound) {
			return shared.Erasure{}, err
		}
		if err == nil {
			if err := s.d.Erasures.PseudonymiseAccount(ctx, r.UserID, name, erasedEmail(r.UserID), at); err != nil {
				return shared.Erasure{}, err
			}
		}
	}
	if err := s.d.Erasures.DeleteNotifications(ctx, r.UserID, patientID); err != nil {
		return shared.Erasure{}, err
	}
	if err := s.d.Erasures.RenameInAppointments(ctx, patientID, name); err != nil {
		return shared.Erasure{}, err
	}
	erasedAt, err := s.d.Records.ErasePatient(ctx, patientID, name, at)
	if err != nil {
		return shared.Erasure{}, err
	}
	return shared.Erasure{PatientID: patientID, Pseudonym: name, ErasedAt: erasedAt}, nil
}
