package patient

import (
	"context"

	"hms/server/internal/auth"
	"hms/shared"
)

// Relation reports whether p has a care relationship with a patient: an appointment or queue ticket
// with them, an admission they attend, a referral to them. Each domain that creates such a link
// contributes one (Access.AddRelation).
type Relation func(ctx context.Context, p auth.Principal, patientID string) (bool, error)

// Access decides who may read or change a patient's clinical records (encounters, diagnoses, notes,
// vitals, prescriptions, lab reports, admissions). Every clinical domain asks it before touching a
// patient's data, so the rule lives in one place.
type Access struct {
	relations []Relation
}

// NewAccess returns the access rule with no relations yet.
func NewAccess() *Access { return &Access{} }

// AddRelation adds a source of care relationships. Call it while wiring, before serving.
func (a *Access) AddRelation(r Relation) { a.relations = append(a.relations, r) }

// Clinical returns nil when p may read or change patientID's clinical records, else an error in the
// fault categories (forbidden → 403). A patient may see only their own; domains that hold unreleased
// data (lab results) filter further.
//
// Interim rule, replaced by the care-relationship and break-the-glass rule: staff-side roles pass.
func (a *Access) Clinical(ctx context.Context, p auth.Principal, patientID string) error {
	if p.Role == shared.RolePatient {
		return allowed(p, patientID)
	}
	return nil
}

// Exporter is one domain's part of a patient's data export (GET /api/me/export, SECURITY.md row 31).
type Exporter interface {
	// ExportPatient returns the section's name (a JSON key, e.g. "prescriptions") and everything the
	// domain holds about the patient, decrypted, in its API shape.
	ExportPatient(ctx context.Context, patientID string) (section string, data any, err error)
}
