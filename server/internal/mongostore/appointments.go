package mongostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/appointment"
	"hms/server/internal/doctor"
	"hms/server/internal/seal"
	"hms/shared"
)

var (
	_ appointment.Store = (*Appointments)(nil)
	_ doctor.Bookings   = (*Appointments)(nil)
)

// Appointments stores appointments, their steps, slot claims, idempotency keys and ticket numbers.
//
// The hot paths read by _id or small collections only, because FerretDB's SQLite backend (the embedded
// default) turns nothing but a single `_id` equality into SQL and scans the whole collection for any
// other filter: steps have _id appointment#step and are read one by one; today's queue lives in
// `queue_tickets`, a copy of the ticketed appointments of the last two days; free slots come from
// `slot_claims`, which keeps only the claims of slots not yet past.
//
// An appointment's reason and a step's reason are sealed (docs/security.md row 41): the appointment's
// bound to "appointments/<appointment id>/reason" wherever a copy of it is stored (the record, its
// queue_tickets copy, each step's state), a step's to "appointment_steps/<step _id>/reason". Values
// stored before they were sealed still read; `hms rekey` seals them.
type Appointments struct {
	gate                                        *gate
	appointments, steps, slots, tickets, queues *mongo.Collection
	keys                                        *seal.Keyring
	// idempotencyKeys are the bookings', check-ins' and emergencies' Idempotency-Keys.
	*idempotencyKeys
}

// NewAppointments returns the appointment store on db, sealing reasons with keys.
func NewAppointments(db *DB, keys *seal.Keyring) *Appointments {
	return &Appointments{gate: db.gate, keys: keys, appointments: db.Collection(colAppointments), steps: db.Collection(colSteps),
		slots: db.Collection(colSlotClaims), tickets: db.Collection(colTicketNumbers), queues: db.Collection(colQueueTickets),
		idempotencyKeys: newIdempotencyKeys(db, colIdemKeys, "appointment_id")}
}

type ticketDoc struct {
	Number       int       `bson:"number"`
	Department   string    `bson:"department"`
	Day          string    `bson:"day"`
	Triage       int       `bson:"triage"`
	CheckedInAt  time.Time `bson:"checked_in_at"`
	CheckedInBy  string    `bson:"checked_in_by,omitempty"`
	Alerted      bool      `bson:"alerted,omitempty"`
	CalledAt     time.Time `bson:"called_at"`
	CalledBy     string    `bson:"called_by"`
	CalledByName string    `bson:"called_by_name"`
	StartedAt    time.Time `bson:"started_at"`
	FinishedAt   time.Time `bson:"finished_at"`
}

type appointmentDoc struct {
	ID          string        `bson:"_id"`
	PatientID   string        `bson:"patient_id"`
	PatientName string        `bson:"patient_name"`
	DoctorID    string        `bson:"doctor_id"`
	DoctorName  string        `bson:"doctor_name"`
	Department  string        `bson:"department"`
	Start       time.Time     `bson:"start"`
	End         time.Time     `bson:"end"`
	Reason      bson.RawValue `bson:"reason"` // a seal.Value; plain text when stored before sealing
	Status      string        `bson:"status"`
	WalkIn      bool          `bson:"walk_in"`
	Emergency   bool          `bson:"emergency"`
	SlotKey     string        `bson:"slot_key"`
	Ticket      *ticketDoc    `bson:"ticket,omitempty"`
	Step        int           `bson:"step"`
	CreatedBy   string        `bson:"created_by"`
	CreatedAt   time.Time     `bson:"created_at"`
}

type stepDoc struct {
	ID            string         `bson:"_id"` // appointment id + "#" + step, zero-padded
	AppointmentID string         `bson:"appointment_id"`
	Step          int            `bson:"step"`
	Action        string         `bson:"action"`
	Status        string         `bson:"status"`
	At            time.Time      `bson:"at"`
	By            string         `bson:"by"`
	Role          string         `bson:"role"`
	Reason        *bson.RawValue `bson:"reason,omitempty"` // as appointmentDoc.Reason; nil when none
	State         appointmentDoc `bson:"state"`
}

// reasonWhere binds an appointment's sealed reason to the appointment, in every copy of it.
func appointmentReasonWhere(appointmentID string) string {
	return fieldWhere(colAppointments, appointmentID, "reason")
}

// sealedRaw seals text for where, as a raw value to store.
func (s *Appointments) sealedRaw(text, where string) (bson.RawValue, error) {
	v, err := sealText(s.keys, text, where)
	if err != nil {
		return bson.RawValue{}, err
	}
	t, b, err := bson.MarshalValue(v)
	if err != nil {
		return bson.RawValue{}, fmt.Errorf("encode sealed %s: %w", where, err)
	}
	return bson.RawValue{Type: t, Value: b}, nil
}

// openReason reads a stored reason: sealed, plain text written before sealing, or absent.
func (s *Appointments) openReason(raw *bson.RawValue, where string) (string, error) {
	if raw == nil {
		return "", nil
	}
	return openRaw(s.keys, *raw, where)
}

func (s *Appointments) toAppointmentDoc(r appointment.Record) (appointmentDoc, error) {
	reason, err := s.sealedRaw(r.Reason, appointmentReasonWhere(r.ID))
	if err != nil {
		return appointmentDoc{}, err
	}
	d := appointmentDoc{ID: r.ID, PatientID: r.PatientID, PatientName: r.PatientName, DoctorID: r.DoctorID,
		DoctorName: r.DoctorName, Department: r.Department, Start: r.Start, End: r.End, Reason: reason,
		Status: string(r.Status), WalkIn: r.WalkIn, Emergency: r.Emergency, SlotKey: r.SlotKey, Step: r.Step,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	if t := r.Ticket; t.Number > 0 {
		d.Ticket = &ticketDoc{Number: t.Number, Department: t.Department, Day: t.Day, Triage: t.Triage,
			CheckedInAt: t.CheckedInAt, CheckedInBy: t.CheckedInBy, Alerted: t.Alerted, CalledAt: t.CalledAt,
			CalledBy: t.CalledBy, CalledByName: t.CalledByName,
			StartedAt: t.StartedAt, FinishedAt: t.FinishedAt}
	}
	return d, nil
}

// utc keeps zero times zero (a stored zero time comes back as a non-zero-location instant).
func utc(t time.Time) time.Time {
	if t.IsZero() || t.Year() <= 1 {
		return time.Time{}
	}
	return t.UTC()
}

func (s *Appointments) record(d appointmentDoc) (appointment.Record, error) {
	reason, err := s.openReason(&d.Reason, appointmentReasonWhere(d.ID))
	if err != nil {
		return appointment.Record{}, err
	}
	r := appointment.Record{ID: d.ID, PatientID: d.PatientID, PatientName: d.PatientName, DoctorID: d.DoctorID,
		DoctorName: d.DoctorName, Department: d.Department, Start: utc(d.Start), End: utc(d.End), Reason: reason,
		Status: shared.AppointmentStatus(d.Status), WalkIn: d.WalkIn, Emergency: d.Emergency, SlotKey: d.SlotKey,
		Step: d.Step, CreatedBy: d.CreatedBy, CreatedAt: utc(d.CreatedAt)}
	if t := d.Ticket; t != nil {
		r.Ticket = appointment.Ticket{Number: t.Number, Department: t.Department, Day: t.Day, Triage: t.Triage,
			CheckedInAt: utc(t.CheckedInAt), CheckedInBy: t.CheckedInBy, Alerted: t.Alerted, CalledAt: utc(t.CalledAt),
			CalledBy: t.CalledBy, CalledByName: t.CalledByName,
			StartedAt: utc(t.StartedAt), FinishedAt: utc(t.FinishedAt)}
	}
	return r, nil
}

func stepID(appointmentID string, step int) string {
	return fmt.Sprintf("%s#%05d", appointmentID, step)
}

func (s *Appointments) step(d stepDoc) (appointment.Step, error) {
	reason, err := s.openReason(d.Reason, fieldWhere(colSteps, d.ID, "reason"))
	if err != nil {
		return appointment.Step{}, err
	}
	state, err := s.record(d.State)
	return appointment.Step{AppointmentID: d.AppointmentID, Step: d.Step, Action: d.Action,
		Status: shared.AppointmentStatus(d.Status), At: d.At.UTC(), By: d.By, Role: shared.Role(d.Role),
		Reason: reason, State: state}, err
}

func (s *Appointments) toStepDoc(st appointment.Step) (stepDoc, error) {
	state, err := s.toAppointmentDoc(st.State)
	if err != nil {
		return stepDoc{}, err
	}
	d := stepDoc{ID: stepID(st.AppointmentID, st.Step), AppointmentID: st.AppointmentID, Step: st.Step, Action: st.Action,
		Status: string(st.Status), At: st.At, By: st.By, Role: string(st.Role), State: state}
	if st.Reason != "" {
		v, err := s.sealedRaw(st.Reason, fieldWhere(colSteps, d.ID, "reason"))
		if err != nil {
			return stepDoc{}, err
		}
		d.Reason = &v
	}
	return d, nil
}

type claimDoc struct {
	Key           string    `bson:"_id"`
	AppointmentID string    `bson:"appointment_id"`
	DoctorID      string    `bson:"doctor_id"`
	Start         time.Time `bson:"start"`
	End           time.Time `bson:"end"`
	At            time.Time `bson:"at"`
}

// ClaimSlot implements appointment.Store: the claim's _id is the slot key.
func (s *Appointments) ClaimSlot(ctx context.Context, c appointment.Claim) error {
	leave := s.gate.enter()
	_, err := s.slots.InsertOne(ctx, claimDoc(c))
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return appointment.ErrSlotTaken
	}
	return wrap("claim slot", err)
}

// SlotHolder implements appointment.Store.
func (s *Appointments) SlotHolder(ctx context.Context, key string) (string, time.Time, error) {
	d, err := findOne[struct {
		AppointmentID string    `bson:"appointment_id"`
		At            time.Time `bson:"at"`
	}](ctx, s.slots, "find slot claim", bson.D{{Key: "_id", Value: key}}, appointment.ErrNotFound)
	return d.AppointmentID, d.At, err
}

// ReleaseSlot implements appointment.Store.
func (s *Appointments) ReleaseSlot(ctx context.Context, key, appointmentID string) error {
	leave := s.gate.enter()
	_, err := s.slots.DeleteOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "appointment_id", Value: appointmentID}})
	leave()
	return wrap("release slot", err)
}

// InsertAppointment implements appointment.Store: the first step, then the record. A crash between
// the two leaves a step whose record is rebuilt by repair; never a record without its history.
func (s *Appointments) InsertAppointment(ctx context.Context, r appointment.Record, first appointment.Step) error {
	if err := s.InsertStep(ctx, first); err != nil {
		return err
	}
	d, err := s.toAppointmentDoc(r)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.appointments.InsertOne(ctx, d)
	leave()
	if err != nil {
		return wrap("insert appointment", err)
	}
	return s.mirror(ctx, r)
}

// mirror keeps queue_tickets' copy of a ticketed appointment up to date.
func (s *Appointments) mirror(ctx context.Context, r appointment.Record) error {
	if r.Ticket.Number == 0 {
		return nil
	}
	d, err := s.toAppointmentDoc(r)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.queues.ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.ID}}, d, options.Replace().SetUpsert(true))
	leave()
	return wrap("update queue", err)
}

// InsertStep implements appointment.Store.
func (s *Appointments) InsertStep(ctx context.Context, st appointment.Step) error {
	d, err := s.toStepDoc(st)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.steps.InsertOne(ctx, d)
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return appointment.ErrStepTaken
	}
	return wrap("insert appointment step", err)
}

// SetState implements appointment.Store. The filter is the _id alone (the only one FerretDB's SQLite
// backend does not answer by scanning the collection); the step's unique _id already made this
// writer the only one for this step.
func (s *Appointments) SetState(ctx context.Context, r appointment.Record) error {
	d, err := s.toAppointmentDoc(r)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.appointments.ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.ID}}, d)
	leave()
	if err != nil {
		return wrap("update appointment", err)
	}
	return s.mirror(ctx, r)
}

// Appointment implements appointment.Store.
func (s *Appointments) Appointment(ctx context.Context, id string) (appointment.Record, error) {
	d, err := findOne[appointmentDoc](ctx, s.appointments, "find appointment", bson.D{{Key: "_id", Value: id}}, appointment.ErrNotFound)
	if err != nil {
		return appointment.Record{}, err
	}
	return s.record(d)
}

// Steps implements appointment.Store, reading each step by its _id.
func (s *Appointments) Steps(ctx context.Context, id string, n int) ([]appointment.Step, error) {
	out := make([]appointment.Step, 0, n)
	for i := 1; i <= n; i++ {
		d, err := findOne[stepDoc](ctx, s.steps, "find appointment step", bson.D{{Key: "_id", Value: stepID(id, i)}}, appointment.ErrNotFound)
		if errors.Is(err, appointment.ErrNotFound) {
			continue // cannot happen: steps are inserted before the record moves on
		}
		if err != nil {
			return nil, err
		}
		st, err := s.step(d)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// Step implements appointment.Store.
func (s *Appointments) Step(ctx context.Context, id string, n int) (appointment.Step, error) {
	d, err := findOne[stepDoc](ctx, s.steps, "find appointment step", bson.D{{Key: "_id", Value: stepID(id, n)}}, appointment.ErrNotFound)
	if err != nil {
		return appointment.Step{}, err
	}
	return s.step(d)
}

// StepsAfter implements appointment.Store.
func (s *Appointments) StepsAfter(ctx context.Context, id string, n int) ([]appointment.Step, error) {
	var out []appointment.Step
	for i := n + 1; ; i++ {
		d, err := findOne[stepDoc](ctx, s.steps, "find appointment step", bson.D{{Key: "_id", Value: stepID(id, i)}}, appointment.ErrNotFound)
		if errors.Is(err, appointment.ErrNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		st, err := s.step(d)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
}

func (s *Appointments) find(ctx context.Context, f bson.D, opts *options.FindOptionsBuilder) ([]appointment.Record, error) {
	return findAllOpen(ctx, s.appointments, "find appointments", f, opts, s.record)
}

// List implements appointment.Store.
func (s *Appointments) List(ctx context.Context, f appointment.Filter, skip, limit int) ([]appointment.Record, int, error) {
	q := bson.D{}
	if f.DoctorID != "" {
		q = append(q, bson.E{Key: "doctor_id", Value: f.DoctorID})
	}
	if f.PatientID != "" {
		q = append(q, bson.E{Key: "patient_id", Value: f.PatientID})
	}
	if f.Status != "" {
		q = append(q, bson.E{Key: "status", Value: string(f.Status)})
	}
	if len(f.Statuses) > 0 {
		in := make(bson.A, len(f.Statuses))
		for i, st := range f.Statuses {
			in[i] = string(st)
		}
		q = append(q, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: in}}})
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		span := bson.D{}
		if !f.From.IsZero() {
			span = append(span, bson.E{Key: "$gte", Value: f.From})
		}
		if !f.To.IsZero() {
			span = append(span, bson.E{Key: "$lt", Value: f.To})
		}
		q = append(q, bson.E{Key: "start", Value: span})
	}
	total, err := s.appointments.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, wrap("count appointments", err)
	}
	recs, err := s.find(ctx, q, options.Find().SetSort(bson.D{{Key: "start", Value: 1}, {Key: "_id", Value: 1}}).
		SetSkip(int64(skip)).SetLimit(int64(limit)))
	return recs, int(total), err
}

// Day implements appointment.Store, from queue_tickets.
func (s *Appointments) Day(ctx context.Context, department, day string) ([]appointment.Record, error) {
	return findAllOpen(ctx, s.queues, "find queue", bson.D{{Key: "ticket.department", Value: department}, {Key: "ticket.day", Value: day}},
		options.Find(), s.record)
}

// Departments implements appointment.Store.
func (s *Appointments) Departments(ctx context.Context, day string) ([]string, error) {
	depts, err := findAll(ctx, s.queues, "find queues", bson.D{{Key: "ticket.day", Value: day}},
		options.Find(), func(d appointmentDoc) string { return d.Ticket.Department })
	slices.Sort(depts)
	return slices.Compact(depts), err
}

// PruneQueues implements appointment.Store.
func (s *Appointments) PruneQueues(ctx context.Context, day string) error {
	leave := s.gate.enter()
	_, err := s.queues.DeleteMany(ctx, bson.D{{Key: "ticket.day", Value: bson.D{{Key: "$lt", Value: day}}}})
	leave()
	return wrap("prune queues", err)
}

// PruneClaims implements appointment.Store.
func (s *Appointments) PruneClaims(ctx context.Context, t time.Time) error {
	leave := s.gate.enter()
	_, err := s.slots.DeleteMany(ctx, bson.D{{Key: "end", Value: bson.D{{Key: "$lt", Value: t}}}})
	leave()
	return wrap("prune slot claims", err)
}

// Booked implements doctor.Bookings, from the slot claims.
func (s *Appointments) Booked(ctx context.Context, doctorIDs []string, from, to time.Time) ([]doctor.Booking, error) {
	return findAll(ctx, s.slots, "find slot claims", bson.D{
		{Key: "doctor_id", Value: bson.D{{Key: "$in", Value: doctorIDs}}},
		{Key: "start", Value: bson.D{{Key: "$lt", Value: to}}},
		{Key: "end", Value: bson.D{{Key: "$gt", Value: from}}},
	}, options.Find().SetSort(bson.D{{Key: "start", Value: 1}}), func(d claimDoc) doctor.Booking {
		return doctor.Booking{AppointmentID: d.AppointmentID, DoctorID: d.DoctorID, Start: d.Start.UTC(), End: d.End.UTC()}
	})
}

// Appointments implements doctor.Bookings, reading each by _id.
func (s *Appointments) Appointments(ctx context.Context, ids []string) ([]shared.Appointment, error) {
	out := make([]shared.Appointment, 0, len(ids))
	for _, id := range ids {
		r, err := s.Appointment(ctx, id)
		if errors.Is(err, appointment.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r.Public())
	}
	return out, nil
}

// ClaimTicketNumber implements appointment.Store.
func (s *Appointments) ClaimTicketNumber(ctx context.Context, department, day string, n int, appointmentID string) error {
	leave := s.gate.enter()
	_, err := s.tickets.InsertOne(ctx, bson.D{{Key: "department", Value: department}, {Key: "day", Value: day},
		{Key: "number", Value: n}, {Key: "appointment_id", Value: appointmentID}})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return appointment.ErrNumberTaken
	}
	return wrap("claim ticket number", err)
}

// MaxTicketNumber implements appointment.Store.
func (s *Appointments) MaxTicketNumber(ctx context.Context, department, day string) (int, error) {
	d, err := findOne[struct {
		Number int `bson:"number"`
	}](ctx, s.tickets, "find ticket numbers", bson.D{{Key: "department", Value: department}, {Key: "day", Value: day}},
		nil, options.FindOne().SetSort(bson.D{{Key: "number", Value: -1}}))
	return d.Number, err // none issued yet: 0
}

// notCancelled matches an appointment in any state but cancelled.
var notCancelled = bson.E{Key: "status", Value: bson.D{{Key: "$ne", Value: string(shared.StatusCancelled)}}}

// attended matches an appointment whose patient came: checked in, called, in consultation or completed.
var attended = bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{string(shared.StatusCheckedIn),
	string(shared.StatusCalled), string(shared.StatusInConsultation), string(shared.StatusCompleted)}}}}

// DoctorSees reports whether a doctor has a care relationship with a patient through appointments:
// an appointment with them the patient was checked in for (checked in, called, in consultation or
// completed), or a queue ticket of theirs the doctor called and that was not cancelled. A booking alone
// does not count, nor a ticket the doctor checked in (or admitted) themself: doctors may check patients
// in, so that would be a relationship they made for themself. An emergency the doctor admitted at ESI
// 1–2 counts: it raised an alert on every staff screen (docs/security.md row 34). Tickets stored before
// the check-in's actor was recorded (no checked_in_by) count as before.
func (s *Appointments) DoctorSees(ctx context.Context, doctorID, patientID string) (bool, error) {
	notSelf := bson.E{Key: "$or", Value: bson.A{
		bson.D{{Key: "ticket.checked_in_by", Value: bson.D{{Key: "$ne", Value: doctorID}}}},
		bson.D{{Key: "ticket.alerted", Value: true}},
	}}
	ok, err := exists(ctx, s.appointments, "find attended appointment with doctor", bson.D{{Key: "patient_id", Value: patientID},
		{Key: "doctor_id", Value: doctorID}, attended, notSelf})
	if ok || err != nil {
		return ok, err
	}
	return exists(ctx, s.appointments, "find ticket called by doctor", bson.D{{Key: "patient_id", Value: patientID},
		{Key: "ticket.called_by", Value: doctorID}, notCancelled, notSelf})
}

// CheckedInOn reports whether a patient holds a queue ticket of day (YYYY-MM-DD, hospital time) that
// was not cancelled: they were checked in (booked or walk-in) that day. A booking alone does not count.
func (s *Appointments) CheckedInOn(ctx context.Context, patientID, day string) (bool, error) {
	return exists(ctx, s.queues, "find ticket today", bson.D{{Key: "patient_id", Value: patientID},
		{Key: "ticket.day", Value: day}, notCancelled})
}

// RenamePatient implements appointment.Store.
func (s *Appointments) RenamePatient(ctx context.Context, patientID, name string) error {
	leave := s.gate.enter()
	defer leave()
	for _, c := range []struct {
		col       *mongo.Collection
		id, field string
	}{
		{s.appointments, "patient_id", "patient_name"},
		{s.queues, "patient_id", "patient_name"},
		{s.steps, "state.patient_id", "state.patient_name"},
	} {
		if _, err := c.col.UpdateMany(ctx, bson.D{{Key: c.id, Value: patientID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: c.field, Value: name}}}}); err != nil {
			return wrap("rename patient in "+c.col.Name(), err)
		}
	}
	return nil
}

// Rekey seals again, under the active key, every reason sealed under another key or stored in clear:
// the appointments' and their queue copies', each step's own and its state's (`hms rekey`).
func (s *Appointments) Rekey(ctx context.Context, progress func(collection string, scanned, resealed int)) (int, error) {
	appointmentReason := func(doc bson.Raw, _ string) string {
		id, _ := doc.Lookup("_id").StringValueOK()
		return appointmentReasonWhere(id)
	}
	stepReason := func(doc bson.Raw, field string) string {
		if field == "state.reason" {
			id, _ := doc.Lookup("appointment_id").StringValueOK()
			return appointmentReasonWhere(id)
		}
		id, _ := doc.Lookup("_id").StringValueOK()
		return fieldWhere(colSteps, id, "reason")
	}
	total := 0
	for _, c := range []struct {
		col    *mongo.Collection
		where  func(bson.Raw, string) string
		fields []string
	}{
		{s.appointments, appointmentReason, []string{"reason"}},
		{s.queues, appointmentReason, []string{"reason"}},
		{s.steps, stepReason, []string{"reason", "state.reason"}},
	} {
		scanned, n, err := rekeyFields(ctx, s.gate, s.keys, c.col, c.where, c.fields...)
		total += n
		if progress != nil {
			progress(c.col.Name(), scanned, n)
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
