package fhir

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/patient"
	"hms/shared"
)

// The Schedule search parameters.
var scheduleParams = []string{"_id", "actor"}

// ScheduleResource is a doctor's schedule: one per doctor with a profile, id the doctor's id (so
// Slot.schedule, Schedule/{doctor id}, points at it), the Practitioner as its actor and the specialty
// as serviceType and specialty (as text: HMS records a specialty name, not a code). The working hours
// are in the Slots; HMS sets no booking horizon, so there is no planningHorizon.
func ScheduleResource(d shared.Doctor) fhir.Schedule {
	s := fhir.Schedule{Id: ptr(d.ID), Active: ptr(true),
		Actor: []fhir.Reference{{Reference: ptr("Practitioner/" + d.ID), Type: ptr("Practitioner")}}}
	if d.Name != "" {
		s.Actor[0].Display = ptr(d.Name)
	}
	if d.Specialty != "" {
		s.ServiceType = []fhir.CodeableConcept{{Text: ptr(d.Specialty)}}
		s.Specialty = []fhir.CodeableConcept{{Text: ptr(d.Specialty)}}
	}
	if d.SlotMinutes > 0 {
		s.Comment = ptr("Slots of " + strconv.Itoa(d.SlotMinutes) + " minutes; GET " + Base + "/Slot?schedule=Schedule/" + d.ID + "&start=YYYY-MM-DD lists the free ones.")
	}
	return s
}

// ReadSchedule handles GET /fhir/R4/Schedule/{doctor id}: the doctor's schedule, which every signed-in
// user may read (as GET /api/doctors/{id}); a doctor without a profile is 404.
func (h *Handlers) ReadSchedule(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	id := c.Param("id")
	d, err := h.doctor(c, id)
	if err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			err = fault.New(fault.ErrNotFound, "no Schedule with id %s (a doctor's schedule has the doctor's id)", quote(id))
		}
		Error(c, err)
		return
	}
	write(c, http.StatusOK, ScheduleResource(d))
}

// doctor reads a doctor's profile; an id that cannot be one is not found.
func (h *Handlers) doctor(c *gin.Context, id string) (shared.Doctor, error) {
	if !ident.Valid(id) {
		return shared.Doctor{}, fault.New(fault.ErrNotFound, "no doctor with id %s", quote(id))
	}
	return h.doctors.Get(c.Request.Context(), id)
}

// SearchSchedules handles GET /fhir/R4/Schedule?actor=Practitioner/{id}&_id=: the schedules of the
// doctors with a profile (GET /api/doctors), in name order.
func (h *Handlers) SearchSchedules(c *gin.Context) {
	if !formatOK(c) {
		return
	}
	s, ok := parseSearch(c, scheduleParams, nil)
	if !ok {
		return
	}
	actor, okRef := refID(s.values.Get("actor"), "Practitioner")
	if !okRef {
		invalid(c, "actor: want Practitioner/<doctor id>, got "+quote(s.values.Get("actor")))
		return
	}
	ids := []string{}
	for _, id := range []string{strings.ToLower(s.values.Get("_id")), strings.ToLower(actor)} {
		if id != "" {
			ids = append(ids, id)
		}
	}
	list, err := h.doctors.Find(c.Request.Context(), "", "", "")
	if err != nil {
		Error(c, err)
		return
	}
	var match []shared.Doctor
	for _, d := range sortedDoctors(list.Items) {
		if !allEqual(ids, d.ID) {
			continue
		}
		match = append(match, d)
	}
	answerPage(c, h.base(c), "Schedule", s, match, func(d shared.Doctor) (entry, error) {
		return entry{id: d.ID, resource: ScheduleResource(d)}, nil
	})
}

// allEqual says whether every one of ids is id.
func allEqual(ids []string, id string) bool {
	for _, want := range ids {
		if want != id {
			return false
		}
	}
	return true
}

// sortedDoctors is the doctors in name order (accents and case aside), then by id, as the
// Practitioner search lists them.
func sortedDoctors(ds []shared.Doctor) []shared.Doctor {
	out := slices.Clone(ds)
	slices.SortFunc(out, func(a, b shared.Doctor) int {
		if c := strings.Compare(patient.FoldedName(a.Name), patient.FoldedName(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
