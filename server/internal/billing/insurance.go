package billing

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
)

// Payer is an insurer the hospital claims from, kept by admins. A retired payer stays on the policies,
// invoices and claims that name it, but no new policy may.
type Payer struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Contact   string    `json:"contact,omitempty"`
	Retired   bool      `json:"retired,omitempty"`
	Rev       int       `json:"rev"`
	ChangedAt time.Time `json:"changed_at"`
	ChangedBy string    `json:"changed_by"`
}

// Policy is a patient's insurance policy with a payer: it covers CoverageBP basis points (8000 = 80%)
// of what an invoice issued from ValidFrom to ValidTo (dates in the hospital's zone, both included; no
// ValidTo: open-ended) leaves after the co-pay. A policy is added and ended, never changed or deleted:
// invoices and claims made under it keep pointing at it.
type Policy struct {
	ID        string `json:"id"`
	PatientID string `json:"patient_id"`
	PayerID   string `json:"payer_id"`
	// PayerName is the payer's name as it is now, filled in when the policy is read.
	PayerName string `json:"payer_name"`
	// MemberID is the patient's number with the payer; sealed at rest.
	MemberID   string    `json:"member_id"`
	Plan       string    `json:"plan,omitempty"`
	CoverageBP int       `json:"coverage_bp"`
	CoPay      int64     `json:"copay"`
	ValidFrom  string    `json:"valid_from"`
	ValidTo    string    `json:"valid_to,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
	// Ended says who ended the policy and when (its ValidTo was set then); nil while it runs.
	Ended *Ended `json:"ended,omitempty"`
}

// Ended records who ended a policy.
type Ended struct {
	At time.Time `json:"at"`
	By string    `json:"by"`
}

// Covers reports whether the policy covers an invoice issued on date (YYYY-MM-DD).
func (p Policy) Covers(date string) bool {
	return p.ValidFrom <= date && (p.ValidTo == "" || date <= p.ValidTo)
}

// Coverage is the policy an invoice was issued under, as it was at the issue: frozen on the invoice
// with the shares it gave.
type Coverage struct {
	PolicyID   string `json:"policy_id"`
	PayerID    string `json:"payer_id"`
	PayerName  string `json:"payer_name"`
	Plan       string `json:"plan,omitempty"`
	CoverageBP int    `json:"coverage_bp"`
	CoPay      int64  `json:"copay"`
}

// Shares splits an amount between the insurer and the patient under cov:
//
//	insurer = round((amount − co-pay) × coverage_bp / 10000), taken as 0 when the co-pay is the amount or more
//	patient = amount − insurer
//
// rounded half up to a whole minor unit, computed without overflow for any amount. No coverage: the
// patient pays all.
func Shares(amount int64, cov *Coverage) (insurer, patient int64) {
	if cov == nil || amount <= 0 {
		return 0, amount
	}
	base := amount - cov.CoPay
	if base <= 0 {
		return 0, amount
	}
	bp := int64(cov.CoverageBP)
	q, r := base/10_000, base%10_000
	insurer = q*bp + divRound(r*bp, 10_000)
	return insurer, amount - insurer
}

const (
	maxMemberID = 100
	dateLayout  = "2006-01-02"
)

// Errors of payers and policies.
var (
	errNoPayer      = fault.New(fault.ErrNotFound, "no such payer")
	errNoPolicy     = fault.New(fault.ErrNotFound, "no such policy")
	errPayerChanged = fault.Coded(fault.ErrConflict, "payer_changed", "the payer was changed by someone else meanwhile; reload it and try again")
	errPayerCode    = fault.Coded(fault.ErrConflict, "payer_code_taken", "another payer has that code")
	errPolicyEnded  = fault.Coded(fault.ErrConflict, "policy_ended", "the policy is ended already")
	errPayerRetired = fault.Coded(fault.ErrInvalid, "payer_retired", "the payer is retired: no new policy may name it")
)

func (s *Service) checkPayer(p *Payer) error {
	p.Code, p.Name, p.Contact = strings.TrimSpace(p.Code), strings.TrimSpace(p.Name), strings.TrimSpace(p.Contact)
	if err := errors.Join(checkText("code", p.Code, maxCode, true), checkText("name", p.Name, maxName, true),
		checkText("contact", p.Contact, maxText, false)); err != nil {
		return fault.Invalid("%v", err)
	}
	return nil
}

// CreatePayer adds a payer; its code is unique (409 payer_code_taken).
func (s *Service) CreatePayer(ctx context.Context, p Payer, by string) (Payer, error) {
	if err := s.checkPayer(&p); err != nil {
		return Payer{}, err
	}
	p.ID, p.Rev, p.ChangedAt, p.ChangedBy = ident.New(), 1, s.clock(), by
	if err := s.store.InsertPayer(ctx, p); errors.Is(err, ErrDuplicate) {
		return Payer{}, errPayerCode
	} else if err != nil {
		return Payer{}, err
	}
	return p, nil
}

// UpdatePayer replaces a payer's code, name, contact and retirement if it is still at rev (409
// payer_changed otherwise).
func (s *Service) UpdatePayer(ctx context.Context, id string, p Payer, rev int, by string) (Payer, error) {
	if err := s.checkPayer(&p); err != nil {
		return Payer{}, err
	}
	cur, err := s.Payer(ctx, id)
	if err != nil {
		return Payer{}, err
	}
	if cur.Rev != rev {
		return Payer{}, errPayerChanged
	}
	p.ID, p.Rev, p.ChangedAt, p.ChangedBy = id, rev+1, s.clock(), by
	switch err := s.store.UpdatePayer(ctx, p, rev); {
	case errors.Is(err, ErrStale):
		return Payer{}, errPayerChanged
	case errors.Is(err, ErrDuplicate):
		return Payer{}, errPayerCode
	case err != nil:
		return Payer{}, err
	}
	return p, nil
}

// Payer returns a payer.
func (s *Service) Payer(ctx context.Context, id string) (Payer, error) {
	p, err := s.store.Payer(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Payer{}, errNoPayer
	}
	return p, err
}

// Payers lists the payers by name, retired ones included.
func (s *Service) Payers(ctx context.Context) ([]Payer, error) {
	ps, err := s.store.Payers(ctx)
	slices.SortFunc(ps, func(a, b Payer) int { return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID)) })
	return ps, err
}

// PolicyRequest adds a policy to a patient.
type PolicyRequest struct {
	PayerID    string `json:"payer_id"`
	MemberID   string `json:"member_id"`
	Plan       string `json:"plan"`
	CoverageBP *int   `json:"coverage_bp"`
	CoPay      int64  `json:"copay"`
	ValidFrom  string `json:"valid_from"`
	ValidTo    string `json:"valid_to"`
}

func checkDate(field, v string, required bool) error {
	if v == "" && !required {
		return nil
	}
	if _, err := time.Parse(dateLayout, v); err != nil {
		return fault.Invalid("%s must be a date, YYYY-MM-DD", field)
	}
	return nil
}

// AddPolicy adds a policy to a patient: a payer that is not retired, a member id, a coverage of
// 0..10000 basis points, a co-pay of 0 or more minor units, and the dates it is valid.
func (s *Service) AddPolicy(ctx context.Context, patientID string, r PolicyRequest, by string) (Policy, error) {
	r.MemberID, r.Plan = strings.TrimSpace(r.MemberID), strings.TrimSpace(r.Plan)
	err := errors.Join(checkText("member_id", r.MemberID, maxMemberID, true), checkText("plan", r.Plan, maxName, false),
		checkDate("valid_from", r.ValidFrom, true), checkDate("valid_to", r.ValidTo, false))
	switch {
	case err != nil:
		return Policy{}, fault.Invalid("%v", err)
	case r.PayerID == "":
		return Policy{}, fault.Invalid("payer_id is required")
	case r.CoverageBP == nil || *r.CoverageBP < 0 || *r.CoverageBP > 10_000:
		return Policy{}, fault.Invalid("coverage_bp must be between 0 and 10000 (basis points: 8000 is 80%%)")
	case r.CoPay < 0 || r.CoPay > maxUnit:
		return Policy{}, fault.Invalid("copay must be between 0 and %d minor units", int64(maxUnit))
	case r.ValidTo != "" && r.ValidTo < r.ValidFrom:
		return Policy{}, fault.Invalid("valid_to must not be before valid_from")
	}
	payer, err := s.store.Payer(ctx, r.PayerID)
	if errors.Is(err, ErrNotFound) {
		return Policy{}, fault.Coded(fault.ErrInvalid, "no_payer", "there is no payer %s", r.PayerID)
	} else if err != nil {
		return Policy{}, err
	}
	if payer.Retired {
		return Policy{}, errPayerRetired
	}
	p := Policy{ID: ident.New(), PatientID: patientID, PayerID: payer.ID, PayerName: payer.Name, MemberID: r.MemberID,
		Plan: r.Plan, CoverageBP: *r.CoverageBP, CoPay: r.CoPay, ValidFrom: r.ValidFrom, ValidTo: r.ValidTo,
		CreatedAt: s.clock(), CreatedBy: by}
	if err := s.store.InsertPolicy(ctx, p); err != nil {
		return Policy{}, err
	}
	s.changed(ctx, patientID, "", "policy")
	return p, nil
}

// Policies lists a patient's policies, those valid latest first, each with its payer's name.
func (s *Service) Policies(ctx context.Context, patientID string) ([]Policy, error) {
	ps, err := s.store.Policies(ctx, patientID)
	if err != nil {
		return nil, err
	}
	if err := s.namePayers(ctx, ps); err != nil {
		return nil, err
	}
	slices.SortFunc(ps, func(a, b Policy) int {
		return cmp.Or(strings.Compare(b.ValidFrom, a.ValidFrom), b.CreatedAt.Compare(a.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return ps, nil
}

func (s *Service) namePayers(ctx context.Context, ps []Policy) error {
	if len(ps) == 0 {
		return nil
	}
	payers, err := s.store.Payers(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range payers {
		names[p.ID] = p.Name
	}
	for i := range ps {
		ps[i].PayerName = names[ps[i].PayerID]
	}
	return nil
}

// Policy returns a policy with its payer's name.
func (s *Service) Policy(ctx context.Context, id string) (Policy, error) {
	p, err := s.store.Policy(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Policy{}, errNoPolicy
	} else if err != nil {
		return Policy{}, err
	}
	ps := []Policy{p}
	err = s.namePayers(ctx, ps)
	return ps[0], err
}

// Today is the date in the hospital's zone.
func (s *Service) Today() string { return s.clock().In(s.loc).Format(dateLayout) }

// EndPolicy ends a running policy: it covers no invoice issued on or after date `from` (YYYY-MM-DD in
// the hospital's zone; today when empty), so its ValidTo becomes the day before, or stays earlier. A
// policy ended on or before its first day covers nothing (how one added by mistake is ended). Ending
// an ended policy is 409 policy_ended; one end wins when two happen at once.
func (s *Service) EndPolicy(ctx context.Context, id, from, by string) (Policy, error) {
	if from == "" {
		from = s.Today()
	}
	if err := checkDate("from", from, true); err != nil {
		return Policy{}, err
	}
	p, err := s.Policy(ctx, id)
	if err != nil {
		return Policy{}, err
	}
	if p.Ended != nil {
		return Policy{}, errPolicyEnded
	}
	d, _ := time.Parse(dateLayout, from)
	last := d.AddDate(0, 0, -1).Format(dateLayout)
	if p.ValidTo == "" || last < p.ValidTo {
		p.ValidTo = last
	}
	p.Ended = &Ended{At: s.clock(), By: by}
	if err := s.store.EndPolicy(ctx, id, p.ValidTo, *p.Ended); errors.Is(err, ErrStale) {
		return Policy{}, errPolicyEnded
	} else if err != nil {
		return Policy{}, err
	}
	s.changed(ctx, p.PatientID, "", "policy")
	return p, nil
}

// coverageOn is the coverage of the patient's policy that covers date: of several, the one valid
// from the latest day, then the one added last; nil when none does.
func (s *Service) coverageOn(ctx context.Context, patientID, date string) (*Coverage, error) {
	ps, err := s.store.Policies(ctx, patientID)
	if err != nil {
		return nil, err
	}
	var best *Policy
	for i, p := range ps {
		if !p.Covers(date) {
			continue
		}
		if best == nil || p.ValidFrom > best.ValidFrom || p.ValidFrom == best.ValidFrom && p.CreatedAt.After(best.CreatedAt) {
			best = &ps[i]
		}
	}
	if best == nil {
		return nil, nil
	}
	payer, err := s.store.Payer(ctx, best.PayerID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	return &Coverage{PolicyID: best.ID, PayerID: best.PayerID, PayerName: payer.Name, Plan: best.Plan,
		CoverageBP: best.CoverageBP, CoPay: best.CoPay}, nil
}
