package fhir

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// strict is said in the CapabilityStatement and the docs: unknown parameters are refused, not ignored.
const strict = "Strict: a search or read with a parameter not listed here, a modifier (name:exact) or an OR list " +
	"(commas) is refused with 400 and an OperationOutcome naming it, never ignored. Paging: _count (1-100, default 20; " +
	"above 100 is 400) and _offset; the searchset Bundle has total and self, first, previous, next and last links."

func param(name string, t fhir.SearchParamType, definition, doc string) fhir.CapabilityStatementRestResourceSearchParam {
	p := fhir.CapabilityStatementRestResourceSearchParam{Name: name, Type: t, Documentation: ptr(doc)}
	if definition != "" {
		p.Definition = ptr(definition)
	}
	return p
}

func interactions(codes ...fhir.TypeRestfulInteraction) []fhir.CapabilityStatementRestResourceInteraction {
	out := make([]fhir.CapabilityStatementRestResourceInteraction, len(codes))
	for i, c := range codes {
		out[i] = fhir.CapabilityStatementRestResourceInteraction{Code: c}
	}
	return out
}

// paging are the search parameters every search takes.
var pagingParams = []fhir.CapabilityStatementRestResourceSearchParam{
	param("_count", fhir.SearchParamTypeNumber, "", "Page size, 1-100 (default 20)."),
	param("_offset", fhir.SearchParamTypeNumber, "", "How many matches the page skips (the next and previous links carry it)."),
}

const spDef = "http://hl7.org/fhir/SearchParameter/"

// Capabilities is the CapabilityStatement: exactly what this server serves.
func (h *Handlers) Capabilities(base string) fhir.CapabilityStatement {
	withPaging := func(ps ...fhir.CapabilityStatementRestResourceSearchParam) []fhir.CapabilityStatementRestResourceSearchParam {
		return append(ps, pagingParams...)
	}
	cs := fhir.CapabilityStatement{
		Status: fhir.PublicationStatusActive, Date: h.started.Format(time.RFC3339), Kind: fhir.CapabilityStatementKindInstance,
		Name: ptr("HMS"), Title: ptr("HMS FHIR R4 API"),
		Description: ptr("A FHIR R4 view of HMS (read and search; Appointment also booked and cancelled): the access rules and the audit trail of its REST API apply. " + strict),
		Software:    &fhir.CapabilityStatementSoftware{Name: "HMS", Version: ptr(h.version)},
		Implementation: &fhir.CapabilityStatementImplementation{Description: "HMS hospital management system", Url: ptr(base),
			Custodian: &fhir.Reference{Reference: ptr("Organization/" + HospitalID), Type: ptr("Organization")}},
		FhirVersion: fhir.FHIRVersion4_0_1, Format: []string{"json", "application/fhir+json"},
		Rest: []fhir.CapabilityStatementRest{{
			Mode:          fhir.RestfulCapabilityModeServer,
			Documentation: ptr(strict),
			Security: &fhir.CapabilityStatementRestSecurity{Cors: ptr(false),
				Description: ptr("Bearer token of an HMS account (POST /api/auth/login): Authorization: Bearer <token>. " +
					"A patient reads and finds only their own Patient; doctors and staff read a Patient under the care-relationship " +
					"rule (break the glass with POST /api/patients/{id}/access) and search patients with the patient.search permission. " +
					"Every Patient read and search is audited (patient.read, patient.search). " +
					"Observation, DiagnosticReport, MedicationRequest, Coverage, Claim and ClaimResponse follow their REST reads: the clinical " +
					"access rule, chart.read for vital signs, prescription.read, billing.read (a patient their own), audited as those. No SMART on FHIR yet.")},
			Resource: []fhir.CapabilityStatementRestResource{
				{Type: fhir.ResourceTypePatient, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("Demographics: MRN (identifier system " + SystemMRN + "), name (as text), gender, birth date, phone, address, emergency contacts; a merged record is inactive with a replaced-by link."),
					Interaction:   interactions(fhir.TypeRestfulInteractionRead, fhir.TypeRestfulInteractionSearchType),
					SearchParam: withPaging(
						param("_id", fhir.SearchParamTypeToken, spDef+"Resource-id", "The record's id."),
						param("name", fhir.SearchParamTypeString, spDef+"Patient-name", "Each word the start of a word of the name, case and accents ignored; repeated: all must match."),
						param("identifier", fhir.SearchParamTypeToken, spDef+"Patient-identifier", "The MRN: "+SystemMRN+"|H1234567x or the bare MRN."),
						param("birthdate", fhir.SearchParamTypeDate, spDef+"individual-birthdate", "YYYY, YYYY-MM or YYYY-MM-DD with prefix eq (default), ge, le, gt or lt; repeated: all must hold."),
					)},
				{Type: fhir.ResourceTypePractitioner, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("Doctors with a profile; the specialty as a qualification's text (PractitionerRole is not served)."),
					Interaction:   interactions(fhir.TypeRestfulInteractionRead, fhir.TypeRestfulInteractionSearchType),
					SearchParam: withPaging(
						param("_id", fhir.SearchParamTypeToken, spDef+"Resource-id", "The doctor's id."),
						param("name", fhir.SearchParamTypeString, spDef+"Practitioner-name", "Each word the start of a word of the name, case and accents ignored."),
					)},
				{Type: fhir.ResourceTypeOrganization, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("The hospital, Organization/" + HospitalID + "."),
					Interaction:   interactions(fhir.TypeRestfulInteractionRead)},
				{Type: fhir.ResourceTypeSlot, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("A doctor's free slots on one day (computed, not stored: search only); Slot.schedule is Schedule/<doctor id>. A Slot's id books it: Appointment.slot."),
					Interaction:   interactions(fhir.TypeRestfulInteractionSearchType),
					SearchParam: withPaging(
						param("schedule", fhir.SearchParamTypeReference, spDef+"Slot-schedule", "Required: Schedule/<doctor id>."),
						param("start", fhir.SearchParamTypeDate, spDef+"Slot-start", "Required: one day, YYYY-MM-DD (prefix eq only), in the hospital's time zone."),
						param("status", fhir.SearchParamTypeToken, spDef+"Slot-status", "free only."),
					)},
				{Type: fhir.ResourceTypeSchedule, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("A doctor's schedule, id the doctor's id: the Practitioner as actor, the specialty as serviceType and specialty (text)."),
					Interaction:   interactions(fhir.TypeRestfulInteractionRead, fhir.TypeRestfulInteractionSearchType),
					SearchParam: withPaging(
						param("_id", fhir.SearchParamTypeToken, spDef+"Resource-id", "The doctor's id."),
						param("actor", fhir.SearchParamTypeReference, spDef+"Schedule-actor", "Practitioner/<doctor id>."),
					)},
				{Type: fhir.ResourceTypeLocation, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("The hospital's own sites (the directory entries flagged own): name, address, phone, position, services."),
					Interaction:   interactions(fhir.TypeRestfulInteractionRead, fhir.TypeRestfulInteractionSearchType),
					SearchParam: withPaging(
						param("_id", fhir.SearchParamTypeToken, spDef+"Resource-id", "The site's directory id."),
						param("name", fhir.SearchParamTypeString, spDef+"Location-name", "Each word the start of a word of the name, case and accents ignored; repeated: all must match."),
					)},
				{Type: fhir.ResourceTypeAppointment, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("Appointments under the REST API's rule (a patient their own). Create books one free slot (status proposed or booked; " +
						"a Patient and a Practitioner participant; slot Slot/<id> or start and end; Idempotency-Key honoured; a taken slot is 409). " +
						"Cancel with PATCH (JSON Patch replacing /status with \"cancelled\") or PUT of the resource with status cancelled; other changes are 422."),
					Interaction: interactions(fhir.TypeRestfulInteractionRead, fhir.TypeRestfulInteractionSearchType, fhir.TypeRestfulInteractionCreate,
						fhir.TypeRestfulInteractionUpdate, fhir.TypeRestfulInteractionPatch),
					UpdateCreate: ptr(false), ConditionalCreate: ptr(false), ConditionalUpdate: ptr(false),
					SearchParam: withPaging(
						param("patient", fhir.SearchParamTypeReference, spDef+"Appointment-patient", "Patient/<id>."),
						param("practitioner", fhir.SearchParamTypeReference, spDef+"Appointment-practitioner", "Practitioner/<doctor id>."),
						param("date", fhir.SearchParamTypeDate, spDef+"Appointment-date", "The start: YYYY, YYYY-MM or YYYY-MM-DD (hospital time zone) with prefix eq (default), ge, le, gt or lt; repeated: all must hold."),
						param("status", fhir.SearchParamTypeToken, spDef+"Appointment-status", "booked, arrived, checked-in, fulfilled, cancelled, noshow (other codes match nothing)."),
					)},
				{Type: fhir.ResourceTypeEncounter, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("Visits: the chart's encounters, status from the appointment they record, class AMB (EMER for emergencies); ward admissions, class IMP. Clinical access rule as GET /api/encounters/{id} and GET /api/admissions/{id}."),
					Interaction:   interactions(fhir.TypeRestfulInteractionRead, fhir.TypeRestfulInteractionSearchType),
					SearchParam: withPaging(
						param("patient", fhir.SearchParamTypeReference, spDef+"clinical-patient", "Required: Patient/<id>."),
						param("practitioner", fhir.SearchParamTypeReference, spDef+"Encounter-practitioner", "Practitioner/<doctor id>."),
						param("date", fhir.SearchParamTypeDate, spDef+"clinical-date", "The period's start: as Appointment's date."),
						param("status", fhir.SearchParamTypeToken, spDef+"Encounter-status", "planned, arrived, in-progress, finished, cancelled, unknown."),
					)},
				// The clinical and financial resources (clinical.go).
				{Type: fhir.ResourceTypeObservation, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("Vital signs from the chart (vital-signs profile LOINC codes, UCUM units; needs chart.read) and the results of released lab reports (laboratory; HMS test codes under " + SystemLabTest + "), under the clinical access rule. Audited as encounter.read and lab.read."),
					Interaction:   interactions(fhir.TypeRestfulInteractionRead, fhir.TypeRestfulInteractionSearchType),
					SearchParam: withPaging(
						param("_id", fhir.SearchParamTypeToken, spDef+"Resource-id", "The Observation's id."),
						param("patient", fhir.SearchParamTypeReference, spDef+"clinical-patient", "Patient/<id>; required for doctors, staff and admins (a patient searches their own)."),
						param("category", fhir.SearchParamTypeToken, spDef+"Observation-category", "vital-signs or laboratory (system "+SystemObsCategory+" optional)."),
						param("code", fhir.SearchParamTypeToken, spDef+"clinical-code", "A LOINC code of a vital sign ("+SystemLOINC+"|8867-4) or an HMS lab test code ("+SystemLabTest+"|HBA1C); the system is optional."),
						param("date", fhir.SearchParamTypeDate, spDef+"clinical-date", "When it took effect, a UTC day: YYYY, YYYY-MM or YYYY-MM-DD with prefix eq (default), ge, le, gt or lt; repeated: all must hold."),
					)},
				{Type: fhir.ResourceTypeDiagnosticReport, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("Released lab reports (final, or partial when a test has no result), their results as Observations and attached files as presentedForm links; under the clinical access rule, audited as lab.read."),
					Interaction:   interactions(fhir.TypeRestfulInteractionRead, fhir.TypeRestfulInteractionSearchType),
					SearchParam: withPaging(
						param("_id", fhir.SearchParamTypeToken, spDef+"Resource-id", "The lab order's id."),
						param("patient", fhir.SearchParamTypeReference, spDef+"clinical-patient", "Patient/<id>; required for doctors, staff and admins (a patient searches their own)."),
						param("category", fhir.SearchParamTypeToken, spDef+"DiagnosticReport-category", "LAB (system "+SystemV20074+" optional)."),
						param("date", fhir.SearchParamTypeDate, spDef+"clinical-date", "When the results were entered, a UTC day, prefixes as Observation's date."),
						param("status", fhir.SearchParamTypeToken, spDef+"DiagnosticReport-status", "final or partial."),
					)},
				{Type: fhir.ResourceTypeMedicationRequest, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("Prescriptions (intent order; active, completed or cancelled), for callers granted prescription.read under the clinical access rule. Audited as prescription.list and prescription.read."),
					Interaction:   interactions(fhir.TypeRestfulInteractionRead, fhir.TypeRestfulInteractionSearchType),
					SearchParam: withPaging(
						param("_id", fhir.SearchParamTypeToken, spDef+"Resource-id", "The prescription's id."),
						param("patient", fhir.SearchParamTypeReference, spDef+"clinical-patient", "Patient/<id>; required for doctors, staff and admins (a patient searches their own)."),
						param("status", fhir.SearchParamTypeToken, spDef+"medications-status", "active, completed or cancelled."),
					)},
				{Type: fhir.ResourceTypeCoverage, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("A patient's insurance policies, the payer a contained Organization; for callers granted billing.read (a patient their own). Audited as billing.policies.read."),
					Interaction:   interactions(fhir.TypeRestfulInteractionRead, fhir.TypeRestfulInteractionSearchType),
					SearchParam: withPaging(
						param("_id", fhir.SearchParamTypeToken, spDef+"Resource-id", "The policy's id."),
						param("patient", fhir.SearchParamTypeReference, spDef+"Coverage-patient", "Patient/<id>; required for staff and admins (a patient searches their own)."),
						param("beneficiary", fhir.SearchParamTypeReference, spDef+"Coverage-beneficiary", "The same as patient."),
					)},
				{Type: fhir.ResourceTypeClaim, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("Claims to payers made from issued invoices (the resource of GET /api/claims/{id}/fhir); for callers granted billing.read (a patient their own). Audited as billing.claims.read and billing.claim.read."),
					Interaction:   interactions(fhir.TypeRestfulInteractionRead, fhir.TypeRestfulInteractionSearchType),
					SearchParam: withPaging(
						param("_id", fhir.SearchParamTypeToken, spDef+"Resource-id", "The claim's id."),
						param("patient", fhir.SearchParamTypeReference, spDef+"Claim-patient", "Patient/<id>; without it staff and admins find every claim, a patient their own."),
						param("status", fhir.SearchParamTypeToken, spDef+"Claim-status", "draft or active."),
					)},
				{Type: fhir.ResourceTypeClaimResponse, Versioning: ptr(fhir.ResourceVersionPolicyNoVersion),
					Documentation: ptr("The payer's answer to a claim (approved, partially approved, denied or paid), id the claim's; as Claim for who may read it."),
					Interaction:   interactions(fhir.TypeRestfulInteractionRead, fhir.TypeRestfulInteractionSearchType),
					SearchParam: withPaging(
						param("_id", fhir.SearchParamTypeToken, spDef+"Resource-id", "The claim's id."),
						param("patient", fhir.SearchParamTypeReference, spDef+"ClaimResponse-patient", "Patient/<id>; without it staff and admins find every answer, a patient their own."),
						param("status", fhir.SearchParamTypeToken, spDef+"ClaimResponse-status", "active (every answer served)."),
					)},
			},
		}},
	}
	// FHIR strings are never empty.
	if h.hospital.Name != "" {
		cs.Publisher = ptr(h.hospital.Name)
	}
	if h.version == "" {
		cs.Software.Version = nil
	}
	return cs
}

// Metadata handles GET /fhir/R4/metadata: the CapabilityStatement. It needs no token (FHIR clients
// read it before they sign in) and holds no data.
func (h *Handlers) Metadata(c *gin.Context) {
	if !formatOK(c) {
		return
	}
	for name := range c.Request.URL.Query() {
		if name != "_format" && name != "mode" {
			invalid(c, "unsupported parameter "+quote(name)+" (GET "+Base+"/metadata takes _format)")
			return
		}
	}
	if m := c.Query("mode"); m != "" && m != "full" {
		invalid(c, "mode "+quote(m)+" is not supported (full only)")
		return
	}
	write(c, http.StatusOK, h.Capabilities(h.base(c)))
}
