package fhir

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/fault"
	"hms/server/internal/patient"
	"hms/shared"
)

// The Patient search parameters.
var (
	patientParams     = []string{"_id", "name", "identifier", "birthdate"}
	patientRepeatable = []string{"name", "birthdate"}
)

// instant is FHIR's instant: to the millisecond, with the zone.
const instant = "2006-01-02T15:04:05.000Z07:00"

// PatientResource maps a record's demographics to a FHIR Patient: the MRN as its identifier (type MR,
// system urn:hms:mrn), the name as text (HMS keeps one name string, not family and given parts), sex
// as gender, date of birth, phone, address as text, emergency contacts as contacts; a record merged
// into another is inactive with a replaced-by link. No medical content: allergies, conditions and the
// history are other resources (not served yet).
func PatientResource(r patient.Record) fhir.Patient {
	p := fhir.Patient{Id: ptr(r.ID), Active: ptr(r.MergedInto == "")}
	if !r.UpdatedAt.IsZero() {
		p.Meta = &fhir.Meta{LastUpdated: ptr(r.UpdatedAt.UTC().Format(instant))}
	}
	if r.MRN != "" {
		p.Identifier = []fhir.Identifier{{Use: ptr(fhir.IdentifierUseUsual), System: ptr(SystemMRN), Value: ptr(r.MRN),
			Type: &fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/v2-0203"),
				Code: ptr("MR"), Display: ptr("Medical record number")}}, Text: ptr("MRN")}}}
	}
	if r.Name != "" {
		name := fhir.HumanName{Text: ptr(r.Name)}
		if r.Unidentified {
			name.Use = ptr(fhir.NameUseTemp) // a placeholder until the patient is identified
		}
		p.Name = []fhir.HumanName{name}
	}
	switch r.Sex {
	case "female":
		p.Gender = ptr(fhir.AdministrativeGenderFemale)
	case "male":
		p.Gender = ptr(fhir.AdministrativeGenderMale)
	case "other":
		p.Gender = ptr(fhir.AdministrativeGenderOther)
	case "unknown":
		p.Gender = ptr(fhir.AdministrativeGenderUnknown)
	}
	if r.DateOfBirth != "" {
		p.BirthDate = ptr(r.DateOfBirth)
	}
	if r.Phone != "" {
		p.Telecom = []fhir.ContactPoint{{System: ptr(fhir.ContactPointSystemPhone), Value: ptr(r.Phone)}}
	}
	if r.Address != "" {
		p.Address = []fhir.Address{{Text: ptr(r.Address)}}
	}
	for _, ec := range r.EmergencyContacts {
		ct := fhir.PatientContact{Relationship: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/v2-0131"),
			Code: ptr("C"), Display: ptr("Emergency Contact")}}}}}
		if ec.Name != "" {
			ct.Name = &fhir.HumanName{Text: ptr(ec.Name)}
		}
		if ec.Relation != "" {
			ct.Relationship = append(ct.Relationship, fhir.CodeableConcept{Text: ptr(ec.Relation)})
		}
		if ec.Phone != "" {
			ct.Telecom = []fhir.ContactPoint{{System: ptr(fhir.ContactPointSystemPhone), Value: ptr(ec.Phone)}}
		}
		p.Contact = append(p.Contact, ct)
	}
	if r.MergedInto != "" {
		p.Link = []fhir.PatientLink{{Other: fhir.Reference{Reference: ptr("Patient/" + r.MergedInto), Type: ptr("Patient")},
			Type: fhir.LinkTypeReplacedBy}}
	}
	return p
}

// ReadPatient handles GET /fhir/R4/Patient/{id}: the patient service's read, so the same access rule
// (a patient their own record, staff-side roles by the care-relationship rule with break-the-glass,
// 403 when refused) and the same audit entry (patient.read) as GET /api/patient/{id}. An id that
// cannot exist is 404, as FHIR reads answer an unknown id.
func (h *Handlers) ReadPatient(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	id := c.Param("id")
	r, err := h.patients.Get(c.Request.Context(), principal(c), id)
	if errors.Is(err, fault.ErrInvalid) {
		err = fault.New(fault.ErrNotFound, "no Patient with id %s", quote(id))
	}
	if err != nil {
		Error(c, err)
		return
	}
	write(c, http.StatusOK, PatientResource(r))
}

// SearchPatients handles GET /fhir/R4/Patient?name=&identifier=&birthdate=&_id=&_count=&_offset=:
// the patient service's search (audited as patient.search, no search text). A patient finds only
// their own record; the staff-side roles need patient.search, as for GET /api/patients, and see the
// same demographics it lists.
func (h *Handlers) SearchPatients(c *gin.Context) {
	if !formatOK(c) {
		return
	}
	s, ok := parseSearch(c, patientParams, patientRepeatable)
	if !ok {
		return
	}
	p := principal(c)
	// An integration client reaches here only with system/Patient.read (the central scope check).
	if p.Role != shared.RolePatient && !p.Can(shared.PermPatientSearch) && p.SystemGrant == "" {
		Error(c, fault.New(fault.ErrForbidden, "your role (%s) is not granted %s", p.RoleID, shared.PermPatientSearch))
		return
	}
	sp := patient.SearchParams{Name: strings.Join(s.values["name"], " "), ID: s.values.Get("_id"),
		Limit: s.count, Offset: s.offset}
	none := false
	if v := s.values.Get("identifier"); v != "" {
		system, value, hasSystem := strings.Cut(v, "|")
		if !hasSystem {
			value, system = system, ""
		}
		switch {
		case value == "":
			invalid(c, "identifier needs a value: identifier="+SystemMRN+"|<MRN> or identifier=<MRN>")
			return
		case hasSystem && system != "" && system != SystemMRN:
			none = true // HMS issues no identifiers in other systems
		}
		sp.MRN = value
	}
	from, to, empty, err := birthRange(s.values["birthdate"])
	if err != nil {
		invalid(c, err.Error())
		return
	}
	sp.BirthFrom, sp.BirthTo = from, to
	var rs []patient.Record
	total := 0
	if !none && !empty {
		rs, total, err = h.patients.Search(c.Request.Context(), p, sp)
		if err != nil {
			Error(c, err)
			return
		}
	}
	entries := make([]entry, len(rs))
	for i, r := range rs {
		entries[i] = entry{id: r.ID, resource: PatientResource(r)}
	}
	b, err := searchset(h.base(c), "Patient", s, total, entries, time.Now())
	if err != nil {
		Error(c, err)
		return
	}
	write(c, http.StatusOK, b)
}

// birthRange turns birthdate parameters into an inclusive range of dates of birth (YYYY-MM-DD; an
// empty bound is open), the intersection of all of them; empty says no date can match. Each value is
// a prefix (eq, the default, ge, le, gt or lt) and a date of year, month or day precision: eq1990
// is every day of 1990, gt1990-05 is from 1990-06-01 on.
func birthRange(values []string) (from, to string, empty bool, err error) {
	for _, v := range values {
		prefix := "eq"
		if len(v) > 2 && v[0] >= 'a' && v[0] <= 'z' {
			prefix, v = v[:2], v[2:]
		}
		start, end, err := dateSpan(v)
		if err != nil {
			return "", "", false, err
		}
		lo, hi := "", ""
		switch prefix {
		case "eq":
			lo, hi = start, end
		case "ge":
			lo = start
		case "le":
			hi = end
		case "gt":
			lo = nextDay(end)
		case "lt":
			hi = prevDay(start)
		default:
			return "", "", false, errors.New("birthdate: prefix " + quote(prefix) + " is not supported (eq, ge, le, gt, lt)")
		}
		if lo != "" && (from == "" || lo > from) {
			from = lo
		}
		if hi != "" && (to == "" || hi < to) {
			to = hi
		}
	}
	return from, to, from != "" && to != "" && from > to, nil
}

// dateSpan is the first and last day of a FHIR date of year, month or day precision.
func dateSpan(v string) (string, string, error) {
	for _, layout := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{time.DateOnly, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	} {
		if len(v) != len(layout.layout) {
			continue
		}
		t, err := time.Parse(layout.layout, v)
		if err != nil {
			break
		}
		return t.Format(time.DateOnly), layout.next(t).AddDate(0, 0, -1).Format(time.DateOnly), nil
	}
	return "", "", errors.New("birthdate: " + quote(v) + " is not a date (YYYY, YYYY-MM or YYYY-MM-DD, after an optional eq, ge, le, gt or lt)")
}

func nextDay(d string) string {
	t, _ := time.Parse(time.DateOnly, d)
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

func prevDay(d string) string {
	t, _ := time.Parse(time.DateOnly, d)
	return t.AddDate(0, 0, -1).Format(time.DateOnly)
}

// noParams refuses any query parameter on a read but _format (400, naming it).
func noParams(c *gin.Context) bool {
	for name := range c.Request.URL.Query() {
		if name != "_format" {
			invalid(c, "unsupported parameter "+quote(name)+" on a read (only _format)")
			return false
		}
	}
	return true
}
