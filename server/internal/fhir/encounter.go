package fhir

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/appointment"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// The Encounter search parameters: patient is required (the chart keeps encounters by patient).
var (
	encounterParams     = []string{"patient", "practitioner", "date", "status"}
	encounterRepeatable = []string{"date"}
)

// systemActCode is the code system of Encounter.class.
const systemActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

// encounterStatus is an encounter's FHIR status, from the appointment it records (the chart's
// encounter has no status of its own): in consultation is in-progress, completed is finished, waiting
// in the queue (checked in, called) is arrived, a booking not yet checked in is planned, and a
// cancelled or no-show appointment is cancelled. An encounter opened without an appointment has no
// recorded end: unknown.
func encounterStatus(a *appointment.Record) fhir.EncounterStatus {
	if a == nil {
		return fhir.EncounterStatusUnknown
	}
	switch a.Status {
	case shared.StatusInConsultation:
		return fhir.EncounterStatusInProgress
	case shared.StatusCompleted:
		return fhir.EncounterStatusFinished
	case shared.StatusCheckedIn, shared.StatusCalled:
		return fhir.EncounterStatusArrived
	case shared.StatusScheduled:
		return fhir.EncounterStatusPlanned
	default:
		return fhir.EncounterStatusCancelled
	}
}

// EncounterResource maps a visit — an encounter of the chart (server/internal/chart), with the
// appointment it records when it has one — to a FHIR Encounter: class AMB (outpatient; EMER for an
// emergency admission to the queue), the patient as subject, the doctor as participant, the
// appointment, the period (the consultation's start and end when the queue recorded them, else when
// the encounter was opened), the reason as reasonCode text and the hospital as serviceProvider.
// Notes, diagnoses, vitals and procedures are not in it.
func EncounterResource(e shared.Encounter, a *appointment.Record) fhir.Encounter {
	r := fhir.Encounter{Id: ptr(e.ID), Status: encounterStatus(a),
		Class:           fhir.Coding{System: ptr(systemActCode), Code: ptr("AMB"), Display: ptr("ambulatory")},
		Subject:         &fhir.Reference{Reference: ptr("Patient/" + e.PatientID), Type: ptr("Patient")},
		ServiceProvider: &fhir.Reference{Reference: ptr("Organization/" + HospitalID), Type: ptr("Organization")}}
	if !e.UpdatedAt.IsZero() {
		r.Meta = &fhir.Meta{LastUpdated: ptr(e.UpdatedAt.UTC().Format(instant))}
	}
	if a != nil && a.Emergency {
		r.Class = fhir.Coding{System: ptr(systemActCode), Code: ptr("EMER"), Display: ptr("emergency")}
	}
	if e.DoctorID != "" {
		r.Participant = []fhir.EncounterParticipant{{Individual: &fhir.Reference{Reference: ptr("Practitioner/" + e.DoctorID), Type: ptr("Practitioner")},
			Type: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/v3-ParticipationType"),
				Code: ptr("PPRF"), Display: ptr("primary performer")}}}}}}
	}
	if e.AppointmentID != "" {
		r.Appointment = []fhir.Reference{{Reference: ptr("Appointment/" + e.AppointmentID), Type: ptr("Appointment")}}
	}
	start, end := encounterPeriod(e, a)
	if !start.IsZero() {
		r.Period = &fhir.Period{Start: ptr(start.UTC().Format(time.RFC3339))}
		if !end.IsZero() {
			r.Period.End = ptr(end.UTC().Format(time.RFC3339))
		}
	}
	if e.Reason != "" {
		r.ReasonCode = []fhir.CodeableConcept{{Text: ptr(e.Reason)}}
	}
	return r
}

// encounterPeriod is when the visit happened: the consultation's start and end as the queue recorded
// them, else the encounter's opening.
func encounterPeriod(e shared.Encounter, a *appointment.Record) (start, end time.Time) {
	if a != nil && !a.Ticket.StartedAt.IsZero() {
		return a.Ticket.StartedAt, a.Ticket.FinishedAt
	}
	return e.CreatedAt, time.Time{}
}

// recordOf reads the appointment an encounter records (nil when it records none or it is gone); the
// caller has already passed the chart's access rule for the encounter.
func (h *Handlers) recordOf(c *gin.Context, e shared.Encounter) (*appointment.Record, error) {
	if e.AppointmentID == "" {
		return nil, nil
	}
	a, err := h.sched.Appointments.Record(c.Request.Context(), e.AppointmentID)
	if errors.Is(err, fault.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// ReadEncounter handles GET /fhir/R4/Encounter/{id}: GET /api/encounters/{id}'s read, so the clinical
// access rule (a patient their own, another's is 403; staff-side roles need a care relationship or a
// break-the-glass grant) and its audit entry (encounter.read).
func (h *Handlers) ReadEncounter(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	id := c.Param("id")
	if !ident.Valid(id) {
		Error(c, fault.New(fault.ErrNotFound, "no Encounter with id %s", quote(id)))
		return
	}
	e, err := h.sched.Visits.Get(c.Request.Context(), principal(c), id)
	if errors.Is(err, fault.ErrNotFound) && h.sched.Stays != nil {
		// Not a visit: perhaps a ward admission (its own read, rule and audit entry).
		a, serr := h.sched.Stays.Get(c.Request.Context(), principal(c), id)
		if serr == nil {
			write(c, http.StatusOK, AdmissionEncounter(a))
			return
		}
		if !errors.Is(serr, fault.ErrNotFound) {
			err = serr
		}
	}
	if err != nil {
		Error(c, err)
		return
	}
	a, err := h.recordOf(c, e)
	if err != nil {
		Error(c, err)
		return
	}
	write(c, http.StatusOK, EncounterResource(e, a))
}

// SearchEncounters handles GET /fhir/R4/Encounter?patient=&practitioner=&date=&status=: the patient's
// encounters (GET /api/patients/{id}/encounters: the clinical access rule, audited as encounter.read),
// newest first, narrowed by the doctor, the period's start day (in the hospital's time zone) and the
// status. patient is required.
func (h *Handlers) SearchEncounters(c *gin.Context) {
	if !formatOK(c) {
		return
	}
	s, ok := parseSearch(c, encounterParams, encounterRepeatable)
	if !ok {
		return
	}
	patientID, okRef := refID(s.values.Get("patient"), "Patient")
	switch {
	case s.values.Get("patient") == "":
		invalid(c, "an Encounter search needs patient=Patient/<id> (encounters are kept by patient)")
		return
	case !okRef || !ident.Valid(patientID):
		invalid(c, "patient: want Patient/<id> or the bare id (24 hex digits), got "+quote(s.values.Get("patient")))
		return
	}
	doctorID := ""
	if v := s.values.Get("practitioner"); v != "" {
		id, okRef := refID(v, "Practitioner")
		if !okRef {
			invalid(c, "practitioner: want Practitioner/<id> or the bare id, got "+quote(v))
			return
		}
		doctorID = id
	}
	var status fhir.EncounterStatus
	if v := s.values.Get("status"); v != "" {
		if err := status.UnmarshalJSON([]byte(`"` + v + `"`)); err != nil {
			invalid(c, "status: "+quote(v)+" is not an Encounter status (planned, arrived, triaged, in-progress, onleave, finished, cancelled, entered-in-error, unknown)")
			return
		}
	}
	from, to, empty, err := dateRange("date", s.values["date"], h.sched.Location)
	if err != nil {
		invalid(c, err.Error())
		return
	}
	all, err := h.sched.Visits.Visits(c.Request.Context(), principal(c), patientID)
	if err != nil {
		Error(c, err)
		return
	}
	type found struct {
		r     fhir.Encounter
		start time.Time
	}
	var match []found
	keep := func(r fhir.Encounter, doctor string, start time.Time) {
		switch {
		case empty, doctorID != "" && doctor != doctorID,
			s.values.Get("status") != "" && r.Status != status,
			!from.IsZero() && start.Before(from), !to.IsZero() && !start.Before(to):
			return
		}
		match = append(match, found{r, start})
	}
	for _, e := range all {
		a, err := h.recordOf(c, e)
		if err != nil {
			Error(c, err)
			return
		}
		start, _ := encounterPeriod(e, a)
		keep(EncounterResource(e, a), e.DoctorID, start)
	}
	if h.sched.Stays != nil {
		stays, err := h.sched.Stays.PatientAdmissions(c.Request.Context(), principal(c), patientID, 1, maxStays)
		if err != nil {
			Error(c, err)
			return
		}
		for _, a := range stays.Items {
			keep(AdmissionEncounter(a), a.DoctorID, a.AdmittedAt)
		}
	}
	slices.SortStableFunc(match, func(x, y found) int { return y.start.Compare(x.start) })
	answerPage(c, h.base(c), "Encounter", s, match, func(v found) (entry, error) { return entry{id: *v.r.Id, resource: v.r}, nil })
}

// maxStays is the most admissions of one patient an Encounter search reads (the ward service reads
// them all and pages in Go).
const maxStays = 10_000

// AdmissionEncounter maps a ward admission to an inpatient Encounter: class IMP, in-progress while
// active and finished once discharged, the period from admission to discharge, the attending doctor,
// the appointment it came from, the reason, and the discharge disposition as text. The ward and bed
// are not Locations (Locations are the hospital's sites): they are left out.
func AdmissionEncounter(a shared.Admission) fhir.Encounter {
	r := fhir.Encounter{Id: ptr(a.ID), Status: fhir.EncounterStatusInProgress,
		Class:           fhir.Coding{System: ptr(systemActCode), Code: ptr("IMP"), Display: ptr("inpatient encounter")},
		Subject:         &fhir.Reference{Reference: ptr("Patient/" + a.PatientID), Type: ptr("Patient")},
		ServiceProvider: &fhir.Reference{Reference: ptr("Organization/" + HospitalID), Type: ptr("Organization")}}
	if a.Status == shared.AdmissionDischarged {
		r.Status = fhir.EncounterStatusFinished
	}
	if a.DoctorID != "" {
		r.Participant = []fhir.EncounterParticipant{{Individual: &fhir.Reference{Reference: ptr("Practitioner/" + a.DoctorID), Type: ptr("Practitioner")},
			Type: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/v3-ParticipationType"),
				Code: ptr("ATND"), Display: ptr("attender")}}}}}}
	}
	if a.AppointmentID != "" {
		r.Appointment = []fhir.Reference{{Reference: ptr("Appointment/" + a.AppointmentID), Type: ptr("Appointment")}}
	}
	if !a.AdmittedAt.IsZero() {
		r.Period = &fhir.Period{Start: ptr(a.AdmittedAt.UTC().Format(time.RFC3339))}
		if a.DischargedAt != nil {
			r.Period.End = ptr(a.DischargedAt.UTC().Format(time.RFC3339))
		}
	}
	if a.Reason != "" {
		r.ReasonCode = []fhir.CodeableConcept{{Text: ptr(a.Reason)}}
	}
	if a.Disposition != "" {
		r.Hospitalization = &fhir.EncounterHospitalization{DischargeDisposition: &fhir.CodeableConcept{Text: ptr(a.Disposition)}}
	}
	return r
}
