package lab

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"time"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/clock"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/patient"
	"hms/server/internal/reaction"
	"hms/shared"
)

// Patients tells whether a patient exists, and names one on the desk's queue (patient.Service).
type Patients interface {
	Name(ctx context.Context, id string) (string, error)
	Identity(ctx context.Context, id string) (name, mrn string, err error)
}

// Publisher stores and fans out a live event (event.Stream).
type Publisher interface {
	Publish(ctx context.Context, channel, typ string, data any) (shared.Event, error)
}

// Service is the lab domain's business logic.
type Service struct {
	store    Store
	patients Patients
	access   *patient.Access
	audit    *audit.Log
	events   Publisher
	log      *slog.Logger
	clock    *clock.Clock
	// bus announces orders placed and cancelled (Announce); nil announces nothing.
	bus *reaction.Bus
}

// NewService wires the service; clk is the hospital's clock.
func NewService(store Store, patients Patients, access *patient.Access, log *audit.Log, events Publisher, logger *slog.Logger, clk *clock.Clock) *Service {
	return &Service{store: store, patients: patients, access: access, audit: log, events: events, log: logger, clock: clk}
}

func (s *Service) now() time.Time { return s.clock.Now() }

// The audit actions.
const (
	actOrder   = "lab.order"
	actRead    = "lab.read"
	actResult  = "lab.result"
	actRelease = "lab.release"
	actCancel  = "lab.cancel"
	actUpload  = "lab.file.upload"
	actFile    = "lab.file.read"
)

// unknownPatient is the audit trail's patient for a request about an order or file that does not exist.
const unknownPatient = "unknown"

// record audits an action; a failure to write the trail fails the request.
func (s *Service) record(ctx context.Context, p auth.Principal, patientID, action string, err error) error {
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, patientID, action, err); aerr != nil {
		return aerr
	}
	return err
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Order places a lab order for a patient (doctors; the router checks the role), audited.
func (s *Service) Order(ctx context.Context, p auth.Principal, patientID string, req shared.LabOrderRequest) (shared.LabOrder, error) {
	o, err := s.order(ctx, p, patientID, req)
	if err = s.record(ctx, p, patient.AuditID(patientID), actOrder, err); err != nil {
		return shared.LabOrder{}, err
	}
	s.changed(ctx, o.ID)
	return view(o, nil, Closure{}, nil, false), nil
}

func (s *Service) order(ctx context.Context, p auth.Principal, patientID string, req shared.LabOrderRequest) (Order, error) {
	if !ident.Valid(patientID) {
		return Order{}, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	if err := s.access.Clinical(ctx, p, patientID); err != nil {
		return Order{}, err
	}
	if _, err := s.patients.Name(ctx, patientID); err != nil {
		return Order{}, err
	}
	if err := checkOrder(&req); err != nil {
		return Order{}, err
	}
	o := Order{ID: ident.New(), PatientID: patientID, OrderedBy: p.UserID, Tests: req.Tests, Priority: req.Priority,
		EncounterID: req.EncounterID, AppointmentID: req.AppointmentID, Note: req.Note, OrderedAt: s.stamp()}
	pending, err := s.expect(ctx, OrderPlaced{OrderID: o.ID})
	if err != nil {
		return Order{}, err
	}
	err = s.store.InsertOrder(ctx, o)
	settle(ctx, pending, err)
	return o, err
}

// List returns a page of a patient's lab orders, newest first, audited. A patient sees only their own
// released reports.
func (s *Service) List(ctx context.Context, p auth.Principal, patientID string, page, limit int) (shared.LabOrderList, error) {
	list, err := s.list(ctx, p, patientID, page, limit)
	if err = s.record(ctx, p, patient.AuditID(patientID), actRead, err); err != nil {
		return shared.LabOrderList{}, err
	}
	return list, nil
}

func (s *Service) list(ctx context.Context, p auth.Principal, patientID string, page, limit int) (shared.LabOrderList, error) {
	if !ident.Valid(patientID) {
		return shared.LabOrderList{}, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	if err := s.access.Clinical(ctx, p, patientID); err != nil {
		return shared.LabOrderList{}, err
	}
	orders, err := s.store.OrdersOf(ctx, patientID)
	if err != nil {
		return shared.LabOrderList{}, err
	}
	asPatient := p.Role == shared.RolePatient
	if asPatient {
		closures, err := s.closuresOf(ctx, orders)
		if err != nil {
			return shared.LabOrderList{}, err
		}
		kept := orders[:0]
		for _, o := range orders {
			if closures[o.ID].Kind == shared.LabReleased {
				kept = append(kept, o)
			}
		}
		orders = kept
	}
	out := shared.LabOrderList{Items: []shared.LabOrder{}, Total: len(orders), Page: page, Limit: limit}
	from := min((page-1)*limit, len(orders))
	views, err := s.views(ctx, orders[from:min(from+limit, len(orders))], asPatient)
	if err != nil {
		return shared.LabOrderList{}, err
	}
	out.Items = append(out.Items, views...)
	return out, nil
}

// Get returns one lab order, audited. A patient gets only their own, and only once released (else 404).
func (s *Service) Get(ctx context.Context, p auth.Principal, orderID string) (shared.LabOrder, error) {
	o, err := s.readable(ctx, p, orderID)
	var v shared.LabOrder
	if err == nil {
		var views []shared.LabOrder
		if views, err = s.views(ctx, []Order{o}, p.Role == shared.RolePatient); err == nil {
			v = views[0]
		}
	}
	if err = s.record(ctx, p, auditPatient(o), actRead, err); err != nil {
		return shared.LabOrder{}, err
	}
	return v, nil
}

// readable finds an order the caller may read: through the clinical access rule, and for a patient
// only once released. The order is returned (for the audit trail) even when refused.
func (s *Service) readable(ctx context.Context, p auth.Principal, orderID string) (Order, error) {
	o, err := s.find(ctx, orderID)
	if err != nil {
		return Order{}, err
	}
	if err := s.access.Clinical(ctx, p, o.PatientID); err != nil {
		return o, err
	}
	if p.Role == shared.RolePatient {
		c, err := s.closure(ctx, o.ID)
		if err != nil {
			return o, err
		}
		if c.Kind != shared.LabReleased {
			return o, fault.New(fault.ErrNotFound, "lab report not found or not released yet")
		}
	}
	return o, nil
}

// closure returns the order's closure, the zero Closure while it is open.
func (s *Service) closure(ctx context.Context, orderID string) (Closure, error) {
	cs, err := s.store.ClosuresOf(ctx, []string{orderID})
	if err != nil || len(cs) == 0 {
		return Closure{}, err
	}
	return cs[0], nil
}

// open refuses a change to a closed order.
func (s *Service) open(ctx context.Context, orderID string) error {
	c, err := s.closure(ctx, orderID)
	switch {
	case err != nil:
		return err
	case c.Kind == shared.LabReleased:
		return errReleased
	case c.Kind != "":
		return errCancelled
	}
	return nil
}

func (s *Service) find(ctx context.Context, orderID string) (Order, error) {
	if !ident.Valid(orderID) {
		return Order{}, fault.Invalid("malformed lab order id: want 24 hex digits")
	}
	return s.store.Order(ctx, orderID)
}

// patientOf is the patient an order concerns, for auditing a request refused before the order was
// read ("unknown" when there is no such order).
func (s *Service) patientOf(ctx context.Context, orderID string) string {
	o, _ := s.find(ctx, orderID)
	return auditPatient(o)
}

// auditPatient is the patient an order concerns, for the audit trail.
func auditPatient(o Order) string {
	if o.PatientID == "" {
		return unknownPatient
	}
	return o.PatientID
}

// SubmitResults adds a results revision to an order (lab staff or doctors), audited. The flags are
// computed here. A released report cannot be changed.
func (s *Service) SubmitResults(ctx context.Context, p auth.Principal, orderID string, req shared.LabResultsRequest) (shared.LabOrder, error) {
	o, err := s.submit(ctx, p, orderID, req)
	var v shared.LabOrder
	if err == nil {
		var views []shared.LabOrder
		if views, err = s.views(ctx, []Order{o}, false); err == nil {
			v = views[0]
		}
	}
	if err = s.record(ctx, p, auditPatient(o), actResult, err); err != nil {
		return shared.LabOrder{}, err
	}
	s.changed(ctx, o.ID)
	return v, nil
}

func (s *Service) submit(ctx context.Context, p auth.Principal, orderID string, req shared.LabResultsRequest) (Order, error) {
	o, err := s.find(ctx, orderID)
	if err != nil {
		return Order{}, err
	}
	if err := s.access.Clinical(ctx, p, o.PatientID); err != nil {
		return o, err
	}
	results, err := checkResults(o, req)
	if err != nil {
		return o, err
	}
	for attempt := 0; ; attempt++ {
		if err := s.open(ctx, o.ID); err != nil {
			return o, err
		}
		revs, err := s.store.ResultsOf(ctx, []string{o.ID})
		if err != nil {
			return o, err
		}
		r := Results{OrderID: o.ID, Rev: len(revs) + 1, Results: results, Interpretation: req.Interpretation,
			AuthorID: p.UserID, AuthorRole: p.Role, At: s.stamp()}
		for _, old := range revs {
			r.Rev = max(r.Rev, old.Rev+1)
		}
		err = s.store.InsertResults(ctx, r)
		if errors.Is(err, ErrRevisionTaken) && attempt < 5 {
			continue
		}
		return o, err
	}
}

// Release makes an order's latest results visible to the patient (doctors), audited, and publishes
// lab.released on patient:<id>. Releasing a released report changes nothing (already is true).
func (s *Service) Release(ctx context.Context, p auth.Principal, orderID string) (v shared.LabOrder, already bool, err error) {
	o, already, err := s.release(ctx, p, orderID)
	if err == nil {
		var views []shared.LabOrder
		if views, err = s.views(ctx, []Order{o}, false); err == nil {
			v = views[0]
		}
	}
	if err = s.record(ctx, p, auditPatient(o), actRelease, err); err != nil {
		return shared.LabOrder{}, false, err
	}
	if !already {
		s.changed(ctx, o.ID)
		ev := shared.LabReleasedEvent{OrderID: o.ID, PatientID: o.PatientID}
		if _, perr := s.events.Publish(ctx, shared.ChannelPatient+":"+o.PatientID, "lab.released", ev); perr != nil {
			// The release is recorded; the event is what failed. Clients reload on reconnect.
			s.log.WarnContext(ctx, "publish lab.released", "order_id", o.ID, "err", perr)
		}
	}
	return v, already, nil
}

func (s *Service) release(ctx context.Context, p auth.Principal, orderID string) (Order, bool, error) {
	o, err := s.find(ctx, orderID)
	if err != nil {
		return Order{}, false, err
	}
	if err := s.access.Clinical(ctx, p, o.PatientID); err != nil {
		return o, false, err
	}
	revs, err := s.store.ResultsOf(ctx, []string{o.ID})
	if err != nil {
		return o, false, err
	}
	if len(revs) == 0 {
		return o, false, errNoResults
	}
	latest := 0
	for _, r := range revs {
		latest = max(latest, r.Rev)
	}
	pending, err := s.expect(ctx, ResultsReleased{OrderID: o.ID})
	if err != nil {
		return o, false, err
	}
	already, err := s.close(ctx, Closure{OrderID: o.ID, Kind: shared.LabReleased, Rev: latest, By: p.UserID, At: s.stamp()})
	settle(ctx, pending, err)
	return o, already, err
}

// close inserts the closure; when the order was closed before, the same way is a no-op (already) and
// the other way a conflict.
func (s *Service) close(ctx context.Context, c Closure) (already bool, err error) {
	err = s.store.InsertClosure(ctx, c)
	if !errors.Is(err, ErrClosed) {
		return false, err
	}
	before, err := s.closure(ctx, c.OrderID)
	switch {
	case err != nil:
		return false, err
	case before.Kind == c.Kind:
		return true, nil
	case before.Kind == shared.LabReleased:
		return false, errReleased
	}
	return false, errCancelled
}

// Cancel cancels an order not released yet (doctors), audited. Cancelling a cancelled order changes
// nothing; a released one is a conflict.
func (s *Service) Cancel(ctx context.Context, p auth.Principal, orderID string) (shared.LabOrder, error) {
	o, err := s.find(ctx, orderID)
	if err == nil {
		err = s.access.Clinical(ctx, p, o.PatientID)
	}
	if err == nil {
		var pending *reaction.Pending
		if pending, err = s.expect(ctx, OrderCancelled{OrderID: o.ID}); err == nil {
			_, err = s.close(ctx, Closure{OrderID: o.ID, Kind: shared.LabCancelled, By: p.UserID, At: s.stamp()})
			settle(ctx, pending, err)
		}
	}
	var v shared.LabOrder
	if err == nil {
		var views []shared.LabOrder
		if views, err = s.views(ctx, []Order{o}, false); err == nil {
			v = views[0]
		}
	}
	if err = s.record(ctx, p, auditPatient(o), actCancel, err); err != nil {
		return shared.LabOrder{}, err
	}
	s.changed(ctx, o.ID)
	return v, nil
}

func (s *Service) closuresOf(ctx context.Context, orders []Order) (map[string]Closure, error) {
	cs, err := s.store.ClosuresOf(ctx, ids(orders))
	if err != nil {
		return nil, err
	}
	out := make(map[string]Closure, len(cs))
	for _, c := range cs {
		out[c.OrderID] = c
	}
	return out, nil
}

func ids(orders []Order) []string {
	out := make([]string, len(orders))
	for i, o := range orders {
		out[i] = o.ID
	}
	return out
}

// views builds the API shape of orders: their closures, results and files, read in three queries.
func (s *Service) views(ctx context.Context, orders []Order, asPatient bool) ([]shared.LabOrder, error) {
	if len(orders) == 0 {
		return nil, nil
	}
	closures, err := s.closuresOf(ctx, orders)
	if err != nil {
		return nil, err
	}
	revs, err := s.store.ResultsOf(ctx, ids(orders))
	if err != nil {
		return nil, err
	}
	files, err := s.store.FilesOf(ctx, ids(orders))
	if err != nil {
		return nil, err
	}
	revsOf, filesOf := map[string][]Results{}, map[string][]File{}
	for _, r := range revs {
		revsOf[r.OrderID] = append(revsOf[r.OrderID], r)
	}
	for _, f := range files {
		filesOf[f.OrderID] = append(filesOf[f.OrderID], f)
	}
	out := make([]shared.LabOrder, len(orders))
	for i, o := range orders {
		out[i] = view(o, revsOf[o.ID], closures[o.ID], filesOf[o.ID], asPatient)
	}
	return out, nil
}

// view is an order in its API shape. Its results are the latest revision, or for a patient the
// released one.
func view(o Order, revs []Results, c Closure, files []File, asPatient bool) shared.LabOrder {
	v := shared.LabOrder{ID: o.ID, PatientID: o.PatientID, OrderedBy: o.OrderedBy, Tests: o.Tests, Priority: o.Priority,
		EncounterID: o.EncounterID, AppointmentID: o.AppointmentID, Note: o.Note, Status: shared.LabOrdered,
		OrderedAt: o.OrderedAt, Results: []shared.LabResult{}, Files: []shared.LabFile{}}
	var shown *Results
	for i := range revs {
		r := &revs[i]
		if asPatient && c.Kind == shared.LabReleased && r.Rev != c.Rev {
			continue
		}
		if shown == nil || r.Rev > shown.Rev {
			shown = r
		}
	}
	if shown != nil {
		v.Status, v.Revision, v.Results, v.Interpretation = shared.LabResulted, shown.Rev, shown.Results, shown.Interpretation
		v.ResultedBy, v.ResultedAt = shown.AuthorID, &shown.At
	}
	switch c.Kind {
	case shared.LabReleased:
		v.Status, v.ReleasedBy, v.ReleasedAt = shared.LabReleased, c.By, &c.At
	case shared.LabCancelled:
		v.Status, v.CancelledBy, v.CancelledAt = shared.LabCancelled, c.By, &c.At
	}
	sort.Slice(files, func(i, j int) bool { return files[i].At.Before(files[j].At) })
	for _, f := range files {
		v.Files = append(v.Files, f.Public())
	}
	return v
}

// Public returns the file's metadata as the API shows it.
func (f File) Public() shared.LabFile {
	return shared.LabFile{ID: f.ID, OrderID: f.OrderID, Name: f.Name, ContentType: f.ContentType, Size: f.Size,
		SHA256: f.SHA256, UploadedBy: f.UploadedBy, UploadedAt: f.At}
}

// ExportPatient implements patient.Exporter: section "lab_reports", every order of the patient.
// Released reports are complete (the released results, the note, the files' metadata); an order not
// released yet shows what was ordered and its status only, as the patient would see it once released.
func (s *Service) ExportPatient(ctx context.Context, patientID string) (string, any, error) {
	orders, err := s.store.OrdersOf(ctx, patientID)
	if err != nil {
		return "lab_reports", nil, err
	}
	views, err := s.views(ctx, orders, true)
	if err != nil {
		return "lab_reports", nil, err
	}
	out := make([]shared.LabOrder, 0, len(views))
	for _, v := range views {
		if v.Status != shared.LabReleased {
			v = shared.LabOrder{ID: v.ID, PatientID: v.PatientID, OrderedBy: v.OrderedBy, Tests: v.Tests,
				Priority: v.Priority, Status: v.Status, OrderedAt: v.OrderedAt, Results: []shared.LabResult{}, Files: []shared.LabFile{}}
		}
		out = append(out, v)
	}
	return "lab_reports", out, nil
}
