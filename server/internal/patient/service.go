package patient

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/clock"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// Service is the patient domain's business logic.
type Service struct {
	store Store
	audit *audit.Log
	clock *clock.Clock
	// access is the clinical access rule (Access.Clinical), asked before medical content is read or
	// changed.
	access AccessRule
}

// AccessRule is the clinical access rule as the records service asks it (*Access).
type AccessRule interface {
	Clinical(ctx context.Context, p auth.Principal, patientID string) error
	Sees(ctx context.Context, p auth.Principal, patientID string) (bool, error)
}

// clinical checks that p may read or change id's medical content.
func (s *Service) clinical(ctx context.Context, p auth.Principal, id string) error {
	if err := allowed(p, id); err != nil {
		return err
	}
	return s.access.Clinical(ctx, p, id)
}

// NewService wires the service; clk is the hospital's clock. access is the clinical access rule every
// read of medical content asks; it is required.
func NewService(store Store, log *audit.Log, clk *clock.Clock, access AccessRule) *Service {
	if access == nil {
		panic("patient.NewService: no clinical access rule")
	}
	return &Service{store: store, audit: log, clock: clk, access: access}
}

func (s *Service) now() time.Time { return s.clock.Now() }

// CreateForUser creates the record of a newly registered patient account, with an MRN.
func (s *Service) CreateForUser(ctx context.Context, patientID, userID, name, email string) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	_, err := s.insert(ctx, Record{ID: patientID, UserID: userID, Name: name, Email: email,
		CreatedAt: now, UpdatedAt: now})
	return err
}

// Name returns a patient's name, for other domains (an appointment shows whom it is for). Not audited
// here: the caller audits the action it takes.
func (s *Service) Name(ctx context.Context, id string) (string, error) {
	if !ident.Valid(id) {
		return "", ErrNotFound
	}
	r, err := s.store.PatientByID(ctx, id)
	return r.Name, err
}

// Identity returns a patient's name and MRN, for other domains' work queues (the pharmacy's, the
// lab's). Not audited here: the caller audits the list it returns.
func (s *Service) Identity(ctx context.Context, id string) (name, mrn string, err error) {
	if !ident.Valid(id) {
		return "", "", ErrNotFound
	}
	r, err := s.store.PatientByID(ctx, id)
	return r.Name, r.MRN, err
}

// Allergies returns a patient's known allergies, for other domains (pharmacy warns on them). Not
// audited here: the caller audits the action it takes.
func (s *Service) Allergies(ctx context.Context, id string) ([]string, error) {
	if !ident.Valid(id) {
		return nil, ErrNotFound
	}
	r, err := s.store.PatientByID(ctx, id)
	return r.Allergies, err
}

// CreateUnlinked creates a record with no account: a walk-in registered at the desk, or an unidentified
// emergency patient (to be merged with their real record once known). It is audited.
func (s *Service) CreateUnlinked(ctx context.Context, by auth.Principal, name string, unidentified bool) (string, error) {
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return "", fault.Invalid("name is required (at most 200 characters)")
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	r := Record{ID: ident.New(), Name: name, Unidentified: unidentified, CreatedAt: now, UpdatedAt: now}
	_, err := s.insert(ctx, r)
	if aerr := s.audit.Record(ctx, by.UserID, by.Role, r.ID, "patient.create", err); aerr != nil && err == nil {
		return "", aerr
	}
	return r.ID, err
}

// allowed says whether the caller may touch this record at all: staff roles may, a patient only their own.
// (Care-relationship checks for doctors come with the patient-records work.)
func allowed(p auth.Principal, id string) error {
	if p.Role == shared.RolePatient && p.PatientID != id {
		return errOthersRecord
	}
	return nil
}

// Get returns a record, audited whatever the outcome.
func (s *Service) Get(ctx context.Context, p auth.Principal, id string) (Record, error) {
	r, err := s.get(ctx, p, id)
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, AuditID(id), "patient.read", err); aerr != nil {
		return Record{}, aerr
	}
	return r, err
}

func (s *Service) get(ctx context.Context, p auth.Principal, id string) (Record, error) {
	if !ident.Valid(id) {
		return Record{}, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	if err := s.clinical(ctx, p, id); err != nil {
		return Record{}, err
	}
	return s.store.PatientByID(ctx, id)
}

// UpdateHistory replaces the current medical history by writing a new revision, audited whatever the
// outcome. A revision number taken by a concurrent writer is retried on the newer record.
func (s *Service) UpdateHistory(ctx context.Context, p auth.Principal, id string, history *string) (Record, error) {
	r, err := s.update(ctx, p, id, history)
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, AuditID(id), "patient.update", err); aerr != nil {
		return Record{}, aerr
	}
	return r, err
}

func (s *Service) update(ctx context.Context, p auth.Principal, id string, history *string) (Record, error) {
	if history == nil {
		return Record{}, fault.Invalid("medical_history is required")
	}
	if utf8.RuneCountInString(*history) > maxHistory {
		return Record{}, fault.Invalid("medical_history is longer than %d characters", maxHistory)
	}
	if p.Role != shared.RolePatient {
		return s.revise(ctx, p, id, func(Record) (string, bool) { return *history, true })
	}
	// A patient's PUT never replaces what a clinician wrote: the new revision is the latest clinician-
	// written text with the patient's report below it (docs/patient-records.md, "Who writes the history").
	var lerr error
	r, err := s.revise(ctx, p, id, func(Record) (string, bool) {
		clinical, ok, err := s.clinicianText(ctx, id)
		if err != nil {
			lerr = err
			return "", false
		}
		if !ok {
			return *history, true
		}
		return clinical + "\n\n" + PatientReported + "\n" + *history, true
	})
	return r, cmp.Or(lerr, err)
}

// PatientReported heads the part of a medical history a patient wrote below a clinician's text.
const PatientReported = "Reported by the patient:"

// IndexedHistory is the part of a medical history whose words go into the blind index (term search):
// what clinicians wrote. A history last written by the patient is indexed only up to its
// patient-reported part (nothing when a patient wrote all of it), so a patient cannot plant the
// terms their record is found by.
func IndexedHistory(text string, byPatient bool) string {
	if !byPatient {
		return text
	}
	clinical, _, found := strings.Cut(text, "\n\n"+PatientReported+"\n")
	if !found {
		return ""
	}
	return clinical
}

// clinicianText returns the newest revision of id's history not written by the patient (a clinician's,
// or a merge's), and false when there is none.
func (s *Service) clinicianText(ctx context.Context, id string) (string, bool, error) {
	const page = 50
	for skip := 0; ; skip += page {
		revs, total, err := s.store.Revisions(ctx, id, skip, page)
		if err != nil {
			return "", false, err
		}
		for _, r := range revs {
			if r.AuthorRole != shared.RolePatient {
				return r.MedicalHistory, true, nil
			}
		}
		if len(revs) == 0 || skip+page >= total {
			return "", false, nil
		}
	}
}

// revise writes a new revision of id's medical history, next(current record) – unless next says there
// is nothing to change – retrying on the newer record when a concurrent writer took the number.
func (s *Service) revise(ctx context.Context, p auth.Principal, id string, next func(Record) (string, bool)) (Record, error) {
	for attempt := 0; ; attempt++ {
		r, err := s.get(ctx, p, id)
		if err != nil {
			return Record{}, err
		}
		if r.MergedInto != "" {
			return Record{}, mergedErr(r.MergedInto)
		}
		text, change := next(r)
		if !change {
			return r, nil
		}
		if utf8.RuneCountInString(text) > maxHistory {
			return Record{}, fault.Invalid("medical_history would be longer than %d characters", maxHistory)
		}
		rev := Revision{PatientID: id, Rev: r.Revision + 1, MedicalHistory: text, AuthorID: p.UserID,
			AuthorRole: p.Role, At: s.now().UTC().Truncate(time.Millisecond)}
		err = s.store.InsertRevision(ctx, rev)
		if errors.Is(err, ErrRevisionTaken) && attempt < 5 {
			continue
		}
		if err != nil {
			return Record{}, err
		}
		if err := s.store.SetCurrent(ctx, rev); err != nil {
			return Record{}, err
		}
		r.MedicalHistory, r.Revision, r.UpdatedAt = rev.MedicalHistory, rev.Rev, rev.At
		return r, nil
	}
}

// mergedErr refuses a write to a record merged into another.
func mergedErr(into string) error { return fault.New(fault.ErrConflict, "merged into %s", into) }

// AuditID keeps malformed ids out of the audit trail (they are attacker-controlled text).
func AuditID(id string) string {
	if ident.Valid(id) {
		return id
	}
	return "malformed"
}
