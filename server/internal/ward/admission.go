package ward

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/reaction"
	"hms/shared"
)

// Text limits (characters).
const (
	maxReason  = 2000
	maxSummary = 20000
)

// Admit admits a patient to a ward: it holds the patient (one active admission each), then the bed (one
// patient each), then stores the admission; a failure after a hold releases it.
func (s *Service) Admit(ctx context.Context, p auth.Principal, req shared.AdmitRequest) (shared.Admission, error) {
	r, err := s.admit(ctx, p, req)
	if err = s.record(ctx, p, req.PatientID, "admission.admit", err); err != nil {
		return shared.Admission{}, err
	}
	return s.public(ctx, r, nil)
}

func (s *Service) admit(ctx context.Context, p auth.Principal, req shared.AdmitRequest) (Record, error) {
	if !ident.Valid(req.PatientID) {
		return Record{}, fault.Invalid("patient_id is required (24 hex digits)")
	}
	// Existence first (the caller is doctor or staff): an unknown id is bad input, not a refusal.
	if _, err := s.deps.PatientName(ctx, req.PatientID); err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return Record{}, errPatientAbsent
		}
		return Record{}, err
	}
	if err := s.deps.Clinical(ctx, p, req.PatientID); err != nil {
		return Record{}, err
	}
	reason := strings.TrimSpace(req.Reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxReason {
		return Record{}, fault.Invalid("reason is required (at most %d characters)", maxReason)
	}
	if err := s.checkDoctor(ctx, req.DoctorID); err != nil {
		return Record{}, err
	}
	if err := s.checkSource(ctx, req); err != nil {
		return Record{}, err
	}
	if req.WardID == "" {
		return Record{}, fault.Invalid("ward_id is required")
	}
	if _, err := s.ward(ctx, req.WardID); err != nil {
		return Record{}, err
	}
	if req.BedID != "" && !ident.Valid(req.BedID) {
		return Record{}, fault.Invalid("malformed bed id: want 24 hex digits")
	}

	r := Record{ID: ident.New(), PatientID: req.PatientID, WardID: req.WardID, DoctorID: req.DoctorID,
		Source: req.Source, AppointmentID: req.AppointmentID, Reason: reason, Status: shared.AdmissionActive,
		AdmittedAt: s.clock(), AdmittedBy: p.UserID, Step: 1}
	pn, err := s.hold(ctx, PatientChain, r.PatientID, r.ID, ErrAdmitted)
	if err != nil {
		return Record{}, err
	}
	undo := context.WithoutCancel(ctx)
	bed, bn, err := s.takeBed(ctx, r.WardID, req.BedID, r.ID)
	if err != nil {
		s.logRelease(undo, PatientChain, r.PatientID, pn, r.ID)
		return Record{}, err
	}
	r.BedID, r.BedLabel, r.BedClaim, r.PatientClaim = bed.ID, bed.Label, bn, pn
	first := Step{AdmissionID: r.ID, Step: 1, Action: "admitted", At: r.AdmittedAt, By: p.UserID, Role: p.Role, State: r}
	var pending *reaction.Pending
	if s.bus != nil {
		if pending, err = s.bus.Expect(ctx, Admitted{AdmissionID: r.ID}); err != nil {
			s.logRelease(undo, BedChain, r.BedID, bn, r.ID)
			s.logRelease(undo, PatientChain, r.PatientID, pn, r.ID)
			return Record{}, err
		}
	}
	if err := s.store.InsertAdmission(ctx, r, first); err != nil {
		pending.Drop(ctx)
		s.logRelease(undo, BedChain, r.BedID, bn, r.ID)
		s.logRelease(undo, PatientChain, r.PatientID, pn, r.ID)
		return Record{}, err
	}
	pending.Happened(ctx)
	s.publish(ctx, "admitted", r.ID, r.WardID)
	return r, nil
}

// logRelease releases a hold, logging a failure (the next claimer recovers an abandoned hold).
func (s *Service) logRelease(ctx context.Context, chain Chain, key string, n int, admissionID string) {
	if err := s.release(ctx, chain, key, n, admissionID); err != nil {
		s.log.WarnContext(ctx, "release hold (recovered by the next claimer)", "chain", string(chain), "admission", admissionID, "err", err)
	}
}

func (s *Service) checkDoctor(ctx context.Context, id string) error {
	if !ident.Valid(id) {
		return fault.Invalid("doctor_id is required (24 hex digits)")
	}
	ok, err := s.deps.IsDoctor(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		return fault.Invalid("doctor_id: no such doctor")
	}
	return nil
}

// checkSource checks where the admission comes from: an appointment of this patient (required for
// source "appointment", optional for an emergency, where it must be an emergency ticket), or nothing
// for a planned admission.
func (s *Service) checkSource(ctx context.Context, req shared.AdmitRequest) error {
	switch req.Source {
	case shared.SourcePlanned:
		if req.AppointmentID != "" {
			return fault.Invalid("appointment_id is only for sources emergency and appointment")
		}
		return nil
	case shared.SourceEmergency:
		if req.AppointmentID == "" {
			return nil
		}
	case shared.SourceAppointment:
		if req.AppointmentID == "" {
			return fault.Invalid("appointment_id is required for source appointment")
		}
	default:
		return fault.Invalid("source must be emergency, appointment or planned")
	}
	if !ident.Valid(req.AppointmentID) {
		return fault.Invalid("malformed appointment id: want 24 hex digits")
	}
	v, err := s.deps.Visit(ctx, req.AppointmentID)
	switch {
	case errors.Is(err, fault.ErrNotFound):
		return fault.Invalid("appointment_id: no such appointment")
	case err != nil:
		return err
	case v.PatientID != req.PatientID:
		return fault.Invalid("appointment_id: the appointment is another patient's")
	case req.Source == shared.SourceEmergency && !v.Emergency:
		return fault.Invalid("appointment_id: not an emergency ticket")
	case v.Status == shared.StatusCancelled || v.Status == shared.StatusNoShow:
		return fault.New(fault.ErrConflict, "the appointment is %s", v.Status)
	}
	return nil
}

// load returns an admission the caller may see (brought up to its newest step), or an error; the
// record returned with an access error names the patient, for the audit trail.
func (s *Service) load(ctx context.Context, p auth.Principal, id string) (Record, error) {
	if !ident.Valid(id) {
		return Record{}, fault.Invalid("malformed admission id: want 24 hex digits")
	}
	r, err := s.current(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if err := s.deps.Clinical(ctx, p, r.PatientID); err != nil {
		if p.Role == shared.RolePatient {
			return Record{PatientID: r.PatientID}, errHidden
		}
		return Record{PatientID: r.PatientID}, err
	}
	return r, nil
}

// Get returns an admission with its history.
func (s *Service) Get(ctx context.Context, p auth.Principal, id string) (shared.Admission, error) {
	r, err := s.load(ctx, p, id)
	var steps []Step
	if err == nil {
		steps, err = s.store.Steps(ctx, r.ID, r.Step)
	}
	if err := s.record(ctx, p, r.PatientID, "admission.read", err); err != nil {
		return shared.Admission{}, err
	}
	return s.public(ctx, r, steps)
}

// Transfer moves an active admission to another bed (in the same or another ward), optionally to
// another attending doctor: it holds the new bed, records the step, then releases the old bed. A
// crash before the step leaves a young hold on the new bed, recovered after staleClaim; a crash after
// it leaves the old bed held by an admission that has moved on, recovered at once by the next claimer
// of that bed. The same transfer sent twice at once: one takes the bed, the other gets 409.
func (s *Service) Transfer(ctx context.Context, p auth.Principal, id string, req shared.TransferRequest) (shared.Admission, error) {
	r, err := s.transfer(ctx, p, id, req)
	if err = s.record(ctx, p, r.PatientID, "admission.transfer", err); err != nil {
		return shared.Admission{}, err
	}
	return s.public(ctx, r, nil)
}

func (s *Service) transfer(ctx context.Context, p auth.Principal, id string, req shared.TransferRequest) (Record, error) {
	r, err := s.load(ctx, p, id)
	if err != nil {
		return r, err
	}
	if r.Status != shared.AdmissionActive {
		return r, ErrDischarged
	}
	if req.WardID == "" {
		return r, fault.Invalid("ward_id is required")
	}
	if _, err := s.ward(ctx, req.WardID); err != nil {
		return r, err
	}
	if req.BedID != "" && !ident.Valid(req.BedID) {
		return r, fault.Invalid("malformed bed id: want 24 hex digits")
	}
	if req.BedID == r.BedID {
		return r, fault.Invalid("the patient is in that bed already")
	}
	doctorID := r.DoctorID
	if req.DoctorID != "" {
		if err := s.checkDoctor(ctx, req.DoctorID); err != nil {
			return r, err
		}
		doctorID = req.DoctorID
	}
	bed, bn, err := s.takeBed(ctx, req.WardID, req.BedID, r.ID)
	if err != nil {
		return r, err
	}
	next := r
	next.WardID, next.BedID, next.BedLabel, next.BedClaim, next.DoctorID, next.Step = req.WardID, bed.ID, bed.Label, bn, doctorID, r.Step+1
	if err := s.step(ctx, p, next, "transferred"); err != nil {
		s.logRelease(context.WithoutCancel(ctx), BedChain, bed.ID, bn, r.ID)
		return r, err
	}
	s.logRelease(ctx, BedChain, r.BedID, r.BedClaim, r.ID)
	s.publish(ctx, "transferred", r.ID, r.WardID, next.WardID)
	return next, nil
}

// step records change next (whose Step is the step's number) and updates the stored admission.
func (s *Service) step(ctx context.Context, p auth.Principal, next Record, action string) error {
	st := Step{AdmissionID: next.ID, Step: next.Step, Action: action, At: s.clock(), By: p.UserID, Role: p.Role, State: next}
	if err := s.store.InsertStep(ctx, st); err != nil {
		return err
	}
	if err := s.store.SetState(ctx, next); err != nil {
		// The step is stored: the admission is repaired from it on its next load.
		s.log.WarnContext(ctx, "update admission after its step", "admission", next.ID, "err", err)
	}
	return nil
}

// Discharge ends an active admission with a summary and a disposition, then releases its bed and its
// patient. Of two discharges at once, one inserts the step; the other answers 409.
func (s *Service) Discharge(ctx context.Context, p auth.Principal, id string, req shared.DischargeRequest) (shared.Admission, error) {
	r, err := s.discharge(ctx, p, id, req)
	if err = s.record(ctx, p, r.PatientID, "admission.discharge", err); err != nil {
		return shared.Admission{}, err
	}
	return s.public(ctx, r, nil)
}

func (s *Service) discharge(ctx context.Context, p auth.Principal, id string, req shared.DischargeRequest) (Record, error) {
	summary := strings.TrimSpace(req.Summary)
	if summary == "" || utf8.RuneCountInString(summary) > maxSummary {
		return Record{PatientID: s.patientOf(ctx, id)}, fault.Invalid("summary is required (at most %d characters)", maxSummary)
	}
	if !slices.Contains(shared.Dispositions, req.Disposition) {
		return Record{PatientID: s.patientOf(ctx, id)}, fault.Invalid("disposition must be one of %s", strings.Join(shared.Dispositions, ", "))
	}
	r, err := s.load(ctx, p, id)
	if err != nil {
		return r, err
	}
	if r.Status != shared.AdmissionActive {
		return r, ErrDischarged
	}
	next := r
	next.Status, next.DischargedAt, next.DischargeSummary, next.Disposition, next.Step =
		shared.AdmissionDischarged, s.clock(), summary, req.Disposition, r.Step+1
	var pending *reaction.Pending
	if s.bus != nil {
		if pending, err = s.bus.Expect(ctx, Discharged{AdmissionID: r.ID}); err != nil {
			return r, err
		}
	}
	if err := s.step(ctx, p, next, "discharged"); err != nil {
		pending.Drop(ctx)
		if errors.Is(err, ErrStepTaken) {
			if cur, cerr := s.current(ctx, id); cerr == nil && cur.Status != shared.AdmissionActive {
				return r, ErrDischarged
			}
		}
		return r, err
	}
	pending.Happened(ctx)
	s.logRelease(ctx, BedChain, r.BedID, r.BedClaim, r.ID)
	s.logRelease(ctx, PatientChain, r.PatientID, r.PatientClaim, r.ID)
	s.publish(ctx, "discharged", r.ID, r.WardID)
	return next, nil
}

// patientOf names an admission's patient for the audit trail of a request refused before loading it.
func (s *Service) patientOf(ctx context.Context, id string) string {
	if !ident.Valid(id) {
		return ""
	}
	r, err := s.store.Admission(ctx, id)
	if err != nil {
		return ""
	}
	return r.PatientID
}

// public returns the admission as the API shows it, with its history when steps are given.
func (s *Service) public(ctx context.Context, r Record, steps []Step) (shared.Admission, error) {
	name, err := s.deps.PatientName(ctx, r.PatientID)
	if err != nil && !errors.Is(err, fault.ErrNotFound) {
		return shared.Admission{}, err
	}
	// The ward's name for people's screens (a patient may not read the wards); left out if it is gone.
	w, err := s.ward(ctx, r.WardID)
	if err != nil && !errors.Is(err, ErrWardNotFound) {
		return shared.Admission{}, err
	}
	a := shared.Admission{ID: r.ID, PatientID: r.PatientID, PatientName: name, WardID: r.WardID, WardName: w.Name, BedID: r.BedID,
		BedLabel: r.BedLabel, DoctorID: r.DoctorID, Source: r.Source, AppointmentID: r.AppointmentID, Reason: r.Reason,
		Status: r.Status, AdmittedAt: r.AdmittedAt, AdmittedBy: r.AdmittedBy, DischargeSummary: r.DischargeSummary,
		Disposition: r.Disposition}
	if !r.DischargedAt.IsZero() {
		at := r.DischargedAt
		a.DischargedAt = &at
	}
	for _, st := range steps {
		a.History = append(a.History, shared.AdmissionChange{Step: st.Step, Action: st.Action, At: st.At, By: st.By,
			Role: st.Role, WardID: st.State.WardID, BedID: st.State.BedID, DoctorID: st.State.DoctorID})
	}
	return a, nil
}
