package ward

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
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

// Visit is what admission needs to know of an appointment or emergency ticket it comes from.
type Visit struct {
	PatientID string
	Emergency bool
	Status    shared.AppointmentStatus
}

// Deps are the other domains the service asks.
type Deps struct {
	// DepartmentExists reports whether a department id exists.
	DepartmentExists func(ctx context.Context, id string) (bool, error)
	// IsDoctor reports whether id is a doctor's account.
	IsDoctor func(ctx context.Context, id string) (bool, error)
	// Visit returns an appointment (a not-found error when there is none).
	Visit func(ctx context.Context, id string) (Visit, error)
	// PatientName returns a patient's name (a not-found error when there is none).
	PatientName func(ctx context.Context, id string) (string, error)
	// Clinical says whether p may read or change the patient's clinical records.
	Clinical func(ctx context.Context, p auth.Principal, patientID string) error
	// Clock is the hospital's clock (nil: the system time).
	Clock *clock.Clock
}

// Publisher puts events on the live stream, building each under its channel's publish lock.
type Publisher interface {
	PublishWith(ctx context.Context, channel, typ string, build func(ctx context.Context) (any, error)) (shared.Event, error)
}

// Service is the ward and admission domain's logic.
type Service struct {
	store Store
	deps  Deps
	pub   Publisher
	audit *audit.Log
	log   *slog.Logger
	// bus announces discharges (Announce); nil announces nothing.
	bus *reaction.Bus
}

// NewService wires the service.
func NewService(store Store, deps Deps, pub Publisher, log *audit.Log, logger *slog.Logger) *Service {
	return &Service{store: store, deps: deps, pub: pub, audit: log, log: logger}
}

func (s *Service) now() time.Time { return s.deps.Clock.Now() }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// record audits an action on a patient's admission; a failed audit write fails the request.
func (s *Service) record(ctx context.Context, p auth.Principal, patientID, action string, err error) error {
	if !ident.Valid(patientID) {
		patientID = ""
	}
	logged := err
	if errors.Is(err, errHidden) {
		logged = fault.New(fault.ErrForbidden, "not the caller's admission")
	}
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, patientID, action, logged); aerr != nil && err == nil {
		return aerr
	}
	return err
}

// CreateWard adds a ward (admin).
func (s *Service) CreateWard(ctx context.Context, req shared.CreateWardRequest) (shared.Ward, error) {
	w := WardRecord{ID: req.ID, Name: strings.TrimSpace(req.Name), Department: req.Department, CreatedAt: s.clock()}
	switch {
	case !shared.ValidDepartmentID(w.ID):
		return shared.Ward{}, fault.Invalid("id must be 1–40 characters of a-z, 0-9 and '-', starting with a letter or digit")
	case w.Name == "" || utf8.RuneCountInString(w.Name) > 100:
		return shared.Ward{}, fault.Invalid("name is required (at most 100 characters)")
	}
	ok, err := s.deps.DepartmentExists(ctx, w.Department)
	if err != nil {
		return shared.Ward{}, err
	}
	if !ok {
		return shared.Ward{}, fault.Invalid("department %q does not exist", w.Department)
	}
	if err := s.store.InsertWard(ctx, w); err != nil {
		return shared.Ward{}, err
	}
	return shared.Ward{ID: w.ID, Name: w.Name, Department: w.Department, CreatedAt: w.CreatedAt}, nil
}

// maxBeds bounds the labels of one request.
const maxBeds = 200

// AddBeds adds beds to a ward (admin). Labels must be new in the ward; a label taken meanwhile by a
// concurrent request fails that label with 409 (the ones before it stay added).
func (s *Service) AddBeds(ctx context.Context, wardID string, req shared.AddBedsRequest) (shared.BedList, error) {
	out := shared.BedList{Items: []shared.Bed{}}
	if len(req.Labels) == 0 || len(req.Labels) > maxBeds {
		return out, fault.Invalid("labels: give 1–%d bed labels", maxBeds)
	}
	seen := map[string]bool{}
	labels := make([]string, len(req.Labels))
	for i, l := range req.Labels {
		l = strings.TrimSpace(l)
		if l == "" || utf8.RuneCountInString(l) > 20 {
			return out, fault.Invalid("labels: each label is 1–20 characters")
		}
		if seen[l] {
			return out, fault.Invalid("labels: %q is given twice", l)
		}
		seen[l], labels[i] = true, l
	}
	if _, err := s.ward(ctx, wardID); err != nil {
		return out, err
	}
	beds, err := s.store.Beds(ctx, wardID)
	if err != nil {
		return out, err
	}
	for _, b := range beds {
		if seen[b.Label] {
			return out, fault.New(fault.ErrConflict, "the ward has a bed labelled %q already", b.Label)
		}
	}
	for _, l := range labels {
		b := BedRecord{ID: ident.New(), WardID: wardID, Label: l, CreatedAt: s.clock()}
		if err := s.store.InsertBed(ctx, b); err != nil {
			return out, err
		}
		out.Items = append(out.Items, shared.Bed{ID: b.ID, Label: b.Label, State: shared.BedFree})
	}
	s.publish(ctx, "beds_added", "", wardID)
	return out, nil
}

// Wards lists the wards with their occupancy.
func (s *Service) Wards(ctx context.Context) (shared.WardList, error) {
	out := shared.WardList{Items: []shared.Ward{}}
	wards, err := s.store.Wards(ctx)
	if err != nil {
		return out, err
	}
	beds, err := s.store.Beds(ctx, "")
	if err != nil {
		return out, err
	}
	active, err := s.store.Admissions(ctx, Filter{ActiveOnly: true})
	if err != nil {
		return out, err
	}
	for _, w := range wards {
		out.Items = append(out.Items, boardOf(w, beds, active, false).Ward)
	}
	return out, nil
}

// Board returns one ward's bed board; withPatients adds each occupant's patient id.
func (s *Service) Board(ctx context.Context, wardID string, withPatients bool) (shared.BedBoard, error) {
	w, err := s.ward(ctx, wardID)
	if err != nil {
		return shared.BedBoard{}, err
	}
	beds, err := s.store.Beds(ctx, wardID)
	if err != nil {
		return shared.BedBoard{}, err
	}
	active, err := s.store.Admissions(ctx, Filter{WardID: wardID, ActiveOnly: true})
	if err != nil {
		return shared.BedBoard{}, err
	}
	return boardOf(w, beds, active, withPatients), nil
}

// boardOf builds a ward's board from its beds and the active admissions: a bed is occupied when an
// active admission is in it.
func boardOf(w WardRecord, beds []BedRecord, active []Record, withPatients bool) shared.BedBoard {
	in := map[string]Record{}
	for _, r := range active {
		if r.WardID == w.ID {
			in[r.BedID] = r
		}
	}
	b := shared.BedBoard{Ward: shared.Ward{ID: w.ID, Name: w.Name, Department: w.Department, CreatedAt: w.CreatedAt},
		Beds: []shared.Bed{}}
	for _, bed := range beds {
		if bed.WardID != w.ID {
			continue
		}
		out := shared.Bed{ID: bed.ID, Label: bed.Label, State: shared.BedFree}
		if r, ok := in[bed.ID]; ok {
			out.State, out.AdmissionID = shared.BedOccupied, r.ID
			if withPatients {
				out.PatientID = r.PatientID
			}
			b.Ward.Occupied++
		}
		b.Beds = append(b.Beds, out)
	}
	b.Ward.Total = len(b.Beds)
	b.Ward.Free = b.Ward.Total - b.Ward.Occupied
	return b
}

// freeBeds returns the ward's beds no active admission is in, by label.
func (s *Service) freeBeds(ctx context.Context, wardID string) ([]BedRecord, error) {
	beds, err := s.store.Beds(ctx, wardID)
	if err != nil {
		return nil, err
	}
	active, err := s.store.Admissions(ctx, Filter{WardID: wardID, ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(beds, func(b BedRecord) bool {
		return slices.ContainsFunc(active, func(r Record) bool { return r.BedID == b.ID })
	}), nil
}

// bedIn returns the bed if it belongs to the ward.
func (s *Service) bedIn(ctx context.Context, wardID, bedID string) (BedRecord, error) {
	if !ident.Valid(bedID) {
		return BedRecord{}, fault.Invalid("malformed bed id: want 24 hex digits")
	}
	b, err := s.store.Bed(ctx, bedID)
	if err == nil && b.WardID != wardID {
		err = ErrBedNotFound
	}
	return b, err
}

// ward checks a ward id and returns the ward.
func (s *Service) ward(ctx context.Context, id string) (WardRecord, error) {
	if !shared.ValidDepartmentID(id) {
		return WardRecord{}, ErrWardNotFound
	}
	return s.store.Ward(ctx, id)
}

// takeBed holds the given bed of the ward, or the first free one when bedID is "", for the admission.
func (s *Service) takeBed(ctx context.Context, wardID, bedID, admissionID string) (BedRecord, int, error) {
	if bedID != "" {
		b, err := s.bedIn(ctx, wardID, bedID)
		if err != nil {
			return b, 0, err
		}
		n, err := s.hold(ctx, BedChain, b.ID, admissionID, ErrBedOccupied)
		return b, n, err
	}
	free, err := s.freeBeds(ctx, wardID)
	if err != nil {
		return BedRecord{}, 0, err
	}
	for _, b := range free {
		n, err := s.hold(ctx, BedChain, b.ID, admissionID, ErrBedOccupied)
		if errors.Is(err, ErrBedOccupied) {
			continue // taken since the board was read
		}
		return b, n, err
	}
	return BedRecord{}, 0, ErrNoFreeBed
}
