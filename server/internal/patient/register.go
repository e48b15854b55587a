package patient

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/idem"
	"hms/server/internal/ident"
	"hms/shared"
)

// insert claims an MRN for r (unless it has one) and stores it.
func (s *Service) insert(ctx context.Context, r Record) (Record, error) {
	if r.MRN == "" {
		mrn, err := s.claimMRN(ctx, r.ID)
		if err != nil {
			return Record{}, err
		}
		r.MRN = mrn
	}
	return r, s.store.InsertPatient(ctx, r)
}

// claimMRN draws random MRNs until one is free (10 million numbers: a clash is rare until the
// hospital holds millions of records) and returns the one the patient holds.
func (s *Service) claimMRN(ctx context.Context, patientID string) (string, error) {
	for attempt := 0; attempt < 20; attempt++ {
		mrn, err := s.store.ClaimMRN(ctx, NewMRN(), patientID)
		if errors.Is(err, ErrMRNTaken) {
			continue
		}
		return mrn, err
	}
	return "", fault.New(fault.ErrUnavailable, "no free medical record number found; try again")
}

// EnsureMRNs gives an MRN to every record made before MRNs existed; it runs at start and returns how
// many records it numbered. Running it twice, or on two instances at once, gives each record one MRN:
// the claim is unique per patient.
func (s *Service) EnsureMRNs(ctx context.Context) (int, error) {
	ids, err := s.store.WithoutMRN(ctx)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		mrn, err := s.claimMRN(ctx, id)
		if err != nil {
			return i, err
		}
		if err := s.store.SetMRN(ctx, id, mrn); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}

// Register creates a record without an account from the desk's form, with an MRN; it is audited.
// Under an Idempotency-Key a repeat of the same request returns the record the first one made
// (replayed = true) instead of registering the patient twice.
func (s *Service) Register(ctx context.Context, p auth.Principal, req shared.RegisterPatientRequest, key string) (r Record, replayed bool, err error) {
	r, replayed, err = s.register(ctx, p, req, key)
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, r.ID, "patient.create", err); aerr != nil && err == nil {
		return Record{}, false, aerr
	}
	return r, replayed, err
}

func (s *Service) register(ctx context.Context, p auth.Principal, req shared.RegisterPatientRequest, key string) (Record, bool, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	name, err := checkName(req.Name)
	if err != nil {
		return Record{}, false, err
	}
	c, err := changes(shared.PatchPatientRequest{DateOfBirth: &req.DateOfBirth, Sex: &req.Sex, Phone: &req.Phone,
		Address: &req.Address, Allergies: &req.Allergies, Conditions: &req.Conditions,
		EmergencyContacts: &req.EmergencyContacts, Unidentified: &req.Unidentified}, now)
	if err != nil {
		return Record{}, false, err
	}
	r := c.apply(Record{ID: ident.New(), Name: name, CreatedAt: now, UpdatedAt: now})
	if key == "" {
		r, err := s.insert(ctx, r)
		return r, false, err
	}
	// The claim stores the new record's id before the record exists (no completing write): a repeat finds
	// the record from the moment it is stored, and until then none, which is in progress.
	body, _ := json.Marshal(req)
	k := idem.Key{ID: idem.Scope(p.UserID, key), Fingerprint: idem.Fingerprint(body), ResultID: r.ID, At: now}
	id, replayed, err := idem.Claim(ctx, s.store, nil, k, func() (string, error) {
		var err error
		r, err = s.insert(ctx, r)
		return r.ID, err
	})
	switch {
	case err != nil:
		return Record{}, false, err
	case !replayed:
		return r, false, nil
	}
	done, err := s.store.PatientByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Record{}, false, idem.ErrInProgress
	}
	return done, err == nil, err
}
