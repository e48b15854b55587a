package pharmacy

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/clock"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/reaction"
	"hms/shared"
)

// Allergies is where the patient's known allergies come from (the patient domain).
type Allergies interface {
	Allergies(ctx context.Context, patientID string) ([]string, error)
}

// Access is the clinical access rule (patient.Access): nil when p may read or change the patient's
// clinical records.
type Access interface {
	Clinical(ctx context.Context, p auth.Principal, patientID string) error
}

// Publisher puts events on the live stream.
type Publisher interface {
	Publish(ctx context.Context, channel, typ string, data any) (shared.Event, error)
}

// Service is the pharmacy domain's logic.
type Service struct {
	store     Store
	allergies atomic.Pointer[Allergies] // replaced by tests while requests run
	patients  Patients
	access    Access
	audit     *audit.Log
	pub       Publisher
	log       *slog.Logger
	clk       *clock.Clock
	// ledgers holds one mutex per medication: this instance's movements of one ledger take turns
	// instead of racing for the next seq. Other instances still race; the unique index decides.
	ledgers sync.Map
	// bus announces dispensing (Announce); nil announces nothing.
	bus *reaction.Bus
}

// NewService wires the service; clk is the hospital's clock.
func NewService(store Store, allergies Allergies, access Access, log *audit.Log, pub Publisher, logger *slog.Logger, clk *clock.Clock) *Service {
	s := &Service{store: store, access: access, audit: log, pub: pub, log: logger, clk: clk}
	s.SetAllergies(allergies)
	return s
}

// SetAllergies replaces the allergy source (tests, until patient records store allergies).
func (s *Service) SetAllergies(a Allergies) { s.allergies.Store(&a) }

func (s *Service) now() time.Time { return s.clk.Now() }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// record audits an action on a patient's prescriptions; a failed audit write fails the request.
func (s *Service) record(ctx context.Context, p auth.Principal, patientID, action string, err error) error {
	if !ident.Valid(patientID) {
		patientID = ""
	}
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, patientID, action, err); aerr != nil && err == nil {
		return aerr
	}
	return err
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

// text trims s and checks its length in characters (min 0 makes it optional).
func text(field, s string, minLen, maxLen int) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n < minLen || n > maxLen {
		if minLen > 0 {
			return "", fault.Invalid("%s is required (at most %d characters)", field, maxLen)
		}
		return "", fault.Invalid("%s is longer than %d characters", field, maxLen)
	}
	return s, nil
}

// CreateMedication adds a catalogue entry. The code is unique (stored upper-case).
func (s *Service) CreateMedication(ctx context.Context, p auth.Principal, req shared.CreateMedicationRequest) (Medication, error) {
	if !codePattern.MatchString(req.Code) {
		return Medication{}, fault.Invalid("code is required: 1–40 letters, digits, '.', '-' or '_'")
	}
	m := Medication{ID: ident.New(), Code: strings.ToUpper(req.Code), LowStockThreshold: req.LowStockThreshold,
		CreatedBy: p.UserID, CreatedAt: s.clock()}
	var err error
	if m.Name, err = text("name", req.Name, 1, 200); err != nil {
		return Medication{}, err
	}
	if m.Form, err = text("form", req.Form, 1, 50); err != nil {
		return Medication{}, err
	}
	if m.Strength, err = text("strength", req.Strength, 1, 50); err != nil {
		return Medication{}, err
	}
	if len(req.Substances) > 20 {
		return Medication{}, fault.Invalid("substances: at most 20")
	}
	m.Substances = []string{}
	for _, sub := range req.Substances {
		v, err := text("each substance", sub, 1, 100)
		if err != nil {
			return Medication{}, err
		}
		m.Substances = append(m.Substances, v)
	}
	if req.LowStockThreshold < 0 || req.LowStockThreshold > 1_000_000 {
		return Medication{}, fault.Invalid("low_stock_threshold must be from 0 to 1000000")
	}
	if err := s.store.InsertMedication(ctx, m); err != nil {
		return Medication{}, err
	}
	return m, nil
}

// Medications lists the catalogue by name; q filters on a case- and accent-insensitive prefix of the
// name, of any word of it, or of the code.
func (s *Service) Medications(ctx context.Context, q string, page, limit int) (shared.MedicationList, error) {
	out := shared.MedicationList{Items: []shared.Medication{}, Page: page, Limit: limit}
	if utf8.RuneCountInString(q) > 100 {
		return out, fault.Invalid("q is longer than 100 characters")
	}
	all, err := s.store.Medications(ctx)
	if err != nil {
		return out, err
	}
	fq := fold(strings.TrimSpace(q))
	var hits []Medication
	for _, m := range all {
		if fq == "" || strings.HasPrefix(fold(m.Name), fq) || strings.HasPrefix(fold(m.Code), fq) ||
			slices.ContainsFunc(words(m.Name), func(w string) bool { return strings.HasPrefix(w, fq) }) {
			hits = append(hits, m)
		}
	}
	out.Total = len(hits)
	for i := (page - 1) * limit; i < len(hits) && i < page*limit; i++ {
		out.Items = append(out.Items, hits[i].Public())
	}
	return out, nil
}

func (s *Service) medication(ctx context.Context, id string) (Medication, error) {
	if !ident.Valid(id) {
		return Medication{}, fault.Invalid("malformed medication id: want 24 hex digits")
	}
	return s.store.Medication(ctx, id)
}

// MoveStock records a delivery or a correction.
func (s *Service) MoveStock(ctx context.Context, p auth.Principal, medicationID string, req shared.StockRequest) (Movement, error) {
	med, err := s.medication(ctx, medicationID)
	if err != nil {
		return Movement{}, err
	}
	kind := req.Kind
	if kind == "" {
		kind = shared.MoveReceive
		if req.Quantity < 0 {
			kind = shared.MoveAdjust
		}
	}
	switch {
	case kind != shared.MoveReceive && kind != shared.MoveAdjust:
		return Movement{}, fault.Invalid(`kind must be "receive" or "adjust" (dispensing goes through a prescription)`)
	case req.Quantity == 0 || req.Quantity > 1_000_000 || req.Quantity < -1_000_000:
		return Movement{}, fault.Invalid("quantity must be a whole number from -1000000 to 1000000, not 0")
	case kind == shared.MoveReceive && req.Quantity < 0:
		return Movement{}, fault.Invalid("a receipt's quantity must be positive; use kind \"adjust\" to write stock off")
	}
	reason, err := text("reason", req.Reason, 0, 500)
	if err != nil {
		return Movement{}, err
	}
	m, _, err := s.move(ctx, med, Movement{MedicationID: med.ID, Kind: kind, Quantity: req.Quantity, Reason: reason,
		FillID: "move:" + ident.New(), By: p.UserID})
	return m, err
}

// Stock returns a medication's balance and its 20 newest movements.
func (s *Service) Stock(ctx context.Context, medicationID string) (shared.Stock, error) {
	med, err := s.medication(ctx, medicationID)
	if err != nil {
		return shared.Stock{}, err
	}
	moves, err := s.store.Movements(ctx, med.ID, 20)
	if err != nil {
		return shared.Stock{}, err
	}
	out := shared.Stock{MedicationID: med.ID, LowStockThreshold: med.LowStockThreshold, Movements: []shared.StockMovement{}}
	if len(moves) > 0 {
		out.Balance = moves[0].Balance
	}
	out.Low = out.Balance <= med.LowStockThreshold
	for _, m := range moves {
		out.Movements = append(out.Movements, m.Public())
	}
	return out, nil
}

// moveAttempts bounds the retries of a movement that keeps losing the race for the next seq.
const moveAttempts = 200

// move appends m to the medication's ledger: it reads the newest movement, computes the next seq and
// the balance after m, and inserts; a seq taken meanwhile means someone else moved stock first, so it
// reads again. A balance below zero is ErrNotEnough. For a dispense, a movement of the same fill
// that exists already is returned (inserted = false) instead: a fill moves stock once.
func (s *Service) move(ctx context.Context, med Medication, m Movement) (Movement, bool, error) {
	mu, _ := s.ledgers.LoadOrStore(med.ID, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	for attempt := range moveAttempts {
		last, err := s.store.LastMovement(ctx, med.ID)
		if err != nil {
			return Movement{}, false, err
		}
		m.Seq, m.Balance, m.At = last.Seq+1, last.Balance+m.Quantity, s.clock()
		if m.Balance < 0 {
			if m.Kind == shared.MoveDispense {
				// A repeat of this fill may have taken the stock: then that is the answer.
				if prev, err := s.store.MovementByFill(ctx, m.FillID); err == nil {
					return prev, false, nil
				}
			}
			return Movement{}, false, ErrNotEnough
		}
		got, err := s.store.InsertMovement(ctx, m)
		switch {
		case errors.Is(err, ErrFillMoved):
			return got, false, nil
		case errors.Is(err, ErrSeqTaken):
			if err := pause(ctx, attempt); err != nil {
				return Movement{}, false, err
			}
			continue
		case err != nil:
			return Movement{}, false, err
		}
		if prev := m.Balance - m.Quantity; prev > med.LowStockThreshold && m.Balance <= med.LowStockThreshold {
			s.publish(ctx, shared.ChannelPharmacy, shared.EventLowStock, shared.LowStockEvent{MedicationID: med.ID,
				Code: med.Code, Balance: m.Balance, Threshold: med.LowStockThreshold, Seq: m.Seq})
		}
		return m, true, nil
	}
	return Movement{}, false, ErrStockBusy
}

// pause waits a little, more after each lost race, with jitter so that racers spread out.
func pause(ctx context.Context, attempt int) error {
	d := time.Duration(rand.IntN(min(attempt+1, 20))+1) * time.Millisecond
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// publish stores and sends an event; the change it describes is stored already, so a failure is only
// logged (the notifications it would trigger are late, not wrong).
func (s *Service) publish(ctx context.Context, channel, typ string, data any) {
	if _, err := s.pub.Publish(context.WithoutCancel(ctx), channel, typ, data); err != nil {
		s.log.WarnContext(ctx, "publish pharmacy event", "channel", channel, "type", typ, "err", err)
	}
}
