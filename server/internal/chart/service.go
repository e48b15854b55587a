package chart

import (
	"context"
	"errors"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/clock"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/reaction"
	"hms/shared"
)

// staleClaim is how old an appointment claim whose encounter was never written must be before another
// encounter may take the appointment over (its writer stopped between the claim and the revision).
const staleClaim = time.Minute

// Service is the clinical chart's logic.
type Service struct {
	store    Store
	access   Access
	audit    Auditor
	appts    Appointments
	patients Patients
	codes    Codes
	clk      *clock.Clock
	// bus announces procedures recorded and entered in error (Announce); nil announces nothing.
	bus *reaction.Bus
}

// NewService wires the service; codes is the price list procedures are recorded by (nil: none can be
// recorded); clk is the hospital's clock.
func NewService(store Store, access Access, audit Auditor, appts Appointments, patients Patients, codes Codes, clk *clock.Clock) *Service {
	return &Service{store: store, access: access, audit: audit, appts: appts, patients: patients, codes: codes, clk: clk}
}

func (s *Service) now() time.Time { return s.clk.Now() }

// clock is now as stored: UTC, to the millisecond.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// record audits an action on a patient's chart. A failed audit write fails the request: no chart data
// is served or changed without a trail.
func (s *Service) record(ctx context.Context, p auth.Principal, patientID, action string, err error) error {
	if !ident.Valid(patientID) {
		patientID = ""
	}
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, patientID, action, err); aerr != nil && err == nil {
		return aerr
	}
	return err
}

func checkID(id, what string) error {
	if !ident.Valid(id) {
		return fault.Invalid("malformed %s id: want 24 hex digits", what)
	}
	return nil
}

// patient checks that p may see the patient's chart and that the patient exists.
func (s *Service) patient(ctx context.Context, p auth.Principal, patientID string) error {
	if err := checkID(patientID, "patient"); err != nil {
		return err
	}
	if err := s.access.Clinical(ctx, p, patientID); err != nil {
		return err
	}
	if _, err := s.patients.Name(ctx, patientID); err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return errPatientNotFound
		}
		return err
	}
	return nil
}

// load returns an encounter's latest revision once p may see it.
func (s *Service) load(ctx context.Context, p auth.Principal, id string) (Revision, error) {
	if err := checkID(id, "encounter"); err != nil {
		return Revision{}, err
	}
	r, err := s.store.Latest(ctx, id)
	if err != nil {
		return Revision{}, err
	}
	return r, s.access.Clinical(ctx, p, r.PatientID)
}

// Create opens an encounter for a patient, optionally recording one of their appointments (at most
// one encounter per appointment). Staff may open one with its reason only.
func (s *Service) Create(ctx context.Context, p auth.Principal, patientID string, req shared.CreateEncounterRequest) (shared.Encounter, error) {
	e, err := s.create(ctx, p, patientID, req)
	return e, s.record(ctx, p, patientID, actionCreate, err)
}

func (s *Service) create(ctx context.Context, p auth.Principal, patientID string, req shared.CreateEncounterRequest) (shared.Encounter, error) {
	if err := s.patient(ctx, p, patientID); err != nil {
		return shared.Encounter{}, err
	}
	if p.Role != shared.RoleDoctor && (req.Summary != "" || req.Notes != "" || len(req.Diagnoses) > 0) {
		return shared.Encounter{}, errDoctorsOnly
	}
	text, err := checkText(Text{Reason: req.Reason, Summary: req.Summary, Notes: req.Notes, Diagnoses: req.Diagnoses})
	if err != nil {
		return shared.Encounter{}, err
	}
	now := s.clock()
	r := Revision{EncounterID: ident.New(), Rev: 1, PatientID: patientID, Text: text, AuthorID: p.UserID,
		AuthorRole: p.Role, At: now, CreatedBy: p.UserID, CreatedAt: now}
	if p.Role == shared.RoleDoctor {
		r.DoctorID = p.UserID
	}
	if req.AppointmentID != "" {
		a, err := s.appointment(ctx, patientID, req.AppointmentID)
		if err != nil {
			return shared.Encounter{}, err
		}
		r.AppointmentID, r.Ticket = a.ID, a.Ticket
		if a.DoctorID != "" {
			r.DoctorID = a.DoctorID
		}
		if err := s.claim(ctx, Claim{AppointmentID: a.ID, EncounterID: r.EncounterID, At: now}); err != nil {
			return shared.Encounter{}, err
		}
	}
	if err := s.store.InsertRevision(ctx, r); err != nil {
		if r.AppointmentID != "" {
			_ = s.store.ReleaseAppointment(context.WithoutCancel(ctx), r.AppointmentID, r.EncounterID)
		}
		return shared.Encounter{}, err
	}
	return public(r, nil, nil), nil
}

// appointment checks that the appointment exists, is the patient's and was not cancelled.
func (s *Service) appointment(ctx context.Context, patientID, id string) (Appointment, error) {
	if !ident.Valid(id) {
		return Appointment{}, fault.Invalid("malformed appointment_id: want 24 hex digits")
	}
	a, err := s.appts.Appointment(ctx, id)
	switch {
	case errors.Is(err, fault.ErrNotFound):
		return a, fault.Invalid("appointment_id: no such appointment")
	case err != nil:
		return a, err
	case a.PatientID != patientID:
		return a, fault.Invalid("appointment_id: the appointment is another patient's")
	case a.Cancelled:
		return a, fault.Invalid("appointment_id: the appointment was cancelled")
	}
	return a, nil
}

// claim links the appointment to the new encounter. A claim left by a writer that stopped before
// writing its encounter is taken over once it is old enough that the writer cannot still be at it.
func (s *Service) claim(ctx context.Context, c Claim) error {
	err := s.store.ClaimAppointment(ctx, c)
	if !errors.Is(err, ErrAppointmentTaken) {
		return err
	}
	prev, err := s.store.AppointmentClaim(ctx, c.AppointmentID)
	if errors.Is(err, ErrClaimNotFound) {
		return s.store.ClaimAppointment(ctx, c)
	}
	if err != nil {
		return err
	}
	_, err = s.store.Latest(ctx, prev.EncounterID)
	switch {
	case err == nil:
		return fault.New(fault.ErrConflict, "the appointment already has encounter %s", prev.EncounterID)
	case !errors.Is(err, ErrNotFound):
		return err
	case c.At.Sub(prev.At) < staleClaim:
		return fault.New(fault.ErrConflict, "an encounter for this appointment is being opened; retry shortly")
	}
	if err := s.store.ReleaseAppointment(ctx, c.AppointmentID, prev.EncounterID); err != nil {
		return err
	}
	return s.store.ClaimAppointment(ctx, c)
}

// Get returns an encounter as it is now, with its vitals and procedures.
func (s *Service) Get(ctx context.Context, p auth.Principal, id string) (shared.Encounter, error) {
	r, err := s.load(ctx, p, id)
	var e shared.Encounter
	if err == nil {
		e, err = s.withActs(ctx, r)
	}
	if err != nil {
		return shared.Encounter{}, s.record(ctx, p, r.PatientID, actionRead, err)
	}
	return e, s.record(ctx, p, r.PatientID, actionRead, nil)
}

// withActs returns the encounter at revision r with its vitals and procedures.
func (s *Service) withActs(ctx context.Context, r Revision) (shared.Encounter, error) {
	readings, err := s.store.Readings(ctx, r.PatientID, []string{r.EncounterID})
	if err != nil {
		return shared.Encounter{}, err
	}
	procs, err := s.store.Procedures(ctx, r.PatientID, []string{r.EncounterID})
	if err != nil {
		return shared.Encounter{}, err
	}
	return public(r, readings, procs), nil
}

// History returns every revision of an encounter, oldest first.
func (s *Service) History(ctx context.Context, p auth.Principal, id string) (shared.EncounterHistory, error) {
	r, err := s.load(ctx, p, id)
	var revs []Revision
	if err == nil {
		revs, err = s.store.Revisions(ctx, id)
	}
	if err != nil {
		return shared.EncounterHistory{}, s.record(ctx, p, r.PatientID, actionRead, err)
	}
	return shared.EncounterHistory{EncounterID: id, PatientID: r.PatientID, Revisions: publicRevisions(revs)},
		s.record(ctx, p, r.PatientID, actionRead, nil)
}

// List returns a page of the patient's encounters, newest opened first.
func (s *Service) List(ctx context.Context, p auth.Principal, patientID string, page, limit int) (shared.EncounterList, error) {
	list, err := s.list(ctx, p, patientID, page, limit)
	return list, s.record(ctx, p, patientID, actionRead, err)
}

// list pages in Go: the store reads the patient's encounters in one query filtered by equality on
// patient_id, which FerretDB hands to PostgreSQL, whereas a filter with $in makes it read the whole
// collection (BenchmarkChartListPage on PostgreSQL-backed FerretDB, 1,100 encounters of 3 revisions
// stored: 3.4 s per page of 20 with count, skip and $in; 0.29 s this way).
func (s *Service) list(ctx context.Context, p auth.Principal, patientID string, pageNo, limit int) (shared.EncounterList, error) {
	if err := s.patient(ctx, p, patientID); err != nil {
		return shared.EncounterList{}, err
	}
	all, err := s.store.Encounters(ctx, patientID)
	if err != nil {
		return shared.EncounterList{}, err
	}
	page := all[min((pageNo-1)*limit, len(all)):min(pageNo*limit, len(all))]
	ids := make([]string, len(page))
	for i, r := range page {
		ids[i] = r.EncounterID
	}
	readings, procs := []Reading{}, []Procedure{}
	if len(ids) > 0 {
		if readings, err = s.store.Readings(ctx, patientID, ids); err != nil {
			return shared.EncounterList{}, err
		}
		if procs, err = s.store.Procedures(ctx, patientID, ids); err != nil {
			return shared.EncounterList{}, err
		}
	}
	byEncounter := map[string][]Reading{}
	for _, r := range readings {
		byEncounter[r.EncounterID] = append(byEncounter[r.EncounterID], r)
	}
	procsOf := proceduresByEncounter(procs)
	items := make([]shared.Encounter, 0, len(page))
	for _, r := range page {
		items = append(items, public(r, byEncounter[r.EncounterID], procsOf[r.EncounterID]))
	}
	return shared.EncounterList{Items: items, Total: len(all), Page: pageNo, Limit: limit}, nil
}

// Update writes a new revision of an encounter: the fields given replace the current ones. The
// request names the revision it was made on; if the encounter has another revision by now, or another
// writer takes the next revision first, it fails with 409 and the caller reloads and tries again.
func (s *Service) Update(ctx context.Context, p auth.Principal, id string, req shared.UpdateEncounterRequest) (shared.Encounter, error) {
	r, err := s.update(ctx, p, id, req)
	return r, s.record(ctx, p, r.PatientID, actionUpdate, err)
}

func (s *Service) update(ctx context.Context, p auth.Principal, id string, req shared.UpdateEncounterRequest) (shared.Encounter, error) {
	if err := checkID(id, "encounter"); err != nil {
		return shared.Encounter{}, err
	}
	if req.Rev == nil {
		return shared.Encounter{}, fault.Invalid("rev is required: the revision your change was made on")
	}
	if req.Reason == nil && req.Summary == nil && req.Notes == nil && req.Diagnoses == nil {
		return shared.Encounter{}, fault.Invalid("nothing to change: give reason, summary, notes or diagnoses")
	}
	cur, err := s.load(ctx, p, id)
	if err != nil {
		return shared.Encounter{PatientID: cur.PatientID}, err
	}
	fail := func(err error) (shared.Encounter, error) { return shared.Encounter{PatientID: cur.PatientID}, err }
	if p.Role != shared.RoleDoctor {
		return fail(errDoctorsOnly)
	}
	text := cur.Text
	if req.Reason != nil {
		text.Reason = *req.Reason
	}
	if req.Summary != nil {
		text.Summary = *req.Summary
	}
	if req.Notes != nil {
		text.Notes = *req.Notes
	}
	if req.Diagnoses != nil {
		text.Diagnoses = *req.Diagnoses
	}
	if text, err = checkText(text); err != nil {
		return fail(err)
	}
	if *req.Rev != cur.Rev {
		return fail(fault.New(fault.ErrConflict, "the encounter is at revision %d, not %d: reload it and apply your change again", cur.Rev, *req.Rev))
	}
	next := cur
	next.Rev, next.Text, next.AuthorID, next.AuthorRole, next.At = cur.Rev+1, text, p.UserID, p.Role, s.clock()
	if err := s.store.InsertRevision(ctx, next); err != nil {
		return fail(err)
	}
	e, err := s.withActs(ctx, next)
	if err != nil {
		return fail(err)
	}
	return e, nil
}

// RecordVitals adds a vitals reading to an encounter.
func (s *Service) RecordVitals(ctx context.Context, p auth.Principal, id string, v shared.Vitals) (shared.VitalsReading, error) {
	reading, patientID, err := s.recordVitals(ctx, p, id, v)
	return reading, s.record(ctx, p, patientID, actionVitals, err)
}

func (s *Service) recordVitals(ctx context.Context, p auth.Principal, id string, v shared.Vitals) (shared.VitalsReading, string, error) {
	if err := checkID(id, "encounter"); err != nil {
		return shared.VitalsReading{}, "", err
	}
	if err := checkVitals(v); err != nil {
		return shared.VitalsReading{}, "", err
	}
	cur, err := s.load(ctx, p, id)
	if err != nil {
		return shared.VitalsReading{}, cur.PatientID, err
	}
	if p.Role != shared.RoleDoctor && p.Role != shared.RoleStaff {
		return shared.VitalsReading{}, cur.PatientID, fault.New(fault.ErrForbidden, "only doctors and staff record vitals")
	}
	r := Reading{ID: ident.New(), EncounterID: id, PatientID: cur.PatientID, Vitals: v, By: p.UserID, Role: p.Role, At: s.clock()}
	if err := s.store.InsertReading(ctx, r); err != nil {
		return shared.VitalsReading{}, cur.PatientID, err
	}
	return r.public(), cur.PatientID, nil
}

// ExportPatient implements patient.Exporter: every encounter of the patient as it is now, with every
// revision, vitals reading and procedure (those entered in error marked), decrypted, newest opened first.
func (s *Service) ExportPatient(ctx context.Context, patientID string) (string, any, error) {
	revs, err := s.store.PatientRevisions(ctx, patientID)
	if err != nil {
		return "encounters", nil, err
	}
	byEncounter := map[string][]Revision{}
	var ids []string
	for _, r := range revs {
		if _, ok := byEncounter[r.EncounterID]; !ok {
			ids = append(ids, r.EncounterID)
		}
		byEncounter[r.EncounterID] = append(byEncounter[r.EncounterID], r)
	}
	var readings []Reading
	var procs []Procedure
	if len(ids) > 0 {
		if readings, err = s.store.Readings(ctx, patientID, ids); err != nil {
			return "encounters", nil, err
		}
		if procs, err = s.store.Procedures(ctx, patientID, ids); err != nil {
			return "encounters", nil, err
		}
	}
	procsOf := proceduresByEncounter(procs)
	readingsOf := map[string][]Reading{}
	for _, r := range readings {
		readingsOf[r.EncounterID] = append(readingsOf[r.EncounterID], r)
	}
	out := make([]shared.EncounterExport, 0, len(ids))
	for _, id := range ids {
		rs := byEncounter[id]
		latest := rs[0]
		for _, r := range rs {
			if r.Rev > latest.Rev {
				latest = r
			}
		}
		sortRevisions(rs)
		out = append(out, shared.EncounterExport{Encounter: public(latest, readingsOf[id], procsOf[id]), Revisions: publicRevisions(rs)})
	}
	sortExport(out)
	return "encounters", out, nil
}

// Visits returns every encounter of the patient as it is now, newest opened first, without its vitals
// and procedures (the FHIR Encounter search): the access rule and the audit entry (encounter.read) are
// List's.
func (s *Service) Visits(ctx context.Context, p auth.Principal, patientID string) ([]shared.Encounter, error) {
	err := s.patient(ctx, p, patientID)
	var all []Revision
	if err == nil {
		all, err = s.store.Encounters(ctx, patientID)
	}
	if err = s.record(ctx, p, patientID, actionRead, err); err != nil {
		return nil, err
	}
	out := make([]shared.Encounter, 0, len(all))
	for _, r := range all {
		out = append(out, public(r, nil, nil))
	}
	return out, nil
}
