package fhir

import (
	"context"
	"errors"
	"strings"
	"time"

	"hms/server/internal/appointment"
	"hms/server/internal/auth"
	"hms/server/internal/chart"
	"hms/server/internal/directory"
	"hms/server/internal/ward"
	"hms/shared"
)

// Appointments is what the FHIR Appointment and Encounter need of the appointment service: its reads
// under the REST API's rule (a patient their own, others' "not found"), its booking path (the one-winner
// slot claim, appointment.book_for_others, Idempotency-Key) and its cancel path.
type Appointments interface {
	Get(ctx context.Context, p auth.Principal, id string) (shared.Appointment, error)
	Search(ctx context.Context, p auth.Principal, f appointment.Filter, skip, limit int) ([]shared.Appointment, int, error)
	Book(ctx context.Context, p auth.Principal, req shared.BookRequest, key string) (appointment.Record, bool, error)
	Cancel(ctx context.Context, p auth.Principal, id string, req shared.ReasonRequest) (appointment.Record, error)
	Shown(ctx context.Context, p auth.Principal, r appointment.Record) shared.Appointment
	// Record is a principal-free read: the Encounter asks it only once the chart's access rule let the
	// caller see the encounter.
	Record(ctx context.Context, id string) (appointment.Record, error)
}

// Visits is what the FHIR Encounter needs of the chart: an encounter and a patient's encounters, under
// the clinical access rule and audited as encounter.read.
type Visits interface {
	Get(ctx context.Context, p auth.Principal, id string) (shared.Encounter, error)
	Visits(ctx context.Context, p auth.Principal, patientID string) ([]shared.Encounter, error)
}

// Stays is what the FHIR Encounter needs of the wards: an admission and a patient's admissions, under
// the clinical access rule and audited as admission.read (GET /api/admissions/{id},
// GET /api/patients/{id}/admissions).
type Stays interface {
	Get(ctx context.Context, p auth.Principal, id string) (shared.Admission, error)
	PatientAdmissions(ctx context.Context, p auth.Principal, patientID string, page, limit int) (shared.AdmissionList, error)
}

// Sites is what the FHIR Location needs of the hospital directory (GET /api/hospitals).
type Sites interface {
	List(ctx context.Context, q string, page, limit int) (shared.HospitalList, error)
}

var (
	_ Appointments = (*appointment.Service)(nil)
	_ Visits       = (*chart.Service)(nil)
	_ Sites        = (*directory.Service)(nil)
	_ Stays        = (*ward.Service)(nil)
)

// Scheduling is the services behind Schedule, Location, Appointment and Encounter, and the hospital's
// time zone (a date in a search is a day there, as in the REST API).
type Scheduling struct {
	Appointments Appointments
	Visits       Visits
	Sites        Sites
	// Stays, when set, adds the ward admissions as inpatient Encounters.
	Stays    Stays
	Location *time.Location
}

// UseScheduling wires the scheduling resources' services.
func (h *Handlers) UseScheduling(s Scheduling) {
	if s.Location == nil {
		s.Location = time.UTC
	}
	h.sched = s
}

// refID takes the id out of a reference search value: "Patient/{id}" or the bare id; ok is false for
// a reference to another type or a URL.
func refID(value, resourceType string) (string, bool) {
	if id, found := strings.CutPrefix(value, resourceType+"/"); found {
		return id, !strings.Contains(id, "/")
	}
	return value, !strings.Contains(value, "/") && !strings.Contains(value, ":")
}

// dateRange turns date search values (a prefix eq, ge, le, gt or lt and a date of year, month or day
// precision, in the hospital's time zone) into [from, to) times, the intersection of all of them;
// zero times are open; empty says nothing can match.
func dateRange(name string, values []string, loc *time.Location) (from, to time.Time, empty bool, err error) {
	lo, hi, empty, err := birthRange(values)
	if err != nil {
		return from, to, false, fmtDateErr(name, err)
	}
	if lo != "" {
		t, _ := time.ParseInLocation(time.DateOnly, lo, loc)
		from = t
	}
	if hi != "" {
		t, _ := time.ParseInLocation(time.DateOnly, hi, loc)
		to = t.AddDate(0, 0, 1)
	}
	return from, to, empty, nil
}

func fmtDateErr(name string, err error) error {
	return errors.New(strings.Replace(err.Error(), "birthdate", name, 1))
}
