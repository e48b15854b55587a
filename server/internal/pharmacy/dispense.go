package pharmacy

import (
	"context"
	"errors"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/idem"
	"hms/server/internal/reaction"
	"hms/shared"
)

// errNoKey asks for what names the fill. A keyed fill's claim is the fill claim itself (unique key, no
// release: a claim that lost the stock race stays for the repeat), so it shares idem's key scope and
// mismatch answer, not idem.Claim.
var errNoKey = fault.Invalid("send an Idempotency-Key header or the fill number to dispense")

// Dispense dispenses one fill of a prescription exactly once, audited whatever the outcome.
//
// The fill is named by the request: either an explicit fill number, or an Idempotency-Key, which
// takes the next free number the first time and means the same fill on every repeat. Writes, in order:
//
//  1. the fill claim, an insert under unique {prescription, fill} (and unique key): of concurrent
//     repeats exactly one inserts it, the others find it;
//  2. the stock movement, an insert into the medication's ledger under unique {medication, seq} that
//     carries the fill's id under a unique index: a fill moves stock at most once, whoever tries;
//  3. the claim is marked done (a cache of 2, repaired from the movement on the next read or repeat).
//
// A crash after 1 leaves a pending fill that the same request completes when repeated; a crash after 2
// leaves a movement that the next read or repeat finds, so stock is never moved twice nor lost. When
// the stock does not cover the fill (checked before claiming, and again by the ledger) the answer is
// 409 "not enough stock"; a claim that lost that race stays pending for the repeat.
// Every repeat gets the same answer, built from the stored claim and movement; replayed says it was
// a repeat.
func (s *Service) Dispense(ctx context.Context, p auth.Principal, id, key string, req shared.DispenseRequest) (shared.Dispensation, bool, error) {
	rx, c, err := s.load(ctx, id)
	var out shared.Dispensation
	replayed := false
	if err == nil {
		out, replayed, err = s.dispense(ctx, p, rx, c, key, req.Fill)
	}
	if aerr := s.record(ctx, p, rx.PatientID, "prescription.dispense", auditErr(err)); aerr != nil {
		if err == nil {
			err = aerr
		}
		return shared.Dispensation{}, false, err
	}
	return out, replayed, nil
}

func (s *Service) dispense(ctx context.Context, p auth.Principal, rx Prescription, c *Cancellation, key string, fill int) (shared.Dispensation, bool, error) {
	if key == "" && fill == 0 {
		return shared.Dispensation{}, false, errNoKey
	}
	if fill < 0 {
		return shared.Dispensation{}, false, fault.Invalid("fill must be a whole number from 1")
	}
	if err := s.dispenser(ctx, p, rx); err != nil {
		return shared.Dispensation{}, false, err
	}
	keyID := ""
	if key != "" {
		keyID = idem.Scope(p.UserID, key)
	}
	claim, replayed, err := s.claimFill(ctx, p, rx, c, keyID, fill)
	if err != nil {
		return shared.Dispensation{}, false, err
	}
	m, err := s.fillMovement(ctx, rx, claim)
	if err != nil {
		return shared.Dispensation{}, false, err
	}
	return s.dispensation(rx, claim, m), replayed, nil
}

// claimFill finds the fill this request names (a repeat) or claims it. A cancelled prescription or a
// fill number past the refills is refused, and so is a new fill the stock cannot cover now.
func (s *Service) claimFill(ctx context.Context, p auth.Principal, rx Prescription, c *Cancellation, keyID string, fill int) (FillClaim, bool, error) {
	repeat := func() (FillClaim, bool, error) {
		if keyID != "" {
			prev, err := s.store.FillByKey(ctx, keyID)
			if err == nil {
				if prev.PrescriptionID != rx.ID || fill != 0 && prev.Fill != fill {
					return FillClaim{}, false, idem.ErrMismatch
				}
				return prev, true, nil
			}
			if !errors.Is(err, ErrNotFound) {
				return FillClaim{}, false, err
			}
		}
		if fill != 0 {
			prev, err := s.store.FillClaim(ctx, FillID(rx.ID, fill))
			if err == nil {
				return prev, true, nil
			}
			if !errors.Is(err, ErrNotFound) {
				return FillClaim{}, false, err
			}
		}
		return FillClaim{}, false, ErrNotFound
	}
	if prev, ok, err := repeat(); ok || !errors.Is(err, ErrNotFound) {
		return prev, ok, err
	}
	if c != nil {
		return FillClaim{}, false, ErrCancelled
	}
	for range 20 {
		n := fill
		if n == 0 {
			fills, err := s.store.Fills(ctx, rx.ID)
			if err != nil {
				return FillClaim{}, false, err
			}
			n = 1
			if len(fills) > 0 {
				n = fills[len(fills)-1].Fill + 1
			}
		}
		if n > 1+rx.Refills {
			return FillClaim{}, false, ErrNoRefillsLeft
		}
		last, err := s.store.LastMovement(ctx, rx.MedicationID)
		if err != nil {
			return FillClaim{}, false, err
		}
		if last.Balance < rx.Quantity {
			return FillClaim{}, false, ErrNotEnough
		}
		claim := FillClaim{ID: FillID(rx.ID, n), PrescriptionID: rx.ID, PatientID: rx.PatientID, MedicationID: rx.MedicationID,
			Fill: n, Quantity: rx.Quantity, Key: keyID, By: p.UserID, At: s.clock()}
		if claim.Key == "" {
			claim.Key = claim.ID
		}
		err = s.store.ClaimFill(ctx, claim)
		if err == nil {
			return claim, false, nil
		}
		if !errors.Is(err, ErrFillTaken) {
			return FillClaim{}, false, err
		}
		// Taken: by a repeat of this request (then that is ours), or another request took the number.
		if prev, ok, err := repeat(); ok || !errors.Is(err, ErrNotFound) {
			return prev, ok, err
		}
	}
	return FillClaim{}, false, ErrStockBusy
}

// fillMovement returns the stock movement of a claimed fill, inserting it if there is none yet, and
// notes it on the claim. The one request that inserts it announces the next refill.
func (s *Service) fillMovement(ctx context.Context, rx Prescription, claim FillClaim) (Movement, error) {
	if claim.Done {
		return Movement{MedicationID: claim.MedicationID, Seq: claim.Seq, Balance: claim.Balance, At: claim.DispensedAt}, nil
	}
	m, err := s.store.MovementByFill(ctx, claim.ID)
	inserted := false
	switch {
	case errors.Is(err, ErrNotFound):
		med, err := s.store.Medication(ctx, rx.MedicationID)
		if err != nil {
			return Movement{}, err
		}
		var pending *reaction.Pending
		if s.bus != nil {
			if pending, err = s.bus.Expect(ctx, Dispensed{FillID: claim.ID}); err != nil {
				return Movement{}, err
			}
		}
		m, inserted, err = s.move(ctx, med, Movement{MedicationID: med.ID, Kind: shared.MoveDispense, Quantity: -claim.Quantity,
			FillID: claim.ID, PrescriptionID: rx.ID, Fill: claim.Fill, By: claim.By})
		if err != nil {
			pending.Drop(ctx)
			return Movement{}, err
		}
		pending.Happened(ctx)
	case err != nil:
		return Movement{}, err
	}
	if err := s.store.CompleteFill(ctx, claim.ID, m); err != nil {
		s.log.WarnContext(ctx, "note fill done (repaired on the next read)", "fill", claim.ID, "err", err)
	}
	if inserted {
		s.changed(ctx, rx.ID)
	}
	if inserted && claim.Fill < 1+rx.Refills {
		d := s.dispensation(rx, claim, m)
		ev := shared.RefillDueEvent{PrescriptionID: rx.ID, PatientID: rx.PatientID, MedicationID: rx.MedicationID,
			Fill: claim.Fill, RefillsLeft: d.RefillsLeft, DueDate: d.RefillDue}
		s.publish(ctx, shared.ChannelPharmacy, shared.EventRefillDue, ev)
		s.publish(ctx, shared.ChannelPatient+":"+rx.PatientID, shared.EventRefillDue, ev)
	}
	return m, nil
}

// dispensation is the answer to a dispense, built only from stored values so that every repeat gets
// the same one.
func (s *Service) dispensation(rx Prescription, claim FillClaim, m Movement) shared.Dispensation {
	d := shared.Dispensation{PrescriptionID: rx.ID, PatientID: rx.PatientID, MedicationID: rx.MedicationID, Fill: claim.Fill,
		Quantity: claim.Quantity, Balance: m.Balance, DispensedBy: claim.By, At: m.At.UTC(),
		RefillsLeft: 1 + rx.Refills - claim.Fill, AllergyWarnings: rx.AllergyWarnings}
	if d.AllergyWarnings == nil {
		d.AllergyWarnings = []string{}
	}
	if d.RefillsLeft > 0 {
		d.RefillDue = RefillDue(m.At, rx.DurationDays).Format(time.DateOnly)
	}
	return d
}

// RefillDue is when the next fill is due: two days before the supply dispensed at runs out.
func RefillDue(at time.Time, durationDays int) time.Time {
	return at.UTC().AddDate(0, 0, max(durationDays-2, 0))
}
