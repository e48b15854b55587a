package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/auth"
	"hms/server/internal/billing"
	"hms/server/internal/chart"
	"hms/server/internal/fault"
	"hms/server/internal/lab"
	"hms/server/internal/pharmacy"
	"hms/shared"
)

// The clinical and financial resources (issue 18, part 2): Observation (vital signs and released lab
// results), DiagnosticReport (released lab reports), MedicationRequest (prescriptions), Coverage
// (insurance policies), Claim and ClaimResponse. Like the rest of the package they are a view over the
// domain services, which apply the access rule and write the audit trail exactly as for the REST API.

// Charts is what the FHIR view needs of the chart service (vital signs).
type Charts interface {
	List(ctx context.Context, p auth.Principal, patientID string, page, limit int) (shared.EncounterList, error)
	Get(ctx context.Context, p auth.Principal, id string) (shared.Encounter, error)
}

// Labs is what the FHIR view needs of the lab service (released reports and their results).
type Labs interface {
	List(ctx context.Context, p auth.Principal, patientID string, page, limit int) (shared.LabOrderList, error)
	Get(ctx context.Context, p auth.Principal, orderID string) (shared.LabOrder, error)
}

// Prescriptions is what the FHIR view needs of the pharmacy service.
type Prescriptions interface {
	List(ctx context.Context, p auth.Principal, patientID string, page, limit int) (shared.PrescriptionList, error)
	Get(ctx context.Context, p auth.Principal, id string) (shared.Prescription, error)
	Medications(ctx context.Context, q string, page, limit int) (shared.MedicationList, error)
}

// Billing is what the FHIR view needs of billing: the reads of its REST handlers (the same refusals and
// audit entries) and its FHIR mappings.
type Billing interface {
	FHIRPolicies(ctx context.Context, p auth.Principal, patientID string) ([]billing.Policy, error)
	FHIRPolicy(ctx context.Context, p auth.Principal, id string) (billing.Policy, error)
	FHIRClaims(ctx context.Context, p auth.Principal, patientID string) ([]billing.Claim, error)
	FHIRClaim(ctx context.Context, p auth.Principal, id string) (billing.Claim, error)
	FHIRClaimResource(ctx context.Context, cl billing.Claim) (fhir.Claim, error)
	ClaimResponseFHIR(c billing.Claim, patientName string) (fhir.ClaimResponse, error)
	FHIRPayer(ctx context.Context, id string) (billing.Payer, error)
	FHIRMoney(amount int64) (*fhir.Money, error)
}

var (
	_ Charts        = (*chart.Service)(nil)
	_ Labs          = (*lab.Service)(nil)
	_ Prescriptions = (*pharmacy.Service)(nil)
	_ Billing       = (*billing.Handlers)(nil)
)

// ClinicalDeps are the services behind the clinical and financial resources.
type ClinicalDeps struct {
	Charts        Charts
	Labs          Labs
	Prescriptions Prescriptions
	Billing       Billing
}

// Clinical serves the clinical and financial resources.
type Clinical struct {
	h *Handlers
	ClinicalDeps
}

// NewClinical returns the clinical and financial resources' handlers, with h's base URL.
func NewClinical(h *Handlers, d ClinicalDeps) *Clinical { return &Clinical{h: h, ClinicalDeps: d} }

// all is the page size the FHIR view asks the services for: every item of one patient (a search pages
// the matches itself, after its own filters).
const all = 1 << 20

// The code systems of the clinical resources.
const (
	SystemLOINC          = "http://loinc.org"
	SystemUCUM           = "http://unitsofmeasure.org"
	SystemObsCategory    = "http://terminology.hl7.org/CodeSystem/observation-category"
	SystemInterpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	SystemV20074         = "http://terminology.hl7.org/CodeSystem/v2-0074"
	// SystemLabTest is HMS's own lab test codes (the order's test code: HMS keeps no LOINC catalogue).
	SystemLabTest = "urn:hms:lab-test"
	// SystemMedication is the hospital's medication catalogue codes.
	SystemMedication = "urn:hms:medication"
	SystemPayer      = "urn:hms:payer"
)

// patientParam is the patient a search is about: its patient parameter (Patient/<id> or the bare id),
// or for a patient their own record. The staff-side roles must name one (400 otherwise): the REST API
// has no cross-patient listing of these records either. A patient naming someone else is refused by
// the service (403), as over REST.
func patientParam(c *gin.Context, s search, p auth.Principal, names ...string) (string, bool) {
	v := ""
	for _, n := range names {
		if w := s.values.Get(n); w != "" {
			if v != "" {
				invalid(c, "give "+strings.Join(names, " or ")+", not both")
				return "", false
			}
			v = w
		}
	}
	if v == "" {
		if p.Role == shared.RolePatient {
			return p.PatientID, true
		}
		invalid(c, "this search needs "+names[0]+"=Patient/<id>: a doctor, staff member or admin searches one patient's records at a time")
		return "", false
	}
	id := strings.TrimPrefix(v, "Patient/")
	if id == "" || strings.Contains(id, "/") {
		invalid(c, names[0]+": want Patient/<id> or the id, got "+quote(v))
		return "", false
	}
	return id, true
}

// days is a date search's range of days, both ends included (YYYY-MM-DD; an empty end is open), in UTC.
type days struct {
	from, to string
	empty    bool
}

// dateParam reads a date search parameter: as birthdate, a date of year, month or day precision after
// an optional eq (the default), ge, le, gt or lt; repeated, all must hold.
func dateParam(c *gin.Context, s search, name string) (days, bool) {
	from, to, empty, err := birthRange(s.values[name])
	if err != nil {
		invalid(c, name+strings.TrimPrefix(err.Error(), "birthdate"))
		return days{}, false
	}
	return days{from, to, empty}, true
}

// has says whether t falls in the range.
func (d days) has(t time.Time) bool {
	if d.empty {
		return false
	}
	day := t.UTC().Format(time.DateOnly)
	return (d.from == "" || day >= d.from) && (d.to == "" || day <= d.to)
}

// tokenMatches says whether a token search value (code, system|code or |code) names one of codings.
func tokenMatches(v string, codings []fhir.Coding) bool {
	system, code, hasSystem := strings.Cut(v, "|")
	if !hasSystem {
		code, system = system, ""
	}
	for _, cd := range codings {
		if cd.Code == nil || !strings.EqualFold(*cd.Code, code) {
			continue
		}
		if !hasSystem || (system == "" && cd.System == nil) || (cd.System != nil && *cd.System == system) {
			return true
		}
	}
	return false
}

// idParam is the _id search value ("" when absent).
func idParam(s search) string { return s.values.Get("_id") }

// reference is a FHIR Reference to type/id.
func reference(typ, id string) *fhir.Reference {
	return &fhir.Reference{Reference: ptr(typ + "/" + id), Type: ptr(typ)}
}

// concept is a CodeableConcept of one coding and its text.
func concept(system, code, display string) fhir.CodeableConcept {
	return fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(system), Code: ptr(code), Display: ptr(display)}}}
}

// number writes a float as a FHIR decimal, as few digits as it needs.
func number(v float64) *json.Number { return ptr(json.Number(strconv.FormatFloat(v, 'f', -1, 64))) }

// ucum is a quantity in a UCUM unit.
func ucum(v float64, unit, code string) *fhir.Quantity {
	return &fhir.Quantity{Value: number(v), Unit: ptr(unit), System: ptr(SystemUCUM), Code: ptr(code)}
}

// reshape marshals a resource and then sets (or, with a nil value, removes) top-level fields. The
// samply structs have no contained, and write both halves of some choice types (Coverage's
// costToBeneficiary value, MedicationRequest's medication) because neither is omitempty. resourceType
// stays first.
func reshape(resource any, set map[string]any) (json.RawMessage, error) {
	raw, err := json.Marshal(resource)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for k, v := range set {
		if v == nil {
			delete(m, k)
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		m[k] = b
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "resourceType" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out bytes.Buffer
	out.WriteString(`{"resourceType":`)
	out.Write(m["resourceType"])
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		out.WriteByte(',')
		out.Write(kb)
		out.WriteByte(':')
		out.Write(m[k])
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// payerOrganization is a payer as the Organization a Coverage, Claim or ClaimResponse contains (id
// "payer", referenced as "#payer"): payers are not served as resources of their own.
func payerOrganization(p billing.Payer, name string) fhir.Organization {
	o := fhir.Organization{Id: ptr("payer"), Active: ptr(!p.Retired),
		Type: []fhir.CodeableConcept{concept("http://terminology.hl7.org/CodeSystem/organization-type", "pay", "Payer")}}
	if p.Name != "" {
		name = p.Name
	}
	if name != "" {
		o.Name = ptr(name)
	}
	if p.Code != "" {
		o.Identifier = []fhir.Identifier{{System: ptr(SystemPayer), Value: ptr(p.Code)}}
	}
	return o
}

// payer reads a payer for a contained Organization; an unknown one (never expected) is named only.
func (cl *Clinical) payer(ctx context.Context, id, name string) (fhir.Organization, error) {
	p, err := cl.Billing.FHIRPayer(ctx, id)
	if err != nil && !errors.Is(err, fault.ErrNotFound) {
		return fhir.Organization{}, err
	}
	return payerOrganization(p, name), nil
}

// sortedEntry is a search match with what it sorts by. When build is set, the resource is made by it,
// for the page's matches only.
type sortedEntry struct {
	entry
	at    time.Time
	build func() (any, error)
}

// answer pages the matches (newest first, then by id) and writes the searchset.
func (cl *Clinical) answer(c *gin.Context, resource string, s search, matches []sortedEntry) {
	slices.SortStableFunc(matches, func(a, b sortedEntry) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id) // ids grow with time: the newer first
	})
	answerPage(c, cl.h.base(c), resource, s, matches, func(m sortedEntry) (entry, error) {
		if m.build == nil {
			return m.entry, nil
		}
		r, err := m.build()
		return entry{id: m.id, resource: r}, err
	})
}

// can refuses a caller whose role is not granted perm (403, as the REST route's role check).
func can(c *gin.Context, p auth.Principal, perm shared.Permission) bool {
	if p.Can(perm) {
		return true
	}
	Error(c, fault.New(fault.ErrForbidden, "your role (%s) is not granted %s", p.RoleID, perm))
	return false
}
