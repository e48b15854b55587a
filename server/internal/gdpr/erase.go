package gdpr

import (
	"context"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/patient"
	"hms/shared"
)

// Erase pseudonymises a patient (the patient themself, or an admin): the record's name becomes a
// pseudonym and its identifying fields go; then, as reactions to PatientErased, the linked account is
// disabled, renamed, its email replaced (the address may register again) and every session ends; the
// name copied into appointments is replaced; notifications to the patient are deleted; the stored
// invoice PDFs, which print the name, are deleted (rendered again under the pseudonym). Clinical
// records, and the bills (charges, invoices, credit notes, payments: financial records the law
// requires), stay under the patient id.
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
	name := Pseudonym(patientID)
	// The other domains erase their own parts as reactions to the erasure, which the bus runs once the
	// record is erased, and again after a crash until each has succeeded.
	announced, err := s.d.Bus.Expect(ctx, PatientErased{PatientID: patientID, UserID: r.UserID, Pseudonym: name})
	if err != nil {
		return shared.Erasure{}, err
	}
	erasedAt, err := s.d.Records.ErasePatient(ctx, patientID, name, s.now())
	if err != nil {
		announced.Drop(ctx)
		return shared.Erasure{}, err
	}
	announced.Happened(ctx)
	return shared.Erasure{PatientID: patientID, Pseudonym: name, ErasedAt: erasedAt}, nil
}
