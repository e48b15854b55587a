package patient

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// SearchParams are the filters of GET /api/patients and the FHIR Patient search; every one given
// must match.
type SearchParams struct {
	// Q is a prefix of any word of the name (case and accents ignored), or an exact id or MRN.
	Q string
	// MRN matches exactly; Condition is a medical word matched whole in conditions and history.
	MRN, Condition string
	// Name is like Q but always words of the name (never an id or MRN); ID matches exactly. BirthFrom
	// and BirthTo bound the date of birth (YYYY-MM-DD, inclusive; either may be empty).
	Name, ID           string
	BirthFrom, BirthTo string
	Page, Limit        int
	// Offset, used when Page is 0, is how many matches the page skips.
	Offset int
}

// Search lists patients' demographics, audited as one "patient.search" entry that holds no search text.
//
// A search by condition reads medical content: it lists only the patients the caller may see under the
// access rule (Access.Sees; a patient left out is not a refusal), and is audited as one
// "patient.search.condition" entry without a patient, plus one such entry for each patient it returns
// (so each patient's trail shows they came up in a search by medical content). The term itself is never
// recorded: the action says that a condition was searched, not which (docs/security.md row 35).
func (s *Service) Search(ctx context.Context, p auth.Principal, sp SearchParams) ([]Record, int, error) {
	rs, n, err := s.search(ctx, p, sp)
	action := "patient.search"
	if strings.TrimSpace(sp.Condition) != "" {
		action = "patient.search.condition"
	}
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, "", action, err); aerr != nil {
		return nil, 0, aerr
	}
	if action == "patient.search.condition" && err == nil {
		for _, r := range rs {
			if aerr := s.audit.Record(ctx, p.UserID, p.Role, r.ID, action, nil); aerr != nil {
				return nil, 0, aerr
			}
		}
	}
	return rs, n, err
}

// maxConditionMatches bounds how many matches of a condition search are checked against the access
// rule (one check per match): a term matching more is refused, to be narrowed by name or MRN.
const maxConditionMatches = 2000

// visible keeps the records of q's matches that p may see, and pages them.
func (s *Service) visible(ctx context.Context, p auth.Principal, q Query) ([]Record, int, error) {
	skip, limit := q.Skip, q.Limit
	q.Skip, q.Limit = 0, maxConditionMatches+1
	all, n, err := s.store.Search(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	if n > maxConditionMatches || len(all) > maxConditionMatches {
		return nil, 0, fault.Invalid("more than %d records match this condition: narrow it by name or mrn", maxConditionMatches)
	}
	kept := make([]Record, 0, len(all))
	for _, r := range all {
		ok, err := s.access.Sees(ctx, p, r.ID)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			kept = append(kept, r)
		}
	}
	from, to := min(skip, len(kept)), min(skip+limit, len(kept))
	return kept[from:to], len(kept), nil
}

func (s *Service) search(ctx context.Context, p auth.Principal, sp SearchParams) ([]Record, int, error) {
	q := Query{Skip: (sp.Page - 1) * sp.Limit, Limit: sp.Limit}
	if sp.Page == 0 {
		q.Skip = sp.Offset
	}
	if q.Skip < 0 || q.Limit < 1 {
		return nil, 0, fault.Invalid("a page needs a limit of at least 1 and no negative offset")
	}
	if text := strings.TrimSpace(sp.Q); text != "" {
		if utf8.RuneCountInString(text) > 100 {
			return nil, 0, fault.Invalid("q is at most 100 characters")
		}
		switch {
		case ident.Valid(strings.ToLower(text)):
			q.ID = strings.ToLower(text)
		case ValidMRN(strings.ToUpper(text)):
			q.MRN = strings.ToUpper(text)
		default:
			if q.Prefixes = Words(text); len(q.Prefixes) == 0 {
				return nil, 0, fault.Invalid("q must hold letters or digits")
			}
			if len(q.Prefixes) > 5 {
				return nil, 0, fault.Invalid("q has at most 5 words")
			}
		}
	}
	if name := strings.TrimSpace(sp.Name); name != "" {
		if utf8.RuneCountInString(name) > 100 {
			return nil, 0, fault.Invalid("name is at most 100 characters")
		}
		words := Words(name)
		if len(words) == 0 {
			return nil, 0, fault.Invalid("name must hold letters or digits")
		}
		if len(q.Prefixes)+len(words) > 5 {
			return nil, 0, fault.Invalid("name has at most 5 words")
		}
		q.Prefixes = append(q.Prefixes, words...)
	}
	if id := strings.ToLower(strings.TrimSpace(sp.ID)); id != "" {
		if !ident.Valid(id) {
			return nil, 0, nil // no record has such an id
		}
		if q.ID != "" && q.ID != id {
			return nil, 0, nil
		}
		q.ID = id
	}
	// A patient's search is confined to their own record, whatever else it asks (the REST search is
	// not open to patients at all; FHIR's Patient search is).
	if p.Role == shared.RolePatient {
		if p.PatientID == "" || q.ID != "" && q.ID != p.PatientID {
			return nil, 0, nil
		}
		q.ID = p.PatientID
	}
	for _, d := range []string{sp.BirthFrom, sp.BirthTo} {
		if d != "" {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return nil, 0, fault.Invalid("malformed date of birth bound %q: want YYYY-MM-DD", d)
			}
		}
	}
	if sp.BirthFrom != "" && sp.BirthTo != "" && sp.BirthFrom > sp.BirthTo {
		return nil, 0, nil
	}
	q.BirthFrom, q.BirthTo = sp.BirthFrom, sp.BirthTo
	if m := strings.TrimSpace(sp.MRN); m != "" {
		if !ValidMRN(strings.ToUpper(m)) {
			return nil, 0, fault.Invalid("malformed mrn: want H, 7 digits and a check digit")
		}
		if q.MRN != "" && q.MRN != strings.ToUpper(m) {
			return nil, 0, nil
		}
		q.MRN = strings.ToUpper(m)
	}
	if c := strings.TrimSpace(sp.Condition); c != "" {
		if utf8.RuneCountInString(c) > 100 {
			return nil, 0, fault.Invalid("condition is at most 100 characters")
		}
		if q.Terms = Words(c); len(q.Terms) == 0 || len(q.Terms) > 5 {
			return nil, 0, fault.Invalid("condition must be one to five words")
		}
	}
	q.WithMerged = q.ID != "" || q.MRN != ""
	if len(q.Terms) > 0 {
		return s.visible(ctx, p, q)
	}
	return s.store.Search(ctx, q)
}

// Patch changes a record's demographics, allergies or conditions, audited whatever the outcome.
// Allergies and conditions are clinical: changing them takes the clinical access rule.
func (s *Service) Patch(ctx context.Context, p auth.Principal, id string, req shared.PatchPatientRequest) (Record, error) {
	r, err := s.patch(ctx, p, id, req)
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, AuditID(id), "patient.update", err); aerr != nil {
		return Record{}, aerr
	}
	return r, err
}

func (s *Service) patch(ctx context.Context, p auth.Principal, id string, req shared.PatchPatientRequest) (Record, error) {
	if !ident.Valid(id) {
		return Record{}, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	c, err := changes(req, now)
	if err != nil {
		return Record{}, err
	}
	if err := allowed(p, id); err != nil {
		return Record{}, err
	}
	if c.Clinical() {
		if err := s.clinical(ctx, p, id); err != nil {
			return Record{}, err
		}
	}
	r, err := s.store.PatientByID(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if r.MergedInto != "" {
		return Record{}, mergedErr(r.MergedInto)
	}
	if err := s.store.UpdateFields(ctx, id, c, now); err != nil {
		return Record{}, err
	}
	r = c.apply(r)
	r.UpdatedAt = now
	return r, nil
}

// Duplicates lists records that may be the same person as id (demographics only), audited.
func (s *Service) Duplicates(ctx context.Context, p auth.Principal, id string) ([]Record, error) {
	rs, err := s.duplicates(ctx, p, id)
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, AuditID(id), "patient.duplicates", err); aerr != nil {
		return nil, aerr
	}
	return rs, err
}

func (s *Service) duplicates(ctx context.Context, p auth.Principal, id string) ([]Record, error) {
	if !ident.Valid(id) {
		return nil, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	if err := allowed(p, id); err != nil {
		return nil, err
	}
	r, err := s.store.PatientByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.store.Duplicates(ctx, r)
}

// History lists the revisions of id's medical history, newest first, audited.
func (s *Service) History(ctx context.Context, p auth.Principal, id string, page, limit int) ([]Revision, int, error) {
	revs, n, err := s.history(ctx, p, id, page, limit)
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, AuditID(id), "patient.history", err); aerr != nil {
		return nil, 0, aerr
	}
	return revs, n, err
}

func (s *Service) history(ctx context.Context, p auth.Principal, id string, page, limit int) ([]Revision, int, error) {
	if !ident.Valid(id) {
		return nil, 0, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	if err := s.clinical(ctx, p, id); err != nil {
		return nil, 0, err
	}
	if _, err := s.store.PatientByID(ctx, id); err != nil {
		return nil, 0, err
	}
	return s.store.Revisions(ctx, id, (page-1)*limit, limit)
}
