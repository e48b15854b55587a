package appointment

import (
	"context"

	"hms/server/internal/auth"
	"hms/server/internal/ident"
	"hms/shared"
)

// Access is the clinical access rule (patient.Access) as the appointment domain asks it: whether p
// may see the patient's clinical content, without a refusal.
type Access interface {
	Sees(ctx context.Context, p auth.Principal, patientID string) (bool, error)
}

// view shapes the appointments one request returns to its caller, by the access rule: an
// appointment's reason and its steps' reasons are free text, often clinical, so they are shown only to
// the patient and to callers who may see the patient's records; the scheduling fields (who, when,
// where, status, ticket) stay, for the desk. It also collects the patients returned, for the audit.
type view struct {
	s       *Service
	p       auth.Principal
	seen    map[string]bool
	targets []string
}

func (s *Service) view(p auth.Principal) *view {
	return &view{s: s, p: p, seen: map[string]bool{}}
}

// show withholds a's reasons unless the caller may see its patient, and notes the patient.
func (v *view) show(ctx context.Context, a *shared.Appointment) error {
	ok, known := v.seen[a.PatientID]
	if !known {
		if ident.Valid(a.PatientID) {
			v.targets = append(v.targets, a.PatientID)
		}
		var err error
		if ok, err = v.sees(ctx, a.PatientID); err != nil {
			return err
		}
		v.seen[a.PatientID] = ok
	}
	if !ok {
		a.Reason = ""
		for i := range a.History {
			a.History[i].Reason = ""
		}
	}
	return nil
}

func (v *view) sees(ctx context.Context, patientID string) (bool, error) {
	switch {
	case v.p.Role == shared.RolePatient:
		return patientID == v.p.PatientID, nil
	case !ident.Valid(patientID) || v.s.access == nil:
		return false, nil
	}
	return v.s.access.Sees(ctx, v.p, patientID)
}

// showAll applies show to each appointment.
func (v *view) showAll(ctx context.Context, as []shared.Appointment) error {
	for i := range as {
		if err := v.show(ctx, &as[i]); err != nil {
			return err
		}
	}
	return nil
}

// audit records action once for each patient the request returned (one entry per patient, so each
// patient's trail shows who saw their appointments); a failed write fails the request.
func (v *view) audit(ctx context.Context, action string) error {
	for _, id := range v.targets {
		if err := v.s.audit.Record(ctx, v.p.UserID, v.p.Role, id, action, nil); err != nil {
			return err
		}
	}
	return nil
}

// Shown is an appointment a change returned (Book, Cancel), as the caller may see it: its reason only
// for a caller who may see the patient (a failure to ask the rule withholds it).
func (s *Service) Shown(ctx context.Context, p auth.Principal, r Record) shared.Appointment {
	a := r.Public()
	if err := s.view(p).show(ctx, &a); err != nil {
		a.Reason = ""
		s.log.WarnContext(ctx, "ask the access rule for an appointment's reason", "appointment", r.ID, "err", err)
	}
	return a
}
