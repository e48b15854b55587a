package ward

import (
	"context"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// ListQuery is GET /api/admissions' query: ward id, doctor id or "me", active only.
type ListQuery struct {
	WardID, DoctorID string
	ActiveOnly       bool
}

// List lists admissions by ward, attending doctor and status, newest first. Only admissions of
// patients the caller may see are listed, each read audited.
func (s *Service) List(ctx context.Context, p auth.Principal, q ListQuery, page, limit int) (shared.AdmissionList, error) {
	out := shared.AdmissionList{Items: []shared.Admission{}, Page: page, Limit: limit}
	f := Filter{WardID: q.WardID, DoctorID: q.DoctorID, ActiveOnly: q.ActiveOnly}
	if f.DoctorID == "me" {
		if p.Role != shared.RoleDoctor {
			return out, fault.Invalid("doctor=me is for doctors")
		}
		f.DoctorID = p.UserID
	}
	if f.DoctorID != "" && !ident.Valid(f.DoctorID) {
		return out, fault.Invalid("doctor must be \"me\" or a doctor id (24 hex digits)")
	}
	if f.WardID != "" && !shared.ValidDepartmentID(f.WardID) {
		return out, fault.Invalid("ward must be a ward id")
	}
	recs, err := s.store.Admissions(ctx, f)
	if err != nil {
		return out, err
	}
	var visible []Record
	for _, r := range recs {
		if s.deps.Clinical(ctx, p, r.PatientID) == nil {
			visible = append(visible, r)
		}
	}
	out.Total = len(visible)
	from := min((page-1)*limit, len(visible))
	for _, r := range visible[from:min(from+limit, len(visible))] {
		if err := s.record(ctx, p, r.PatientID, "admission.read", nil); err != nil {
			return out, err
		}
		a, err := s.public(ctx, r, nil)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, a)
	}
	return out, nil
}

// PatientAdmissions lists one patient's admissions, newest first (a patient only their own).
func (s *Service) PatientAdmissions(ctx context.Context, p auth.Principal, patientID string, page, limit int) (shared.AdmissionList, error) {
	out, err := s.patientAdmissions(ctx, p, patientID, page, limit)
	if err = s.record(ctx, p, patientID, "admission.read", err); err != nil {
		return shared.AdmissionList{}, err
	}
	return out, nil
}

func (s *Service) patientAdmissions(ctx context.Context, p auth.Principal, patientID string, page, limit int) (shared.AdmissionList, error) {
	out := shared.AdmissionList{Items: []shared.Admission{}, Page: page, Limit: limit}
	if !ident.Valid(patientID) {
		return out, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	if err := s.deps.Clinical(ctx, p, patientID); err != nil {
		return out, err
	}
	recs, err := s.store.Admissions(ctx, Filter{PatientID: patientID})
	if err != nil {
		return out, err
	}
	out.Total = len(recs)
	from := min((page-1)*limit, len(recs))
	for _, r := range recs[from:min(from+limit, len(recs))] {
		a, err := s.public(ctx, r, nil)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, a)
	}
	return out, nil
}

// Relation is the admission care relationship (patient.Relation): a doctor attending a current or past
// admission of the patient; staff while the patient is admitted.
func (s *Service) Relation(ctx context.Context, p auth.Principal, patientID string) (bool, error) {
	if !p.Is(shared.RoleDoctor, shared.RoleStaff) || !ident.Valid(patientID) {
		return false, nil
	}
	recs, err := s.store.Admissions(ctx, Filter{PatientID: patientID})
	if err != nil {
		return false, err
	}
	for _, r := range recs {
		if p.Role == shared.RoleDoctor && r.DoctorID == p.UserID || p.Role == shared.RoleStaff && r.Status == shared.AdmissionActive {
			return true, nil
		}
	}
	return false, nil
}

// ExportPatient implements patient.Exporter: every admission of the patient with its history,
// decrypted.
func (s *Service) ExportPatient(ctx context.Context, patientID string) (string, any, error) {
	out := []shared.Admission{}
	recs, err := s.store.Admissions(ctx, Filter{PatientID: patientID})
	if err != nil {
		return "admissions", nil, err
	}
	for _, r := range recs {
		steps, err := s.store.Steps(ctx, r.ID, r.Step)
		if err != nil {
			return "admissions", nil, err
		}
		a, err := s.public(ctx, r, steps)
		if err != nil {
			return "admissions", nil, err
		}
		out = append(out, a)
	}
	return "admissions", out, nil
}
