package patient

import (
	"context"
	"errors"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// Referral sends a patient to a doctor, who then has a care relationship with them for the referral's
// lifetime (AccessDeps.ReferralTTL, REFERRAL_TTL). A referral expires so that access gained for a while
// (a break-the-glass grant, a day's check-in) cannot be turned into permanent access by referring the
// patient to a colleague; care that then happens (a check-in with the doctor) is its own relationship.
type Referral struct {
	ID         string
	PatientID  string
	DoctorID   string
	ReferredBy string
	Reason     string
	CreatedAt  time.Time
}

// Public returns the referral as the API shows it.
func (r Referral) Public() shared.Referral {
	return shared.Referral{ID: r.ID, PatientID: r.PatientID, DoctorID: r.DoctorID, ReferredBy: r.ReferredBy,
		Reason: r.Reason, CreatedAt: r.CreatedAt}
}

var errNotADoctor = fault.New(fault.ErrNotFound, "doctor not found")

// Refer refers a patient to a doctor. The caller (a doctor or staff member) must have access to the
// patient; the doctor then has a care relationship with them. Audited as patient.refer.
func (a *Access) Refer(ctx context.Context, p auth.Principal, patientID string, req shared.ReferralRequest) (Referral, error) {
	r, err := a.refer(ctx, p, patientID, req)
	if aerr := a.deps.Audit.Record(ctx, p.UserID, p.Role, AuditID(patientID), "patient.refer", err); aerr != nil {
		return Referral{}, aerr
	}
	return r, err
}

func (a *Access) refer(ctx context.Context, p auth.Principal, patientID string, req shared.ReferralRequest) (Referral, error) {
	if !ident.Valid(patientID) {
		return Referral{}, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	if !ident.Valid(req.DoctorID) {
		return Referral{}, fault.Invalid("doctor_id must be a doctor's user id (24 hex digits)")
	}
	reason, err := checkReason(req.Reason)
	if err != nil {
		return Referral{}, err
	}
	if err := a.Clinical(ctx, p, patientID); err != nil {
		return Referral{}, err
	}
	if _, err := a.deps.Patients.Name(ctx, patientID); err != nil {
		return Referral{}, err
	}
	if req.DoctorID == p.UserID {
		return Referral{}, fault.Invalid("you cannot refer a patient to yourself")
	}
	u, err := a.deps.Users.User(ctx, req.DoctorID)
	if errors.Is(err, fault.ErrNotFound) || (err == nil && (u.Role != shared.RoleDoctor || u.Disabled)) {
		return Referral{}, errNotADoctor
	}
	if err != nil {
		return Referral{}, err
	}
	r := Referral{ID: ident.New(), PatientID: patientID, DoctorID: req.DoctorID, ReferredBy: p.UserID, Reason: reason,
		CreatedAt: a.Now()}
	return r, a.deps.Store.InsertReferral(ctx, r)
}

// Referrals lists a patient's referrals, newest first, to a caller with access to the patient.
// Audited as patient.referrals.
func (a *Access) Referrals(ctx context.Context, p auth.Principal, patientID string, page, limit int) ([]Referral, int, error) {
	rs, total, err := a.referrals(ctx, p, patientID, page, limit)
	if aerr := a.deps.Audit.Record(ctx, p.UserID, p.Role, AuditID(patientID), "patient.referrals", err); aerr != nil {
		return nil, 0, aerr
	}
	return rs, total, err
}

func (a *Access) referrals(ctx context.Context, p auth.Principal, patientID string, page, limit int) ([]Referral, int, error) {
	if !ident.Valid(patientID) {
		return nil, 0, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	if err := a.Clinical(ctx, p, patientID); err != nil {
		return nil, 0, err
	}
	if _, err := a.deps.Patients.Name(ctx, patientID); err != nil {
		return nil, 0, err
	}
	return a.deps.Store.ListReferrals(ctx, patientID, (page-1)*limit, limit)
}

// ReferralsFor returns every referral of a patient (their data export).
func (a *Access) ReferralsFor(ctx context.Context, patientID string) ([]Referral, error) {
	var out []Referral
	for skip := 0; ; skip += exportPage {
		rs, total, err := a.deps.Store.ListReferrals(ctx, patientID, skip, exportPage)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
		if len(rs) < exportPage || len(out) >= total {
			return out, nil
		}
	}
}

// ReferralRelation is the Relation referrals create: a doctor a patient was referred to, until the
// referral expires.
func (a *Access) ReferralRelation(ctx context.Context, p auth.Principal, patientID string) (bool, error) {
	if p.Role != shared.RoleDoctor {
		return false, nil
	}
	return a.deps.Store.Referred(ctx, p.UserID, patientID, a.Now().Add(-a.referralTTL()))
}

// DefaultReferralTTL is how long a referral opens the chart when AccessDeps.ReferralTTL is not set.
const DefaultReferralTTL = 30 * 24 * time.Hour

func (a *Access) referralTTL() time.Duration {
	if a.deps.ReferralTTL > 0 {
		return a.deps.ReferralTTL
	}
	return DefaultReferralTTL
}
