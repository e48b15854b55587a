package fhir

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// The DiagnosticReport search parameters.
var (
	reportParams     = []string{"_id", "patient", "category", "date", "status"}
	reportRepeatable = []string{"date"}
)

// reportCategory is the category of every report served: LAB of v2-0074.
func reportCategory() fhir.CodeableConcept { return concept(SystemV20074, "LAB", "Laboratory") }

// DiagnosticReportResource maps a released lab order to a FHIR DiagnosticReport: final when every test
// ordered has a result, partial when some have none; category LAB; code LOINC 11502-2 (Laboratory
// report) with the tests' names as text; the patient and encounter; when the results were entered as
// effective and when the report was released as issued; the results as references to their
// Observations (lab-<order>-<n>); the lab's interpretation as conclusion; and each attached file (PDF
// or image) as a presentedForm linking to its download, GET /api/lab-files/{id} (root is the server's
// absolute URL). The second result is false for an order that is not released: it has no report.
func DiagnosticReportResource(o shared.LabOrder, root string) (fhir.DiagnosticReport, bool) {
	if o.Status != shared.LabReleased {
		return fhir.DiagnosticReport{}, false
	}
	names := make([]string, 0, len(o.Tests))
	for _, t := range o.Tests {
		names = append(names, t.Name)
	}
	code := concept(SystemLOINC, "11502-2", "Laboratory report")
	code.Text = ptr("Laboratory report: " + strings.Join(names, ", "))
	r := fhir.DiagnosticReport{Id: ptr(o.ID), Status: fhir.DiagnosticReportStatusFinal, Category: []fhir.CodeableConcept{reportCategory()},
		Code: code, Subject: reference("Patient", o.PatientID)}
	resulted := map[string]bool{}
	for _, res := range o.Results {
		resulted[res.Code] = true
	}
	for _, t := range o.Tests {
		if !resulted[t.Code] {
			r.Status = fhir.DiagnosticReportStatusPartial
		}
	}
	if o.EncounterID != "" {
		r.Encounter = reference("Encounter", o.EncounterID)
	}
	if o.ResultedAt != nil {
		r.EffectiveDateTime = ptr(o.ResultedAt.UTC().Format(instant))
	}
	if o.ReleasedAt != nil {
		r.Issued = ptr(o.ReleasedAt.UTC().Format(instant))
	}
	for _, ob := range LabObservations(o) {
		r.Result = append(r.Result, *reference("Observation", *ob.Id))
	}
	if o.Interpretation != "" {
		r.Conclusion = ptr(o.Interpretation)
	}
	for _, f := range o.Files {
		a := fhir.Attachment{ContentType: ptr(f.ContentType), Url: ptr(root + "/api/lab-files/" + f.ID),
			Creation: ptr(f.UploadedAt.UTC().Format(instant))}
		if f.Name != "" {
			a.Title = ptr(f.Name)
		}
		if f.Size > 0 && f.Size < 1<<31 {
			a.Size = ptr(int(f.Size))
		}
		r.PresentedForm = append(r.PresentedForm, a)
	}
	return r, true
}

// root is the server's absolute URL (the FHIR base without /fhir/R4).
func (cl *Clinical) root(c *gin.Context) string { return strings.TrimSuffix(cl.h.base(c), Base) }

// ReadDiagnosticReport handles GET /fhir/R4/DiagnosticReport/{id}: a released lab report, read through
// the lab order read (the clinical access rule; audited as lab.read, as GET /api/lab-orders/{id}).
// An order not released (or cancelled) is 404 for everyone.
func (cl *Clinical) ReadDiagnosticReport(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	id := c.Param("id")
	notFound := fault.New(fault.ErrNotFound, "no DiagnosticReport with id %s (lab reports are served once released)", quote(id))
	if !ident.Valid(id) {
		Error(c, notFound)
		return
	}
	o, err := cl.Labs.Get(c.Request.Context(), principal(c), id)
	if err != nil {
		Error(c, err)
		return
	}
	r, ok := DiagnosticReportResource(o, cl.root(c))
	if !ok {
		Error(c, notFound)
		return
	}
	write(c, http.StatusOK, r)
}

// SearchDiagnosticReports handles GET /fhir/R4/DiagnosticReport?patient=&category=&date=&status=&_id=:
// one patient's released lab reports (through the lab order list: the access rule, audited as
// lab.read), newest first. A patient searches their own; the staff-side roles name the patient.
func (cl *Clinical) SearchDiagnosticReports(c *gin.Context) {
	if !formatOK(c) {
		return
	}
	s, ok := parseSearch(c, reportParams, reportRepeatable)
	if !ok {
		return
	}
	p := principal(c)
	patientID, ok := patientParam(c, s, p, "patient")
	if !ok {
		return
	}
	when, ok := dateParam(c, s, "date")
	if !ok {
		return
	}
	status := s.values.Get("status")
	switch status {
	case "", "final", "partial":
	case "registered", "preliminary", "amended", "corrected", "appended", "cancelled", "entered-in-error", "unknown":
		// Valid, but no report served has it.
	default:
		invalid(c, "status: "+quote(status)+" is not a DiagnosticReport status (final and partial are served)")
		return
	}
	list, err := cl.Labs.List(c.Request.Context(), p, patientID, 1, all)
	if err != nil {
		Error(c, err)
		return
	}
	cat, id := s.values.Get("category"), idParam(s)
	var matches []sortedEntry
	for _, o := range list.Items {
		r, ok := DiagnosticReportResource(o, cl.root(c))
		if !ok || (id != "" && o.ID != id) || (status != "" && r.Status.Code() != status) ||
			(cat != "" && !tokenMatches(cat, r.Category[0].Coding)) {
			continue
		}
		at := o.OrderedAt
		if o.ResultedAt != nil {
			at = *o.ResultedAt
		}
		if !when.has(at) {
			continue
		}
		matches = append(matches, sortedEntry{entry: entry{o.ID, r}, at: at})
	}
	cl.answer(c, "DiagnosticReport", s, matches)
}
