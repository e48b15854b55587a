package fhir

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/directory"
	"hms/server/internal/fault"
	"hms/server/internal/patient"
	"hms/shared"
)

// The Location search parameters.
var (
	locationParams     = []string{"_id", "name"}
	locationRepeatable = []string{"name"}
)

// LocationResource maps one of the hospital's own sites — an entry of the hospital directory flagged
// own (docs/integrations.md) — to a FHIR Location: a physical site (type building, mode instance) of
// Organization/hospital, with its address, phone, position and services (as type text). The other
// directory entries are other organisations' hospitals and are not served.
func LocationResource(h shared.Hospital) fhir.Location {
	l := fhir.Location{Id: ptr(h.ID), Status: ptr(fhir.LocationStatusActive), Mode: ptr(fhir.LocationModeInstance),
		Name:                 ptr(h.Name),
		ManagingOrganization: &fhir.Reference{Reference: ptr("Organization/" + HospitalID), Type: ptr("Organization")},
		PhysicalType: &fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/location-physical-type"),
			Code: ptr("bu"), Display: ptr("Building")}}},
		Position: &fhir.LocationPosition{Latitude: *number(h.Lat), Longitude: *number(h.Lng)}}
	if h.Address != "" {
		l.Address = &fhir.Address{Text: ptr(h.Address)}
	}
	if h.Phone != "" {
		l.Telecom = []fhir.ContactPoint{{System: ptr(fhir.ContactPointSystemPhone), Value: ptr(h.Phone)}}
	}
	for _, s := range h.Services {
		if s != "" {
			l.Type = append(l.Type, fhir.CodeableConcept{Text: ptr(s)})
		}
	}
	if !h.UpdatedAt.IsZero() {
		l.Meta = &fhir.Meta{LastUpdated: ptr(h.UpdatedAt.UTC().Format(instant))}
	}
	return l
}

// ownSites reads the directory (it holds at most directory.MaxRows entries) and keeps the hospital's
// own sites, in name order.
func (h *Handlers) ownSites(c *gin.Context) ([]shared.Hospital, error) {
	list, err := h.sched.Sites.List(c.Request.Context(), "", 1, directory.MaxRows)
	if err != nil {
		return nil, err
	}
	var own []shared.Hospital
	for _, s := range list.Items {
		if s.Own {
			own = append(own, s)
		}
	}
	return own, nil
}

// ReadLocation handles GET /fhir/R4/Location/{id}: one of the hospital's own sites, which every
// signed-in user may read (as GET /api/hospitals); another directory entry or an unknown id is 404.
func (h *Handlers) ReadLocation(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	id := c.Param("id")
	sites, err := h.ownSites(c)
	if err != nil {
		Error(c, err)
		return
	}
	for _, s := range sites {
		if s.ID == id {
			write(c, http.StatusOK, LocationResource(s))
			return
		}
	}
	Error(c, fault.New(fault.ErrNotFound, "no Location with id %s (Locations are the hospital's own sites in the directory)", quote(id)))
}

// SearchLocations handles GET /fhir/R4/Location?name=&_id=: the hospital's own sites, in name order;
// name matches as the Patient search does (each word the start of a word of the name, case and accents
// ignored).
func (h *Handlers) SearchLocations(c *gin.Context) {
	if !formatOK(c) {
		return
	}
	s, ok := parseSearch(c, locationParams, locationRepeatable)
	if !ok {
		return
	}
	sites, err := h.ownSites(c)
	if err != nil {
		Error(c, err)
		return
	}
	words := patient.Words(strings.Join(s.values["name"], " "))
	id := s.values.Get("_id")
	var match []shared.Hospital
	for _, site := range sites {
		if id != "" && site.ID != id || !namePrefixes(patient.Words(site.Name), words) {
			continue
		}
		match = append(match, site)
	}
	answerPage(c, h.base(c), "Location", s, match, func(site shared.Hospital) (entry, error) {
		return entry{id: site.ID, resource: LocationResource(site)}, nil
	})
}
