// Package fhir serves a FHIR R4 view of HMS at /fhir/R4 (docs/fhir.md): the CapabilityStatement;
// Patient, Practitioner (doctors), the hospital as an Organization, Schedule, Slot (free slots),
// Location (the hospital's sites), Appointment (also booked and cancelled), Encounter, Observation,
// DiagnosticReport, MedicationRequest, Coverage, Claim and ClaimResponse. It is a view over the domain
// services, not a second data path: every read and write goes through the patient, doctor,
// appointment, chart, lab, pharmacy, ward and billing services, which apply the access rule and write
// the audit trail exactly as for the REST API. Resources are the structs of
// github.com/samply/golang-fhir-models (R4), as the billing domain's FHIR Claim.
package fhir

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/doctor"
	"hms/server/internal/patient"
	"hms/shared"
)

// Base is where the FHIR API is mounted.
const Base = "/fhir/R4"

// ContentType is what every FHIR response says it is.
const ContentType = "application/fhir+json; charset=utf-8"

// The identifier systems HMS's resources use: its own URNs under urn:hms.
const (
	SystemMRN     = "urn:hms:mrn"
	SystemTaxID   = "urn:hms:tax-id"
	SystemErrCode = "urn:hms:error"
	// HospitalID is the id of the one Organization, the hospital.
	HospitalID = "hospital"
)

// Patients is what the FHIR view needs of the patient service.
type Patients interface {
	Get(ctx context.Context, p auth.Principal, id string) (patient.Record, error)
	Search(ctx context.Context, p auth.Principal, sp patient.SearchParams) ([]patient.Record, int, error)
}

// Doctors is what the FHIR view needs of the doctor service.
type Doctors interface {
	Get(ctx context.Context, id string) (shared.Doctor, error)
	Find(ctx context.Context, specialty, department, date string) (shared.DoctorList, error)
	Slots(ctx context.Context, id, date string) (shared.SlotList, error)
}

var _ Doctors = (*doctor.Service)(nil)

// Hospital is the hospital as the Organization shows it (HOSPITAL_NAME, HOSPITAL_ADDRESS,
// HOSPITAL_TAX_ID).
type Hospital struct {
	Name, Address, TaxID string
}

// Handlers are the FHIR routes' handlers.
type Handlers struct {
	patients Patients
	doctors  Doctors
	hospital Hospital
	// publicURL, when set (PUBLIC_URL), starts every absolute URL; else the request's scheme and host.
	publicURL string
	version   string
	// started is when the server started: the CapabilityStatement's date.
	started time.Time
	// sched serves Schedule, Location, Appointment and Encounter (scheduling.go).
	sched Scheduling
}

// New returns the handlers.
func New(patients Patients, doctors Doctors, hospital Hospital, publicURL, version string, started time.Time) *Handlers {
	return &Handlers{patients: patients, doctors: doctors, hospital: hospital, publicURL: strings.TrimRight(publicURL, "/"),
		version: version, started: started.UTC()}
}

// base is the absolute URL of the FHIR API for this request.
func (h *Handlers) base(c *gin.Context) string {
	if h.publicURL != "" {
		return h.publicURL + Base
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host + Base
}

// write sends a resource as FHIR JSON.
func write(c *gin.Context, status int, resource any) {
	body, err := json.Marshal(resource)
	if err != nil {
		Error(c, err)
		return
	}
	c.Header("Content-Type", ContentType)
	c.Status(status)
	_, _ = c.Writer.Write(body)
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// principal is the signed-in caller (every FHIR resource route is signed in).
func principal(c *gin.Context) auth.Principal {
	p, _ := auth.PrincipalOf(c)
	return p
}

// formatOK checks _format: FHIR JSON only.
func formatOK(c *gin.Context) bool {
	switch f := c.Query("_format"); f {
	case "", "json", "application/json", "application/fhir+json":
		return true
	default:
		writeOutcome(c, http.StatusNotAcceptable, outcome(http.StatusNotAcceptable, "not_acceptable",
			"_format "+quote(f)+" is not supported: this server speaks JSON only (_format=json)", ""))
		return false
	}
}
