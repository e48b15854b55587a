package fhir

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/patient"
	"hms/shared"
)

// The Practitioner search parameters.
var (
	practitionerParams     = []string{"_id", "name"}
	practitionerRepeatable = []string{"name"}
)

// PractitionerResource maps a doctor's profile to a FHIR Practitioner: the name as text and the
// specialty as the text of a qualification (HMS records a specialty, not the certificate behind it;
// PractitionerRole, where FHIR puts specialties and departments, is not served yet).
func PractitionerResource(d shared.Doctor) fhir.Practitioner {
	p := fhir.Practitioner{Id: ptr(d.ID), Active: ptr(true)}
	if d.Name != "" {
		p.Name = []fhir.HumanName{{Text: ptr(d.Name), Prefix: []string{"Dr"}}}
	}
	if d.Specialty != "" {
		p.Qualification = []fhir.PractitionerQualification{{Code: fhir.CodeableConcept{Text: ptr(d.Specialty)}}}
	}
	return p
}

// ReadPractitioner handles GET /fhir/R4/Practitioner/{id}: a doctor with a profile, which every
// signed-in user may read (as GET /api/doctors/{id}, not audited); anything else is 404.
func (h *Handlers) ReadPractitioner(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	id := c.Param("id")
	if !ident.Valid(id) {
		Error(c, fault.New(fault.ErrNotFound, "no Practitioner with id %s", quote(id)))
		return
	}
	d, err := h.doctors.Get(c.Request.Context(), id)
	if err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			err = fault.New(fault.ErrNotFound, "no Practitioner with id %s (doctors are served once they have a profile)", quote(id))
		}
		Error(c, err)
		return
	}
	write(c, http.StatusOK, PractitionerResource(d))
}

// SearchPractitioners handles GET /fhir/R4/Practitioner?name=&_id=&_count=&_offset=: the doctors
// with a profile (GET /api/doctors), in name order; name matches as the patient search does (each
// word the start of a word of the name, case and accents ignored).
func (h *Handlers) SearchPractitioners(c *gin.Context) {
	if !formatOK(c) {
		return
	}
	s, ok := parseSearch(c, practitionerParams, practitionerRepeatable)
	if !ok {
		return
	}
	list, err := h.doctors.Find(c.Request.Context(), "", "", "")
	if err != nil {
		Error(c, err)
		return
	}
	words := patient.Words(strings.Join(s.values["name"], " "))
	id := strings.ToLower(s.values.Get("_id"))
	var match []shared.Doctor
	for _, d := range list.Items {
		if id != "" && d.ID != id {
			continue
		}
		if !namePrefixes(patient.Words(d.Name), words) {
			continue
		}
		match = append(match, d)
	}
	answerPage(c, h.base(c), "Practitioner", s, sortedDoctors(match), func(d shared.Doctor) (entry, error) {
		return entry{id: d.ID, resource: PractitionerResource(d)}, nil
	})
}

// namePrefixes says whether every search word begins some word of the name.
func namePrefixes(name, search []string) bool {
	for _, w := range search {
		if !slices.ContainsFunc(name, func(n string) bool { return strings.HasPrefix(n, w) }) {
			return false
		}
	}
	return true
}
