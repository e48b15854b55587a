package gdpr

import (
	"context"
	"fmt"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/shared"
)

// page is how many items the export reads at a time.
const page = 200

// Export returns everything the hospital holds about the calling patient, clinical text decrypted.
// It is audited as patient.export whatever the outcome.
func (s *Service) Export(ctx context.Context, p auth.Principal) (shared.PatientExport, error) {
	x, err := s.export(ctx, p)
	if aerr := s.d.Audit.Record(ctx, p.UserID, p.Role, p.PatientID, "patient.export", err); aerr != nil {
		return shared.PatientExport{}, aerr
	}
	return x, err
}

func (s *Service) export(ctx context.Context, p auth.Principal) (shared.PatientExport, error) {
	if p.Role != shared.RolePatient || p.PatientID == "" {
		return shared.PatientExport{}, fault.New(fault.ErrForbidden, "only a patient can export their own data")
	}
	id := p.PatientID
	x := shared.PatientExport{Format: shared.ExportFormat, ExportedAt: s.now(), Sections: map[string]any{}}
	u, err := s.d.Users.User(ctx, p.UserID)
	if err != nil {
		return x, err
	}
	x.Account = u.Public()
	r, err := s.d.Records.PatientByID(ctx, id)
	if err != nil {
		return x, err
	}
	x.Patient = r.Public()
	revs, err := s.d.Records.ExportRevisions(ctx, id)
	if err != nil {
		return x, err
	}
	x.Revisions = make([]shared.ExportRevision, 0, len(revs))
	for _, v := range revs {
		x.Revisions = append(x.Revisions, shared.ExportRevision{Rev: v.Rev, MedicalHistory: v.MedicalHistory,
			AuthorID: v.AuthorID, AuthorRole: v.AuthorRole, At: v.At})
	}
	if x.Appointments, err = s.d.Appointments(ctx, id); err != nil {
		return x, err
	}
	if x.Appointments == nil {
		x.Appointments = []shared.Appointment{}
	}
	if x.Notifications, err = s.d.Notifications.All(ctx, p.UserID); err != nil {
		return x, err
	}
	if x.Notifications == nil {
		x.Notifications = []shared.Notification{}
	}
	refs, err := s.d.Access.ReferralsFor(ctx, id)
	if err != nil {
		return x, err
	}
	x.Referrals = make([]shared.Referral, 0, len(refs))
	for _, r := range refs {
		x.Referrals = append(x.Referrals, r.Public())
	}
	grants, err := s.d.Access.GrantsFor(ctx, id)
	if err != nil {
		return x, err
	}
	x.AccessGrants = make([]shared.AccessGrant, 0, len(grants))
	for _, g := range grants {
		x.AccessGrants = append(x.AccessGrants, g.Public())
	}
	x.AccessLog = []shared.ExportAccessEntry{}
	for skip := 0; ; skip += page {
		es, err := s.d.Audit.List(ctx, audit.Filter{PatientID: id}, skip, page)
		if err != nil {
			return x, err
		}
		for _, e := range es {
			x.AccessLog = append(x.AccessLog, shared.ExportAccessEntry{At: e.At, ActorID: e.ActorID, ActorRole: e.ActorRole,
				Action: e.Action, Outcome: e.Outcome})
		}
		if len(es) < page {
			break
		}
	}
	for _, e := range s.d.Exporters {
		name, data, err := e.ExportPatient(ctx, id)
		if err != nil {
			return x, fmt.Errorf("export %s: %w", name, err)
		}
		x.Sections[name] = data
	}
	return x, nil
}
