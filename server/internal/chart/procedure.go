package chart

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/idem"
	"hms/server/internal/reaction"
	"hms/shared"
)

// Limits on a procedure.
const (
	maxQuantity    = 1_000
	maxProcNote    = 2_000
	maxErrorReason = 500
	// futureSkew is how far ahead of the server's clock a performed_at may be (a client's clock).
	futureSkew = 2 * time.Minute
)

var errNoKey = fault.Invalid("an Idempotency-Key header is required, so that a retried request records the procedure once")

// ProcedureID derives a procedure's id (24 hex digits) from the recording user and their
// Idempotency-Key: the same request again names the same procedure.
func ProcedureID(userID, key string) string {
	sum := sha256.Sum256([]byte("procedure:" + idem.Scope(userID, key)))
	return hex.EncodeToString(sum[:12])
}

// RecordProcedure records a procedure or treatment performed during an encounter (doctors), once per
// Idempotency-Key: a repeat of the same request answers the first procedure (replayed), another request
// under the same key is 409. The procedure is announced (chart.procedure-recorded) before it is
// stored, so billing charges it exactly once. Audited as procedure.record whatever the outcome.
func (s *Service) RecordProcedure(ctx context.Context, p auth.Principal, encounterID, key string, req shared.RecordProcedureRequest) (shared.Procedure, bool, error) {
	out, replayed, patientID, err := s.recordProcedure(ctx, p, encounterID, key, req)
	return out, replayed, s.record(ctx, p, patientID, actionProc, err)
}

func (s *Service) recordProcedure(ctx context.Context, p auth.Principal, encounterID, key string, req shared.RecordProcedureRequest) (shared.Procedure, bool, string, error) {
	if err := checkID(encounterID, "encounter"); err != nil {
		return shared.Procedure{}, false, "", err
	}
	if key == "" {
		return shared.Procedure{}, false, "", errNoKey
	}
	if err := idem.Check(key); err != nil {
		return shared.Procedure{}, false, "", err
	}
	cur, err := s.load(ctx, p, encounterID)
	if err != nil {
		return shared.Procedure{}, false, cur.PatientID, err
	}
	fail := func(err error) (shared.Procedure, bool, string, error) {
		return shared.Procedure{}, false, cur.PatientID, err
	}
	if p.Role != shared.RoleDoctor {
		return fail(errProceduresDoctors)
	}
	body, _ := json.Marshal(struct {
		Encounter string `json:"encounter"`
		shared.RecordProcedureRequest
	}{encounterID, req})
	id, fp := ProcedureID(p.UserID, key), idem.Fingerprint(body)
	repeat := func() (shared.Procedure, bool, string, error) {
		prev, err := s.store.Procedure(ctx, id)
		if err != nil {
			return fail(err)
		}
		if prev.Fingerprint != fp {
			return fail(idem.ErrMismatch)
		}
		return prev.public(), true, prev.PatientID, nil
	}
	if _, err := s.store.Procedure(ctx, id); err == nil {
		return repeat()
	} else if !errors.Is(err, ErrProcedureNotFound) {
		return fail(err)
	}
	proc, err := s.checkProcedure(ctx, req)
	if err != nil {
		return fail(err)
	}
	proc.ID, proc.EncounterID, proc.PatientID, proc.By, proc.Role, proc.At, proc.Fingerprint =
		id, encounterID, cur.PatientID, p.UserID, p.Role, s.clock(), fp
	if proc.PerformedAt.IsZero() {
		proc.PerformedAt = proc.At
	}
	pending, err := s.expect(ctx, ProcedureRecorded{ProcedureID: id})
	if err != nil {
		return fail(err)
	}
	err = s.store.InsertProcedure(ctx, proc)
	settle(ctx, pending, err)
	if errors.Is(err, ErrProcedureTaken) {
		return repeat() // the same request on another instance, a moment earlier
	}
	if err != nil {
		return fail(err)
	}
	return proc.public(), false, cur.PatientID, nil
}

// checkProcedure checks a request and finds its code on the price list.
func (s *Service) checkProcedure(ctx context.Context, req shared.RecordProcedureRequest) (Procedure, error) {
	code := strings.TrimSpace(req.Code)
	note := strings.TrimSpace(req.Note)
	switch {
	case code == "":
		return Procedure{}, fault.Invalid("code is required: a procedure or treatment code of the price list")
	case req.Quantity < 0 || req.Quantity > maxQuantity:
		return Procedure{}, fault.Invalid("quantity must be between 1 and %d (got %d)", maxQuantity, req.Quantity)
	case utf8.RuneCountInString(note) > maxProcNote:
		return Procedure{}, fault.Invalid("note is longer than %d characters", maxProcNote)
	case req.PerformedAt != nil && req.PerformedAt.After(s.now().Add(futureSkew)):
		return Procedure{}, fault.Invalid("performed_at is in the future")
	}
	if s.codes == nil {
		return Procedure{}, fault.Invalid("code %s: there is no price list to record procedures by", code)
	}
	name, kind, err := s.codes.ProcedureCode(ctx, code)
	if err != nil {
		return Procedure{}, err
	}
	p := Procedure{Code: code, Name: name, Kind: kind, Quantity: max(req.Quantity, 1), Note: note}
	if req.PerformedAt != nil {
		p.PerformedAt = req.PerformedAt.UTC().Truncate(time.Millisecond)
	}
	return p, nil
}

// EnterInError marks a procedure entered in error, with a reason (doctors): a second insert, so the
// procedure itself never changes. It is announced (chart.procedure-entered-in-error), and billing voids
// the procedure's charge while it is unbilled. Asking again with the same reason answers the procedure
// as marked; a procedure marked otherwise before is 409. Audited as procedure.entered_in_error.
func (s *Service) EnterInError(ctx context.Context, p auth.Principal, procedureID string, req shared.EnteredInErrorRequest) (shared.Procedure, error) {
	out, patientID, err := s.enterInError(ctx, p, procedureID, req)
	return out, s.record(ctx, p, patientID, actionError, err)
}

func (s *Service) enterInError(ctx context.Context, p auth.Principal, procedureID string, req shared.EnteredInErrorRequest) (shared.Procedure, string, error) {
	if err := checkID(procedureID, "procedure"); err != nil {
		return shared.Procedure{}, "", err
	}
	proc, err := s.store.Procedure(ctx, procedureID)
	if err != nil {
		return shared.Procedure{}, "", err
	}
	fail := func(err error) (shared.Procedure, string, error) { return shared.Procedure{}, proc.PatientID, err }
	if err := s.access.Clinical(ctx, p, proc.PatientID); err != nil {
		return fail(err)
	}
	if p.Role != shared.RoleDoctor {
		return fail(errProceduresDoctors)
	}
	reason := strings.TrimSpace(req.Reason)
	switch {
	case reason == "":
		return fail(fault.Invalid("reason is required: say why the procedure was recorded in error"))
	case utf8.RuneCountInString(reason) > maxErrorReason:
		return fail(fault.Invalid("reason is longer than %d characters", maxErrorReason))
	}
	same := func(e *ProcedureError) bool { return e != nil && e.Reason == reason && e.By == p.UserID }
	if proc.Error != nil {
		if same(proc.Error) {
			return proc.public(), proc.PatientID, nil
		}
		return fail(ErrAlreadyInError)
	}
	mark := ProcedureError{Reason: reason, By: p.UserID, Role: p.Role, At: s.clock()}
	pending, err := s.expect(ctx, ProcedureEnteredInError{ProcedureID: proc.ID})
	if err != nil {
		return fail(err)
	}
	err = s.store.MarkEnteredInError(ctx, proc, mark)
	settle(ctx, pending, err)
	if errors.Is(err, ErrAlreadyInError) {
		if proc, err = s.store.Procedure(ctx, procedureID); err == nil && same(proc.Error) {
			return proc.public(), proc.PatientID, nil
		}
		return fail(ErrAlreadyInError)
	}
	if err != nil {
		return fail(err)
	}
	proc.Error = &mark
	return proc.public(), proc.PatientID, nil
}

// ProcedureFacts returns a procedure as stored, with its entered-in-error mark, for a reaction to the
// chart's events.
func (s *Service) ProcedureFacts(ctx context.Context, id string) (Procedure, error) {
	return s.store.Procedure(ctx, id)
}

// The events the chart announces (package reaction), each once its change is stored. They carry the
// procedure's id only; a reaction reads the procedure through ProcedureFacts.
type (
	// ProcedureRecorded: a procedure was recorded during an encounter.
	ProcedureRecorded struct {
		ProcedureID string `json:"procedure_id"`
	}
	// ProcedureEnteredInError: a procedure was marked entered in error.
	ProcedureEnteredInError struct {
		ProcedureID string `json:"procedure_id"`
	}
)

// EventType implements reaction.Event.
func (ProcedureRecorded) EventType() string { return "chart.procedure-recorded" }

// Key implements reaction.Event: a procedure is recorded once.
func (e ProcedureRecorded) Key() string { return e.ProcedureID }

// EventType implements reaction.Event.
func (ProcedureEnteredInError) EventType() string { return "chart.procedure-entered-in-error" }

// Key implements reaction.Event: a procedure is marked once.
func (e ProcedureEnteredInError) Key() string { return e.ProcedureID }

// Announce gives the chart the bus it announces procedures on, and gives the bus the check of each
// event (whether one recorded before a crash did happen). Call it while wiring, before serving.
func (s *Service) Announce(b *reaction.Bus) {
	s.bus = b
	reaction.Verify(b, func(ctx context.Context, e ProcedureRecorded) (bool, error) {
		_, err := s.store.Procedure(ctx, e.ProcedureID)
		if errors.Is(err, ErrProcedureNotFound) {
			return false, nil
		}
		return err == nil, err
	})
	reaction.Verify(b, func(ctx context.Context, e ProcedureEnteredInError) (bool, error) {
		p, err := s.store.Procedure(ctx, e.ProcedureID)
		if errors.Is(err, ErrProcedureNotFound) {
			return false, nil
		}
		return err == nil && p.Error != nil, err
	})
}

// expect announces ev before its change is stored; without a bus it announces nothing.
func (s *Service) expect(ctx context.Context, ev reaction.Event) (*reaction.Pending, error) {
	if s.bus == nil {
		return nil, nil
	}
	return s.bus.Expect(ctx, ev)
}

// settle tells the bus whether the announced change was stored.
func settle(ctx context.Context, p *reaction.Pending, err error) {
	if err != nil {
		p.Drop(ctx)
		return
	}
	p.Happened(ctx)
}

func (p Procedure) public() shared.Procedure {
	out := shared.Procedure{ID: p.ID, EncounterID: p.EncounterID, PatientID: p.PatientID, Code: p.Code, Name: p.Name,
		Kind: p.Kind, Quantity: p.Quantity, Note: p.Note, PerformedAt: p.PerformedAt, RecordedBy: p.By,
		RecordedByRole: p.Role, RecordedAt: p.At}
	if e := p.Error; e != nil {
		out.EnteredInError = &shared.ProcedureError{Reason: e.Reason, By: e.By, At: e.At}
	}
	return out
}
