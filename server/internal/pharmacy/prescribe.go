package pharmacy

import (
	"context"
	"errors"
	"strings"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/reaction"
	"hms/shared"
)

// frequencyCodes are the usual prescription abbreviations; they are stored upper-case. Anything else
// is kept as the free text the doctor wrote ("every 8 hours", "after meals").
var frequencyCodes = map[string]bool{"QD": true, "OD": true, "BID": true, "TID": true, "QID": true, "QHS": true,
	"PRN": true, "STAT": true, "Q4H": true, "Q6H": true, "Q8H": true, "Q12H": true, "QW": true}

// maxDurationDays is the longest course a prescription may run (DueAlerts relies on it to bound its read).
const maxDurationDays = 365

// Prescribe writes a prescription for a patient, audited whatever the outcome. A medication matching a
// known allergy is refused unless the doctor overrides with a reason; the warnings stay on the
// prescription and are shown at every read and dispense.
func (s *Service) Prescribe(ctx context.Context, p auth.Principal, patientID string, req shared.PrescribeRequest) (shared.Prescription, error) {
	out, err := s.prescribe(ctx, p, patientID, req)
	if err = s.record(ctx, p, patientID, "prescription.create", err); err != nil {
		return out, err
	}
	s.changed(ctx, out.ID)
	return out, nil
}

// changed tells the pharmacy's queue that a prescription was written, dispensed or cancelled (ids only).
func (s *Service) changed(ctx context.Context, prescriptionID string) {
	s.publish(ctx, shared.ChannelPharmacy, shared.EventPrescription, shared.PrescriptionEvent{PrescriptionID: prescriptionID})
}

func (s *Service) prescribe(ctx context.Context, p auth.Principal, patientID string, req shared.PrescribeRequest) (shared.Prescription, error) {
	if !ident.Valid(patientID) {
		return shared.Prescription{}, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	if err := s.access.Clinical(ctx, p, patientID); err != nil {
		return shared.Prescription{}, err
	}
	if !ident.Valid(req.MedicationID) {
		return shared.Prescription{}, fault.Invalid("medication_id is required (24 hex digits)")
	}
	rx := Prescription{ID: ident.New(), PatientID: patientID, MedicationID: req.MedicationID, DurationDays: req.DurationDays,
		Quantity: req.Quantity, Refills: req.Refills, PrescribedBy: p.UserID, Status: shared.PrescriptionActive, CreatedAt: s.clock()}
	var err error
	if rx.Dose, err = text("dose", req.Dose, 1, 50); err != nil {
		return shared.Prescription{}, err
	}
	if rx.Frequency, err = text("frequency", req.Frequency, 1, 100); err != nil {
		return shared.Prescription{}, err
	}
	if up := strings.ToUpper(rx.Frequency); frequencyCodes[up] {
		rx.Frequency = up
	}
	switch {
	case req.DurationDays < 1 || req.DurationDays > maxDurationDays:
		return shared.Prescription{}, fault.Invalid("duration_days must be from 1 to %d", maxDurationDays)
	case req.Quantity < 1 || req.Quantity > 10_000:
		return shared.Prescription{}, fault.Invalid("quantity must be from 1 to 10000 (units per fill)")
	case req.Refills < 0 || req.Refills > 12:
		return shared.Prescription{}, fault.Invalid("refills must be from 0 to 12")
	case req.EncounterID != "" && !ident.Valid(req.EncounterID):
		return shared.Prescription{}, fault.Invalid("malformed encounter_id: want 24 hex digits")
	}
	rx.EncounterID = req.EncounterID
	if rx.Instructions, err = text("instructions", req.Instructions, 0, 2000); err != nil {
		return shared.Prescription{}, err
	}
	if rx.OverrideReason, err = text("override_reason", req.OverrideReason, 0, 500); err != nil {
		return shared.Prescription{}, err
	}
	med, err := s.store.Medication(ctx, req.MedicationID)
	if errors.Is(err, ErrMedNotFound) {
		return shared.Prescription{}, fault.Invalid("medication_id: no such medication")
	}
	if err != nil {
		return shared.Prescription{}, err
	}
	rx.MedicationName = med.Name + " " + med.Strength
	allergies, err := (*s.allergies.Load()).Allergies(ctx, patientID)
	if err != nil {
		return shared.Prescription{}, err
	}
	rx.AllergyWarnings = allergyMatches(allergies, med)
	if len(rx.AllergyWarnings) > 0 {
		if !req.OverrideAllergy {
			return shared.Prescription{}, fault.New(fault.ErrConflict,
				"the patient is allergic to %s; to prescribe anyway, send override_allergy with an override_reason",
				strings.Join(rx.AllergyWarnings, ", "))
		}
		if rx.OverrideReason == "" {
			return shared.Prescription{}, fault.Invalid("override_reason is required to override an allergy warning")
		}
	} else {
		rx.OverrideReason = "" // nothing was overridden
	}
	var pending *reaction.Pending
	if s.bus != nil {
		if pending, err = s.bus.Expect(ctx, Prescribed{PrescriptionID: rx.ID, PatientID: rx.PatientID}); err != nil {
			return shared.Prescription{}, err
		}
	}
	if err := s.store.InsertPrescription(ctx, rx); err != nil {
		pending.Drop(ctx)
		return shared.Prescription{}, err
	}
	pending.Happened(ctx)
	return s.public(rx, nil, nil), nil
}

// load returns a prescription with its cancellation, if any.
func (s *Service) load(ctx context.Context, id string) (Prescription, *Cancellation, error) {
	if !ident.Valid(id) {
		return Prescription{}, nil, fault.Invalid("malformed prescription id: want 24 hex digits")
	}
	rx, err := s.store.Prescription(ctx, id)
	if err != nil {
		return Prescription{}, nil, err
	}
	c, ok, err := s.store.Cancellation(ctx, id)
	if err != nil {
		return Prescription{}, nil, err
	}
	if ok {
		rx.Status = shared.PrescriptionCancelled
		return rx, &c, nil
	}
	return rx, nil, nil
}

// full returns a prescription in API shape with its cancellation and fills, repairing fills whose
// stock movement was stored but not yet noted on the claim.
func (s *Service) full(ctx context.Context, rx Prescription, c *Cancellation) (shared.Prescription, error) {
	fills, err := s.store.Fills(ctx, rx.ID)
	if err != nil {
		return shared.Prescription{}, err
	}
	for i, f := range fills {
		if f.Done {
			continue
		}
		if m, err := s.store.MovementByFill(ctx, f.ID); err == nil {
			fills[i] = completed(f, m)
			if err := s.store.CompleteFill(ctx, f.ID, m); err != nil {
				s.log.WarnContext(ctx, "repair fill", "fill", f.ID, "err", err)
			}
		} else if !errors.Is(err, ErrNotFound) {
			return shared.Prescription{}, err
		}
	}
	out := s.public(rx, c, fills)
	if out.External, err = s.external(ctx, rx.ID); err != nil {
		return shared.Prescription{}, err
	}
	return out, nil
}

func completed(f FillClaim, m Movement) FillClaim {
	f.Done, f.Seq, f.Balance, f.DispensedAt = true, m.Seq, m.Balance, m.At
	return f
}

// public is a prescription as the API shows it.
func (s *Service) public(rx Prescription, c *Cancellation, fills []FillClaim) shared.Prescription {
	out := shared.Prescription{ID: rx.ID, PatientID: rx.PatientID, MedicationID: rx.MedicationID, MedicationName: rx.MedicationName,
		Dose: rx.Dose, Frequency: rx.Frequency, DurationDays: rx.DurationDays, Quantity: rx.Quantity, Refills: rx.Refills,
		Instructions: rx.Instructions, EncounterID: rx.EncounterID, PrescribedBy: rx.PrescribedBy, Status: rx.Status,
		AllergyWarnings: rx.AllergyWarnings, OverrideReason: rx.OverrideReason, CreatedAt: rx.CreatedAt,
		Fills: []shared.Fill{}, FillsLeft: 1 + rx.Refills - len(fills)}
	if out.AllergyWarnings == nil {
		out.AllergyWarnings = []string{}
	}
	if c != nil {
		out.Status, out.CancelledBy, out.CancelReason = shared.PrescriptionCancelled, c.By, c.Reason
		at := c.At
		out.CancelledAt = &at
		out.FillsLeft = 0
	}
	for _, f := range fills {
		pf := shared.Fill{Fill: f.Fill, Quantity: f.Quantity, Status: shared.FillPending, DispensedBy: f.By, At: f.At}
		if f.Done {
			pf.Status, pf.Balance, pf.At = shared.FillDispensed, f.Balance, f.DispensedAt
		}
		out.Fills = append(out.Fills, pf)
	}
	return out
}

// List returns a patient's prescriptions, newest first, audited.
func (s *Service) List(ctx context.Context, p auth.Principal, patientID string, page, limit int) (shared.PrescriptionList, error) {
	out, err := s.list(ctx, p, patientID, page, limit)
	return out, s.record(ctx, p, patientID, "prescription.list", err)
}

func (s *Service) list(ctx context.Context, p auth.Principal, patientID string, page, limit int) (shared.PrescriptionList, error) {
	out := shared.PrescriptionList{Items: []shared.Prescription{}, Page: page, Limit: limit}
	if !ident.Valid(patientID) {
		return out, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	if err := s.access.Clinical(ctx, p, patientID); err != nil {
		return out, err
	}
	all, err := s.store.PatientPrescriptions(ctx, patientID)
	if err != nil {
		return out, err
	}
	out.Total = len(all)
	for i := (page - 1) * limit; i < len(all) && i < page*limit; i++ {
		rx, c, err := s.load(ctx, all[i].ID)
		if err != nil {
			return out, err
		}
		full, err := s.full(ctx, rx, c)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, full)
	}
	return out, nil
}

// errHidden answers a patient asking for someone else's prescription: "not found" to them (no probing
// which ids exist), "denied" in the audit trail.
var errHidden = fault.New(fault.ErrNotFound, "prescription not found")

// allowed checks the caller's clinical access to the prescription's patient.
func (s *Service) allowed(ctx context.Context, p auth.Principal, rx Prescription) error {
	if p.Role == shared.RolePatient && rx.PatientID != p.PatientID {
		return errHidden
	}
	return s.access.Clinical(ctx, p, rx.PatientID)
}

// dispenser checks that p may read or dispense this prescription: staff may while it is Dispensable
// (the pharmacy needs no chart to dispense); otherwise the clinical access rule decides.
func (s *Service) dispenser(ctx context.Context, p auth.Principal, rx Prescription) error {
	if p.Role == shared.RoleStaff {
		ok, err := s.Dispensable(ctx, rx)
		if err != nil || ok {
			return err
		}
	}
	return s.allowed(ctx, p, rx)
}

// auditErr is what the trail records for err: a hidden refusal is a refusal.
func auditErr(err error) error {
	if errors.Is(err, errHidden) {
		return fault.New(fault.ErrForbidden, "not the caller's prescription")
	}
	return err
}

// Get returns one prescription with its fills, audited.
func (s *Service) Get(ctx context.Context, p auth.Principal, id string) (shared.Prescription, error) {
	rx, c, err := s.load(ctx, id)
	if err == nil {
		err = s.dispenser(ctx, p, rx)
	}
	var out shared.Prescription
	if err == nil {
		out, err = s.full(ctx, rx, c)
	}
	if aerr := s.record(ctx, p, rx.PatientID, "prescription.read", auditErr(err)); aerr != nil {
		if err == nil {
			err = aerr
		}
		return shared.Prescription{}, err
	}
	return out, nil
}

// Cancel cancels a prescription: no further fills. Audited.
func (s *Service) Cancel(ctx context.Context, p auth.Principal, id string, req shared.ReasonRequest) (shared.Prescription, error) {
	rx, c, err := s.load(ctx, id)
	var out shared.Prescription
	if err == nil {
		out, err = s.cancel(ctx, p, rx, c, req)
	}
	if aerr := s.record(ctx, p, rx.PatientID, "prescription.cancel", auditErr(err)); aerr != nil {
		if err == nil {
			err = aerr
		}
		return shared.Prescription{}, err
	}
	return out, nil
}

func (s *Service) cancel(ctx context.Context, p auth.Principal, rx Prescription, c *Cancellation, req shared.ReasonRequest) (shared.Prescription, error) {
	if err := s.allowed(ctx, p, rx); err != nil {
		return shared.Prescription{}, err
	}
	reason, err := text("reason", req.Reason, 0, 500)
	if err != nil {
		return shared.Prescription{}, err
	}
	if c != nil {
		return shared.Prescription{}, ErrCancelled
	}
	cancel := Cancellation{PrescriptionID: rx.ID, By: p.UserID, Reason: reason, At: s.clock()}
	if err := s.store.InsertCancellation(ctx, cancel); err != nil {
		return shared.Prescription{}, err
	}
	// The cancellation record is the truth; the status on the prescription serves listings.
	if err := s.store.SetCancelled(ctx, rx.ID); err != nil {
		s.log.WarnContext(ctx, "mark prescription cancelled", "prescription", rx.ID, "err", err)
	}
	rx.Status = shared.PrescriptionCancelled
	s.changed(ctx, rx.ID)
	return s.full(ctx, rx, &cancel)
}

// ExportPatient implements patient.Exporter: every prescription of the patient, with its fills.
func (s *Service) ExportPatient(ctx context.Context, patientID string) (string, any, error) {
	all, err := s.store.PatientPrescriptions(ctx, patientID)
	if err != nil {
		return "prescriptions", nil, err
	}
	out := []shared.Prescription{}
	for _, r := range all {
		rx, c, err := s.load(ctx, r.ID)
		if err != nil {
			return "prescriptions", nil, err
		}
		full, err := s.full(ctx, rx, c)
		if err != nil {
			return "prescriptions", nil, err
		}
		out = append(out, full)
	}
	return "prescriptions", out, nil
}

// recentFill is how long after its last fill a prescription with no fills left is still open to the
// pharmacy (questions, returns).
const recentFill = 30 * 24 * time.Hour

// Dispensable reports whether staff may read and dispense this one prescription without a care
// relationship with its patient: it is not cancelled and has fills left, a fill pending, or a fill in
// the last 30 days. It opens that prescription only, never the patient's chart nor their other
// prescriptions (docs/security.md rows 12 and 34): a pending prescription is not a care relationship
// (staff are every desk, nurse and lab member, not only the pharmacy).
func (s *Service) Dispensable(ctx context.Context, rx Prescription) (bool, error) {
	if rx.Status == shared.PrescriptionCancelled {
		return false, nil
	}
	if _, cancelled, err := s.store.Cancellation(ctx, rx.ID); err != nil || cancelled {
		return false, err
	}
	fills, err := s.store.Fills(ctx, rx.ID)
	if err != nil {
		return false, err
	}
	if len(fills) < 1+rx.Refills {
		return true, nil
	}
	for _, f := range fills {
		if !f.Done || s.now().Sub(f.DispensedAt) < recentFill {
			return true, nil // a pending fill is still to be dispensed
		}
	}
	return false, nil
}
