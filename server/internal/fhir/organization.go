package fhir

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/fault"
)

// OrganizationResource is the hospital (HOSPITAL_NAME, HOSPITAL_ADDRESS, HOSPITAL_TAX_ID) as a FHIR
// Organization of type "prov" (healthcare provider), id "hospital".
func OrganizationResource(h Hospital) fhir.Organization {
	o := fhir.Organization{Id: ptr(HospitalID), Active: ptr(true), Name: ptr(h.Name),
		Type: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/organization-type"),
			Code: ptr("prov"), Display: ptr("Healthcare Provider")}}}}}
	if h.Name == "" {
		o.Name = ptr("Hospital")
	}
	if h.Address != "" {
		o.Address = []fhir.Address{{Text: ptr(h.Address)}}
	}
	if h.TaxID != "" {
		o.Identifier = []fhir.Identifier{{System: ptr(SystemTaxID), Value: ptr(h.TaxID)}}
	}
	return o
}

// ReadOrganization handles GET /fhir/R4/Organization/{id}: the hospital, id "hospital" (any other id
// is 404). Like GET /api/hospital it is not audited: it holds no personal data.
func (h *Handlers) ReadOrganization(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	if id := c.Param("id"); id != HospitalID {
		Error(c, fault.New(fault.ErrNotFound, "no Organization with id %s (the hospital is Organization/%s)", quote(id), HospitalID))
		return
	}
	write(c, http.StatusOK, OrganizationResource(h.hospital))
}
