package ward

import (
	"context"
	"errors"
	"time"
)

// staleClaim is how long a hold may wait for its admission to be stored (or to move onto its bed)
// before another claimer may treat it as abandoned by a crashed request.
const staleClaim = time.Minute

// hold makes admissionID the holder of key's chain and returns the number of its hold. It fails with
// busy when another admission holds it. Racing holders insert the same number: one wins, the others
// reread and find it held.
func (s *Service) hold(ctx context.Context, chain Chain, key, admissionID string, busy error) (int, error) {
	for range 5 {
		last, err := s.store.LastClaim(ctx, chain, key)
		if err != nil {
			return 0, err
		}
		if last.Hold {
			// Even a hold of this same admission is not reused: it may be a concurrent transfer's
			// (a repeated request), which would release it on losing the step race.
			gone, err := s.abandoned(ctx, last)
			if err != nil {
				return 0, err
			}
			if !gone {
				return 0, busy
			}
			s.log.WarnContext(ctx, "releasing an abandoned hold", "chain", string(chain), "n", last.N, "admission", last.AdmissionID)
			if err := s.release(ctx, chain, key, last.N, last.AdmissionID); err != nil {
				return 0, err
			}
			continue
		}
		c := Claim{Chain: chain, Key: key, N: last.N + 1, Hold: true, AdmissionID: admissionID, At: s.clock()}
		err = s.store.InsertClaim(ctx, c)
		if err == nil {
			return c.N, nil
		}
		if !errors.Is(err, ErrClaimTaken) {
			return 0, err
		}
	}
	return 0, busy
}

// release ends hold n of key's chain by inserting link n+1. A duplicate means it was released already
// (a hold's only successor is its release), so releasing twice is harmless.
func (s *Service) release(ctx context.Context, chain Chain, key string, n int, admissionID string) error {
	if n <= 0 {
		return nil
	}
	err := s.store.InsertClaim(ctx, Claim{Chain: chain, Key: key, N: n + 1, AdmissionID: admissionID, At: s.clock()})
	if errors.Is(err, ErrClaimTaken) {
		return nil
	}
	return err
}

// abandoned reports whether a hold no longer stands for its admission: the admission is discharged or
// has moved on from this hold (a step of it stood on the hold), or, after staleClaim (so that an
// admission or a transfer in progress is left alone), it was never stored or does not point at it.
func (s *Service) abandoned(ctx context.Context, c Claim) (bool, error) {
	r, err := s.current(ctx, c.AdmissionID)
	old := s.now().Sub(c.At) > staleClaim
	switch {
	case errors.Is(err, ErrNotFound):
		return old, nil
	case err != nil:
		return false, err
	case r.Status != "active":
		return true, nil
	case c.Chain == BedChain && r.BedID == c.Key && r.BedClaim == c.N,
		c.Chain == PatientChain && r.PatientClaim == c.N:
		return false, nil
	case c.Chain == BedChain:
		// Moved away: an earlier step of the admission stood on this very hold, so a transfer wrote
		// its step and stopped before releasing the old bed. Released at once, no grace needed.
		steps, err := s.store.Steps(ctx, r.ID, r.Step)
		if err != nil {
			return false, err
		}
		for _, st := range steps {
			if st.State.BedID == c.Key && st.State.BedClaim == c.N {
				return true, nil
			}
		}
	}
	return old, nil
}

// current loads an admission brought up to its newest step (a writer may have stopped between
// inserting a step and updating the admission).
func (s *Service) current(ctx context.Context, id string) (Record, error) {
	r, err := s.store.Admission(ctx, id)
	if err != nil {
		return r, err
	}
	later, err := s.store.StepsAfter(ctx, id, r.Step)
	if err != nil || len(later) == 0 {
		return r, err
	}
	r = later[len(later)-1].State
	if err := s.store.SetState(ctx, r); err != nil {
		s.log.WarnContext(ctx, "repair admission", "admission", id, "err", err)
	}
	return r, nil
}
